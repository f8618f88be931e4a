"""Scheduled follow-ups (theo dõi: thăm gia đình, gọi điện, gặp tại trung tâm) and contact notes.

TT 02/2020/TT-BLĐTBXH, bước 3–4 (thực hiện, theo dõi kế hoạch) and bước 5 (theo dõi sau khi kết thúc):
the worker plans contacts with the person, records what came of each one, and every contact updates
Case.last_contact_at, from which the caseload review finds cases without contact.

- Scheduling needs edit rights on an open case. A closed case takes no new follow-up here; the
  post-closure ones (30 / 90 days, deadlines.rules) are created by the closure and, like any follow-up
  of a closed case, can still be rescheduled, done or cancelled (the monitoring after closure).
- Every action writes a timeline event (cases.services.add_event) and an audit event; services flush.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...auth.models import User
from ...core import categories
from ...core.services import ServiceError
from ...core.sql import prebuilt
from ...core.text import nfc_text
from ...core.timeutil import as_utc, format_datetime, utcnow
from ...extensions import db
from ...security.policy import Capability
from ...security.rules import can_edit_case
from ...security.scopes import colleagues_with
from ..services import NOTE_MAX_LENGTH, add_event, ensure_editable
from ..statuses import CaseStatus
from .models import FollowUp

PURPOSE_MAX_LENGTH = 255
OUTCOME_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 1000
# A contact or an outcome "now" may come from a phone whose clock is a little ahead.
CLOCK_SKEW = timedelta(minutes=10)

# Kinds of contact a note can record (the event kind is "contact_<code>").
CONTACT_KINDS = (
    categories.Category("phone", "Phone call"),
    categories.Category("visit", "Visit"),
    categories.Category("meeting", "Meeting at the centre"),
    categories.Category("other", "Other"),
)
CONTACT_EVENT_PREFIX = "contact_"


# --- helpers ---------------------------------------------------------------------------------------


def _clean(text, *, field, max_length, required_message=None, too_long_message=None):
    text = nfc_text(text)
    if not text:
        if required_message is not None:
            raise ServiceError(required_message, field=field)
        return None
    if len(text) > max_length:
        raise ServiceError(too_long_message or _("At most %(max)d characters.", max=max_length), field=field)
    return text


def _touch_contact(case, at):
    """The case's last contact is the latest one recorded (an older contact noted late keeps it)."""
    current = as_utc(case.last_contact_at)
    if current is None or at > current:
        case.last_contact_at = at
    case.updated_at = utcnow()


def _ensure_open_follow_up(follow_up):
    if follow_up.done_at is not None:
        raise ServiceError(_("This follow-up has already been done."))
    if follow_up.cancelled_at is not None:
        raise ServiceError(_("This follow-up was cancelled."))


def _ensure_case_accepts_changes(case):
    """Existing follow-ups stay workable on a closed case (post-closure monitoring, TT 02/2020 bước 5);
    a case transferred away is read-only."""
    if case.status == CaseStatus.TRANSFERRED:
        ensure_editable(case)


def eligible_assignees(case):
    """Who a follow-up can be given to: the active case-working staff of the case's facility."""
    return (
        sa.select(User)
        .where(colleagues_with(Capability.TAKES_CASE_TASKS, case.facility_id))
        .order_by(User.full_name, User.id)
    )


def _assignee(case, assigned_to_id):
    if assigned_to_id is None:
        return case.assigned_worker_id
    ok = db.session.scalar(eligible_assignees(case).where(User.id == assigned_to_id).with_only_columns(User.id))
    if ok is None:
        raise ServiceError(_("Choose a worker of the case's facility."), field="assigned_to")
    return assigned_to_id


def _summary(follow_up):
    kind = categories.label(categories.FOLLOW_UP_KINDS, follow_up.kind)
    parts = [kind, format_datetime(follow_up.due_at)]
    if follow_up.purpose:
        parts.append(follow_up.purpose)
    return " · ".join(parts)


# --- follow-ups: writes ------------------------------------------------------------------------------


def schedule_follow_up(case, *, kind, due_at, purpose=None, assigned_to_id=None, by, at=None):
    """Plan a home visit, a phone call or a meeting. Default assignee: the case's worker."""
    ensure_editable(case)  # a closed case takes no new follow-up here (see the module docstring)
    at = as_utc(at) if at else utcnow()
    if kind not in categories.codes(categories.FOLLOW_UP_KINDS):
        raise ServiceError(_("Choose the kind of follow-up."), field="kind")
    if due_at is None:
        raise ServiceError(_("Enter when the follow-up is due."), field="due_at")
    due_at = as_utc(due_at)
    if due_at < at - CLOCK_SKEW:
        raise ServiceError(_("The due time is in the past."), field="due_at")
    purpose = _clean(purpose, field="purpose", max_length=PURPOSE_MAX_LENGTH)
    follow_up = FollowUp(
        case_id=case.id,
        facility_id=case.facility_id,
        kind=kind,
        purpose=purpose,
        due_at=due_at,
        assigned_to_id=_assignee(case, assigned_to_id),
        created_by_id=getattr(by, "id", None),
        created_at=at,
    )
    db.session.add(follow_up)
    db.session.flush()
    add_event(case, "follow_up_scheduled", by=by, text=_summary(follow_up), at=at)
    record(
        "follow_up_scheduled",
        by=by,
        entity=follow_up,
        detail={
            "case_id": case.id,
            "kind": kind,
            "due_at": due_at.isoformat(),
            "assigned_to_id": follow_up.assigned_to_id,
        },
    )
    return follow_up


