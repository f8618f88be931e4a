"""Supervisor approval (phê duyệt): request → approve / return with a comment. Nobody decides on
what they asked for or wrote; only a supervisor of the facility decides; every step is on the case
timeline and in the audit trail."""

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseEvent
from caseapp.core.services import ServiceError
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.queries import plan_of_case

from .conftest import approved_assessment, assessment_data, new_case, plan_data, reload


@pytest.fixture()
def planning_case(people, case):
    approved_assessment(case, people.worker)
    return case


def _pending(plan):
    return db.session.scalar(
        sa.select(Approval).where(
            Approval.subject_type == "plan", Approval.subject_id == plan.id, Approval.status == "pending"
        )
    )


def _decide(client, approval, decision="approve", comment=""):
    button = {"approve": f"a{approval.id}-approve", "return": f"a{approval.id}-send_back"}[decision]
    return client.post(f"/approvals/{approval.id}/decide", data={button: "1", f"a{approval.id}-comment": comment})


def test_the_author_of_a_plan_cannot_approve_it_another_supervisor_can(people, planning_case, signed_in):
    # A supervisor writes the plan; the worker sends it for approval.
    plan = services.create_plan(planning_case, plan_data(), by=people.supervisor)
    plan = db.session.scalar(plan_of_case(planning_case.id, plan.id))
    services.request_plan_approval(plan, planning_case, by=people.worker)
    approval = _pending(plan)

    response = _decide(signed_in(people.supervisor), approval)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Bạn là người lập nội dung này: một lãnh đạo / giám sát khác phải quyết định." in page
    assert reload(plan).status == "pending" and reload(approval).status == "pending"
    refusal = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "approval_refused"))
    assert refusal.user_id == people.supervisor.id and refusal.detail["reason"] == "own_work"

    response = _decide(signed_in(people.supervisor2), approval)
    assert response.status_code == 302
    assert reload(plan).status == "approved"
    assert reload(approval).decided_by_id == people.supervisor2.id


def test_the_requester_cannot_approve_what_they_asked_for(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker)
    plan = db.session.scalar(plan_of_case(planning_case.id, plan.id))
    services.request_plan_approval(plan, planning_case, by=people.supervisor)
    approval = _pending(plan)
    response = _decide(signed_in(people.supervisor), approval)
    assert response.status_code == 403
    assert "Bạn là người đề nghị phê duyệt" in response.get_data(as_text=True)
    with pytest.raises(approvals.ApprovalRefused) as refused:
        approvals.decide(approval, approve=True, comment=None, by=people.supervisor)
    assert refused.value.reason == "own_request"
    approvals.decide(approval, approve=True, comment=None, by=people.supervisor2)
    assert reload(plan).status == "approved"


def test_the_author_of_an_assessment_cannot_approve_it(people, case):
    people.facility.requires_assessment_approval = True
    assessment = services.create_assessment(case, assessment_data(), by=people.supervisor)
    approval = db.session.scalar(
        sa.select(Approval).where(Approval.subject_id == assessment.id, Approval.subject_type == "assessment")
    )
    with pytest.raises(approvals.ApprovalRefused):
        approvals.decide(approval, approve=True, comment=None, by=people.supervisor)
    approvals.decide(approval, approve=True, comment=None, by=people.supervisor2)
    assert reload(assessment).status == "approved"


