"""Names for people of what the plans domain records: statuses of assessments, plans and approvals,
and the kinds of case-timeline events it (and approvals.services) writes. The case page can merge
EVENT_LABELS into its own table of timeline labels."""

from flask_babel import lazy_gettext as _l

ASSESSMENT_STATUSES = {
    "draft": _l("Draft"),
    "pending": _l("Awaiting approval"),
    "approved": _l("Approved"),
    "returned": _l("Returned for changes"),
}
PLAN_STATUSES = {**ASSESSMENT_STATUSES, "superseded": _l("Superseded")}
APPROVAL_STATUSES = {
    "pending": _l("Awaiting decision"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
    "cancelled": _l("Cancelled"),
}
# How far a goal was reached (plans.models.GoalOutcome).
GOAL_OUTCOMES = {
    "achieved": _l("Achieved"),
    "partly_achieved": _l("Partly achieved"),
    "not_achieved": _l("Not achieved"),
}
GOAL_OUTCOME_BADGES = {"achieved": "badge-ok", "partly_achieved": "badge-warn", "not_achieved": "badge-danger"}
SUBJECT_LABELS = {
    "assessment": _l("Needs assessment"),
    "plan": _l("Intervention plan"),
    "closure": _l("Case closure"),
}

EVENT_LABELS = {
    "assessment_submitted": _l("Needs assessment completed"),
    "assessment_approval_requested": _l("Needs assessment sent for approval"),
    "assessment_approved": _l("Needs assessment approved"),
    "assessment_returned": _l("Needs assessment returned for changes"),
    "plan_approval_requested": _l("Intervention plan sent for approval"),
    "plan_approved": _l("Intervention plan approved"),
    "plan_returned": _l("Intervention plan returned for changes"),
    "goal_outcome_recorded": _l("Outcome of a plan goal recorded"),
    "closure_approval_requested": _l("Closure sent for approval"),
    "closure_approved": _l("Closure approved"),
    "closure_returned": _l("Closure returned for changes"),
}

STATUS_BADGES = {
    "draft": "badge-muted",
    "pending": "badge-warn",
    "approved": "badge-ok",
    "returned": "badge-danger",
    "superseded": "badge-muted",
    "cancelled": "badge-muted",
}
RISK_BADGES = {"high": "urgency-high", "medium": "urgency-medium", "low": "urgency-low"}
