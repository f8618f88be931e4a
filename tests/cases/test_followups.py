"""Follow-ups (schedule, reschedule, outcome, cancel), contact notes and the complete case timeline."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.audit.models import AuditEvent
from caseapp.cases.followups import services as followups
from caseapp.cases.followups.models import FollowUp
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.services import NOTE_MAX_LENGTH, add_note
from caseapp.cases.workflow.services import change_status
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.extensions import db

from .. import factories
from ..case_sections import whole_case_page


@pytest.fixture()
def case(staff):
    return factories.make_case(staff.facility, worker=staff.worker, status="implementation")


def local_input(moment):
    """An aware datetime as a datetime-local form value in Vietnam time."""
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def events_of(case, prefix=""):
    return db.session.scalars(
        sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id, CaseEvent.kind.startswith(prefix))
    ).all()


def audit_actions(prefix):
    return db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))).all()


# --- scheduling ---------------------------------------------------------------------------------------------


def test_worker_schedules_a_home_visit_due_in_vietnam_time_stored_utc(staff, case, signed_in):
    due_local = (utcnow() + timedelta(days=2)).astimezone(VN_TZ).replace(hour=9, minute=30, second=0, microsecond=0)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/follow-ups/new",
        data={
            "kind": "home_visit",
            "due_at": due_local.strftime("%Y-%m-%dT%H:%M"),
            "purpose": "Gặp mẹ của em",
            "assigned_to": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.case_id == case.id))
    assert follow_up.kind == "home_visit" and follow_up.purpose == "Gặp mẹ của em"
    assert follow_up.due_at == due_local.astimezone(timezone.utc)
    assert follow_up.due_at.utcoffset() == timedelta(0)
    assert follow_up.assigned_to_id == staff.worker.id  # default: the case's worker
    assert follow_up.facility_id == case.facility_id
    assert events_of(case, "follow_up_") == ["follow_up_scheduled"]
    assert audit_actions("follow_up_") == ["follow_up_scheduled"]

    page = whole_case_page(signed_in(staff.worker), case.id)
    assert "Thăm gia đình" in page and due_local.strftime("%d/%m/%Y %H:%M") in page
    assert "Đã lên lịch theo dõi" in page  # the timeline label


def test_follow_up_can_be_given_to_a_colleague_of_the_facility_only(staff, case):
    follow_up = followups.schedule_follow_up(
        case, kind="phone", due_at=utcnow() + timedelta(hours=3), assigned_to_id=staff.colleague.id, by=staff.worker
    )
    assert follow_up.assigned_to_id == staff.colleague.id
    with pytest.raises(ServiceError) as refused:
        followups.schedule_follow_up(
            case, kind="phone", due_at=utcnow() + timedelta(hours=3), assigned_to_id=staff.outsider.id, by=staff.worker
        )
    assert refused.value.field == "assigned_to"


def test_schedule_refuses_unknown_kind_and_past_due_time_and_keeps_the_input(staff, case, signed_in):
    client = signed_in(staff.worker)
    response = client.post(
        f"/cases/{case.id}/follow-ups/new",
        data={"kind": "phone", "due_at": local_input(utcnow() - timedelta(days=1)), "purpose": "Hỏi thăm sức khỏe"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Thời hạn đã qua." in page and "Hỏi thăm sức khỏe" in page
    response = client.post(f"/cases/{case.id}/follow-ups/new", data={"kind": "fax", "due_at": ""})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(FollowUp.case_id == case.id)) == 0


def test_closed_case_refuses_a_new_follow_up(staff, case, signed_in):
    case.status = "closed"
    db.session.flush()
    with pytest.raises(ServiceError):
        followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(days=30), by=staff.worker)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/follow-ups/new", data={"kind": "phone", "due_at": local_input(utcnow() + timedelta(days=30))}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(FollowUp.case_id == case.id)) == 0


def test_post_closure_follow_up_of_a_closed_case_is_shown_and_can_be_done(staff, case, signed_in):
    case.status, case.closed_at = "closed", utcnow()
    post_closure = FollowUp(
        case_id=case.id,
        facility_id=case.facility_id,
        kind="phone",
        purpose="Theo dõi sau 30 ngày",
        due_at=utcnow() + timedelta(days=30),
        assigned_to_id=staff.worker.id,
    )
    db.session.add(post_closure)
    db.session.flush()
    client = signed_in(staff.worker)
    page = whole_case_page(client, case.id)
    assert "Theo dõi sau 30 ngày" in page and f"/follow-ups/{post_closure.id}/outcome" in page
    assert f"/cases/{case.id}/follow-ups/new" not in page
    response = client.post(
        f"/cases/{case.id}/follow-ups/{post_closure.id}/outcome",
        data={"done_at": local_input(utcnow()), "outcome": "Em ổn định, đi học đều"},
    )
    assert response.status_code == 302
    assert post_closure.done_at is not None


# --- reschedule, outcome, cancel ------------------------------------------------------------------------------


def test_reschedule_moves_the_due_time_and_writes_the_timeline(staff, case, signed_in):
    follow_up = followups.schedule_follow_up(case, kind="meeting", due_at=utcnow() + timedelta(days=1), by=staff.worker)
    new_due = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)
    client = signed_in(staff.worker)
    form = client.get(f"/cases/{case.id}/follow-ups/{follow_up.id}/reschedule")
    assert form.status_code == 200 and local_input(follow_up.due_at) in form.get_data(as_text=True)
    response = client.post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/reschedule",
        data={"due_at": local_input(new_due), "assigned_to": str(staff.worker.id)},
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.due_at == new_due
    assert "follow_up_rescheduled" in events_of(case, "follow_up_")
    assert "follow_up_rescheduled" in audit_actions("follow_up_")


def test_outcome_marks_the_follow_up_done_and_updates_last_contact(staff, case, signed_in):
    follow_up = followups.schedule_follow_up(
        case, kind="home_visit", due_at=utcnow() + timedelta(hours=1), by=staff.worker
    )
    done = (utcnow() - timedelta(minutes=30)).replace(second=0, microsecond=0)
    assert case.last_contact_at is None
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/outcome",
        data={"done_at": local_input(done), "outcome": "Gia đình đồng ý cho em đi học lại"},
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    db.session.refresh(case)
    assert follow_up.done_at == done and follow_up.outcome == "Gia đình đồng ý cho em đi học lại"
    assert case.last_contact_at == done
    event = db.session.scalar(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "follow_up_done")
    )
    assert event.occurred_at == done and "Gia đình đồng ý" in event.text
    assert "follow_up_done" in audit_actions("follow_up_")


def test_outcome_needs_text_and_cannot_be_recorded_twice(staff, case, signed_in):
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(hours=1), by=staff.worker)
    client = signed_in(staff.worker)
    response = client.post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/outcome", data={"done_at": local_input(utcnow()), "outcome": "  "}
    )
    assert response.status_code == 422 and "Trường này là bắt buộc." in response.get_data(as_text=True)
    future = client.post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/outcome",
        data={"done_at": local_input(utcnow() + timedelta(days=1)), "outcome": "Đã gọi"},
    )
    assert future.status_code == 422 and "không thể ở tương lai" in future.get_data(as_text=True)
    followups.record_outcome(follow_up, case, done_at=utcnow(), outcome="Đã gọi", by=staff.worker)
    with pytest.raises(ServiceError):
        followups.record_outcome(follow_up, case, done_at=utcnow(), outcome="Lần nữa", by=staff.worker)


def test_an_older_outcome_does_not_move_last_contact_back(staff, case):
    recent = utcnow() - timedelta(hours=1)
    followups.add_contact_note(case, kind="phone", contacted_at=recent, text="Gọi cho mẹ", by=staff.worker)
    follow_up = followups.schedule_follow_up(case, kind="home_visit", due_at=utcnow(), by=staff.worker)
    followups.record_outcome(follow_up, case, done_at=utcnow() - timedelta(days=2), outcome="Ghi muộn", by=staff.worker)
    assert case.last_contact_at == recent


def test_cancel_needs_a_reason_and_keeps_it(staff, case, signed_in):
    follow_up = followups.schedule_follow_up(case, kind="meeting", due_at=utcnow() + timedelta(days=1), by=staff.worker)
    client = signed_in(staff.worker)
    assert client.post(f"/cases/{case.id}/follow-ups/{follow_up.id}/cancel", data={"reason": ""}).status_code == 422
    response = client.post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/cancel", data={"reason": "Gia đình đã chuyển nhà"}
    )
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.cancelled_at is not None and follow_up.outcome == "Gia đình đã chuyển nhà"
    assert follow_up.done_at is None
    assert "follow_up_cancelled" in events_of(case, "follow_up_")
    assert "follow_up_cancelled" in audit_actions("follow_up_")
    page = whole_case_page(client, case.id)
    assert "Đã hủy lịch theo dõi" in page and "Gia đình đã chuyển nhà" in page


def test_overdue_follow_up_is_highlighted_on_the_case_page(staff, case, signed_in):
    week_ago = utcnow() - timedelta(days=7)
    late = followups.schedule_follow_up(
        case, kind="phone", due_at=week_ago + timedelta(days=2), by=staff.worker, at=week_ago
    )
    upcoming = followups.schedule_follow_up(case, kind="meeting", due_at=utcnow() + timedelta(days=2), by=staff.worker)
    section = followups.case_section(case, staff.worker)
    assert section.overdue == [late]
    assert followups.status_of(late, utcnow()) == "overdue" and followups.status_of(upcoming, utcnow()) == "planned"
    page = signed_in(staff.worker).get(f"/cases/{case.id}?section=follow-ups").get_data(as_text=True)
    assert "follow-up-overdue" in page and page.count("followup-item is-overdue") == 1
    assert "Quá hạn: 1" in page


def test_done_follow_up_is_not_overdue(staff, case):
    week_ago = utcnow() - timedelta(days=7)
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=week_ago, by=staff.worker, at=week_ago)
    followups.record_outcome(follow_up, case, done_at=utcnow(), outcome="Đã gọi", by=staff.worker)
    assert followups.case_section(case, staff.worker).overdue == []


def test_worker_cannot_schedule_a_follow_up_on_a_case_of_other_facility(staff, signed_in):
    other_case = factories.make_case(staff.other_facility, worker=staff.outsider)
    response = signed_in(staff.worker).post(
        f"/cases/{other_case.id}/follow-ups/new",
        data={"kind": "phone", "due_at": local_input(utcnow() + timedelta(days=1))},
    )
    assert response.status_code == 404


def test_worker_cannot_record_an_outcome_on_a_case_outside_scope(staff, signed_in):
    colleague_case = factories.make_case(staff.facility, worker=staff.colleague)
    follow_up = followups.schedule_follow_up(
        colleague_case, kind="phone", due_at=utcnow() + timedelta(hours=1), by=staff.colleague
    )
    response = signed_in(staff.worker).post(
        f"/cases/{colleague_case.id}/follow-ups/{follow_up.id}/outcome",
        data={"done_at": local_input(utcnow()), "outcome": "x"},
    )
    assert response.status_code == 404
    assert follow_up.done_at is None


def test_follow_up_of_another_case_is_not_found_through_this_case(staff, case, signed_in):
    other = factories.make_case(staff.facility, worker=staff.worker)
    follow_up = followups.schedule_follow_up(other, kind="phone", due_at=utcnow() + timedelta(hours=1), by=staff.worker)
    response = signed_in(staff.worker).get(f"/cases/{case.id}/follow-ups/{follow_up.id}/cancel")
    assert response.status_code == 404


def test_reporter_cannot_schedule_follow_ups(staff, case, signed_in):
    response = signed_in(staff.reporter).get(f"/cases/{case.id}/follow-ups/new")
    assert response.status_code == 403


# --- contact notes ---------------------------------------------------------------------------------------------


def test_contact_note_records_when_it_happened_and_updates_last_contact(staff, case, signed_in):
    when = (utcnow() - timedelta(hours=5)).replace(second=0, microsecond=0)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/contacts",
        data={"contact_kind": "phone", "contacted_at": local_input(when), "contact_text": "Mẹ em báo em đã về nhà"},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.last_contact_at == when
    event = db.session.scalar(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "contact_phone")
    )
    assert event.occurred_at == when and event.text == "Mẹ em báo em đã về nhà"
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case_contact_added"))
    assert audit.detail["kind"] == "phone" and "Mẹ em" not in str(audit.detail)  # never the text itself
    page = signed_in(staff.worker).get(f"/cases/{case.id}?section=timeline").get_data(as_text=True)
    assert "Liên lạc: gọi điện thoại" in page and "Mẹ em báo em đã về nhà" in page


def test_too_long_contact_note_is_refused_and_the_text_is_kept(staff, case, signed_in):
    text = "Nội dung rất dài " * 300
    assert len(text) > NOTE_MAX_LENGTH
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/contacts",
        data={"contact_kind": "visit", "contacted_at": local_input(utcnow()), "contact_text": text},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tối đa 4000 ký tự." in page and "Nội dung rất dài Nội dung rất dài" in page
    assert case.last_contact_at is None


def test_contact_in_the_future_is_refused(staff, case):
    with pytest.raises(ServiceError) as refused:
        followups.add_contact_note(
            case, kind="meeting", contacted_at=utcnow() + timedelta(days=1), text="Hẹn", by=staff.worker
        )
    assert refused.value.field == "contacted_at"


def test_plain_note_still_works_and_does_not_count_as_contact(staff, case, signed_in):
    response = signed_in(staff.worker).post(f"/cases/{case.id}/notes", data={"text": "Ghi chú thường"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.last_contact_at is None


# --- the timeline ----------------------------------------------------------------------------------------------


def test_timeline_shows_every_kind_in_order_with_readable_labels(staff, case, signed_in):
    from caseapp.cases.attachments.services import add_attachment

    add_note(case, "Ghi chú đầu tiên", by=staff.worker)
    followups.add_contact_note(case, kind="visit", contacted_at=utcnow(), text="Thăm nhà", by=staff.worker)
    change_status(case, "review", by=staff.worker)
    approvals.request_approval(case, "closure", None, by=staff.worker)
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(days=1), by=staff.worker)
    followups.cancel_follow_up(follow_up, case, reason="Không cần nữa", by=staff.worker)
    add_attachment(case, data=b"%PDF-1.4 test", filename="bien-ban.pdf", description="Biên bản", by=staff.worker)
    # referrals and transfers write their own events (referrals.services); their labels are on the page
    from caseapp.cases.services import add_event

    add_event(case, "referral_sent", by=staff.worker, text="Bệnh viện tỉnh")
    add_event(case, "transfer_requested", by=staff.worker, text="→ Trung tâm khác")
    db.session.flush()

    page = signed_in(staff.worker).get(f"/cases/{case.id}?section=timeline").get_data(as_text=True)
    labels = [
        "Mở hồ sơ",
        "Ghi chú",
        "Liên lạc: thăm gia đình",
        "Chuyển trạng thái",
        "Đề nghị kết thúc được gửi phê duyệt",
        "Đã lên lịch theo dõi",
        "Đã hủy lịch theo dõi",
        "Đã đính kèm tài liệu",
        "Đã chuyển gửi",
        "Đề nghị chuyển hồ sơ sang cơ sở khác",
    ]
    from caseapp.cases.page import EVENT_LABELS

    timeline = page[page.index('id="timeline"') :]
    for label in labels:
        assert label in timeline, label
    for kind in events_of(case):
        assert kind in EVENT_LABELS, f"{kind} has no timeline label"
    # in the order it happened
    positions = [
        timeline.index(label) for label in ("Mở hồ sơ", "Ghi chú đầu tiên", "Chuyển trạng thái", "Đã đính kèm tài liệu")
    ]
    assert positions == sorted(positions)


def test_timeline_filter_by_kind(staff, case, signed_in):
    from caseapp.cases.attachments.services import add_attachment

    add_note(case, "Ghi chú lọc", by=staff.worker)
    add_attachment(case, data=b"\x89PNG\r\n\x1a\n...", filename="anh.png", by=staff.worker)
    change_status(case, "review", by=staff.worker)
    client = signed_in(staff.worker)

    def timeline(kind):
        page = client.get(f"/cases/{case.id}?section=timeline&timeline={kind}").get_data(as_text=True)
        return page[page.index('<ol class="timeline">') : page.index("</ol>", page.index('<ol class="timeline">'))]

    notes = timeline("notes")
    assert "Ghi chú lọc" in notes and "anh.png" not in notes and "Chuyển trạng thái" not in notes
    documents = timeline("documents")
    assert "anh.png" in documents and "Ghi chú lọc" not in documents
    status = timeline("status")
    assert "Chuyển trạng thái" in status and "Mở hồ sơ" in status and "Ghi chú lọc" not in status
    everything = timeline("nonsense")
    assert all(text in everything for text in ("Ghi chú lọc", "anh.png", "Chuyển trạng thái"))


def test_timeline_group_of_kinds():
    assert followups.timeline_group("note") == "notes"
    assert followups.timeline_group("contact_phone") == "notes"
    assert followups.timeline_group("status") == "status"
    assert followups.timeline_group("plan_approved") == "status"
    assert followups.timeline_group("transfer_accepted") == "status"
    assert followups.timeline_group("referral_sent") == "follow_ups"
    assert followups.timeline_group("follow_up_done") == "follow_ups"
    assert followups.timeline_group("attachment_added") == "documents"


def test_stored_follow_up_times_are_utc(staff, case):
    due = datetime(2030, 1, 31, 23, 30, tzinfo=VN_TZ)
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=due, by=staff.worker)
    db.session.expire_all()
    stored = db.session.get(FollowUp, follow_up.id).due_at
    assert stored == due and stored.utcoffset() == timedelta(0) and (stored.day, stored.hour) == (31, 16)
    assert db.session.get(Case, case.id) is not None


def test_an_upcoming_follow_up_reads_as_scheduled_and_a_contact_as_a_contact(staff, case, signed_in):
    """ "Planned" and "Contact" of follow-ups (msgctxt "follow-up"), not of plans or of the directory."""
    followups.schedule_follow_up(case, kind="meeting", due_at=utcnow() + timedelta(days=2), by=staff.worker)
    followups.add_contact_note(
        case, kind="other", contacted_at=utcnow() - timedelta(hours=1), text="Gặp ở chợ", by=staff.worker
    )
    page = whole_case_page(signed_in(staff.worker), case.id)
    assert '<span class="badge badge-warn">Đã lên lịch</span>' in page
    assert "Đã lên kế hoạch" not in page
    assert "<strong>Liên lạc</strong>" in page and "Gặp ở chợ" in page
