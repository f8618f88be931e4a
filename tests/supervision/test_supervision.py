"""Supervision: a session's agreed action becomes its owner's task with reminders and can be marked
done; the workers of a session read it, nobody else does; a case conference is on the case timeline,
in the caseload review, and prints as a minute (Biên bản họp hội chẩn) with its participants and
decisions."""

import html
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from caseapp.audit.models import AuditEvent
from caseapp.cases.caseload.models import CaseFlag
from caseapp.core.timeutil import local_today, utcnow
from caseapp.extensions import db
from caseapp.reminders.models import Reminder, ReminderStatus
from caseapp.supervision.models import CaseConference, SupervisionAction, SupervisionSession

from .. import factories

ACTION = "Đến thăm gia đình và đánh giá lại nguy cơ"
DECISION = "Chuyển gửi đến Trung tâm Y tế để khám tâm lý"


def page_text(response):
    return html.unescape(response.get_data(as_text=True))


def session_form(staff, case, **extra):
    data = {
        "kind": "group",
        "held_on": local_today().isoformat(),
        "workers": [str(staff.worker.id), str(staff.colleague.id)],
        "cases": case.number,
        "notes": "Trao đổi về cách tiếp cận gia đình",
        "actions-0-text": ACTION,
        "actions-0-case_number": case.number,
        "actions-0-owner": str(staff.worker.id),
        "actions-0-due_on": (local_today() + timedelta(days=3)).isoformat(),
    }
    data.update(extra)
    return data


def record_session(signed_in, staff, case, **extra):
    response = signed_in(staff.supervisor).post("/supervision/sessions/new", data=session_form(staff, case, **extra))
    assert response.status_code == 302, page_text(response)[:3000]
    return db.session.scalars(sa.select(SupervisionSession).order_by(SupervisionSession.id.desc())).first()


def conference_form(staff, **extra):
    data = {
        "held_at": (utcnow() + timedelta(hours=7) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Phòng họp tầng 2",
        "participants": [str(staff.worker.id)],
        "outsiders-0-name": "Đặng Thị Công Tác",
        "outsiders-0-organisation": "Hội Liên hiệp Phụ nữ xã",
        "outsiders-0-role": "Cán bộ hội",
        "situation": "Đối tượng đã an toàn tại nhà tạm lánh, cần hỗ trợ tâm lý.",
        "decisions-0-text": DECISION,
        "decisions-0-owner": str(staff.worker.id),
        "decisions-0-due_on": (local_today() + timedelta(days=5)).isoformat(),
        "decisions-1-text": "Họp lại sau 30 ngày",
    }
    data.update(extra)
    return data


def record_conference(signed_in, staff, case):
    response = signed_in(staff.supervisor).post(f"/cases/{case.id}/conferences/new", data=conference_form(staff))
    assert response.status_code == 302, page_text(response)[:3000]
    return db.session.scalars(sa.select(CaseConference).where(CaseConference.case_id == case.id)).one()


def test_session_action_becomes_the_owners_task_with_reminders(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    session = record_session(signed_in, staff, case)

    flag = db.session.scalars(sa.select(CaseFlag).where(CaseFlag.case_id == case.id)).one()
    assert (flag.to_user_id, flag.note) == (staff.worker.id, ACTION)
    reminders = db.session.scalars(
        sa.select(Reminder).where(
            Reminder.case_id == case.id, Reminder.item_kind == "flag", Reminder.user_id == staff.worker.id
        )
    ).all()
    assert reminders and all(r.status == ReminderStatus.PENDING for r in reminders)
    assert ACTION in page_text(signed_in(staff.worker).get("/cases/tasks"))
    audited = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "supervision_session_recorded")).one()
    assert audited.entity_id == str(session.id) and audited.detail["flag_ids"] == [flag.id]
    assert "Trao đổi" not in str(audited.detail)  # the notes are not copied into the audit trail


