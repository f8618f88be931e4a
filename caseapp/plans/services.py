"""Writes of needs assessments and intervention plans (TT 02/2020/TT-BLĐTBXH, bước 1 and 2).

Both are kept in versions: a re-assessment or a revised plan is a new row (version_no n+1); the old
rows stay readable. A draft or a returned version is edited in place under an optimistic lock (the
row's `version` column; a stale save raises StaleEdit and changes nothing). A closed case refuses
every write (cases.services.ensure_editable). Services flush and audit; the view commits.

Assessment: saving it complete sets the case's risk level, moves the case from intake to assessment,
and — when the facility requires it (Facility.requires_assessment_approval) — asks a supervisor to
approve it; otherwise it is approved at once. An approved assessment moves the case on to planning.
Plan: drafted, then sent for approval; approval supersedes the plan in force and moves the case to
implementation; a return comes back with the supervisor's comment.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _
from sqlalchemy.orm.attributes import flag_modified

from ..approvals.services import request_approval
from ..audit.services import record
from ..cases.models import Case
from ..cases.services import add_event, ensure_editable
from ..cases.statuses import CaseStatus
from ..cases.workflow.services import TRANSITIONS, change_status
from ..core import categories as cat
from ..core.services import ServiceError
from ..core.text import nfc_text
from ..core.timeutil import local_today, to_local, utcnow
from ..deadlines.rules import due_at, review_variant
from ..extensions import db
from ..org.models import Facility
from ..security.rules import can_change_case
from . import queries
from .blocks import BLOCKS, block_field
from .compare import ACTIVITY_STATUSES, SAFETY_PLAN_FIELDS, assessment_snapshot, changed_keys, plan_data, plan_snapshot
from .labels import GOAL_OUTCOMES
from .models import Assessment, AssessmentStatus, CarePlan, GoalOutcome, PlanActivity, PlanGoal, PlanStatus

TEXT_MAX = 4000
ORG_MAX = 255
ANSWER_CODES = ("yes", "no", "unknown")
NEEDS = ("high", "medium", "low")  # need levels that call for a goal ("none" does not)


class StaleEdit(ServiceError):
    """The row was changed by someone else after the user opened the form."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this while you were editing it. Nothing was saved: "
                "your input is kept below. Check what changed and save again."
            )
        )


def _text(value, *, field=None, max_length=TEXT_MAX):
    text = nfc_text(value)
    if len(text) > max_length:
        raise ServiceError(_("At most %(max)d characters.", max=max_length), field=field)
    return text


def _date(value):
    return value if isinstance(value, date) else None


def _check_version(row, version):
    if version is None or str(row.version) != str(version):
        raise StaleEdit()


# --- assessments -----------------------------------------------------------------------------------


def domain_field(code, name) -> str:
    """The form field (and service error field) of one domain's value: d_<domain>__<name>."""
    return f"d_{code}__{name}"


def safety_field(code) -> str:
    return f"q_{code}"


