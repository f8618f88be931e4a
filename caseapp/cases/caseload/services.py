"""The supervisor's caseload review: reads and writes.

Reads: one row per worker of the facility with the numbers a supervisor watches — open cases, high
risk, overdue follow-ups, no contact for 30 days, pending approvals, open flags — plus a row for the
cases nobody holds. A handful of grouped aggregate queries, never one per worker or per case. Each
number uses the same condition as the case-list filter it links to (cases.queries), so a click shows
exactly that many cases.

Writes: reassigning cases (audited, on the timeline, the new worker notified) and flags from a
supervisor to a worker (raised / resolved, audited, on the timeline, notified). Supervision and the
reassignment of cases are the supervisor's (TT 02/2020/TT-BLĐTBXH: case management under the
supervision of the facility's management).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import joinedload, lazyload

from ...approvals.models import Approval
from ...audit.services import record
from ...auth.models import User
from ...core.services import ServiceError
from ...core.sql import prebuilt
from ...core.text import nfc_text
from ...core.timeutil import format_date, local_today, utcnow
from ...deadlines.rules import end_of_day
from ...extensions import db
from ...notifications.services import notify
from ...security.policy import Capability, Perm, has_perm
from ...security.rules import can, can_be_given, can_edit_case
from ...security.scopes import case_scope, colleagues_with, own_facility
from ..models import Case
from ..queries import UNASSIGNED, high_risk_condition, no_contact_condition, overdue_follow_up_condition
from ..services import add_event, ensure_editable
from ..statuses import ENDED_STATUSES, OPEN_STATUSES, ApprovalStatus
from .models import CaseFlag

# Who holds a caseload: the facility's social workers and shelter staff.
NO_CONTACT_DAYS = 30  # cases without contact for 30 days
FLAG_NOTE_MAX = 2000
RESOLUTION_MAX = 2000
OPEN_FLAGS_SHOWN = 200


# --- reads ----------------------------------------------------------------------------------------


@dataclass
class CaseloadRow:
    worker: User | None  # None: the row of cases without a worker
    open: int = 0
    high_risk: int = 0
    overdue_follow_ups: int = 0  # open cases with a follow-up past due
    no_contact: int = 0
    pending_approvals: int = 0
    open_flags: int = 0

    @property
    def worker_arg(self):
        """The `worker` value of the case-list filter for this row."""
        return str(self.worker.id) if self.worker is not None else UNASSIGNED

    @property
    def is_current_worker(self):
        """An active worker of the facility (a row for anyone else is there because they still hold cases)."""
        return can_be_given(self.worker, self.worker.facility_id if self.worker else None, Capability.HOLDS_CASELOAD)


@dataclass
class Caseload:
    rows: list
    unassigned: CaseloadRow
    flags: list = field(default_factory=list)  # (CaseFlag, case number), open ones, due first
    no_contact_days: int = NO_CONTACT_DAYS
    now: object = None


def _facility_cases(user):
    """The open cases the review counts: the facility's own, as the facility case list shows them
    (its status filter "open" and the user's case scope)."""
    return sa.and_(case_scope(user), own_facility(Case.facility_id, user), Case.status.in_(OPEN_STATUSES))


def case_counts(user, now=None):
    """{worker id or None: (open, high risk, overdue follow-up, no contact)} in one grouped query."""
    now = now or utcnow()

    def counted(condition):
        return sa.func.count(sa.case((condition, Case.id)))

    stmt = (
        sa.select(
            Case.assigned_worker_id,
            sa.func.count(Case.id),
            counted(high_risk_condition()),
            counted(overdue_follow_up_condition(now)),
            counted(no_contact_condition(NO_CONTACT_DAYS, now)),
        )
        .where(_facility_cases(user))
        .group_by(Case.assigned_worker_id)
    )
    return {worker_id: tuple(values) for worker_id, *values in db.session.execute(stmt)}


def pending_approval_counts(user):
    """{requester id: pending approvals}, as the approval queue (plans.approvals) lists them."""
    stmt = (
        sa.select(Approval.requested_by_id, sa.func.count(Approval.id))
        .join(Case, Case.id == Approval.case_id)
        .where(own_facility(Approval.facility_id, user), Approval.status == ApprovalStatus.PENDING, case_scope(user))
        .group_by(Approval.requested_by_id)
    )
    return dict(db.session.execute(stmt).all())


def open_flags(user):
    """The facility's open flags with their case number, the soonest due first."""
    return (
        sa.select(CaseFlag, Case.number)
        .join(Case, Case.id == CaseFlag.case_id)
        .where(own_facility(CaseFlag.facility_id, user), CaseFlag.resolved_at.is_(None), case_scope(user))
        .options(
            joinedload(CaseFlag.to_user).lazyload(User.facility), joinedload(CaseFlag.raised_by).lazyload(User.facility)
        )
        .order_by(CaseFlag.due_at, CaseFlag.id)
        .limit(OPEN_FLAGS_SHOWN)
    )


def facility_users(user):
    """Every account of the facility (any role, active or not): the names of the review's rows."""
    return (
        sa.select(User)
        .where(own_facility(User.facility_id, user))
        .options(lazyload(User.facility))
        .order_by(User.full_name, User.id)
    )


def assignable_workers(user):
    """Who may receive a case or a flag: the active social workers and shelter staff of the facility."""
    return (
        sa.select(User)
        .where(colleagues_with(Capability.HOLDS_CASELOAD, user.facility_id))
        .options(lazyload(User.facility))
        .order_by(User.full_name, User.id)
    )


def caseload(user, now=None):
    """The review page's data in four queries (cases, approvals, flags, the facility's accounts)."""
    now = now or utcnow()
    counts = case_counts(user, now)
    approvals = pending_approval_counts(user)
    flags = [tuple(row) for row in db.session.execute(open_flags(user)).unique().all()]
    flags_by_user = {}
    for flag, _number in flags:
        flags_by_user[flag.to_user_id] = flags_by_user.get(flag.to_user_id, 0) + 1

    def row(worker):
        worker_id = worker.id if worker is not None else None
        open_, high, overdue, no_contact = counts.get(worker_id, (0, 0, 0, 0))
        return CaseloadRow(
            worker=worker,
            open=open_,
            high_risk=high,
            overdue_follow_ups=overdue,
            no_contact=no_contact,
            pending_approvals=approvals.get(worker_id, 0) if worker is not None else 0,
            open_flags=flags_by_user.get(worker_id, 0) if worker is not None else 0,
        )

    rows = []
    for person in db.session.scalars(facility_users(user)):
        holds_something = counts.get(person.id) or approvals.get(person.id) or flags_by_user.get(person.id)
        if can_be_given(person, person.facility_id, Capability.HOLDS_CASELOAD) or holds_something:
            rows.append(row(person))
    # Active workers first; then anyone else still holding cases (a deactivated account, a supervisor).
    rows.sort(key=lambda r: not r.is_current_worker)
    return Caseload(rows=rows, unassigned=row(None), flags=flags, now=now)


@dataclass
class FlagsSection:
    """The case page's supervision section: the case's flags, and who may do what with them."""

    case: Case
    flags: list
    can_review: bool  # may reassign the case and raise flags (supervisor, case editable)
    user_id: int
    may_resolve_any: bool
    workers: list = field(default_factory=list)
    now: object = None

    @property
    def open_flags(self):
        return [f for f in self.flags if f.resolved_at is None]

    @property
    def resolved_flags(self):
        return [f for f in self.flags if f.resolved_at is not None]

    def can_resolve(self, flag):
        return flag.resolved_at is None and (flag.to_user_id == self.user_id or self.may_resolve_any)

    @property
    def shown(self):
        return bool(self.flags) or self.can_review


def flags_of_case(case_id):
    return (
        sa.select(CaseFlag)
        .where(CaseFlag.case_id == case_id)
        .options(
            joinedload(CaseFlag.to_user).lazyload(User.facility), joinedload(CaseFlag.raised_by).lazyload(User.facility)
        )
        .order_by(CaseFlag.resolved_at.is_not(None), CaseFlag.due_at, CaseFlag.id)
    )


def case_section(case, user):
    """The flags of the case (one query) and, for a supervisor who may change it, the workers to
    choose from (one more)."""
    flags = list(db.session.scalars(*prebuilt(flags_of_case, case_id=case.id)).unique())
    editable = can_edit_case(user, case) and case.status not in ENDED_STATUSES
    can_review = editable and can(user, Perm.REVIEW_CASELOAD, case)
    workers = list(db.session.scalars(assignable_workers(user))) if can_review else []
    return FlagsSection(
        case=case,
        flags=flags,
        can_review=can_review,
        user_id=user.id,
        may_resolve_any=editable and has_perm(user, Perm.REVIEW_CASELOAD),
        workers=workers,
        now=utcnow(),
    )


# --- writes ---------------------------------------------------------------------------------------


def _clean(text):
    return nfc_text(text)


def assignable_worker(user_id, *, by, field="worker"):
    """The chosen worker, if an active social worker or shelter staff of `by`'s facility."""
    worker = db.session.get(User, user_id) if user_id else None
    if not can_be_given(worker, by.facility_id, Capability.HOLDS_CASELOAD):
        raise ServiceError(_("Choose an active worker of your facility."), field=field)
    return worker


def _ensure_supervisable(case, by):
    if not (can_edit_case(by, case) and has_perm(by, Perm.REVIEW_CASELOAD)):
        raise ServiceError(_("Only a supervisor of the facility that holds the case can do this."))
    ensure_editable(case)


def reassign_cases(cases, to_worker, *, by, at=None):
    """Give each case to `to_worker`: all or nothing. Cases already theirs are left as they are; the
    others are audited (case_reassigned, from / to worker ids), put on the timeline ("reassigned") and
    the new worker is notified once per reassignment. Returns the cases that changed."""
    cases = list(cases)
    if not cases:
        raise ServiceError(_("Select at least one case."), field="case_ids")
    for case in cases:
        if not can_be_given(to_worker, case.facility_id, Capability.HOLDS_CASELOAD):
            raise ServiceError(_("Choose an active worker of your facility."), field="worker")
        try:
            _ensure_supervisable(case, by)
        except ServiceError as error:
            raise ServiceError(_("Case %(number)s: %(reason)s", number=case.number, reason=str(error))) from None
    changed = [case for case in cases if case.assigned_worker_id != to_worker.id]
    if not changed:
        raise ServiceError(_("The selected cases are already assigned to this worker."), field="worker")
    at = at or utcnow()
    previous = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User)
            .where(User.id.in_({c.assigned_worker_id for c in changed if c.assigned_worker_id}))
            .options(lazyload(User.facility))
        )
    }
    for case in changed:
        from_id = case.assigned_worker_id
        case.assigned_worker_id = to_worker.id
        case.updated_at = at
        before = previous.get(from_id)
        event = add_event(
            case, "reassigned", by=by, at=at, text=f"{before.full_name if before else '—'} → {to_worker.full_name}"
        )
        db.session.flush()
        record("case_reassigned", by=by, entity=case, detail={"from": from_id, "to": to_worker.id})
        notify(to_worker.id, "case_assigned", case, "case_assigned", unique_key=f"case_assigned:{event.id}", at=at)
    return changed


