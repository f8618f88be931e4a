"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the assessment, plan and
approval pages: how to reach a real record of the acting user's facility, one of another facility,
and one that does not exist. Records are made through the services, as a social worker of the
facility (the case assigned to them, so every case-working role of the facility can open it)."""

from caseapp.approvals.models import Approval
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.queries import plan_of_case

from ..documents.helpers import approve_pending
from .conftest import approved_assessment, assessment_data, new_case, plan_data


def _side(world, which):
    if which == "own":
        return world.facility, world.users["social_worker"]
    return world.other_facility, world.other_users["social_worker"]


def _case(world, which):
    facility, worker = _side(world, which)
    return new_case(facility, worker, name="Nguyễn Thị Ma Trận")


def _assessment(world, which, *, approved):
    case = _case(world, which)
    _facility, worker = _side(world, which)
    if approved:
        return case, approved_assessment(case, worker)
    return case, services.create_assessment(case, assessment_data(), by=worker, submit=False)


def _plan(world, which, *, submit=False):
    case, _ = _assessment(world, which, approved=True)
    _facility, worker = _side(world, which)
    return case, services.create_plan(case, plan_data(), by=worker, submit=submit)


def _approved_plan_goal(world, which):
    """A goal of the case's approved plan (approved by a supervisor of the same facility)."""
    case, plan = _plan(world, which, submit=True)
    supervisor = (world.users if which == "own" else world.other_users)["supervisor"]
    approve_pending(case, "plan", plan.id, supervisor)
    plan = db.session.scalar(plan_of_case(case.id, plan.id))
    return case, plan, plan.goals[0]


def _approval_id(world, which):
    _case_, plan = _plan(world, which, submit=True)
    return db.session.scalar(
        db.select(Approval.id).where(Approval.subject_type == "plan", Approval.subject_id == plan.id)
    )


def targets(Target, NO_RECORD):
    """{endpoint: Target}; the matrix passes its own Target class and missing-record id."""

    def case_only(which):
        return lambda w: {"case_id": _case(w, which).id}

    def assessment(which, approved):
        def values(w):
            case, a = _assessment(w, which, approved=approved)
            return {"case_id": case.id, "assessment_id": a.id}

        return values

    def approved_case(which):
        return lambda w: {"case_id": _assessment(w, which, approved=True)[0].id}

    def plan(which):
        def values(w):
            case, p = _plan(w, which)
            return {"case_id": case.id, "plan_id": p.id}

        return values

    def missing_assessment(w):
        return {"case_id": NO_RECORD, "assessment_id": NO_RECORD}

    def missing_plan(w):
        return {"case_id": NO_RECORD, "plan_id": NO_RECORD}

    def goal(which):
        def values(w):
            case, p, g = _approved_plan_goal(w, which)
            return {"case_id": case.id, "plan_id": p.id, "goal_id": g.id}

        return values

    def missing_goal(w):
        case, p, _g = _approved_plan_goal(w, "own")
        return {"case_id": case.id, "plan_id": p.id, "goal_id": NO_RECORD}

    return {
        "plans.new_assessment": Target(
            own=case_only("own"), other=case_only("other"), missing=lambda w: {"case_id": NO_RECORD}
        ),
        "plans.assessment": Target(
            own=assessment("own", True), other=assessment("other", True), missing=missing_assessment
        ),
        "plans.edit_assessment": Target(
            own=assessment("own", False), other=assessment("other", False), missing=missing_assessment
        ),
        "plans.new_plan": Target(
            own=approved_case("own"), other=approved_case("other"), missing=lambda w: {"case_id": NO_RECORD}
        ),
        "plans.plan": Target(own=plan("own"), other=plan("other"), missing=missing_plan),
        "plans.edit_plan": Target(own=plan("own"), other=plan("other"), missing=missing_plan),
        "plans.request_plan_approval": Target(own=plan("own"), other=plan("other"), missing=missing_plan),
        "plans.goal_outcome": Target(own=goal("own"), other=goal("other"), missing=missing_goal),
        "plans.decide": Target(
            own=lambda w: {"approval_id": _approval_id(w, "own")},
            other=lambda w: {"approval_id": _approval_id(w, "other")},
            missing=lambda w: {"approval_id": NO_RECORD},
        ),
    }
