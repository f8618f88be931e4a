"""The case's own workflow, in the UI: moving a case through the steps of
TT 02/2020/TT-BLĐTBXH by hand, closing it with a supervisor's approval, reopening it, and editing
the case's own details under an optimistic lock.

- A manual move follows cases.workflow.TRANSITIONS and never skips what the circular requires:
  planning needs an approved needs assessment (bước 1 before bước 2), implementation and review an
  approved intervention plan (bước 2: the plan is approved by a supervisor before it is carried out).
  The moves the plans domain makes itself (assessment submitted / approved, plan approved) stay there.
- Closure (TT 02/2020/TT-BLĐTBXH, bước 5 "Đánh giá và kết thúc quản lý đối tượng"): the worker asks with a
  reason (core.categories.CLOSURE_REASONS), a summary of the results and, if written, the closing
  evaluation; a supervisor approves (approvals.services, subject "closure", subject_id = the case) or
  returns it with a comment. Before both, the closure checklist (cases.workflow.checklist) lists what is
  still open; each loose end is resolved, or overridden with the worker's reason (ClosureOverride, kept
  with the request); a request or an approval is refused while one is neither. Approval closes the
  case (workflow.change_status via "closure_approval") and schedules the follow-ups after closure
  from the deadline engine (30 and 90 days, deadlines.rules rule "follow_up_after_closure").
- A closed case is read-only (workflow.ensure_editable) until reopened, with a reason.
- The case's details (case type, kind of care, urgency, risk level, primary group) are edited with
  the version the form was loaded with; a stale save raises plans.services.StaleEdit, the same
  mechanism (and the same "what changed" helpers, plans.compare) as assessments and plans.

Services take the acting user as `by`, validate, audit and only flush; the views commit.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...approvals.models import Approval
from ...approvals.services import pending_for_subject, request_approval
from ...audit.services import record
from ...core import categories as cat
from ...core.services import ServiceError
from ...core.text import nfc_text
from ...core.timeutil import utcnow
from ...deadlines.rules import due_at, rule_for
from ...extensions import db
from ...plans import queries as plan_queries
from ...plans.compare import changed_keys
from ...plans.services import StaleEdit
from ...referrals.models import Transfer, TransferStatus
from ..followups.models import FollowUp
from ..models import CaseEvent
from ..services import add_event, ensure_editable
from ..statuses import ApprovalSubject, CaseStatus, FollowUpKind
from . import checklist
from .models import ClosureOverride
from .services import allowed_next, change_status, reopen

REASON_MAX = 1000
TEXT_MAX = 4000
CLOSURE = ApprovalSubject.CLOSURE


def unsettled_at_request(items):
    """Why a closure request waits: loose ends of the checklist neither resolved nor given a reason."""
    return _l("Resolve each item of the checklist, or write why the case closes despite it: %(items)s", items=items)


def unsettled_at_decision(items):
    return _l(
        "Since the closure was requested, these items are open with no reason to close despite them: "
        "%(items)s. Return the request so that the worker deals with them.",
        items=items,
    )


# The follow-ups after closure (TT 02/2020/TT-BLĐTBXH bước 5; 30 and 90 days by default): the first a
# home visit, the second a phone call, both assigned to the case's worker.
FOLLOW_UPS_AFTER_CLOSURE = (("first", FollowUpKind.HOME_VISIT), ("second", FollowUpKind.PHONE))


def _text(value, *, field, max_length):
    text = nfc_text(value)
    if len(text) > max_length:
        raise ServiceError(_l("At most %(max)d characters.", max=max_length), field=field)
    return text


# --- reads ----------------------------------------------------------------------------------------


def pending_closure(case_id):
    """The closure request waiting for a supervisor, with who asked (or None)."""
    return pending_for_subject(CLOSURE, case_id).options(joinedload(Approval.requested_by))


def closure_history(case_id):
    """Every closure request and decision of the case, newest first, with who asked and who decided."""
    return (
        sa.select(Approval)
        .where(Approval.case_id == case_id, Approval.subject_type == CLOSURE)
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by))
        .order_by(Approval.requested_at.desc(), Approval.id.desc())
    )


def latest_evaluation(case_id):
    """The closing evaluation written with the newest closure request (a timeline event)."""
    return (
        sa.select(CaseEvent.text)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "closure_evaluation")
        .order_by(CaseEvent.occurred_at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def _pending_transfer(case_id):
    return db.session.scalar(
        sa.select(sa.exists().where(Transfer.case_id == case_id, Transfer.status == TransferStatus.PENDING))
    )


# --- moving through the steps ------------------------------------------------------------------------


def missing_for_step(case, to_status):
    """Why the case may not be moved by hand to `to_status` yet (a message), or None."""
    if to_status == CaseStatus.PLANNING and db.session.scalar(plan_queries.approved_assessment(case.id)) is None:
        # TT 02/2020/TT-BLĐTBXH, bước 1 → bước 2: the plan is built on the needs assessment.
        return _l("The needs assessment must be approved before the case moves to planning.")
    if (
        to_status in (CaseStatus.IMPLEMENTATION, CaseStatus.REVIEW)
        and db.session.scalar(plan_queries.latest_plan(case.id, statuses=("approved",))) is None
    ):
        # TT 02/2020/TT-BLĐTBXH, bước 2 → bước 3: a supervisor approves the plan before it is carried out.
        return _l("The intervention plan must be approved before the case moves to this step.")
    return None


def move_case(case, to_status, *, reason, by):
    """Move the case by hand to one of the next steps the table allows (never to closed or
    transferred: those go through their approval), with the reason. Timeline and audit: change_status."""
    ensure_editable(case)
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if to_status not in allowed_next(case.status):
        raise ServiceError(_l("A case cannot move from this step to the chosen one."), field="to_status")
    if db.session.scalar(pending_for_subject(CLOSURE, case.id).with_only_columns(Approval.id)):
        raise ServiceError(
            _l("The closure of this case is waiting for a supervisor's decision: its step cannot change meanwhile."),
            field="to_status",
        )
    missing = missing_for_step(case, to_status)
    if missing is not None:
        raise ServiceError(missing, field="to_status")
    if not reason:
        raise ServiceError(_l("Give the reason for the change of step."), field="reason")
    change_status(case, to_status, by=by, reason=reason, via="manual")
    db.session.flush()
    return case


# --- closure ----------------------------------------------------------------------------------------


def clean_closure(*, reason, summary, evaluation):
    if reason not in cat.codes(cat.CLOSURE_REASONS):
        raise ServiceError(_l("Choose the reason for closing the case."), field="reason")
    summary = _text(summary, field="summary", max_length=TEXT_MAX)
    if not summary:
        raise ServiceError(_l("Summarise the results of the work with the person."), field="summary")
    evaluation = _text(evaluation, field="evaluation", max_length=TEXT_MAX)
    return reason, summary, evaluation or None


STAY_OPEN = _l("The person is still staying in the shelter: record the check-out before closing the case.")


def _clean_overrides(overrides):
    return {key: _text(text, field=f"override-{key}", max_length=REASON_MAX) for key, text in (overrides or {}).items()}


def _ensure_settled(entries, refusal):
    """Refuse while a loose end is neither resolved nor overridden (a stay in the shelter: never
    overridden — a stay never ends silently, the person leaves the shelter first)."""
    left = checklist.unsettled(entries)
    if any(item.kind == checklist.LooseEndKind.STAY for item in left):
        raise ServiceError(STAY_OPEN, field="checklist")
    if left:
        raise ServiceError(refusal("; ".join(item.text for item in left)), field="checklist")


def request_closure(case, *, reason, summary, evaluation=None, overrides=None, by):
    """Ask a supervisor to approve closing the case. The proposed reason and summary are kept on the
    case (the form starts from them again after a return); the evaluation goes on the timeline.
    `overrides` ({LooseEnd.key: reason}) explain the loose ends of the checklist left open; the request
    is refused while one is neither resolved nor explained, and the reasons are kept with it."""
    ensure_editable(case)
    reason, summary, evaluation = clean_closure(reason=reason, summary=summary, evaluation=evaluation)
    entries = checklist.checklist(checklist.loose_ends(case.id), _clean_overrides(overrides))
    _ensure_settled(entries, unsettled_at_request)
    if db.session.scalar(pending_for_subject(CLOSURE, case.id).with_only_columns(Approval.id)):
        raise ServiceError(_l("The closure has already been requested; wait for the supervisor's decision."))
    if _pending_transfer(case.id):
        raise ServiceError(
            _l(
                "A transfer of this case to another facility is awaiting an answer: wait for it "
                "or cancel it before closing the case."
            )
        )
    case.closure_reason = reason
    case.closure_summary = summary
    case.updated_at = utcnow()
    if evaluation:
        add_event(case, "closure_evaluation", by=by, text=evaluation)
    approval = request_approval(case, CLOSURE, case.id, by=by)
    overridden = _keep_overrides(approval, case, entries, by=by)
    record(
        "closure_requested",
        by=by,
        entity=case,
        detail={
            "approval_id": approval.id,
            "reason": reason,
            "evaluation": evaluation is not None,
            "overridden": [o.key for o in overridden],
            "override_ids": [o.id for o in overridden],
        },
    )
    db.session.flush()
    return approval


def _keep_overrides(approval, case, entries, *, by):
    """Store the reason of each loose end the request goes ahead despite, with the request."""
    at = utcnow()
    kept = [
        ClosureOverride(
            approval_id=approval.id,
            case_id=case.id,
            item_kind=entry.loose_end.kind,
            item_id=entry.loose_end.item_id,
            item_text=entry.loose_end.text[: checklist.ITEM_TEXT_MAX],
            reason=entry.reason,
            created_by_id=by.id,
            created_at=at,
        )
        for entry in entries
        if entry.settled
    ]
    db.session.add_all(kept)
    db.session.flush()
    return kept


def _close(approval, case, *, by):
    """The supervisor approved: close the case and schedule the follow-ups after closure — unless a loose
    end opened since the request has no reason (it goes back to the worker: return the request)."""
    if case.facility_id != approval.facility_id:
        # transferred meanwhile: the facility that has the case now decides on its closure
        raise ServiceError(_l("The case is no longer at the facility that asked for its closure."))
    overrides = db.session.scalars(checklist.overrides_of(approval.id)).all()
    entries = checklist.checklist(checklist.loose_ends(case.id), {o.key: o.reason for o in overrides})
    _ensure_settled(entries, unsettled_at_decision)
    at = utcnow()
    change_status(case, "closed", by=by, via="closure_approval", at=at)
    follow_ups = []
    for variant, kind in FOLLOW_UPS_AFTER_CLOSURE:
        days = rule_for("follow_up_after_closure", variant).amount
        follow_up = FollowUp(
            case_id=case.id,
            facility_id=case.facility_id,
            kind=kind,
            purpose=str(_l("Follow-up after closure (%(days)d days)", days=days)),
            due_at=due_at("follow_up_after_closure", at, variant=variant),
            assigned_to_id=case.assigned_worker_id,
            created_by_id=by.id,
            created_at=at,
        )
        db.session.add(follow_up)
        follow_ups.append(follow_up)
    db.session.flush()
    record(
        "case_closed",
        by=by,
        entity=case,
        detail={
            "approval_id": approval.id,
            "reason": case.closure_reason,
            "follow_up_ids": [f.id for f in follow_ups],
            "overridden": [entry.loose_end.key for entry in entries if entry.settled],
        },
    )


class _ClosureSubject:
    """What approvals.services needs to know about a closure as the subject of an approval. The
    subject is the case itself; its "author" is the requester, whom refusal_reason already stops."""

    @staticmethod
    def author_id(subject_id):
        return None

    @staticmethod
    def apply_decision(approval, case, *, approve, by):
        if approve:
            _close(approval, case, by=by)


closure_subject = _ClosureSubject()


def post_closure_follow_ups(case):
    """The follow-ups the closure scheduled (created at the moment the case closed) not done yet."""
    return sa.select(FollowUp).where(
        FollowUp.case_id == case.id,
        FollowUp.created_at == case.closed_at,
        FollowUp.done_at.is_(None),
        FollowUp.cancelled_at.is_(None),
    )


def reopen_case(case, *, reason, by):
    """Reopen a closed case with a reason (workflow.reopen → step "review"). The follow-ups after
    closure not done yet are cancelled (a new closure schedules its own); the last closure's reason
    and summary stay in the timeline and the audit trail, not on the open case."""
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if case.status != CaseStatus.CLOSED:
        raise ServiceError(_l("Only a closed case can be reopened."))
    if not reason:
        raise ServiceError(_l("Give the reason for reopening the case."), field="reason")
    now = utcnow()
    cancelled = db.session.scalars(post_closure_follow_ups(case)).all() if case.closed_at else []
    for follow_up in cancelled:
        follow_up.cancelled_at = now
    previous_reason = case.closure_reason
    reopen(case, reason=reason, by=by)
    case.closure_reason = None
    case.closure_summary = None
    db.session.flush()
    record(
        "case_reopened",
        by=by,
        entity=case,
        detail={"closure_reason": previous_reason, "cancelled_follow_up_ids": [f.id for f in cancelled]},
    )
    return case


# --- the case's own details ------------------------------------------------------------------------------

DETAIL_FIELDS = ("case_type", "care_kind", "urgency", "risk_level", "primary_group")
DETAIL_LABELS = {
    "case_type": _l("Case type"),
    "care_kind": _l("Kind of care"),
    "urgency": _l("Urgency"),
    "risk_level": _l("Risk level"),
    "primary_group": _l("Primary beneficiary group"),
}
DETAIL_CATEGORIES = {
    "case_type": cat.CASE_TYPES,
    "care_kind": cat.CARE_KINDS,
    "urgency": cat.URGENCY,
    "risk_level": cat.RISK_LEVELS,
    "primary_group": cat.BENEFICIARY_GROUPS,
}
REQUIRED_DETAILS = ("case_type", "urgency")


def details_snapshot(case=None, *, data=None):
    """The edited details as a flat dict of codes ("" for none), from the case or from form data."""
    source = data if data is not None else {name: getattr(case, name) for name in DETAIL_FIELDS}
    return {name: source.get(name) or "" for name in DETAIL_FIELDS}


def detail_changes(old, new):
    """[(label, value before, value now)] of each changed detail, in words (for the stale page)."""
    return [
        (str(DETAIL_LABELS[k]), _detail_text(k, old.get(k)), _detail_text(k, new.get(k)))
        for k in changed_keys(old, new)
        if k in DETAIL_LABELS
    ]


def _detail_text(name, code):
    return cat.label(DETAIL_CATEGORIES[name], code) if code else "—"


def update_case_details(case, data, *, version, by):
    """Change the case's own details. Refused (StaleEdit, nothing saved) when the case changed since
    the form was loaded with `version`. Audited with the names of the changed fields only."""
    ensure_editable(case)
    if version is None or str(case.version) != str(version):
        raise StaleEdit()
    clean = {}
    for name in DETAIL_FIELDS:
        code = (data.get(name) or "").strip()
        if code and code not in cat.codes(DETAIL_CATEGORIES[name]):
            raise ServiceError(_l("Not a valid choice."), field=name)
        if not code and name in REQUIRED_DETAILS:
            raise ServiceError(_l("This field is required."), field=name)
        clean[name] = code or None
    before = details_snapshot(case)
    changed = changed_keys(before, details_snapshot(data=clean))
    if not changed:
        return []
    for name in changed:
        setattr(case, name, clean[name])
    case.updated_at = utcnow()
    add_event(case, "details_changed", by=by)
    db.session.flush()  # the version column: a save racing this one fails with StaleDataError
    record("case_details_updated", by=by, entity=case, detail={"fields": changed})
    return changed


__all__ = [
    "move_case",
    "missing_for_step",
    "request_closure",
    "clean_closure",
    "closure_subject",
    "reopen_case",
    "pending_closure",
    "closure_history",
    "latest_evaluation",
    "post_closure_follow_ups",
    "update_case_details",
    "details_snapshot",
    "detail_changes",
    "DETAIL_FIELDS",
    "DETAIL_LABELS",
    "FOLLOW_UPS_AFTER_CLOSURE",
]
