"""The closure checklist (TT 02/2020/TT-BLĐTBXH, bước 5): what is still open in a case is listed before
the closure is asked for and before it is approved; each loose end is resolved where it lives or
overridden with a reason the supervisor reads and the closure request keeps; a closure waits while a
loose end is neither."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.followups import services as followups
from caseapp.cases.models import Case
from caseapp.cases.workflow import checklist, closure
from caseapp.cases.workflow.models import ClosureOverride
from caseapp.clients.models import Client
from caseapp.clients.rights.anonymise import ANONYMISED, anonymise_client
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import local_today, utcnow
from caseapp.extensions import db
from caseapp.plans import services as plan_services
from caseapp.plans.queries import plan_of_case
from caseapp.shelter.models import ShelterStay

from ..documents.helpers import approve_pending
from ..plans.conftest import approved_assessment, new_case, plan_data
from ..referrals import helpers as referral_helpers
from .checklist_helpers import explain_all

CLOSE = {"reason": "moved_lost", "summary": "Gia đình chuyển vào Bình Dương, không liên lạc được"}
REASON = "Bệnh viện không trả lời; gia đình đã chuyển đi nên không cần nữa"


@pytest.fixture()
def case(staff):
    return new_case(staff.facility, staff.worker)


def follow_up(case, staff, in_days=3):
    made = followups.schedule_follow_up(
        case, kind="home_visit", due_at=utcnow() + timedelta(days=in_days), purpose="Thăm nhà", by=staff.worker
    )
    db.session.commit()
    return made


def referral(case, staff):
    provider = referral_helpers.make_provider(staff.facility.province_code)
    made = referral_helpers.make_referral(case, provider, staff.worker)
    db.session.commit()
    return made


def plan(case, staff, *, approve=True):
    approved_assessment(case, staff.worker)
    made = plan_services.create_plan(case, plan_data(), by=staff.worker)
    made = db.session.scalar(plan_of_case(case.id, made.id))
    plan_services.request_plan_approval(made, case, by=staff.worker)
    if approve:
        approve_pending(case, "plan", made.id, staff.supervisor)
    db.session.commit()
    return made


def stay(case, staff):
    made = ShelterStay(
        facility_id=staff.facility.id,
        client_id=case.client_id,
        case_id=case.id,
        admitted_at=utcnow(),
        planned_end_at=utcnow() + timedelta(days=30),
    )
    db.session.add(made)
    db.session.commit()
    return made


def kinds(case):
    return [item.kind for item in checklist.loose_ends(case.id)]


def pending_closure(case):
    return db.session.scalar(closure.pending_closure(case.id))


def reload(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


# --- the list -----------------------------------------------------------------------------------------


def test_every_kind_of_loose_end_is_listed(staff, case):
    assert kinds(case) == []
    plan(case, staff)  # approved: its goal has no outcome
    referral(case, staff)
    follow_up(case, staff)
    stay(case, staff)
    assert kinds(case) == ["stay", "referral", "follow_up", "goal"]
    assert [item.overridable for item in checklist.loose_ends(case.id)] == [False, True, True, True]


def test_a_plan_waiting_for_approval_is_listed_with_a_link_to_it(staff, case):
    waiting = plan(case, staff, approve=False)
    (item,) = checklist.loose_ends(case.id)
    assert (item.kind, item.link_to, item.ref_id) == ("approval", "plan", waiting.id)


def test_a_resolved_item_leaves_the_list(staff, case):
    visit = follow_up(case, staff)
    assert kinds(case) == ["follow_up"]
    followups.record_outcome(visit, case, done_at=utcnow(), outcome="Đã gặp gia đình", by=staff.worker)
    db.session.commit()
    assert kinds(case) == []


def test_a_goal_not_achieved_is_resolved_too_once_its_outcome_is_recorded(staff, case):
    made = plan(case, staff)
    assert kinds(case) == ["goal"]
    (goal,) = db.session.scalar(plan_of_case(case.id, made.id)).goals
    plan_services.record_goal_outcome(goal, "not_achieved", "Chị chuyển đi", local_today(), by=staff.worker)
    db.session.commit()
    assert kinds(case) == []


# --- the service ------------------------------------------------------------------------------------------


def test_closure_is_refused_while_a_loose_end_is_neither_resolved_nor_explained(staff, case):
    referral(case, staff)
    follow_up(case, staff)
    with pytest.raises(ServiceError) as refused:
        closure.request_closure(case, by=staff.worker, overrides={}, **CLOSE)
    assert "Bệnh viện Đa khoa tỉnh" in str(refused.value)
    assert refused.value.field == "checklist"
    with pytest.raises(ServiceError):  # a blank reason explains nothing
        closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, reason="   "), **CLOSE)
    assert pending_closure(case) is None


def test_an_override_with_a_reason_is_kept_with_the_request_and_audited(staff, case):
    sent = referral(case, staff)
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    db.session.commit()
    (kept,) = db.session.scalars(checklist.overrides_of(approval.id)).all()
    assert (kept.item_kind, kept.item_id, kept.reason) == ("referral", sent.id, REASON)
    assert kept.created_by_id == staff.worker.id and "Bệnh viện Đa khoa tỉnh" in kept.item_text
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "closure_requested").order_by(AuditEvent.id.desc())
    )
    assert event.detail["overridden"] == [f"referral-{sent.id}"] and event.detail["override_ids"] == [kept.id]


def test_a_stay_in_the_shelter_cannot_be_overridden(staff, case):
    kept = stay(case, staff)
    with pytest.raises(ServiceError):
        closure.request_closure(case, by=staff.worker, overrides={f"stay-{kept.id}": REASON}, **CLOSE)
    assert pending_closure(case) is None


def test_approval_is_refused_while_a_loose_end_opened_since_the_request_has_no_reason(staff, case):
    referral(case, staff)
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    db.session.commit()
    follow_up(case, staff)  # opened after the request
    with pytest.raises(ServiceError):
        approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    db.session.rollback()
    assert reload(case).status != "closed"


def test_approval_closes_the_case_when_every_loose_end_is_explained(staff, case):
    sent = referral(case, staff)
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    db.session.commit()
    assert reload(case).status == "closed"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case_closed"))
    assert event.detail["overridden"] == [f"referral-{sent.id}"]


# --- the pages --------------------------------------------------------------------------------------------


def test_the_request_page_lists_the_loose_ends_with_links_to_resolve_them(staff, case, signed_in):
    sent = referral(case, staff)
    visit = follow_up(case, staff)
    page = signed_in(staff.worker).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Bệnh viện Đa khoa tỉnh" in page and f"/referrals/{sent.id}" in page
    assert f"/cases/{case.id}/follow-ups/{visit.id}/outcome" in page
    assert f'name="override-referral-{sent.id}"' in page and f'name="override-follow_up-{visit.id}"' in page


def test_a_goal_links_straight_to_its_outcome_form_which_returns_to_the_checklist(staff, case, signed_in):
    made = plan(case, staff)
    (goal,) = db.session.scalar(plan_of_case(case.id, made.id)).goals
    http = signed_in(staff.worker)
    page = http.get(f"/cases/{case.id}/close").get_data(as_text=True)
    form_url = f"/cases/{case.id}/plans/{made.id}/goals/{goal.id}/outcome"
    assert f'href="{form_url}?next=/cases/{case.id}/close%23checklist"' in page
    data = {
        f"g{goal.id}-outcome": "achieved",
        f"g{goal.id}-assessed_on": local_today().isoformat(),
        f"g{goal.id}-version": str(goal.version),
        f"g{goal.id}-next": f"/cases/{case.id}/close#checklist",
    }
    response = http.post(form_url, data=data)
    assert response.headers["Location"].endswith(f"/cases/{case.id}/close#checklist")
    assert f"item-goal-{goal.id}" not in http.get(f"/cases/{case.id}/close").get_data(as_text=True)


def test_a_refused_request_shows_why_in_vietnamese_and_keeps_what_was_typed(staff, case, signed_in):
    sent = referral(case, staff)
    visit = follow_up(case, staff)
    data = {**CLOSE, "evaluation": "", f"override-referral-{sent.id}": REASON}  # the follow-up left unexplained
    response = signed_in(staff.worker).post(f"/cases/{case.id}/close", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Hãy giải quyết từng mục" in page
    assert REASON in page and CLOSE["summary"] in page
    assert f'id="item-follow_up-{visit.id}"' in page
    assert pending_closure(case) is None


def test_check_again_reads_the_list_anew_and_keeps_what_was_typed(staff, case, signed_in):
    visit = follow_up(case, staff)
    sent = referral(case, staff)
    followups.record_outcome(visit, case, done_at=utcnow(), outcome="Đã gặp", by=staff.worker)
    db.session.commit()
    data = {**CLOSE, "evaluation": "", f"override-referral-{sent.id}": REASON, "recheck": "1"}
    response = signed_in(staff.worker).post(f"/cases/{case.id}/close", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"item-follow_up-{visit.id}" not in page and REASON in page and CLOSE["summary"] in page
    assert pending_closure(case) is None


def test_the_supervisor_reads_the_reasons_on_the_approval_page(staff, case, signed_in):
    referral(case, staff)
    signed_in(staff.worker).post(f"/cases/{case.id}/close", data={**CLOSE, "evaluation": "", **_typed(case, REASON)})
    assert pending_closure(case) is not None
    page = signed_in(staff.supervisor).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert REASON in page and "Bệnh viện Đa khoa tỉnh" in page
    assert 'name="approve"' in page


def test_the_approval_page_says_what_opened_since_and_refuses_to_approve(staff, case, signed_in):
    referral(case, staff)
    closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    db.session.commit()
    visit = follow_up(case, staff)
    supervisor = signed_in(staff.supervisor)
    page = supervisor.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert f'id="item-follow_up-{visit.id}"' in page and "Chưa có lý do" in page
    response = supervisor.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""})
    assert response.status_code == 422
    assert "Từ khi đề nghị kết thúc" in response.get_data(as_text=True)
    assert reload(case).status != "closed"


def test_the_approval_queue_sends_a_closure_to_its_page(staff, case, signed_in):
    closure.request_closure(case, by=staff.worker, **CLOSE)
    db.session.commit()
    page = signed_in(staff.supervisor).get("/approvals").get_data(as_text=True)
    assert f"/cases/{case.id}/close" in page
    approval_id = db.session.scalar(sa.select(Approval.id).where(Approval.subject_type == "closure"))
    assert f"/approvals/{approval_id}/decide" not in page


def test_the_history_keeps_the_reasons_after_closing(staff, case, signed_in):
    referral(case, staff)
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosureOverride)) == 1
    page = signed_in(staff.supervisor).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert REASON in page


def _typed(case, reason):
    return {f"override-{key}": text for key, text in explain_all(case.id, reason).items()}


def test_anonymising_the_person_blanks_the_reasons_kept_with_the_closure(staff, case):
    referral(case, staff)
    approval = closure.request_closure(case, by=staff.worker, overrides=explain_all(case.id, REASON), **CLOSE)
    approvals.decide(approval, approve=True, comment=None, by=staff.supervisor)
    closed = reload(case)
    closed.closed_at = utcnow() - timedelta(days=365 * 6)  # the retention period ran out long ago
    db.session.commit()
    anonymise_client(db.session.get(Client, closed.client_id), reason="Hết thời hạn lưu trữ", by=staff.supervisor)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalars(checklist.overrides_of(approval.id)).one()
    assert (kept.item_text, kept.reason) == (ANONYMISED, ANONYMISED)