def _flag_due_at(due_on):
    """A flag is due by the end of its day, Vietnam time (stored UTC)."""
    return end_of_day(due_on)


def raise_flag(case, *, to_worker, note, due_on, by, at=None):
    """A supervisor flags the case to a worker who can open it, with a note and a due date; the
    worker is notified."""
    _ensure_supervisable(case, by)
    note = _clean(note)
    if not note:
        raise ServiceError(_("Write what the worker should look at."), field="note")
    if len(note) > FLAG_NOTE_MAX:
        raise ServiceError(_("At most %(max)d characters.", max=FLAG_NOTE_MAX), field="note")
    if due_on is None:
        raise ServiceError(_("Give the due date."), field="due_on")
    if due_on < local_today():
        raise ServiceError(_("The due date cannot be in the past."), field="due_on")
    if not can_be_given(to_worker, case.facility_id, Capability.HOLDS_CASELOAD):
        raise ServiceError(_("Choose an active worker of your facility."), field="to_worker")
    if db.session.scalar(sa.select(Case.id).where(Case.id == case.id, case_scope(to_worker))) is None:
        raise ServiceError(
            _("This worker cannot open the case: reassign it first, or flag the worker who holds it."),
            field="to_worker",
        )
    at = at or utcnow()
    flag = CaseFlag(
        case_id=case.id,
        facility_id=case.facility_id,
        raised_by_id=by.id,
        to_user_id=to_worker.id,
        note=note,
        due_at=_flag_due_at(due_on),
        raised_at=at,
    )
    db.session.add(flag)
    db.session.flush()
    add_event(case, "flagged", by=by, at=at, text=f"→ {to_worker.full_name}: {note}")
    record(
        "case_flagged", by=by, entity=case, detail={"flag_id": flag.id, "to": to_worker.id, "due": due_on.isoformat()}
    )
    notify(
        to_worker.id,
        "case_flagged",
        case,
        "case_flagged",
        unique_key=f"case_flagged:{flag.id}",
        params={"due": format_date(due_on)},
        at=at,
    )
    return flag