def clean_assessment(data, *, violence, complete):
    """Validate and normalise an assessment. Drafts need only valid codes and the risk level (a
    column of the row); a complete assessment also needs the reasons and, for violence and
    child-protection cases, an answer to every safety question (NĐ 56/2017/NĐ-CP, Mẫu số 02/03)."""
    level_codes = cat.codes(cat.NEED_LEVELS)
    domains = {}
    given = data.get("domains") or {}
    for domain in cat.NEED_DOMAINS:
        values = given.get(domain.code) or {}
        level = values.get("need_level") or "none"
        if level not in level_codes:
            raise ServiceError(_("Choose the need level."), field=domain_field(domain.code, "need_level"))
        domains[domain.code] = {
            "situation": _text(values.get("situation"), field=domain_field(domain.code, "situation")),
            "need_level": level,
            "strengths": _text(values.get("strengths"), field=domain_field(domain.code, "strengths")),
            "client_view": _text(values.get("client_view"), field=domain_field(domain.code, "client_view")),
        }
    risk_level = data.get("risk_level") or ""
    if risk_level not in cat.codes(cat.RISK_LEVELS):
        raise ServiceError(_("Choose the overall risk level."), field="risk_level")
    risk_reasons = _text(data.get("risk_reasons"), field="risk_reasons")
    if complete and not risk_reasons:
        raise ServiceError(_("Give the reasons for the risk level."), field="risk_reasons")
    safety = {}
    if violence:
        answers = data.get("safety") or {}
        for question in cat.SAFETY_QUESTIONS:
            answer = answers.get(question.code) or ""
            if answer and answer not in ANSWER_CODES:
                raise ServiceError(_("Answer yes, no or not known."), field=safety_field(question.code))
            if complete and not answer:
                raise ServiceError(
                    _("Violence and child-protection cases: answer every safety question (yes, no or not known)."),
                    field=safety_field(question.code),
                )
            if answer:
                safety[question.code] = answer
    return {
        "domains": domains,
        "risk_level": risk_level,
        "risk_reasons": risk_reasons or None,
        "client_view": _text(data.get("client_view"), field="client_view") or None,
        "safety": safety,
        "blocks": clean_blocks(data.get("blocks") or {}),
    }


def clean_blocks(given) -> dict:
    """The blocks of the TT 02/2020 form (plans.blocks): texts, or a code of the field's list.
    All optional: what is not known yet is left empty. Only the filled fields are kept."""
    blocks = {}
    for block in BLOCKS:
        values = given.get(block.code) or {}
        kept = {}
        for f in block.fields:
            field = block_field(block.code, f.code)
            options = block.choices_of(f.code)
            value = values.get(f.code) or ""
            if options is not None and value and value not in cat.codes(options):
                raise ServiceError(_("Choose one of the options offered."), field=field)
            text = _text(value, field=field, max_length=ORG_MAX if f.code in block.short else TEXT_MAX)
            if text:
                kept[f.code] = text
        if kept:
            blocks[block.code] = kept
    return blocks


def create_assessment(case, data, *, by, submit: bool = True):
    """A new version (n+1). `submit`: complete it now (risk level, status, approval); else a draft."""
    ensure_editable(case)
    if db.session.scalar(queries.open_assessment(case.id)) is not None:
        raise ServiceError(_("This case has an assessment that is not approved yet: finish that one first."))
    clean = clean_assessment(data, violence=queries.is_violence_case(case), complete=submit)
    assessment = Assessment(
        case_id=case.id,
        facility_id=case.facility_id,
        version_no=db.session.scalar(queries.next_assessment_version(case.id)),
        assessed_at=utcnow(),
        status="draft",
        created_by_id=by.id,
        **clean,
    )
    db.session.add(assessment)
    db.session.flush()
    record(
        "assessment_created", by=by, entity=assessment, detail={"case_id": case.id, "version_no": assessment.version_no}
    )
    if submit:
        _submit_assessment(assessment, case, by=by)
    return assessment


def update_assessment(assessment, case, data, *, version, by, submit: bool = True):
    """Edit a draft or returned version in place; refused (StaleEdit) if it changed since `version`."""
    ensure_editable(case)
    if assessment.status not in queries.EDITABLE_STATUSES:
        raise ServiceError(_("Only a draft or a returned assessment can be changed: make a new version instead."))
    _check_version(assessment, version)
    clean = clean_assessment(data, violence=queries.is_violence_case(case), complete=submit)
    before = assessment_snapshot(assessment)
    for key, value in clean.items():
        setattr(assessment, key, value)
    assessment.assessed_at = utcnow()
    db.session.flush()
    record(
        "assessment_updated",
        by=by,
        entity=assessment,
        detail={
            "case_id": case.id,
            "version_no": assessment.version_no,
            "fields": changed_keys(before, assessment_snapshot(assessment)),
        },
    )
    if submit:
        _submit_assessment(assessment, case, by=by)
    return assessment