def reschedule_follow_up(follow_up, case, *, due_at, assigned_to_id=None, by, at=None):
    """Move the due time (and, if given, the assignee) of a follow-up not yet done or cancelled."""
    _ensure_case_accepts_changes(case)
    _ensure_open_follow_up(follow_up)
    at = as_utc(at) if at else utcnow()
    if due_at is None:
        raise ServiceError(_("Enter when the follow-up is due."), field="due_at")
    due_at = as_utc(due_at)
    if due_at < at - CLOCK_SKEW:
        raise ServiceError(_("The due time is in the past."), field="due_at")
    old_due, old_assignee = as_utc(follow_up.due_at), follow_up.assigned_to_id
    follow_up.due_at = due_at
    if assigned_to_id is not None:
        follow_up.assigned_to_id = _assignee(case, assigned_to_id)
    if old_due == due_at and old_assignee == follow_up.assigned_to_id:
        return follow_up
    db.session.flush()
    add_event(case, "follow_up_rescheduled", by=by, text=f"{format_datetime(old_due)} → {_summary(follow_up)}", at=at)
    record(
        "follow_up_rescheduled",
        by=by,
        entity=follow_up,
        detail={
            "case_id": case.id,
            "from": old_due.isoformat(),
            "to": due_at.isoformat(),
            "assigned_to_id": follow_up.assigned_to_id,
        },
    )
    return follow_up


def record_outcome(follow_up, case, *, done_at, outcome, by, at=None):
    """The follow-up took place: when, and what came of it. It counts as a contact with the person."""
    _ensure_case_accepts_changes(case)
    _ensure_open_follow_up(follow_up)
    at = as_utc(at) if at else utcnow()
    done_at = as_utc(done_at) if done_at else at
    if done_at > at + CLOCK_SKEW:
        raise ServiceError(_("The time of the contact cannot be in the future."), field="done_at")
    outcome = _clean(
        outcome,
        field="outcome",
        max_length=OUTCOME_MAX_LENGTH,
        required_message=_("Write what came of the follow-up."),
        too_long_message=_("The outcome has at most %(max)d characters.", max=OUTCOME_MAX_LENGTH),
    )
    follow_up.done_at = done_at
    follow_up.outcome = outcome
    _touch_contact(case, done_at)
    db.session.flush()
    kind = categories.label(categories.FOLLOW_UP_KINDS, follow_up.kind)
    add_event(case, "follow_up_done", by=by, text=f"{kind}\n{outcome}", at=done_at)
    record(
        "follow_up_done",
        by=by,
        entity=follow_up,
        detail={"case_id": case.id, "done_at": done_at.isoformat(), "length": len(outcome)},
    )
    return follow_up


def cancel_follow_up(follow_up, case, *, reason, by, at=None):
    """Call off a follow-up, giving the reason (kept on the follow-up and the timeline)."""
    _ensure_case_accepts_changes(case)
    _ensure_open_follow_up(follow_up)
    at = as_utc(at) if at else utcnow()
    reason = _clean(
        reason, field="reason", max_length=REASON_MAX_LENGTH, required_message=_("Give the reason for cancelling.")
    )
    follow_up.cancelled_at = at
    follow_up.outcome = reason
    db.session.flush()
    add_event(case, "follow_up_cancelled", by=by, text=f"{_summary(follow_up)}\n{reason}", at=at)
    record("follow_up_cancelled", by=by, entity=follow_up, detail={"case_id": case.id})
    return follow_up


# --- contact notes -------------------------------------------------------------------------------------


def add_contact_note(case, *, kind, contacted_at, text, by, at=None):
    """A note of a contact with the person (phone, visit, meeting …) on the timeline, at the time it
    happened; it updates Case.last_contact_at. Audited without its text."""
    ensure_editable(case)
    at = as_utc(at) if at else utcnow()
    if kind not in categories.codes(CONTACT_KINDS):
        raise ServiceError(_("Choose the kind of contact."), field="contact_kind")
    contacted_at = as_utc(contacted_at) if contacted_at else at
    if contacted_at > at + CLOCK_SKEW:
        raise ServiceError(_("The time of the contact cannot be in the future."), field="contacted_at")
    text = _clean(
        text,
        field="text",
        max_length=NOTE_MAX_LENGTH,
        required_message=_("Write the note before saving it."),
        too_long_message=_("A note has at most %(max)d characters.", max=NOTE_MAX_LENGTH),
    )
    _touch_contact(case, contacted_at)
    event = add_event(case, CONTACT_EVENT_PREFIX + kind, by=by, text=text, at=contacted_at)
    db.session.flush()
    record(
        "case_contact_added",
        by=by,
        entity=case,
        detail={"event_id": event.id, "kind": kind, "contacted_at": contacted_at.isoformat(), "length": len(text)},
    )
    return event