def may_resolve(user, flag, case):
    """The worker the flag is addressed to resolves it; a supervisor of the facility may too."""
    if flag.resolved_at is not None or not can_edit_case(user, case):
        return False
    return flag.to_user_id == user.id or has_perm(user, Perm.REVIEW_CASELOAD)


def resolve_flag(flag, case, *, note, by, at=None):
    """Resolve an open flag with a resolution note; the supervisor who raised it is notified."""
    if flag.resolved_at is not None:
        raise ServiceError(_("This flag is already resolved."))
    if not may_resolve(by, flag, case):
        raise ServiceError(_("Only the worker the flag is addressed to, or a supervisor, can resolve it."))
    ensure_editable(case)
    note = _clean(note)
    if not note:
        raise ServiceError(_("Write what was done."), field="resolution_note")
    if len(note) > RESOLUTION_MAX:
        raise ServiceError(_("At most %(max)d characters.", max=RESOLUTION_MAX), field="resolution_note")
    at = at or utcnow()
    flag.resolved_at = at
    flag.resolution_note = note
    add_event(case, "flag_resolved", by=by, at=at, text=note)
    db.session.flush()
    record("case_flag_resolved", by=by, entity=case, detail={"flag_id": flag.id})
    if flag.raised_by_id != by.id:
        notify(flag.raised_by_id, "flag_resolved", case, "flag_resolved", unique_key=f"flag_resolved:{flag.id}", at=at)
    return flag
