"""Closing a case with a supervisor's approval, the follow-ups after closure, a closed case that is
read-only until reopened, and reopening with a reason (TT 02/2020/TT-BLĐTBXH, bước 5)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.followups.models import FollowUp
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.workflow import closure
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.shelter.models import ShelterStay

from .. import factories
from ..case_sections import whole_case_page
from ..plans.conftest import assessment_form, new_case
from ..referrals import helpers as referral_helpers
from .checklist_helpers import explain_all

CLOSE = {
    "reason": "goals_met",
    "summary": "Chị Lan đã an toàn, có việc làm ổn định",
    "evaluation": "Mục tiêu an toàn và sinh kế đều đạt; chị Lan hài lòng",
}


@pytest.fixture()
def case(staff):
    return new_case(staff.facility, staff.worker)


def reload(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _pending(case):
    return db.session.scalar(
        sa.select(Approval).where(
            Approval.subject_type == "closure", Approval.case_id == case.id, Approval.status == "pending"
        )
    )


def _events(case_id, kind=None):
    stmt = sa.select(CaseEvent).where(CaseEvent.case_id == case_id)
    if kind:
        stmt = stmt.where(CaseEvent.kind == kind)
    return db.session.scalars(stmt.order_by(CaseEvent.id)).all()


def _follow_ups(case):
    return db.session.scalars(sa.select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.due_at)).all()


def closed_case(case, staff):
    """Closed through the services: the worker asks, the supervisor approves."""
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id), **CLOSE)
    approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    db.session.commit()
    assert reload(case).status == "closed"
    return reload(case)


# --- request → approve → closed ----------------------------------------------------------------------------


def test_closure_request_then_approval_closes_the_case_and_schedules_the_follow_ups(staff, case, signed_in):
    worker = signed_in(staff.worker)
    response = worker.post(f"/cases/{case.id}/close", data=CLOSE)
    assert response.status_code == 302
    approval = _pending(case)
    assert approval is not None and approval.subject_id == case.id and approval.requested_by_id == staff.worker.id
    assert reload(case).status == "intake"  # open until a supervisor decides
    assert _events(case.id, "closure_evaluation")[0].text == CLOSE["evaluation"]

    supervisor = signed_in(staff.supervisor)
    page = supervisor.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert CLOSE["summary"] in page and "Phê duyệt kết thúc" in page
    response = supervisor.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""})
    assert response.status_code == 302

    case = reload(case)
    assert case.status == "closed" and case.closed_at is not None
    assert (case.closure_reason, case.closure_summary) == ("goals_met", CLOSE["summary"])
    status_event = _events(case.id, "status")[-1]
    assert (status_event.from_status, status_event.to_status) == ("intake", "closed")
    assert db.session.get(Approval, approval.id).status == "approved"
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case_status_changed", AuditEvent.entity_id == str(case.id))
    ).all()[-1]
    assert audit.detail["via"] == "closure_approval"

    first, second = _follow_ups(case)
    assert first.due_at == case.closed_at + timedelta(days=30)
    assert second.due_at == case.closed_at + timedelta(days=90)
    assert (first.kind, second.kind) == ("home_visit", "phone")
    assert {f.assigned_to_id for f in (first, second)} == {staff.worker.id}
    assert "Theo dõi sau kết thúc (30 ngày)" == first.purpose
    assert "Theo dõi sau kết thúc (90 ngày)" == second.purpose
    assert first.done_at is None and first.cancelled_at is None


def test_the_approval_queue_lists_the_closure_and_decides_it(staff, case, signed_in):
    approval = closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    supervisor = signed_in(staff.supervisor)
    page = supervisor.get("/approvals").get_data(as_text=True)
    assert "Kết thúc hồ sơ" in page and case.number in page
    assert f"/cases/{case.id}/close" in page
    response = supervisor.post(
        f"/approvals/{approval.id}/decide",
        data={f"a{approval.id}-approve": "1", f"a{approval.id}-comment": "", f"a{approval.id}-next": "/approvals"},
    )
    assert response.status_code == 302
    case = reload(case)
    assert case.status == "closed"
    assert len(_follow_ups(case)) == 2


def test_closure_returned_with_a_comment_leaves_the_case_open(staff, case, signed_in):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    response = signed_in(staff.supervisor).post(
        f"/cases/{case.id}/close/decide", data={"send_back": "1", "comment": "Bổ sung kết quả về sinh kế"}
    )
    assert response.status_code == 302
    case = reload(case)
    assert case.status == "intake" and case.closed_at is None
    assert _follow_ups(case) == []
    assert _events(case.id, "closure_returned")[0].text == "Bổ sung kết quả về sinh kế"
    worker = signed_in(staff.worker)
    page = whole_case_page(worker, case.id)
    assert "Bổ sung kết quả về sinh kế" in page and "Đề nghị kết thúc" in page
    form_page = worker.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert CLOSE["summary"] in form_page  # the new request starts from the last one
    assert worker.post(f"/cases/{case.id}/close", data=CLOSE).status_code == 302
    assert _pending(case) is not None


def test_returning_without_a_comment_is_refused(staff, case, signed_in):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    response = signed_in(staff.supervisor).post(
        f"/cases/{case.id}/close/decide", data={"send_back": "1", "comment": ""}
    )
    assert response.status_code == 422
    assert "Khi trả lại, hãy nêu rõ những gì cần sửa." in response.get_data(as_text=True)
    assert _pending(case) is not None and reload(case).status == "intake"


def test_worker_cannot_approve_own_closure(staff, case, signed_in):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    response = signed_in(staff.worker).post(f"/cases/{case.id}/close/decide", data={"approve": "1"})
    assert response.status_code == 403
    assert _pending(case) is not None and reload(case).status == "intake"
    assert approvals.refusal_reason(_pending(case), staff.worker) == "not_supervisor"


def test_supervisor_cannot_approve_own_closure_request(staff, case, signed_in):
    closure.request_closure(case, by=staff.supervisor, **CLOSE)
    db.session.commit()
    page = signed_in(staff.supervisor).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert f'action="/cases/{case.id}/close/decide"' not in page  # no decision buttons for the requester
    response = signed_in(staff.supervisor).post(f"/cases/{case.id}/close/decide", data={"approve": "1"})
    assert response.status_code == 403
    assert "Bạn là người đề nghị phê duyệt: một lãnh đạo / giám sát khác phải quyết định." in response.get_data(
        as_text=True
    )
    approval = _pending(case)
    assert approval is not None and reload(case).status == "intake"
    refusal = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "approval_refused", AuditEvent.entity_id == str(approval.id))
    ).all()
    assert [r.detail["reason"] for r in refusal] == ["own_request"]
    # another supervisor of the facility decides
    other = factories.make_user(role="supervisor", facility=staff.facility, full_name="Đặng Văn Phó Giám Đốc")
    assert signed_in(other).post(f"/cases/{case.id}/close/decide", data={"approve": "1"}).status_code == 302
    assert reload(case).status == "closed"


def test_closure_request_needs_a_reason_and_a_summary(staff, case, signed_in):
    client = signed_in(staff.worker)
    response = client.post(f"/cases/{case.id}/close", data={"reason": "", "summary": "", "evaluation": "Đánh giá dở"})
    assert response.status_code == 422
    assert "Đánh giá dở" in response.get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/close", data={"reason": "no_such_reason", "summary": "Tóm tắt"})
    assert response.status_code == 422
    assert _pending(case) is None
    with pytest.raises(ServiceError):
        closure.request_closure(case, reason="goals_met", summary="   ", by=staff.worker)


def test_one_closure_request_at_a_time(staff, case):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    with pytest.raises(ServiceError):
        closure.request_closure(case, by=staff.worker, **CLOSE)


def test_closure_is_refused_while_the_person_stays_in_the_shelter(staff, case, signed_in):
    stay = ShelterStay(
        facility_id=staff.facility.id,
        client_id=case.client_id,
        case_id=case.id,
        admitted_at=utcnow(),
        planned_end_at=utcnow() + timedelta(days=30),
    )
    db.session.add(stay)
    db.session.commit()
    response = signed_in(staff.worker).post(f"/cases/{case.id}/close", data=CLOSE)
    assert response.status_code == 422
    assert "vẫn đang lưu trú" in response.get_data(as_text=True)
    assert _pending(case) is None


def test_shelter_staff_cannot_request_closure(staff, case, signed_in):
    client = signed_in(staff.shelter)
    page = client.get(f"/cases/{case.id}/close")
    assert page.status_code == 200 and "Chỉ nhân viên phụ trách hồ sơ hoặc lãnh đạo" in page.get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/close", data=CLOSE).status_code == 403
    assert _pending(case) is None


def test_worker_of_other_facility_cannot_close_case(staff, case, signed_in):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    other_worker = factories.make_user(role="social_worker", facility=staff.other_facility)
    for outsider in (signed_in(other_worker), signed_in(staff.outsider)):  # a worker, a supervisor elsewhere
        assert outsider.get(f"/cases/{case.id}/close").status_code == 404
        assert outsider.post(f"/cases/{case.id}/close", data=CLOSE).status_code == 404
        assert outsider.post(f"/cases/{case.id}/reopen", data={"reason": "Mở lại"}).status_code == 404
    assert signed_in(staff.outsider).post(f"/cases/{case.id}/close/decide", data={"approve": "1"}).status_code == 404
    assert reload(case).status == "intake" and _pending(case) is not None


# --- a closed case is read-only -----------------------------------------------------------------------------


def test_closed_case_refuses_new_note(staff, case, signed_in):
    case = closed_case(case, staff)
    before = len(_events(case.id))
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/notes", data={"text": "Ghi chép sau kết thúc"}, follow_redirects=True
    )
    assert "Hồ sơ đã kết thúc và chỉ được xem. Hãy mở lại hồ sơ để sửa." in response.get_data(as_text=True)
    assert len(_events(case.id)) == before
    with pytest.raises(ServiceError):
        from caseapp.cases.services import add_note

        add_note(case, "Ghi chép", by=staff.worker)


def test_closed_case_page_hides_the_write_actions(staff, case, signed_in):
    case = closed_case(case, staff)
    page = whole_case_page(signed_in(staff.worker), case.id)
    assert f'action="/cases/{case.id}/notes"' not in page
    assert f"/cases/{case.id}/edit" not in page
    assert f'action="/cases/{case.id}/status"' not in page
    assert f"/cases/{case.id}/reopen" in page
    assert "Hồ sơ đã kết thúc và chỉ được xem" in page


def _referral(case, staff):
    provider = referral_helpers.make_provider(staff.facility.province_code)
    return referral_helpers.make_referral(case, provider, staff.worker)


WRITES = {
    # endpoint name → (path, form data) of a write on the case (referral: `referral` formats the path)
    "cases.add_note": ("/cases/{case}/notes", {"text": "Ghi chép"}),
    "cases.move": ("/cases/{case}/status", {"to_status": "review", "reason": "Chuyển bước"}),
    "cases.edit": ("/cases/{case}/edit", {"case_type": "center", "urgency": "low", "version": "{version}"}),
    "cases.closure_page": ("/cases/{case}/close", CLOSE),
    "plans.new_assessment": ("/cases/{case}/assessments/new", assessment_form()),
    "referrals.new_referral": (
        "/cases/{case}/referrals/new",
        {
            "provider_id": "{provider}",
            "service_type": "medical",
            "reason": "Khám",
            "shared_info": "Họ tên",
            "consent_mode": "record",
            "consent_given_by": "client",
        },
    ),
    "referrals.change_status": ("/referrals/{referral}/status", {"to_status": "revoked", "reason": "Không cần nữa"}),
    "referrals.transfer": ("/cases/{case}/transfer", {"to_facility_id": "{facility}", "reason": "Chuyển tỉnh"}),
    "shelter.complete_intake": (
        "/shelter/cases/{case}/complete-intake",
        {"channel": "walk_in", "problems": "domestic_violence"},
    ),
}


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_closed_case_refuses_every_write_route(staff, case, signed_in, endpoint):
    referral = _referral(case, staff)
    case = closed_case(case, staff)
    path, data = WRITES[endpoint]
    before = (case.version, len(_events(case.id)), referral.status)
    values = {"version": case.version, "provider": referral.provider_id, "facility": staff.other_facility.id}
    data = {k: v.format(**values) if isinstance(v, str) else v for k, v in data.items()}
    response = signed_in(staff.worker).post(
        path.format(case=case.id, referral=referral.id), data=data, follow_redirects=True
    )
    assert response.status_code in (200, 422), response.status_code
    assert "Hồ sơ đã kết thúc và chỉ được xem. Hãy mở lại hồ sơ để sửa." in response.get_data(as_text=True)
    db.session.expire_all()
    after = reload(case)
    assert (after.version, len(_events(case.id)), db.session.get(type(referral), referral.id).status) == before
    assert after.status == "closed"


# --- reopening ---------------------------------------------------------------------------------------------


def test_reopen_needs_a_reason(staff, case, signed_in):
    case = closed_case(case, staff)
    client = signed_in(staff.worker)
    response = client.post(f"/cases/{case.id}/reopen", data={"reason": "  "})
    assert response.status_code == 422
    assert reload(case).status == "closed"
    with pytest.raises(ServiceError):
        closure.reopen_case(reload(case), reason="", by=staff.worker)

    response = client.post(f"/cases/{case.id}/reopen", data={"reason": "Lần thăm 30 ngày thấy bạo lực tái diễn"})
    assert response.status_code == 302
    case = reload(case)
    assert case.status == "review" and case.closed_at is None
    assert case.closure_reason is None and case.closure_summary is None
    [event] = _events(case.id, "reopened")
    assert (event.from_status, event.to_status, event.text) == (
        "closed",
        "review",
        "Lần thăm 30 ngày thấy bạo lực tái diễn",
    )
    assert all(f.cancelled_at is not None for f in _follow_ups(case))  # the post-closure follow-ups
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case_reopened", AuditEvent.entity_id == str(case.id))
    ).one()
    assert audit.detail["closure_reason"] == "goals_met" and len(audit.detail["cancelled_follow_up_ids"]) == 2
    # writable again
    assert client.post(f"/cases/{case.id}/notes", data={"text": "Ghi chép sau khi mở lại"}).status_code == 302


def test_supervisor_may_reopen_the_case(staff, case, signed_in):
    case = closed_case(case, staff)
    response = signed_in(staff.supervisor).post(f"/cases/{case.id}/reopen", data={"reason": "Đối tượng quay lại"})
    assert response.status_code == 302
    assert reload(case).status == "review"


def test_shelter_staff_cannot_reopen_the_case(staff, case, signed_in):
    case = closed_case(case, staff)
    client = signed_in(staff.shelter)
    assert "Chỉ nhân viên phụ trách hồ sơ hoặc lãnh đạo" in client.get(f"/cases/{case.id}/reopen").get_data(
        as_text=True
    )
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Mở lại"}).status_code == 403
    assert reload(case).status == "closed"


def test_worker_of_other_facility_cannot_reopen_case(staff, case, signed_in):
    case = closed_case(case, staff)
    assert signed_in(staff.outsider).post(f"/cases/{case.id}/reopen", data={"reason": "Mở lại"}).status_code == 404
    assert reload(case).status == "closed"


def test_an_open_case_is_not_reopened(staff, case, signed_in):
    client = signed_in(staff.worker)
    assert "Chỉ có thể mở lại hồ sơ đã kết thúc." in client.get(f"/cases/{case.id}/reopen").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/reopen", data={"reason": "Mở lại"}).status_code == 302
    assert reload(case).status == "intake" and _events(case.id, "reopened") == []


def test_closing_again_after_reopening_schedules_new_follow_ups(staff, case):
    case = closed_case(case, staff)
    closure.reopen_case(case, reason="Cần hỗ trợ thêm", by=staff.worker)
    db.session.commit()
    case = closed_case(reload(case), staff)
    open_ones = [f for f in _follow_ups(case) if f.cancelled_at is None]
    assert len(open_ones) == 2 and all(f.created_at == case.closed_at for f in open_ones)


def test_closure_waits_for_a_pending_transfer(staff, case):
    referral_helpers.make_transfer(case, staff.other_facility, staff.worker)
    with pytest.raises(ServiceError, match="chuyển"):
        closure.request_closure(case, by=staff.worker, **CLOSE)
    assert _pending(case) is None


def test_a_closure_asked_before_a_transfer_is_not_applied_at_the_new_facility(staff, case):
    approval = closure.request_closure(case, by=staff.worker, **CLOSE)
    case.facility_id = staff.other_facility.id  # the case moved meanwhile (an accepted transfer)
    db.session.commit()
    with pytest.raises(ServiceError):
        approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    db.session.rollback()
    assert reload(case).status == "intake" and _pending(case) is not None