def test_a_social_worker_cannot_decide(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    approval = _pending(plan)
    response = _decide(signed_in(people.colleague), approval)
    assert response.status_code == 403  # no Perm.APPROVE: refused before anything is read
    assert reload(approval).status == "pending"
    with pytest.raises(approvals.ApprovalRefused) as refused:
        approvals.decide(approval, approve=True, comment=None, by=people.colleague)
    assert refused.value.reason == "not_supervisor"


def test_a_supervisor_of_another_facility_gets_404(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    response = _decide(signed_in(people.outsider), _pending(plan))
    assert response.status_code == 404
    assert reload(plan).status == "pending"


def test_a_return_needs_a_comment_and_the_author_sees_it(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    approval = _pending(plan)
    supervisor = signed_in(people.supervisor)
    response = _decide(supervisor, approval, "return", comment="")
    assert response.status_code == 302
    assert reload(plan).status == "pending"
    flashed = supervisor.get("/approvals").get_data(as_text=True)
    assert "Khi trả lại, hãy nêu rõ những gì cần sửa." in flashed

    response = _decide(supervisor, approval, "return", comment="Bổ sung hoạt động hỗ trợ pháp lý")
    assert response.status_code == 302
    plan, approval = reload(plan), reload(approval)
    assert plan.status == "returned"
    assert (approval.status, approval.comment, approval.decided_by_id) == (
        "returned",
        "Bổ sung hoạt động hỗ trợ pháp lý",
        people.supervisor.id,
    )
    event = db.session.scalar(
        sa.select(CaseEvent).where(CaseEvent.case_id == planning_case.id, CaseEvent.kind == "plan_returned")
    )
    assert event.text == "Bổ sung hoạt động hỗ trợ pháp lý" and event.actor_id == people.supervisor.id
    page = signed_in(people.worker).get(f"/cases/{planning_case.id}/plans/{plan.id}").get_data(as_text=True)
    assert "Bổ sung hoạt động hỗ trợ pháp lý" in page and "Bị trả lại để sửa" in page
    # the author edits the returned version and sends it again: a new request, the old one kept
    client = signed_in(people.worker)
    response = client.post(f"/cases/{planning_case.id}/plans/{plan.id}/request-approval")
    assert response.status_code == 302
    assert reload(plan).status == "pending"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Approval.id)).where(Approval.subject_id == plan.id, Approval.subject_type == "plan")
        )
        == 2
    )


def test_a_decided_request_cannot_be_decided_again(people, planning_case):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    approval = _pending(plan)
    approvals.decide(approval, approve=True, comment=None, by=people.supervisor)
    with pytest.raises(ServiceError):
        approvals.decide(approval, approve=False, comment="Muộn", by=people.supervisor2)


def test_one_pending_request_per_subject(people, planning_case):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    with pytest.raises(ServiceError):
        approvals.request_approval(planning_case, "plan", plan.id, by=people.worker)


def test_requests_and_decisions_are_on_the_timeline_and_in_the_audit_trail(people, planning_case):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    approvals.decide(_pending(plan), approve=True, comment=None, by=people.supervisor)
    kinds = db.session.scalars(
        sa.select(CaseEvent.kind).where(CaseEvent.case_id == planning_case.id).order_by(CaseEvent.id)
    ).all()
    assert kinds[-3:] == ["plan_approval_requested", "status", "plan_approved"]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "approvals")).all()
    assert actions == ["approval_requested", "approval_decided"]


def test_the_queue_lists_pending_requests_of_the_facility_only(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    elsewhere = new_case(people.other_facility, people.outsider, name="Người Nơi Khác")
    approved_assessment(elsewhere, people.outsider)
    services.create_plan(elsewhere, plan_data(), by=people.outsider, submit=True)

    page = signed_in(people.supervisor).get("/approvals").get_data(as_text=True)
    assert planning_case.number in page and elsewhere.number not in page
    assert f"/cases/{planning_case.id}/plans/{plan.id}" in page
    assert f'name="a{_pending(plan).id}-approve"' in page
    assert "1 đang chờ" in page
    outsider_page = signed_in(people.outsider).get("/approvals").get_data(as_text=True)
    assert elsewhere.number in outsider_page and planning_case.number not in outsider_page
    assert signed_in(people.worker).get("/approvals").status_code == 403


def test_the_queue_shows_no_buttons_on_ones_own_request(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.supervisor, submit=True)
    page = signed_in(people.supervisor).get("/approvals").get_data(as_text=True)
    assert f'name="a{_pending(plan).id}-approve"' not in page
    assert "một lãnh đạo / giám sát khác phải quyết định" in page
    assert f'name="a{_pending(plan).id}-approve"' in signed_in(people.supervisor2).get("/approvals").get_data(
        as_text=True
    )
