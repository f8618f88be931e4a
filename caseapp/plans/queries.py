"""Reads of needs assessments, intervention plans and their approvals.

The case itself is always loaded first inside the user's case scope
(security.load_in_scope_or_404 / case_scope); the statements here read what belongs to that case, so
they take the case (or its id), never a bare assessment or plan id.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..approvals.models import Approval
from ..approvals.services import refusal_reason
from ..auth.models import User
from ..cases.models import Case
from ..cases.statuses import ENDED_STATUSES, ApprovalStatus, ApprovalSubject
from ..clients.models import Client
from ..core import categories
from ..core.sql import prebuilt
from ..core.text import nfc
from ..core.timeutil import local_today
from ..extensions import db
from ..intake.models import Intake
from ..register.models import GroupMembership
from ..register.queries import clients_in_groups
from ..security.policy import Capability, Perm
from ..security.rules import can
from ..security.scopes import client_scope, colleagues_with
from . import labels as _labels
from .labels import EVENT_LABELS  # also read from here by the case page's timeline
from .models import Assessment, AssessmentStatus, CarePlan, PlanActivity, PlanGoal, PlanStatus

# Violence and child-protection cases get the risk/safety questions and a safety plan
# (NĐ 56/2017/NĐ-CP, Điều 26–27, Mẫu số 02/03; Luật Phòng, chống bạo lực gia đình 2022).
VIOLENCE_CASE_TYPES = frozenset({"emergency_shelter", "child_protection"})
# Beneficiary groups (NĐ 20/2021 emergency protection; Luật Trẻ em 2016, Điều 10) and intake problems
# that mean violence, abuse, exploitation or trafficking.
VIOLENCE_GROUPS = frozenset(
    {
        "em_domestic_violence",
        "em_sexual_abuse",
        "em_trafficking",
        "em_forced_labour",
        "cs_violence",
        "cs_exploited",
        "cs_sexual_abuse",
        "cs_trafficked",
    }
)
VIOLENCE_PROBLEMS = frozenset({"domestic_violence", "child_abuse", "sexual_abuse", "trafficking"})

OPEN_STATUSES = ("draft", "pending", "returned")  # not yet approved: one at a time per case
EDITABLE_STATUSES = ("draft", "returned")


def intake_of_case(case):
    """The intake that opened the case (None for a case opened otherwise): the assessment starts
    from its answers."""
    return sa.select(Intake).where(Intake.id == case.intake_id, Intake.facility_id == case.facility_id)


def is_violence_case(case):
    """Does the case need the safety questions and a safety plan? Its type, the client's beneficiary
    groups, or the problems recorded at the client's intakes say so (at most two small queries)."""
    if case.case_type in VIOLENCE_CASE_TYPES:
        return True
    if db.session.scalar(
        clients_in_groups(VIOLENCE_GROUPS, local_today()).where(GroupMembership.client_id == case.client_id).limit(1)
    ):
        return True
    intake_ids = [case.intake_id] if case.intake_id else []
    problems = db.session.scalars(
        sa.select(Intake.problems).where(sa.or_(Intake.client_id == case.client_id, Intake.id.in_(intake_ids)))
    ).all()
    return any(code in VIOLENCE_PROBLEMS for codes in problems for code in (codes or ()))


# --- assessments ------------------------------------------------------------------------------------


def assessments_of_case(case_id):
    """Every version, newest first, with its author."""
    return (
        sa.select(Assessment)
        .where(Assessment.case_id == case_id)
        .options(joinedload(Assessment.created_by))
        .order_by(Assessment.version_no.desc())
    )


def assessment_of_case(case_id, assessment_id):
    return (
        sa.select(Assessment)
        .where(Assessment.case_id == case_id, Assessment.id == assessment_id)
        .options(joinedload(Assessment.created_by))
    )


def latest_assessment(case_id, *, statuses=None):
    stmt = sa.select(Assessment).where(Assessment.case_id == case_id)
    if statuses:
        stmt = stmt.where(Assessment.status.in_(statuses))
    return stmt.order_by(Assessment.version_no.desc()).limit(1)