def _submit_assessment(assessment, case, *, by) -> None:
    case.risk_level = assessment.risk_level
    case.updated_at = utcnow()
    if case.status == CaseStatus.INTAKE:
        change_status(case, "assessment", by=by, via="assessment")
    add_event(case, "assessment_submitted", by=by)
    record(
        "assessment_submitted",
        by=by,
        entity=assessment,
        detail={"case_id": case.id, "version_no": assessment.version_no, "risk_level": assessment.risk_level},
    )
    facility = db.session.get_one(Facility, case.facility_id)
    if facility.requires_assessment_approval:
        assessment.status = AssessmentStatus.PENDING
        db.session.flush()
        request_approval(case, "assessment", assessment.id, by=by)
    else:
        _assessment_approved(assessment, case, by=by)
    db.session.flush()


def _assessment_approved(assessment, case, *, by) -> None:
    assessment.status = AssessmentStatus.APPROVED
    if case.status == CaseStatus.ASSESSMENT:
        change_status(case, "planning", by=by, via="assessment_approved")


class _AssessmentSubject:
    """What approvals.services needs to know about an assessment as the subject of an approval."""

    @staticmethod
    def author_id(subject_id):
        return db.session.scalar(sa.select(Assessment.created_by_id).where(Assessment.id == subject_id))

    @staticmethod
    def apply_decision(approval, case, *, approve, by):
        assessment = db.session.get(Assessment, approval.subject_id)
        if assessment is None or assessment.status != AssessmentStatus.PENDING:
            raise ServiceError(_("This assessment is not awaiting approval."))
        if approve:
            _assessment_approved(assessment, case, by=by)
        else:
            assessment.status = AssessmentStatus.RETURNED


assessment_subject = _AssessmentSubject()


# --- plans ------------------------------------------------------------------------------------------


def assessed_domains(assessment):
    """The need domains a plan's goals may address: those the assessment found a need in (all
    assessed domains if it found none)."""
    domains = (assessment.domains or {}) if assessment is not None else {}
    found = [d.code for d in cat.NEED_DOMAINS if (domains.get(d.code) or {}).get("need_level") in NEEDS]
    return found or [d.code for d in cat.NEED_DOMAINS if d.code in domains]


def default_review_date(case, start=None):
    """Plan review: every 30 days, 14 when the risk is high (deadlines.rules, TT 02/2020 bước 4)."""
    return to_local(due_at("plan_review", start or utcnow(), variant=review_variant(case.risk_level))).date()


