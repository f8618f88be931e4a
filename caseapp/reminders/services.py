"""Reminder rows follow the due items of their case.

`sync_case_reminders(case_id)` recomputes the case's due items (deadlines.items, no user scope) and
reconciles the case's reminder rows: inserts the missing ones, moves those whose due time or person
changed, cancels those whose item is gone (done, cancelled, closed …).

The hook point. Rather than a call at the end of each of the dozen services that change a due item
(follow-ups, closure, assessments, plans, approvals, referrals, stays, flags, intake, reassignment —
and every one written later), session listeners (installed by caseapp.hooks) do it, in the
transaction that writes the change, whoever commits it: `after_flush` notes the case of every
flushed row that due items are computed from (the case itself, its follow-ups, flags, assessments,
plans, approvals, referrals, stays) and of every timeline event (every case service writes one);
`before_commit` then syncs each noted case once, with plain SQL statements — not after every
flush: an emergency admission flushes four times and read the case's due items four times (bench/:
66 statements). A rollback takes the reminder rows with the change and forgets the noted cases. It
cannot miss a service that flushes through the ORM; a Core UPDATE of those tables that writes no timeline
event is not seen (none changes a due item today) — call sync_case_reminders() there.
"""

import functools
import re
from collections import defaultdict
from datetime import timedelta
from itertools import chain

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..approvals.models import Approval
from ..cases.caseload.models import CaseFlag
from ..cases.followups.models import FollowUp
from ..cases.models import Case, CaseEvent
from ..cases.statuses import OPEN_STATUSES
from ..core.sql import prebuilt
from ..core.timeutil import as_utc, utcnow
from ..deadlines.items import job_case_items
from ..deadlines.rules import due_at as rule_due_at
from ..deadlines.rules import reminder_moments, urgency_variant
from ..extensions import db
from ..plans.models import Assessment, CarePlan
from ..referrals.models import Referral
from ..referrals.services import escalation_due_at
from ..shelter.models import ShelterStay
from .models import ESCALATION, Reminder, ReminderStatus

# Remind the day before and at the due time, unless REMINDER_OFFSETS says otherwise
# ("-1d,0": comma-separated offsets from the due time, in d / h / m; negative is before).
DEFAULT_OFFSETS = "-1d,0"
_OFFSET = re.compile(r"^([+-]?\d+)([dhm]?)$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "": "minutes"}

PENDING_CASES = "reminders.cases_to_sync"


def parse_offsets(text):
    """[(slot, timedelta)] sorted earliest first; the slot is the offset as written ("-1d", "0")."""
    offsets = {}
    for token in (text or "").replace(" ", "").split(","):
        if not token:
            continue
        match = _OFFSET.match(token)
        if match is None:
            raise ValueError(f"REMINDER_OFFSETS: cannot read {token!r} (e.g. -1d, -2h, 0)")
        amount, unit = int(match.group(1)), match.group(2)
        slot = "0" if amount == 0 else f"{amount}{unit or 'm'}"
        offsets[slot] = timedelta(**{_UNITS[unit]: amount})
    return sorted(offsets.items(), key=lambda pair: pair[1])


def configured_offsets():
    text = current_app.config.get("REMINDER_OFFSETS", DEFAULT_OFFSETS) if has_app_context() else DEFAULT_OFFSETS
    return parse_offsets(text)


def item_key(item) -> str:
    kind, case_id, ref_id = item.key
    return f"{kind}:{case_id}:{ref_id if ref_id is not None else '-'}"


def escalation_at(item, referrals=None):
    """When an overdue item escalates to the facility's supervisors: deadlines.rules rule "escalation"
    (1 working day for high risk / urgent, 3 otherwise). A referral escalates when
    referrals.services says (its own urgency), so the referral page and the reminder agree."""
    if item.kind == "referral_answer" and referrals and item.ref_id in referrals:
        return as_utc(escalation_due_at(referrals[item.ref_id]))
    return rule_due_at("escalation", item.due_at, variant=urgency_variant(item.urgency, item.risk_level))


def _desired_rows(items, offsets, now, referrals):
    """{(item_key, slot): wanted values} for the case's due items: the personal reminders still ahead
    (deadlines.rules.reminder_moments: an item due in two hours gets the reminder at the due time, not
    also a "one day before" one now) and the escalation."""
    wanted = {}
    for item in items:
        key = item_key(item)
        if item.assignee_id is not None:
            for slot, remind_at in reminder_moments(item.due_at, offsets, now):
                wanted[(key, slot)] = dict(
                    item_kind=item.kind, user_id=item.assignee_id, due_at=item.due_at, remind_at=remind_at
                )
        # An item nobody holds still escalates: the supervisors assign it.
        wanted[(key, ESCALATION)] = dict(
            item_kind=item.kind, user_id=None, due_at=item.due_at, remind_at=max(escalation_at(item, referrals), now)
        )
    return wanted


def _still_owed(row, owed, slots):
    """A pending personal reminder made earlier for the item's current due time, whose moment has passed
    since (the scheduler has not issued it yet): it stays — the sweep sends it, or a later reminder of
    the same item replaces it (reminders.jobs.drop_superseded)."""
    return row.slot in slots and owed.get(row.item_key) == (as_utc(row.due_at), row.user_id)


def _referral_facts(case_id, items):
    if not any(item.kind == "referral_answer" for item in items):
        return {}

    rows = db.session.execute(
        sa.select(Referral.id, Referral.answer_due_at, Referral.is_urgent).where(Referral.case_id == case_id)
    ).all()
    return {row.id: row for row in rows}


def _cancel(ids, now) -> None:
    if ids:
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED, cancelled_at=now)
            .execution_options(synchronize_session=False)
        )


