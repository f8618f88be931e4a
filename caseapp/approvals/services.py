"""Supervisor approvals (phê duyệt): request → approve, or return with a comment.

Generic over what is approved (the *subject*): needs assessments and intervention plans now, case
closures later. TT 02/2020/TT-BLĐTBXH, bước 2 and 5: a supervisor of the
facility approves; nobody decides on what they asked for, nor on an assessment or a plan they wrote.

- One pending approval per subject.
- Every request and decision records a CaseEvent (the case timeline) and an audit event; a refused
  decision (own work, not a supervisor of the facility) is audited too and raises ApprovalRefused,
  which the view answers with 403 — after committing, so the refusal stays in the audit trail.
- What a decision does to its subject (a plan becomes approved, the previous one superseded …) is
  done by the subject's own domain, registered with register_subject.
"""

import unicodedata
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..cases.models import Case
from ..cases.services import add_event, ensure_editable
from ..cases.statuses import ApprovalStatus, ApprovalSubject
from ..core.services import ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from ..security.rules import approval_refusal
from ..security.scopes import case_scope, own_facility
from .models import Approval

SUBJECT_TYPES = tuple(ApprovalSubject)
COMMENT_MAX_LENGTH = 4000

# Why a user may not decide: code (audited) → message (shown).
REFUSALS = {
    "not_supervisor": _l("Only a supervisor of the facility can decide on this request."),
    "own_request": _l("You asked for this approval yourself: another supervisor must decide on it."),
    "own_work": _l("You wrote this yourself: another supervisor must decide on it."),
}


class ApprovalRefused(ServiceError):
    """The user may not decide this approval. Answer 403; the refusal is already audited (commit it)."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


# subject type → the domain service that knows the subject: author_id(subject_id) and
# apply_decision(approval, case, *, approve, by). Filled by create_app (register_subject), so that
# approvals imports none of its subjects' domains.
_SUBJECTS: dict[str, Any] = {}


def register_subject(subject_type, subject):
    if subject_type not in SUBJECT_TYPES:
        raise ValueError(f"unknown approval subject {subject_type!r}")
    _SUBJECTS[subject_type] = subject


def _subject(subject_type):
    return _SUBJECTS.get(subject_type)


def pending_for_subject(subject_type, subject_id):
    return sa.select(Approval).where(
        Approval.subject_type == subject_type,
        Approval.subject_id == subject_id,
        Approval.status == ApprovalStatus.PENDING,
    )


def request_approval(case, subject_type, subject_id, *, by):
    """Ask the facility's supervisors to approve the subject. One pending request per subject."""
    if subject_type not in SUBJECT_TYPES:
        raise ValueError(f"unknown approval subject {subject_type!r}")
    ensure_editable(case)
    if db.session.scalar(pending_for_subject(subject_type, subject_id).with_only_columns(Approval.id)):
        raise ServiceError(_l("Approval has already been requested; wait for the supervisor's decision."))
    approval = Approval(
        case_id=case.id,
        facility_id=case.facility_id,
        subject_type=subject_type,
        subject_id=subject_id,
        status=ApprovalStatus.PENDING,
        requested_by_id=by.id,
        requested_at=utcnow(),
    )
    db.session.add(approval)
    db.session.flush()
    add_event(case, f"{subject_type}_approval_requested", by=by)
    record(
        "approval_requested",
        by=by,
        entity=approval,
        detail={"case_id": case.id, "subject_type": subject_type, "subject_id": subject_id},
    )
    return approval


_UNKNOWN = object()


def refusal_reason(approval, user, *, author_id=_UNKNOWN):
    """Why `user` may not decide `approval` (a code of REFUSALS), or None when they may. Used by
    decide() and by the pages, which show the decision buttons only to those who may press them
    (they pass the subject's `author_id` they already loaded, saving a query)."""
    known = None if author_id is _UNKNOWN else author_id
    refusal = approval_refusal(user, approval, requested_by_id=approval.requested_by_id, author_id=known)
    if refusal is not None or author_id is not _UNKNOWN:
        return refusal
    subject = _subject(approval.subject_type)  # read only when the cheaper checks pass
    has_subject = subject is not None and approval.subject_id is not None
    author_id = subject.author_id(approval.subject_id) if has_subject else None
    return approval_refusal(user, approval, requested_by_id=approval.requested_by_id, author_id=author_id)


def decide(approval, *, approve, comment, by):
    """Approve, or return with a comment (required). Refuses the requester, the subject's author
    and anyone who is not a supervisor of the facility (ApprovalRefused, audited)."""
    comment = unicodedata.normalize("NFC", (comment or "").replace("\r\n", "\n")).strip() or None
    if approval.status != ApprovalStatus.PENDING:
        raise ServiceError(_l("This request has already been decided."))
    reason = refusal_reason(approval, by)
    if reason is not None:
        record(
            "approval_refused",
            by=by,
            entity=approval,
            detail={
                "case_id": approval.case_id,
                "subject_type": approval.subject_type,
                "subject_id": approval.subject_id,
                "reason": reason,
            },
        )
        db.session.flush()
        raise ApprovalRefused(REFUSALS[reason], reason)
    case = db.session.get(Case, approval.case_id)
    ensure_editable(case)
    if not approve and not comment:
        raise ServiceError(_l("Say what needs to change when you return it."), field="comment")
    if comment and len(comment) > COMMENT_MAX_LENGTH:
        raise ServiceError(_l("A comment has at most %(max)d characters.", max=COMMENT_MAX_LENGTH), field="comment")
    outcome = "approved" if approve else "returned"
    now = utcnow()
    # Conditional update: of two supervisors deciding at the same moment, only the first one counts.
    claimed = db.session.execute(
        sa.update(Approval)
        .where(Approval.id == approval.id, Approval.status == ApprovalStatus.PENDING)
        .values(status=outcome, decided_by_id=by.id, decided_at=now, comment=comment)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.expire(approval)
        raise ServiceError(_l("This request has already been decided."))
    db.session.expire(approval)
    subject = _subject(approval.subject_type)
    if subject is not None:
        subject.apply_decision(approval, case, approve=approve, by=by)
    add_event(case, f"{approval.subject_type}_{outcome}", by=by, text=comment)
    record(
        "approval_decided",
        by=by,
        entity=approval,
        detail={
            "case_id": case.id,
            "subject_type": approval.subject_type,
            "subject_id": approval.subject_id,
            "outcome": outcome,
        },
    )
    db.session.flush()
    return approval


def pending_for_facility(user):
    """The approval queue: pending requests of the supervisor's facility, oldest first, with the
    case number (one query). Rows: (Approval, case number)."""
    return (
        sa.select(Approval, Case.number)
        .join(Case, Case.id == Approval.case_id)
        .where(own_facility(Approval.facility_id, user), Approval.status == ApprovalStatus.PENDING, case_scope(user))
        .options(joinedload(Approval.requested_by))
        .order_by(Approval.requested_at, Approval.id)
    )


def approvals_for_subject(subject_type, subject_id):
    """Every request and decision on one subject, newest first, with who asked and who decided."""
    return (
        sa.select(Approval)
        .where(Approval.subject_type == subject_type, Approval.subject_id == subject_id)
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by))
        .order_by(Approval.requested_at.desc(), Approval.id.desc())
    )


__all__ = [
    "SUBJECT_TYPES",
    "REFUSALS",
    "ApprovalRefused",
    "request_approval",
    "decide",
    "refusal_reason",
    "pending_for_facility",
    "pending_for_subject",
    "approvals_for_subject",
]