def clean_plan(data, *, domains, violence, staff_ids, complete):
    """Validate and normalise a plan. Every goal addresses an assessed need; every activity has a
    service type and a description, dates in order, a responsible person of the facility or an
    organisation. Sending for approval (`complete`) also needs ≥ 1 goal and activity, the review
    date, the client's participation and, in violence cases, the safety plan."""
    goals = []
    for n, goal in enumerate(data.get("goals") or (), start=1):
        description = _text(goal.get("description"), field="goals")
        if goal.get("need_domain") not in domains:
            raise ServiceError(_("Goal %(n)d: choose one of the needs found in the assessment.", n=n), field="goals")
        if not description:
            raise ServiceError(_("Goal %(n)d: describe the goal.", n=n), field="goals")
        goals.append(
            {"need_domain": goal["need_domain"], "description": description, "target_on": _date(goal.get("target_on"))}
        )
    activities = []
    service_codes = cat.codes(cat.SERVICE_TYPES)
    for n, activity in enumerate(data.get("activities") or (), start=1):
        goal = activity.get("goal")
        if goal is not None and not (isinstance(goal, int) and 1 <= goal <= len(goals)):
            raise ServiceError(_("Activity %(n)d: choose one of the goals above.", n=n), field="activities")
        if activity.get("service_type") not in service_codes:
            raise ServiceError(_("Activity %(n)d: choose the service type.", n=n), field="activities")
        description = _text(activity.get("description"), field="activities")
        if not description:
            raise ServiceError(_("Activity %(n)d: describe the activity.", n=n), field="activities")
        user_id = activity.get("responsible_user_id") or None
        if user_id is not None and user_id not in staff_ids:
            raise ServiceError(
                _("Activity %(n)d: the responsible person must work at the facility.", n=n), field="activities"
            )
        org = _text(activity.get("responsible_org"), field="activities", max_length=ORG_MAX)
        if complete and user_id is None and not org:
            raise ServiceError(
                _("Activity %(n)d: say who is responsible: a person of the facility or an organisation.", n=n),
                field="activities",
            )
        start_on, due_on = _date(activity.get("start_on")), _date(activity.get("due_on"))
        if start_on and due_on and due_on < start_on:
            raise ServiceError(_("Activity %(n)d: the due date is before the start date.", n=n), field="activities")
        status = activity.get("status") or "planned"
        if status not in ACTIVITY_STATUSES:
            raise ServiceError(_("Activity %(n)d: choose the status.", n=n), field="activities")
        activities.append(
            {
                "goal": goal,
                "service_type": activity["service_type"],
                "description": description,
                "responsible_user_id": user_id,
                "responsible_org": org or None,
                "start_on": start_on,
                "due_on": due_on,
                "status": status,
            }
        )
    review_due_on = _date(data.get("review_due_on"))
    participation = _text(data.get("client_participation"), field="client_participation")
    safety_plan = {
        name: _text((data.get("safety_plan") or {}).get(name), field=f"safety_{name}") for name in SAFETY_PLAN_FIELDS
    }
    if complete:
        if not goals:
            raise ServiceError(_("Add at least one goal."), field="goals")
        if not activities:
            raise ServiceError(_("Add at least one activity."), field="activities")
        if review_due_on is None:
            raise ServiceError(_("Set the date of the plan review."), field="review_due_on")
        if review_due_on < local_today():
            raise ServiceError(_("The review date cannot be in the past."), field="review_due_on")
        if not participation:
            raise ServiceError(
                _("Record how the client (and the guardian) took part in the plan."), field="client_participation"
            )
        if violence:
            for name in SAFETY_PLAN_FIELDS:
                if not safety_plan[name]:
                    raise ServiceError(_("Violence cases need a complete safety plan."), field=f"safety_{name}")
    return {
        "review_due_on": review_due_on,
        "client_participation": participation or None,
        "guardian_participated": bool(data.get("guardian_participated")),
        "safety_plan": {k: v for k, v in safety_plan.items() if v} or None,
        "goals": goals,
        "activities": activities,
    }


def _plan_basis(case, complete):
    """The approved assessment a plan is built on, and the rules it is checked against."""
    base = db.session.scalar(queries.approved_assessment(case.id))
    if base is None:
        raise ServiceError(_("The needs assessment must be approved before a plan is made."))
    staff_ids = set(db.session.scalars(queries.facility_staff_ids(case.facility_id)).all())
    return base, {
        "domains": assessed_domains(base),
        "violence": queries.is_violence_case(case),
        "staff_ids": staff_ids,
        "complete": complete,
    }


def _write_rows(plan, clean) -> None:
    goals = []
    for position, goal in enumerate(clean["goals"]):
        row = PlanGoal(plan_id=plan.id, position=position, **goal)
        db.session.add(row)
        goals.append(row)
    db.session.flush()
    for position, activity in enumerate(clean["activities"]):
        values = dict(activity)
        goal = values.pop("goal")
        db.session.add(
            PlanActivity(plan_id=plan.id, position=position, goal_id=goals[goal - 1].id if goal else None, **values)
        )


def _plan_columns(clean):
    return {k: clean[k] for k in ("review_due_on", "client_participation", "guardian_participated", "safety_plan")}