def approved_assessment(case_id):
    """The assessment plans are built on: the newest approved version."""
    return latest_assessment(case_id, statuses=("approved",))


def open_assessment(case_id):
    return latest_assessment(case_id, statuses=OPEN_STATUSES)


def next_assessment_version(case_id):
    return sa.select(sa.func.coalesce(sa.func.max(Assessment.version_no), 0) + 1).where(Assessment.case_id == case_id)


# --- plans --------------------------------------------------------------------------------------------


def plans_of_case(case_id):
    return (
        sa.select(CarePlan)
        .where(CarePlan.case_id == case_id)
        .options(joinedload(CarePlan.created_by))
        .order_by(CarePlan.version_no.desc())
    )


def _with_rows(stmt):
    return stmt.options(
        joinedload(CarePlan.created_by),
        selectinload(CarePlan.goals).joinedload(PlanGoal.outcome_by),
        selectinload(CarePlan.activities).joinedload(PlanActivity.responsible_user),
    )


def plan_of_case(case_id, plan_id):
    """One plan with its goals, activities and their responsible users (three queries in all)."""
    return _with_rows(sa.select(CarePlan).where(CarePlan.case_id == case_id, CarePlan.id == plan_id))


def latest_plan(case_id, *, statuses=None):
    stmt = sa.select(CarePlan).where(CarePlan.case_id == case_id)
    if statuses:
        stmt = stmt.where(CarePlan.status.in_(statuses))
    return _with_rows(stmt.order_by(CarePlan.version_no.desc()).limit(1))


def open_plan(case_id):
    return latest_plan(case_id, statuses=OPEN_STATUSES)


def goal_of_case(case_id, plan_id, goal_id):
    """One goal of one plan of the case, with its plan and who recorded its outcome."""
    return (
        sa.select(PlanGoal)
        .join(CarePlan, CarePlan.id == PlanGoal.plan_id)
        .where(CarePlan.case_id == case_id, CarePlan.id == plan_id, PlanGoal.id == goal_id)
        .options(joinedload(PlanGoal.plan), joinedload(PlanGoal.outcome_by))
    )


def goals_of_plan(plan_id):
    """The goals of a plan in their order, with who recorded each outcome."""
    return (
        sa.select(PlanGoal)
        .where(PlanGoal.plan_id == plan_id)
        .options(joinedload(PlanGoal.outcome_by))
        .order_by(PlanGoal.position, PlanGoal.id)
    )


def next_plan_version(case_id):
    return sa.select(sa.func.coalesce(sa.func.max(CarePlan.version_no), 0) + 1).where(CarePlan.case_id == case_id)


def _staff_of(facility_id):
    return colleagues_with(Capability.TAKES_CASE_TASKS, facility_id)


def facility_staff(facility_id):
    """Who can be responsible for an activity: the active case-working staff of the facility."""
    return sa.select(User).where(_staff_of(facility_id)).order_by(User.full_name, User.id)


def facility_staff_ids(facility_id):
    return sa.select(User.id).where(_staff_of(facility_id))


def user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).tuples().all())


# --- approvals of a case's assessments and plans -------------------------------------------------------


def approvals_of_case(case_id):
    """Requests and decisions on the case's assessments and plans, newest first, with the people."""
    return (
        sa.select(Approval)
        .where(Approval.case_id == case_id, Approval.subject_type.in_(("assessment", "plan")))
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by))
        .order_by(Approval.requested_at.desc(), Approval.id.desc())
    )


def latest_approvals(approvals):
    """{(subject_type, subject_id): the newest approval} from a newest-first list."""
    latest = {}
    for approval in approvals:
        latest.setdefault((approval.subject_type, approval.subject_id), approval)
    return latest


# --- the case page's section ------------------------------------------------------------------------