@functools.cache
def _insert_ignoring_duplicates(dialect):
    """Built once per database kind (core.sql.prebuilt explains why)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(Reminder.__table__)
        .on_conflict_do_nothing(index_elements=["item_key", "slot", "due_at"])
        .returning(Reminder.__table__.c.id)
    )


def _insert_new(rows):
    """The case's new reminder rows in one statement (executemany: SQLAlchemy's insertmanyvalues);
    ON CONFLICT DO NOTHING: a concurrent sync of the same case may have made one meanwhile. Returns
    how many were written."""
    if not rows:
        return 0
    statement = _insert_ignoring_duplicates(db.session.get_bind().dialect.name)
    return len(db.session.execute(statement, rows).all())


def _facility_of_case(case_id):
    return sa.select(Case.facility_id).where(Case.id == case_id)


def _reminders_of_case(case_id):
    return sa.select(
        Reminder.id, Reminder.item_key, Reminder.slot, Reminder.user_id, Reminder.due_at, Reminder.status
    ).where(Reminder.case_id == case_id)


def sync_case_reminders(case_id, *, now=None):
    """Reconcile the reminder rows of one case with its due items; flushes. Returns
    {"created": n, "moved": n, "cancelled": n}. Updates are conditional on the row still being
    pending, so a reminder a sweep is sending at that moment is either sent or changed, never both."""
    now = as_utc(now) if now else utcnow()
    counts = {"created": 0, "moved": 0, "cancelled": 0}
    facility_id = db.session.scalar(*prebuilt(_facility_of_case, case_id=case_id))
    items = job_case_items(case_id) if facility_id is not None else []
    offsets = configured_offsets()
    wanted = _desired_rows(items, offsets, now, _referral_facts(case_id, items))

    existing = defaultdict(list)
    for row in db.session.execute(*prebuilt(_reminders_of_case, case_id=case_id)).all():
        existing[(row.item_key, row.slot)].append(row)

    to_cancel, new_rows = [], []
    for key, want in wanted.items():
        rows = existing.pop(key, [])
        pending = [r for r in rows if r.status == ReminderStatus.PENDING]
        if any(
            r.status in (ReminderStatus.SENT, ReminderStatus.CLAIMED) and as_utc(r.due_at) == want["due_at"]
            for r in rows
        ):
            to_cancel.extend(r.id for r in pending)  # already reminded for this due time
            continue
        same_due = next((r for r in rows if as_utc(r.due_at) == want["due_at"]), None)
        keep = same_due if same_due is not None else (pending[0] if pending else None)
        to_cancel.extend(r.id for r in pending if keep is None or r.id != keep.id)
        if keep is None:
            new_rows.append(
                dict(
                    case_id=case_id,
                    facility_id=facility_id,
                    item_key=key[0],
                    slot=key[1],
                    status=ReminderStatus.PENDING,
                    late=False,
                    created_at=now,
                    **want,
                )
            )
            continue
        if (
            keep.status == ReminderStatus.PENDING
            and as_utc(keep.due_at) == want["due_at"]
            and keep.user_id == want["user_id"]
        ):
            continue
        values = {"user_id": want["user_id"]}
        if keep.status != ReminderStatus.PENDING or as_utc(keep.due_at) != want["due_at"]:
            values.update(due_at=want["due_at"], remind_at=want["remind_at"])
        if keep.status == ReminderStatus.CANCELLED:
            values.update(status=ReminderStatus.PENDING, cancelled_at=None)  # the item is back (e.g. a reopened case)
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.id == keep.id, Reminder.status == keep.status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        counts["moved"] += 1
    owed = {item_key(item): (item.due_at, item.assignee_id) for item in items if item.assignee_id is not None}
    slots = {slot for slot, _offset in offsets}
    for rows in existing.values():  # items that are gone, moved, or reminders no longer ahead
        to_cancel.extend(r.id for r in rows if r.status == ReminderStatus.PENDING and not _still_owed(r, owed, slots))
    counts["created"] = _insert_new(new_rows)
    _cancel(to_cancel, now)
    counts["cancelled"] = len(to_cancel)
    return counts


def sync_all(*, facility_id=None, now=None):
    """Sync every case that has or had due items (the first run after installing, or after a change of
    REMINDER_OFFSETS): open cases and closed ones with follow-ups. Flushes; returns cases synced."""
    stmt = sa.select(Case.id).where(
        sa.or_(
            Case.status.in_(OPEN_STATUSES),
            sa.exists().where(FollowUp.case_id == Case.id, FollowUp.done_at.is_(None), FollowUp.cancelled_at.is_(None)),
            sa.exists().where(Reminder.case_id == Case.id, Reminder.status == ReminderStatus.PENDING),
        )
    )
    if facility_id is not None:
        stmt = stmt.where(Case.facility_id == facility_id)
    case_ids = db.session.scalars(stmt.order_by(Case.id)).all()
    for case_id in case_ids:
        sync_case_reminders(case_id, now=now)
    db.session.flush()
    return len(case_ids)


# --- the hook: the cases a flush touched are synced before the transaction commits -----------------
# (registered by caseapp.hooks, which says why a hook and not a call)


def _tracked_classes():
    return Case, (CaseEvent, FollowUp, CaseFlag, Approval, Assessment, CarePlan, Referral, ShelterStay)


def _ours(session):
    return has_app_context() and session is db.session()


def note_touched_cases(session, _flush_context) -> None:
    if not _ours(session):
        return
    case_class, by_case_id = _tracked_classes()
    touched = session.info.setdefault(PENDING_CASES, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        # The flushed values, read without loading anything (a deleted row may be gone already).
        state = sa.inspect(obj).dict
        if isinstance(obj, case_class):
            case_id = state.get("id")
        elif isinstance(obj, by_case_id):
            case_id = state.get("case_id")
        else:
            continue
        if case_id is not None:
            touched.add(case_id)


def sync_before_commit(session) -> None:
    """Sync the cases the transaction's flushes touched, once each, before it commits (a sync's own
    statements flush nothing of the ORM, but the final flush of the commit may touch more cases)."""
    if not _ours(session):
        return
    session.flush()
    while True:
        touched = session.info.pop(PENDING_CASES, None)
        if not touched:
            return
        for case_id in sorted(touched):
            sync_case_reminders(case_id)
        session.flush()


def forget_touched(session) -> None:
    session.info.pop(PENDING_CASES, None)