def create_plan(case, data, *, by, submit: bool = False):
    """A new plan version (n+1) built on the newest approved assessment, as a draft; `submit` also
    sends it for approval."""
    ensure_editable(case)
    if db.session.scalar(queries.open_plan(case.id)) is not None:
        raise ServiceError(_("This case has a plan that is not approved yet: finish that one first."))
    base, rules = _plan_basis(case, submit)
    clean = clean_plan(data, **rules)
    plan = CarePlan(
        case_id=case.id,
        facility_id=case.facility_id,
        assessment_id=base.id,
        version_no=db.session.scalar(queries.next_plan_version(case.id)),
        status="draft",
        created_by_id=by.id,
        created_at=utcnow(),
        **_plan_columns(clean),
    )
    db.session.add(plan)
    db.session.flush()
    _write_rows(plan, clean)
    db.session.flush()
    record(
        "plan_created",
        by=by,
        entity=plan,
        detail={
            "case_id": case.id,
            "version_no": plan.version_no,
            "goals": len(clean["goals"]),
            "activities": len(clean["activities"]),
        },
    )
    if submit:
        _send_plan(plan, case, by=by)
    return plan


def update_plan(plan, case, data, *, version, by, submit: bool = False):
    """Edit a draft or returned plan in place (its goals and activities loaded, see
    queries.plan_of_case); refused (StaleEdit) if it changed since `version`."""
    ensure_editable(case)
    if plan.status not in queries.EDITABLE_STATUSES:
        raise ServiceError(_("Only a draft or a returned plan can be changed: make a new version instead."))
    _check_version(plan, version)
    base, rules = _plan_basis(case, submit)
    clean = clean_plan(data, **rules)
    before = plan_snapshot(plan)
    plan.assessment_id = base.id
    for key, value in _plan_columns(clean).items():
        setattr(plan, key, value)
    db.session.execute(sa.delete(PlanActivity).where(PlanActivity.plan_id == plan.id))
    db.session.execute(sa.delete(PlanGoal).where(PlanGoal.plan_id == plan.id))
    db.session.expire(plan, ["goals", "activities"])
    _write_rows(plan, clean)
    # The goals and activities are rows of their own: bump the plan's version even when only they
    # changed, so an edit opened before this one is recognised as stale.
    flag_modified(plan, "guardian_participated")
    db.session.flush()
    record(
        "plan_updated",
        by=by,
        entity=plan,
        detail={
            "case_id": case.id,
            "version_no": plan.version_no,
            "fields": changed_keys(before, plan_snapshot(data=clean)),
        },
    )
    if submit:
        _send_plan(plan, case, by=by)
    return plan


def request_plan_approval(plan, case, *, by):
    """Send a draft or returned plan (goals and activities loaded) to the supervisors."""
    ensure_editable(case)
    if plan.status not in queries.EDITABLE_STATUSES:
        raise ServiceError(_("Only a draft or a returned plan can be sent for approval."))
    _base, rules = _plan_basis(case, True)
    clean_plan(plan_data(plan), **rules)
    _send_plan(plan, case, by=by)
    return plan


def _send_plan(plan, case, *, by) -> None:
    plan.status = PlanStatus.PENDING
    db.session.flush()
    request_approval(case, "plan", plan.id, by=by)


class _PlanSubject:
    """What approvals.services needs to know about a plan as the subject of an approval."""

    @staticmethod
    def author_id(subject_id):
        return db.session.scalar(sa.select(CarePlan.created_by_id).where(CarePlan.id == subject_id))

    @staticmethod
    def apply_decision(approval, case, *, approve, by):
        plan = db.session.get(CarePlan, approval.subject_id)
        if plan is None or plan.status != PlanStatus.PENDING:
            raise ServiceError(_("This plan is not awaiting approval."))
        if not approve:
            plan.status = PlanStatus.RETURNED
            return
        in_force = db.session.scalars(
            sa.select(CarePlan).where(
                CarePlan.case_id == case.id, CarePlan.status == PlanStatus.APPROVED, CarePlan.id != plan.id
            )
        ).all()
        for previous in in_force:
            previous.status = PlanStatus.SUPERSEDED
            record(
                "plan_superseded",
                by=by,
                entity=previous,
                detail={"case_id": case.id, "version_no": previous.version_no, "by_plan_id": plan.id},
            )
        plan.status = PlanStatus.APPROVED
        plan.approved_at = utcnow()
        plan.approved_by_id = by.id
        if "implementation" in TRANSITIONS.get(case.status, ()):
            change_status(case, "implementation", by=by, via="plan_approved")