@dataclass
class CaseSection:
    """What templates/plans/_case_section.html shows (see the comment at its top)."""

    case: object
    assessments: list = field(default_factory=list)  # every version, newest first (author loaded)
    plans: list = field(default_factory=list)  # every version, newest first (author loaded)
    decisions: dict = field(default_factory=dict)  # (subject_type, id) → newest Approval (people loaded)
    can_edit: bool = False  # may write (EDIT_CASES, in scope, case not closed)
    can_approve: bool = False  # holds Perm.APPROVE for the case's facility
    decidable: list = field(default_factory=list)  # pending approvals this user may decide
    current_goals: list = field(default_factory=list)  # the goals of the plan in force (outcome_by loaded)
    today: object = None
    labels: object = _labels  # status names and badge classes (plans.labels)

    @property
    def latest_assessment(self):
        return self.assessments[0] if self.assessments else None

    @property
    def approved_assessment(self):
        return next((a for a in self.assessments if a.status == AssessmentStatus.APPROVED), None)

    @property
    def open_assessment(self):
        return next((a for a in self.assessments if a.status in OPEN_STATUSES), None)

    @property
    def current_plan(self):
        """The plan in force: the newest approved version."""
        return next((p for p in self.plans if p.status == PlanStatus.APPROVED), None)

    @property
    def open_plan(self):
        return next((p for p in self.plans if p.status in OPEN_STATUSES), None)

    @property
    def review_overdue(self):
        plan = self.current_plan
        return bool(plan and plan.review_due_on and self.today and plan.review_due_on < self.today)

    def decision(self, subject_type, subject):
        return self.decisions.get((subject_type, subject.id)) if subject is not None else None


def case_section(case, user):
    """Everything the case page's assessment-and-plan section needs, in three queries (assessment
    versions, plan versions, approvals — each with the people it names) and a fourth for the goals of
    the plan in force, if any. The case must already be loaded within the user's scope."""
    assessments = db.session.scalars(*prebuilt(assessments_of_case, case_id=case.id)).unique().all()
    plans = db.session.scalars(*prebuilt(plans_of_case, case_id=case.id)).unique().all()
    decisions = latest_approvals(db.session.scalars(*prebuilt(approvals_of_case, case_id=case.id)).unique().all())
    can_approve = can(user, Perm.APPROVE, case)
    current = next((p for p in plans if p.status == PlanStatus.APPROVED), None)
    goals = db.session.scalars(*prebuilt(goals_of_plan, plan_id=current.id)).unique().all() if current else []
    return CaseSection(
        case=case,
        assessments=list(assessments),
        plans=list(plans),
        decisions=decisions,
        current_goals=list(goals),
        can_edit=can(user, Perm.EDIT_CASES, case) and case.status not in ENDED_STATUSES,
        can_approve=can_approve,
        today=local_today(),
        decidable=decidable(user, decisions.values(), assessments, plans) if can_approve else [],
    )


def decidable(user, approvals, assessments, plans):
    """The pending approvals among `approvals` that `user` may decide (not their own request or
    work), from rows already loaded: no query."""
    authors = {("assessment", a.id): a.created_by_id for a in assessments}
    authors.update({("plan", p.id): p.created_by_id for p in plans})
    return [
        a
        for a in approvals
        if a.status == ApprovalStatus.PENDING
        and refusal_reason(a, user, author_id=authors.get((a.subject_type, a.subject_id))) is None
    ]


__all__ = [
    "VIOLENCE_CASE_TYPES",
    "VIOLENCE_GROUPS",
    "VIOLENCE_PROBLEMS",
    "OPEN_STATUSES",
    "EDITABLE_STATUSES",
    "is_violence_case",
    "assessments_of_case",
    "assessment_of_case",
    "latest_assessment",
    "approved_assessment",
    "open_assessment",
    "next_assessment_version",
    "plans_of_case",
    "plan_of_case",
    "latest_plan",
    "open_plan",
    "next_plan_version",
    "goal_of_case",
    "goals_of_plan",
    "facility_staff",
    "facility_staff_ids",
    "user_names",
    "approvals_of_case",
    "latest_approvals",
    "CaseSection",
    "case_section",
    "decidable",
    "EVENT_LABELS",
]