def test_session_is_read_by_its_workers_only(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    session = record_session(signed_in, staff, case)
    path = f"/supervision/sessions/{session.id}"
    for user in (staff.supervisor, staff.worker, staff.colleague):
        response = signed_in(user).get(path)
        assert response.status_code == 200 and ACTION in page_text(response)
    assert signed_in(staff.shelter).get(path).status_code == 404  # did not take part
    assert signed_in(staff.outsider).get(path).status_code == 404  # another facility
    listed = page_text(signed_in(staff.colleague).get("/supervision"))
    assert path in listed
    assert path not in page_text(signed_in(staff.shelter).get("/supervision"))


def test_owner_marks_the_action_done_and_its_reminders_stop(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    session = record_session(signed_in, staff, case)
    action = db.session.scalars(sa.select(SupervisionAction).where(SupervisionAction.session_id == session.id)).one()
    url = f"/supervision/sessions/{session.id}/actions/{action.id}/done"
    prefix = f"action{action.id}-"
    # a colleague of the session who cannot open the action's case: it is not there for them
    assert signed_in(staff.colleague).post(url, data={prefix + "resolution_note": "x"}).status_code == 404
    refused = signed_in(staff.worker).post(url, data={prefix + "resolution_note": ""})
    assert refused.status_code == 422
    response = signed_in(staff.worker).post(url, data={prefix + "resolution_note": "Đã thăm, gia đình hợp tác"})
    assert response.status_code == 302
    db.session.expire_all()
    flag = db.session.get(CaseFlag, action.flag_id)
    assert flag.resolved_at is not None and flag.resolution_note == "Đã thăm, gia đình hợp tác"
    pending = db.session.scalars(
        sa.select(Reminder).where(Reminder.case_id == case.id, Reminder.status == ReminderStatus.PENDING)
    ).all()
    assert not [r for r in pending if r.item_kind == "flag"]
    assert ACTION not in page_text(signed_in(staff.worker).get("/cases/tasks"))


def test_refused_session_keeps_what_was_typed(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.supervisor).post(
        "/supervision/sessions/new", data=session_form(staff, case, cases=f"{case.number}, KHONG-CO-9999")
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "KHONG-CO-9999" in text and "Trao đổi về cách tiếp cận gia đình" in text and ACTION in text
    assert "Không có hồ sơ nào" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionSession)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseFlag)) == 0


def test_action_to_a_worker_who_cannot_open_the_case_is_refused(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.supervisor).post(
        "/supervision/sessions/new", data=session_form(staff, case, **{"actions-0-owner": str(staff.colleague.id)})
    )
    assert response.status_code == 422
    assert "Việc 1" in page_text(response)


def test_action_owner_must_have_taken_part(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.supervisor).post(
        "/supervision/sessions/new", data=session_form(staff, case, workers=[str(staff.colleague.id)])
    )
    assert response.status_code == 422
    assert "Việc 1: Hãy chọn một trong các nhân viên tham gia." in page_text(response)


def test_conference_is_on_the_case_timeline_and_makes_tasks(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    conference = record_conference(signed_in, staff, case)
    timeline = page_text(signed_in(staff.worker).get(f"/cases/{case.id}?section=timeline"))
    assert "Họp hội chẩn" in timeline and DECISION in timeline
    assert f"/cases/{case.id}/conferences" in timeline
    flags = db.session.scalars(sa.select(CaseFlag).where(CaseFlag.case_id == case.id)).all()
    assert [(f.to_user_id, f.note) for f in flags] == [(staff.worker.id, DECISION)]  # the second has no owner
    page = page_text(signed_in(staff.worker).get(f"/cases/{case.id}/conferences/{conference.id}"))
    assert "Đặng Thị Công Tác" in page and "Hội Liên hiệp Phụ nữ xã" in page
    read = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "client_viewed", AuditEvent.entity_id == str(case.client_id))
    ).all()
    assert read


def test_conference_is_in_the_caseload_review(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    conference = record_conference(signed_in, staff, case)
    review = page_text(signed_in(staff.supervisor).get("/cases/caseload"))
    assert f"/cases/{case.id}/conferences/{conference.id}" in review


def test_conference_minute_prints_participants_and_decisions(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    conference = record_conference(signed_in, staff, case)
    response = signed_in(staff.worker).get(f"/cases/{case.id}/conferences/{conference.id}/minute.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BIÊN BẢN HỌP HỘI CHẨN",
        staff.supervisor.full_name,
        staff.worker.full_name,
        "Đặng Thị Công Tác",
        "Hội Liên hiệp Phụ nữ xã",
        "Chuyển gửi đến Trung tâm Y tế",
        "Họp lại sau 30 ngày",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert expected in text, expected
    generated = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "document_generated")).all()
    assert [e.detail["subject_id"] for e in generated] == [conference.id]


def test_worker_cannot_record_a_conference(signed_in, staff):
    case = factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.worker).post(f"/cases/{case.id}/conferences/new", data=conference_form(staff))
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseConference)) == 0