plan_subject = _PlanSubject()


# --- outcomes of the goals ----------------------------------------------------------------------------

GOAL_NOTE_MAX = 2000
GOAL_TEXT_ON_TIMELINE = 200


def record_goal_outcome(goal, outcome, note, assessed_on, *, by, seen_version=None):
    """Record how far a goal of the case's approved plan was reached (TT 02/2020/TT-BLĐTBXH, bước 4 rà
    soát and bước 5 đánh giá): any outcome — "not achieved" too — settles the goal in the closure
    checklist. Recorded again, it replaces the previous one. `seen_version`: the goal's version the user
    started from (a stale one raises StaleEdit); None skips the check (jobs, imports)."""
    plan = db.session.get_one(CarePlan, goal.plan_id)
    case = db.session.get_one(Case, plan.case_id)
    ensure_editable(case)
    if not can_change_case(by, case):
        raise ServiceError(_("Only staff who work on this case can record the outcome of its goals."))
    if plan.status != PlanStatus.APPROVED:
        raise ServiceError(_("Outcomes are recorded on the goals of the approved plan in force only."))
    if seen_version is not None and str(goal.version) != str(seen_version):
        raise StaleEdit()
    if outcome not in set(GoalOutcome):
        raise ServiceError(_("Choose the outcome: achieved, partly achieved or not achieved."), field="outcome")
    note = _text(note, field="note", max_length=GOAL_NOTE_MAX)
    _check_assessed_on(assessed_on, plan)
    previous = goal.outcome
    goal.outcome = GoalOutcome(outcome).value
    goal.achieved = outcome == GoalOutcome.ACHIEVED
    goal.outcome_note = note or None
    goal.outcome_on = assessed_on
    goal.outcome_by_id = by.id
    goal.outcome_recorded_at = utcnow()
    db.session.flush()
    add_event(case, "goal_outcome_recorded", by=by, text=_goal_timeline_text(goal))
    record(
        "goal_outcome_recorded",
        by=by,
        entity=goal,
        detail={
            "case_id": case.id,
            "plan_id": plan.id,
            "version_no": plan.version_no,
            "outcome": goal.outcome,
            "previous": previous,
        },
    )
    return goal


def _check_assessed_on(assessed_on, plan) -> None:
    if not isinstance(assessed_on, date):
        raise ServiceError(_("Enter the date the outcome was assessed."), field="assessed_on")
    if assessed_on > local_today():
        raise ServiceError(_("The date the outcome was assessed cannot be in the future."), field="assessed_on")
    if plan.approved_at is not None and assessed_on < to_local(plan.approved_at).date():
        raise ServiceError(_("The date the outcome was assessed is before the plan was approved."), field="assessed_on")


def _goal_timeline_text(goal) -> str:
    description = " ".join(goal.description.split())
    if len(description) > GOAL_TEXT_ON_TIMELINE:
        description = description[: GOAL_TEXT_ON_TIMELINE - 1] + "…"
    text = f"{GOAL_OUTCOMES[goal.outcome]}: {description}"
    return f"{text}\n{goal.outcome_note}" if goal.outcome_note else text


__all__ = [
    "StaleEdit",
    "create_assessment",
    "update_assessment",
    "clean_assessment",
    "domain_field",
    "safety_field",
    "assessment_subject",
    "assessed_domains",
    "default_review_date",
    "clean_plan",
    "create_plan",
    "update_plan",
    "request_plan_approval",
    "plan_subject",
    "record_goal_outcome",
]