# --- the approval queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """What the approval queue shows of a request beside its case: the client (None when the viewer may
    not see that client) and one line saying what is to be decided."""

    client: Client | None
    summary: str


def queue_items(user, approvals: list[Approval]) -> dict[int, QueueItem]:
    """{approval id: QueueItem}, in four queries whatever the number of requests. The client comes only
    through the user's client scope (security.scopes.client_scope)."""
    case_ids = sorted({a.case_id for a in approvals})
    client_of: dict[int, int] = dict(
        db.session.execute(sa.select(Case.id, Case.client_id).where(Case.id.in_(case_ids))).tuples().all()
    )
    visible = sa.select(Client).where(Client.id.in_(set(client_of.values())), client_scope(user))
    clients = {client.id: client for client in db.session.scalars(visible)} if client_of else {}
    summaries = _summaries(approvals)
    return {
        a.id: QueueItem(client=clients.get(client_of.get(a.case_id, 0)), summary=summaries.get(a.id, ""))
        for a in approvals
    }


def _summaries(approvals: list[Approval]) -> dict[int, str]:
    """One line of each request: the assessment's risk and its reasons, the plan's goals, the closure's
    reason and summary (collapsed to one line; the page shortens it)."""
    keys: dict[int, tuple[str, int]] = {}
    wanted: dict[str, set[int]] = {}
    for a in approvals:
        key = a.case_id if a.subject_type == ApprovalSubject.CLOSURE else a.subject_id  # a closure's is the case
        if key is not None:
            keys[a.id] = (a.subject_type, key)
            wanted.setdefault(a.subject_type, set()).add(key)
    lines = {kind: read(sorted(wanted[kind])) for kind, read in _SUMMARY_READERS.items() if wanted.get(kind)}
    return {
        approval_id: nfc(lines.get(kind, {}).get(key, "")).rstrip(" .:;") for approval_id, (kind, key) in keys.items()
    }


def _assessment_lines(assessment_ids: list[int]) -> dict[int, str]:
    stmt = sa.select(Assessment.id, Assessment.risk_level, Assessment.risk_reasons).where(
        Assessment.id.in_(assessment_ids)
    )
    return {
        assessment_id: _(
            "Risk: %(level)s. %(reasons)s", level=categories.label(categories.RISK_LEVELS, level), reasons=reasons or ""
        )
        for assessment_id, level, reasons in db.session.execute(stmt)
    }


def _plan_lines(plan_ids: list[int]) -> dict[int, str]:
    stmt = (
        sa.select(PlanGoal.plan_id, PlanGoal.description)
        .where(PlanGoal.plan_id.in_(plan_ids))
        .order_by(PlanGoal.plan_id, PlanGoal.position, PlanGoal.id)
    )
    goals: dict[int, list[str]] = {}
    for plan_id, description in db.session.execute(stmt):
        goals.setdefault(plan_id, []).append(description)
    return {
        plan_id: _("%(n)d goals: %(goals)s", n=len(found), goals="; ".join(found)) for plan_id, found in goals.items()
    }


def _closure_lines(case_ids: list[int]) -> dict[int, str]:
    stmt = sa.select(Case.id, Case.closure_reason, Case.closure_summary).where(Case.id.in_(case_ids))
    return {
        case_id: f"{categories.label(categories.CLOSURE_REASONS, reason)}: {summary or ''}"
        for case_id, reason, summary in db.session.execute(stmt)
    }


_SUMMARY_READERS: dict[str, Callable[[list[int]], dict[int, str]]] = {
    ApprovalSubject.ASSESSMENT: _assessment_lines,
    ApprovalSubject.PLAN: _plan_lines,
    ApprovalSubject.CLOSURE: _closure_lines,
}
