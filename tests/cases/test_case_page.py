"""The case page: header, client summary, intake, the incomplete-intake task, the timeline, notes;
reading it is audited."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseEvent
from caseapp.cases.services import NOTE_MAX_LENGTH, add_note
from caseapp.clients.models import Client
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.intake.models import Intake

from .. import factories


@pytest.fixture()
def full_case(staff):
    f = staff.facility
    client = factories.make_client(
        f,
        full_name="Nguyễn Thị Hoa",
        alias="Hoa nhỏ",
        sex="female",
        birth_date=date(2014, 5, 1),
        birth_year=2014,
        birth_precision="exact",
    )
    factories.make_membership(client, "cs_violence")
    factories.make_membership(client, "em_domestic_violence")
    intake = Intake(
        facility_id=f.id,
        client_id=client.id,
        received_at=utcnow() - timedelta(hours=3),
        channel="hotline_111",
        referrer_name="Trần Văn Báo",
        referrer_org="UBND xã Hòa Bình",
        problems=["domestic_violence", "child_abuse"],
        problem_note="Bị đánh nhiều lần",
        screening={"immediate_danger": True, "needs_medical": False},
        urgency="high",
        decision="open_case",
        created_by_id=staff.worker.id,
    )
    db.session.add(intake)
    db.session.flush()
    return factories.make_case(
        f,
        client=client,
        worker=staff.worker,
        intake=intake,
        case_type="child_protection",
        care_kind="emergency",
        urgency="high",
        is_sensitive=True,
    )


def test_case_page_shows_header_client_intake_and_timeline(staff, full_case, signed_in):
    client = db.session.get(Client, full_case.client_id)
    page = signed_in(staff.worker).get(f"/cases/{full_case.id}").get_data(as_text=True)
    for text in (
        full_case.number,
        "Tiếp nhận",
        "Cao",
        "Bảo vệ trẻ em",
        "Khẩn cấp",
        "Lê Văn Nhân Viên",
        "Bảo mật",  # sensitive badge
        "Nguyễn Thị Hoa",
        client.code,
        "Hoa nhỏ",
        "Nữ",
        "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực",
        "Nạn nhân bạo lực gia đình",
        "Tổng đài 111",
        "Bạo lực gia đình",
        "Xâm hại / bạo lực trẻ em",
        "Bị đánh nhiều lần",
        "immediate_danger: Có",
        "needs_medical: Không",
        "Mở hồ sơ quản lý trường hợp",
        "Trần Văn Báo, UBND xã Hòa Bình",
        "Mở hồ sơ",
    ):  # the 'opened' event, labelled
        assert text in page, text
    assert f"<dd>{client.age}</dd>" in page


def test_case_page_links_the_client_page(staff, full_case, signed_in, app):
    page = signed_in(staff.worker).get(f"/cases/{full_case.id}").get_data(as_text=True)
    if "clients.show" in app.view_functions:
        assert f'href="/clients/{full_case.client_id}"' in page
    else:
        assert f'href="/clients/{full_case.client_id}"' not in page


def test_intake_incomplete_task_box_shows_the_due_time_and_overdue(staff, signed_in):
    late = factories.make_case(
        staff.facility, worker=staff.worker, intake_incomplete=True, intake_due_at=utcnow() - timedelta(hours=1)
    )
    due = factories.make_case(
        staff.facility, worker=staff.worker, intake_incomplete=True, intake_due_at=utcnow() + timedelta(hours=5)
    )
    done = factories.make_case(staff.facility, worker=staff.worker)
    client = signed_in(staff.worker)
    late_page = client.get(f"/cases/{late.id}").get_data(as_text=True)
    assert "Hồ sơ tiếp nhận chưa hoàn thiện" in late_page and "task-overdue" in late_page
    assert "Quá hạn từ" in late_page
    due_page = client.get(f"/cases/{due.id}").get_data(as_text=True)
    assert "Hoàn thiện trước" in due_page and "task-overdue" not in due_page
    assert "task-box" not in client.get(f"/cases/{done.id}").get_data(as_text=True)


def test_complete_intake_link_appears_only_when_that_page_exists(staff, signed_in, make_app):
    case = factories.make_case(
        staff.facility, worker=staff.worker, intake_incomplete=True, intake_due_at=utcnow() + timedelta(hours=5)
    )
    app = make_app()
    if "shelter.complete_intake" not in app.view_functions:
        page = signed_in(staff.worker).get(f"/cases/{case.id}").get_data(as_text=True)
        assert "Hoàn thiện hồ sơ tiếp nhận</a>" not in page
        from caseapp.security.policy import Perm
        from caseapp.security.web import requires

        @requires(Perm.EDIT_CASES)
        def stand_in(case_id):
            return "ok"

        app.add_url_rule(
            "/shelter/cases/<int:case_id>/complete-intake", endpoint="shelter.complete_intake", view_func=stand_in
        )
    from ..security.conftest import sign_in

    client = app.test_client()
    sign_in(client, staff.worker)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hoàn thiện hồ sơ tiếp nhận</a>" in page
    with app.test_request_context():
        from flask import url_for

        assert f'href="{url_for("shelter.complete_intake", case_id=case.id)}"' in page


def test_reading_the_case_page_is_audited(staff, full_case, signed_in):
    signed_in(staff.supervisor).get(f"/cases/{full_case.id}")
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case_viewed")).all()
    assert [(e.user_id, e.entity_type, e.entity_id) for e in events] == [
        (staff.supervisor.id, "cases", str(full_case.id))
    ]


def test_note_is_added_to_the_timeline_and_audited_without_its_text(staff, full_case, signed_in):
    client = signed_in(staff.worker)
    text = "Đã gọi điện cho mẹ của Hoa.\nHẹn gặp ngày mai."
    response = client.post(f"/cases/{full_case.id}/notes", data={"text": text})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{full_case.id}?section=timeline#timeline")
    note = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == full_case.id, CaseEvent.kind == "note"))
    assert note.text == text and note.actor_id == staff.worker.id
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case_note_added"))
    assert audit.entity_id == str(full_case.id) and audit.user_id == staff.worker.id
    assert "Hoa" not in str(audit.detail)
    page = client.get(f"/cases/{full_case.id}?section=timeline").get_data(as_text=True)
    assert "Đã lưu ghi chép." in page
    assert "Đã gọi điện cho mẹ của Hoa.\nHẹn gặp ngày mai." in page
    assert "Ghi chú" in page  # the event's label


@pytest.mark.parametrize(
    "text,message", [("   \n ", "Trường này là bắt buộc."), ("x" * (NOTE_MAX_LENGTH + 1), "Tối đa 4000 ký tự.")]
)
def test_refused_note_keeps_what_was_typed(staff, full_case, signed_in, text, message):
    response = signed_in(staff.worker).post(f"/cases/{full_case.id}/notes", data={"text": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if text.strip():
        assert text in page
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == full_case.id, CaseEvent.kind == "note")
        )
        == 0
    )


def test_add_note_service_validates_and_normalises(staff, full_case):
    with pytest.raises(ServiceError) as empty:
        add_note(full_case, " \r\n ", by=staff.worker)
    assert empty.value.field == "text"
    with pytest.raises(ServiceError):
        add_note(full_case, "a" * (NOTE_MAX_LENGTH + 1), by=staff.worker)
    decomposed = "Nguye\u0302\u0303n\r\nda\u0300i"  # NFD input, Windows line ending
    event = add_note(full_case, decomposed, by=staff.worker)
    assert event.text == "Nguyễn\ndài"


def test_shelter_staff_may_note_on_a_case_they_can_see(staff, signed_in):
    case = factories.make_case(staff.facility, worker=staff.worker)
    assert signed_in(staff.shelter).post(f"/cases/{case.id}/notes", data={"text": "Đã ngủ"}).status_code == 302


def test_case_page_query_count_does_not_grow_with_the_timeline(staff, full_case, signed_in, count_queries):
    client = signed_in(staff.worker)

    def count():
        client.get(f"/cases/{full_case.id}")
        db.session.expire_all()
        with count_queries() as counted:
            assert client.get(f"/cases/{full_case.id}").status_code == 200
        return counted.count

    add_note(full_case, "một", by=staff.worker)
    small = count()
    for i in range(10):
        add_note(full_case, f"ghi chép {i}", by=(staff.worker, staff.supervisor)[i % 2])
    assert count() == small


def test_screening_answers_show_in_words(staff, signed_in, monkeypatch):
    from caseapp.core import categories
    from caseapp.core.categories import Category

    # Category labels are English msgids: their Vietnamese wording comes from the catalogue.
    monkeypatch.setattr(
        categories,
        "SCREENING_QUESTIONS",
        (Category("danger_now", "Is the person in danger right now?"),),
        raising=False,
    )
    monkeypatch.setattr(
        categories, "SCREENING_ANSWERS", (Category("yes", "Yes"), Category("unknown", "Not known")), raising=False
    )
    f = staff.facility
    client = factories.make_client(f)
    intake = Intake(
        facility_id=f.id,
        client_id=client.id,
        received_at=utcnow(),
        channel="walk_in",
        urgency="high",
        decision="open_case",
        screening={"danger_now": "yes", "extra_question": "unknown", "suggested_urgency": "high"},
    )
    db.session.add(intake)
    db.session.flush()
    case = factories.make_case(f, client=client, worker=staff.worker, intake=intake)
    page = signed_in(staff.worker).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Người này có đang gặp nguy hiểm ngay lúc này không?: Có" in page
    assert "extra_question: Chưa rõ" in page
    assert "Mức độ khẩn cấp gợi ý: Cao" in page


SECTION_CARDS = {  # section → a card only that section renders
    "overview": 'id="h-intake"',
    "workflow": 'id="workflow"',
    "assessment-plan": 'id="assessment-plan"',
    "referrals": 'id="referrals"',
    "follow-ups": 'id="follow-ups"',
    "documents": 'id="documents"',
    "access": 'id="access"',
    "timeline": 'id="timeline"',
}


def test_the_case_page_renders_only_the_chosen_section_under_the_summary(staff, full_case, signed_in):
    client = signed_in(staff.supervisor)
    for section, card in SECTION_CARDS.items():
        response = client.get(f"/cases/{full_case.id}?section={section}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and card in page, section
        others = [c for s, c in SECTION_CARDS.items() if s != section]
        assert not any(c in page for c in others), section
        assert 'id="new-note"' in page and "Ghi chép mới" in page  # the note, one tap away on every section
        assert "Nguyễn Thị Hoa" in page.split('class="section-menu"')[0]  # who, in the summary on top
        assert f'href="/cases/{full_case.id}?section={section}" aria-current="page"' in page


def test_an_unknown_section_or_a_card_name_opens_the_section_that_holds_it(staff, full_case, signed_in):
    client = signed_in(staff.worker)
    assert 'id="h-intake"' in client.get(f"/cases/{full_case.id}?section=nonsense").get_data(as_text=True)
    assert 'id="deadlines"' in client.get(f"/cases/{full_case.id}?section=deadlines").get_data(as_text=True)
    assert 'id="timeline"' in client.get(f"/cases/{full_case.id}?section=contact").get_data(as_text=True)


def test_the_access_section_is_the_supervisors(staff, full_case, signed_in):
    page = signed_in(staff.worker).get(f"/cases/{full_case.id}?section=access").get_data(as_text=True)
    menu = page[page.index('class="section-menu"') : page.index("</nav>", page.index('class="section-menu"'))]
    assert "section=access" not in menu and 'aria-labelledby="access-title"' not in page and 'id="h-intake"' in page


def test_a_refused_note_opens_the_note_form_again_with_the_text(staff, full_case, signed_in):
    response = signed_in(staff.worker).post(f"/cases/{full_case.id}/notes", data={"text": "a" * (NOTE_MAX_LENGTH + 1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details class="new-note" id="new-note" open>' in page and "a" * 200 in page


def test_the_overview_reads_neither_the_timeline_nor_the_other_sections(staff, full_case, signed_in, count_queries):
    client = signed_in(staff.supervisor)
    client.get(f"/cases/{full_case.id}")
    db.session.expire_all()
    with count_queries() as overview:
        client.get(f"/cases/{full_case.id}")
    db.session.expire_all()
    with count_queries() as timeline:
        client.get(f"/cases/{full_case.id}?section=timeline")
    read = "\n".join(overview.statements).lower()
    assert "from case_events" not in read, [s for s in overview.statements if "from case_events" in s.lower()]
    assert "from case_events" in "\n".join(timeline.statements).lower()
    assert overview.count <= 25, "\n\n".join(overview.statements)