# --- the timeline's filter ------------------------------------------------------------------------------

TIMELINE_GROUPS = ("notes", "status", "follow_ups", "documents")
_STATUS_KINDS = {
    "opened",
    "status",
    "reopened",
    "intake_completed",
    "admitted",
    "checked_out",
    "stay_extended",
    "reassigned",
    "client_merged",
    "assessment_submitted",
    "goal_outcome_recorded",
    "details_changed",
}


def timeline_group(kind):
    """Which filter of the case timeline shows an event kind: notes (notes and contacts), status (steps,
    approvals, shelter stay, transfers), follow_ups (follow-ups and referrals), documents."""
    if kind == "note" or kind.startswith(CONTACT_EVENT_PREFIX):
        return "notes"
    if kind.startswith("attachment_"):
        return "documents"
    if kind.startswith(("follow_up_", "referral_")):
        return "follow_ups"
    if (
        kind in _STATUS_KINDS
        or kind.startswith(("transfer_", "closure_", "closed", "case_closed"))
        or kind.endswith(("_approval_requested", "_approved", "_returned"))
    ):
        return "status"
    return "other"


# --- reads ------------------------------------------------------------------------------------------------


def follow_ups_of_case(case_id):
    """A case's follow-ups: open ones first by due time, then the done / cancelled, newest first."""
    closed = sa.or_(FollowUp.done_at.is_not(None), FollowUp.cancelled_at.is_not(None))
    return (
        sa.select(FollowUp)
        .where(FollowUp.case_id == case_id)
        .options(joinedload(FollowUp.assigned_to))
        .order_by(sa.case((closed, 1), else_=0), FollowUp.due_at, FollowUp.id)
    )


def follow_up_of_case(case_id, follow_up_id):
    return (
        sa.select(FollowUp)
        .where(FollowUp.case_id == case_id, FollowUp.id == follow_up_id)
        .options(joinedload(FollowUp.assigned_to))
    )


def is_overdue(follow_up, now):
    return follow_up.done_at is None and follow_up.cancelled_at is None and as_utc(follow_up.due_at) < now


def status_of(follow_up, now):
    if follow_up.cancelled_at is not None:
        return "cancelled"
    if follow_up.done_at is not None:
        return "done"
    return "overdue" if is_overdue(follow_up, now) else "planned"


@dataclass
class FollowUpSection:
    """What templates/cases/_followups.html shows (see its header)."""

    case: object
    follow_ups: list = field(default_factory=list)
    now: object = None
    can_edit: bool = False
    contact_form: object = None  # the timeline's "record a contact" form (set by the view)
    timeline_filter: str | None = None  # one of TIMELINE_GROUPS, or None: everything

    def shows(self, event):
        return self.timeline_filter is None or timeline_group(event.kind) == self.timeline_filter

    @property
    def open(self):
        return [f for f in self.follow_ups if f.done_at is None and f.cancelled_at is None]

    @property
    def past(self):
        return [f for f in self.follow_ups if f.done_at is not None or f.cancelled_at is not None]

    @property
    def overdue(self):
        return [f for f in self.follow_ups if is_overdue(f, self.now)]

    @property
    def can_schedule(self):
        return self.can_edit and self.case.is_open

    @property
    def can_work(self):
        """Reschedule, record the outcome, cancel: also on a closed case (post-closure follow-ups)."""
        return self.can_edit and self.case.status != CaseStatus.TRANSFERRED

    def is_overdue(self, follow_up):
        return is_overdue(follow_up, self.now)

    def status(self, follow_up):
        return status_of(follow_up, self.now)


def case_section(case, user, now=None):
    """The follow-ups of a case for its page (one query, assignees loaded)."""
    rows = db.session.scalars(*prebuilt(follow_ups_of_case, case_id=case.id)).all()
    return FollowUpSection(
        case=case, follow_ups=list(rows), now=as_utc(now) if now else utcnow(), can_edit=can_edit_case(user, case)
    )


__all__ = [
    "CONTACT_KINDS",
    "schedule_follow_up",
    "reschedule_follow_up",
    "record_outcome",
    "cancel_follow_up",
    "add_contact_note",
    "follow_ups_of_case",
    "follow_up_of_case",
    "eligible_assignees",
    "case_section",
    "FollowUpSection",
    "TIMELINE_GROUPS",
    "timeline_group",
    "is_overdue",
    "status_of",
]
