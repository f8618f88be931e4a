"""The scheduler's work: one sweep issues every reminder that is due, exactly once.

A sweep works in batches of BATCH_SIZE rows, each batch one transaction:
  1. claim: UPDATE reminders SET status='sent', sent_at, late WHERE id IN (the first pending rows
     due by `now` … FOR UPDATE SKIP LOCKED on PostgreSQL) AND status='pending' RETURNING the rows —
     the first statement of the transaction, so on SQLite it takes the write lock before reading
     anything; a second sweep (a second scheduler, a cron `reminders tick`) waits for it (SQLite) or
     skips the locked rows (PostgreSQL) and then finds them no longer pending. Late: remind_at more
     than LATE_AFTER before `now` (the scheduler was down and this is the catch-up);
  2. write one notification per claimed row, unique key built on the reminder's id: one INSERT …
     SELECT from the reminders (notifications.services.notify_selected) — an escalation notifies each
     supervisor (notify_many) and is written in the case's history;
  3. COMMIT.
A process killed anywhere before the COMMIT leaves the rows pending and no notification: the next
sweep issues them. Nothing is duplicated (claims + unique keys), nothing is lost (one transaction).
"""

import logging
import socket
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..audit.services import record
from ..auth.models import User
from ..cases.models import Case
from ..cases.services import add_event
from ..clients.rights.jobs import run_retention_sweep
from ..core.sql import in_ids, json_object, local_datetime_text
from ..core.timeutil import UTCDateTime, as_utc, format_datetime, utcnow
from ..extensions import db
from ..mail.jobs import deliver
from ..notifications.services import notify_many, notify_selected
from ..referrals.services import escalate_overdue
from ..register.imports.jobs import run_import_jobs
from ..reports.deadlines import remind as remind_report_deadlines
from ..reports.jobs import run_export_jobs
from ..security.policy import Capability
from ..security.scopes import users_with
from .models import ESCALATION, Reminder, ReminderStatus, SchedulerSweep

log = logging.getLogger("caseapp.reminders")

BATCH_SIZE = 2000
LATE_AFTER = timedelta(minutes=5)  # issued more than this after remind_at → late (catch-up)


_CLAIMED = (Reminder.id, Reminder.slot, Reminder.late)


def _claim(now, batch_size, skip_ids, only_id=None):
    """Take the batch and mark it sent in one UPDATE … RETURNING (the rows it returns are the batch).
    The transaction's notifications follow and one COMMIT stores both; a failure before it rolls the
    rows back to pending — "claimed" as a state of its own would only live inside this transaction
    too, and cost a second write of every row (bench/: 100 k reminders). Returns (id, slot, late)
    rows: the notifications are built from the reminders' columns by the database (_issue)."""
    if only_id is not None:
        due = sa.select(Reminder.id).where(Reminder.id == only_id)
    else:
        due = (
            sa.select(Reminder.id)
            .where(Reminder.status == ReminderStatus.PENDING, Reminder.remind_at <= now)
            .order_by(Reminder.remind_at, Reminder.id)
            .limit(batch_size)
        )
        if skip_ids:
            due = due.where(Reminder.id.not_in(skip_ids))
        if db.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
    late_before = now - LATE_AFTER
    rows = db.session.execute(
        sa.update(Reminder)
        .where(Reminder.id.in_(due.scalar_subquery()), Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SENT, sent_at=now, late=Reminder.remind_at < late_before, claim_token=None)
        .returning(*_CLAIMED)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(rows, key=lambda row: row.id)


def drop_superseded(now):
    """Cancel the personal reminders a later reminder of the same item, due too, replaces: after the
    scheduler was down, "one day before" and "at the due time" of one item are both due at once — only
    the latest is issued, so nobody gets the "upcoming" reminder after (or with) the "due" one. One
    UPDATE; returns how many were cancelled."""
    later = aliased(Reminder)
    replaced = sa.exists().where(
        later.item_key == Reminder.item_key,
        later.due_at == Reminder.due_at,
        later.user_id == Reminder.user_id,
        later.slot != ESCALATION,
        later.status == ReminderStatus.PENDING,
        later.remind_at <= now,
        sa.or_(
            later.remind_at > Reminder.remind_at,
            sa.and_(later.remind_at == Reminder.remind_at, later.id > Reminder.id),
        ),
    )
    result = db.session.execute(
        sa.update(Reminder)
        .where(
            Reminder.status == ReminderStatus.PENDING,
            Reminder.remind_at <= now,
            Reminder.slot != ESCALATION,
            replaced,
        )
        .values(status=ReminderStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _supervisors(facility_ids):
    found = {}
    if facility_ids:
        rows = db.session.execute(
            sa.select(User.id, User.facility_id)
            .where(
                User.facility_id.in_(facility_ids), users_with(Capability.RECEIVES_ESCALATIONS), User.active.is_(True)
            )
            .order_by(User.id)
        ).all()
        for row in rows:
            found.setdefault(row.facility_id, []).append(row.id)
    return found


def _reminder_notifications(reminder_ids, now):
    """The notification of each reminder (to its user), as a SELECT for notifications.notify_selected:
    'due' when it is the reminder at the due time, 'upcoming' before; the item, its due time in
    Vietnam time and the case number as params — never the client."""
    return (
        sa.select(
            Reminder.user_id,
            sa.literal("reminder", sa.String),
            Reminder.case_id,
            sa.case((Reminder.remind_at >= Reminder.due_at, "reminder_due"), else_="reminder_upcoming"),
            json_object(item_kind=Reminder.item_kind, due=local_datetime_text(Reminder.due_at), number=Case.number),
            sa.literal("reminder:", sa.String) + sa.cast(Reminder.id, sa.String),
            sa.literal(now, UTCDateTime()),
        )
        .join(Case, Case.id == Reminder.case_id)
        .where(in_ids(Reminder.id, reminder_ids))
    )


def _escalate(reminder_ids, now):
    """Escalations: each supervisor of the reminder's facility is notified, and the case's history
    and the audit trail say so (who was told, not what about the client)."""
    reminders = db.session.execute(
        sa.select(Reminder.id, Reminder.case_id, Reminder.facility_id, Reminder.item_kind, Reminder.due_at)
        .where(in_ids(Reminder.id, reminder_ids))
        .order_by(Reminder.id)
    ).all()
    cases = {
        row.id: row
        for row in db.session.execute(
            sa.select(Case.id, Case.number).where(in_ids(Case.id, {r.case_id for r in reminders}))
        ).all()
    }
    supervisors = _supervisors({r.facility_id for r in reminders})
    entries = []
    for reminder in reminders:
        case = cases[reminder.case_id]
        params = {"item_kind": reminder.item_kind, "due": format_datetime(reminder.due_at)}
        told = supervisors.get(reminder.facility_id, [])
        entries.extend(
            {
                "user_id": user_id,
                "kind": "reminder_escalation",
                "case": case,
                "text_key": "reminder_escalation",
                "params": params,
                "at": now,
                "unique_key": f"reminder:{reminder.id}:u{user_id}",
            }
            for user_id in told
        )
        add_event(case, "reminder_escalated", by=None, at=now)
        record(
            "reminder_escalated",
            by=None,
            entity_type="cases",
            entity_id=reminder.case_id,
            facility_id=reminder.facility_id,
            detail={"reminder_id": reminder.id, "item": reminder.item_kind, "supervisors": len(told)},
        )
    return len(notify_many(entries))


def _issue(claimed, now):
    """Notifications for claimed reminders (same transaction). Returns how many were written."""
    escalations = [r.id for r in claimed if r.slot == ESCALATION]
    to_users = [r.id for r in claimed if r.slot != ESCALATION]
    written = len(notify_selected(_reminder_notifications(to_users, now))) if to_users else 0
    return written + (_escalate(escalations, now) if escalations else 0)


def _run_batch(now, batch_size, skip_ids, only_id=None, after_claim=None):
    """One transaction: claim (and mark sent), notify, commit. Returns (claimed, sent, late, ids)."""
    reminders = _claim(now, batch_size, skip_ids, only_id)
    if not reminders:
        db.session.rollback()
        return 0, 0, 0, []
    if after_claim is not None:
        after_claim()
    _issue(reminders, now)
    db.session.commit()
    late = sum(1 for r in reminders if r.late)
    return len(reminders), len(reminders), late, [r.id for r in reminders]


def sweep(now=None, *, batch_size=BATCH_SIZE, after_claim=None):
    """Issue every reminder due by `now` (default: the current time); returns the sweep's log row.
    `after_claim()` is for tests only: called inside a batch's transaction, after the claim."""
    now = as_utc(now) if now else utcnow()
    entry = SchedulerSweep(started_at=utcnow(), swept_for=now, host=socket.gethostname()[:128])
    db.session.add(entry)
    db.session.flush()  # the first write of the transaction (SQLite: the write lock first)
    try:
        # Referrals past their escalation time are marked escalated on the referral (its page);
        # the supervisors are told by the escalation reminders of the sweep below.
        escalate_overdue(now)
        drop_superseded(now)
        db.session.commit()
    except Exception as error:  # logged and counted; the reminders still go out
        db.session.rollback()
        log.exception("sweep: referral escalation failed")
        entry = _reopen_entry(entry, now, error)

    entry_id = entry.id
    totals = {"claimed": 0, "sent": 0, "late": 0, "errors": 0}
    skip_ids, detail = [], None
    while True:
        try:
            claimed, sent, late, _ids = _run_batch(now, batch_size, skip_ids, after_claim=after_claim)
        except Exception as error:
            db.session.rollback()
            log.exception("sweep: a batch failed; retrying its rows one by one")
            detail = f"{type(error).__name__}: {error}"[:500]
            totals["errors"] += 1
            if not _retry_one_by_one(now, batch_size, skip_ids, totals):
                break
            continue
        if not claimed:
            break
        totals["claimed"] += claimed
        totals["sent"] += sent
        totals["late"] += late
    # A plain UPDATE as the transaction's first statement (SQLite: no read before the write lock).
    values = dict(
        finished_at=utcnow(),
        claimed=totals["claimed"],
        sent=totals["sent"],
        late=totals["late"],
        errors=SchedulerSweep.errors + totals["errors"],
    )
    if detail:
        values["error_detail"] = detail
    db.session.execute(
        sa.update(SchedulerSweep)
        .where(SchedulerSweep.id == entry_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    entry = db.session.get(SchedulerSweep, entry_id)
    if totals["sent"] or totals["errors"]:
        log.info("sweep for %s: %s", now.isoformat(), totals)
    return entry


def _reopen_entry(entry, now, error):
    """After a rollback of the first transaction, write the sweep's row again with the error."""
    entry = SchedulerSweep(
        started_at=utcnow(),
        swept_for=now,
        host=socket.gethostname()[:128],
        errors=1,
        error_detail=f"{type(error).__name__}: {error}"[:500],
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _retry_one_by_one(now, batch_size, skip_ids, totals):
    """A batch failed: issue its rows one per transaction, so one bad row cannot hold up the rest;
    the rows that fail again stay pending (the next sweep retries them) and are skipped by this one.
    Returns False when nothing could be done (stop the sweep)."""
    due = db.session.scalars(
        sa.select(Reminder.id)
        .where(
            Reminder.status == ReminderStatus.PENDING,
            Reminder.remind_at <= now,
            Reminder.id.not_in(skip_ids) if skip_ids else sa.true(),
        )
        .order_by(Reminder.remind_at, Reminder.id)
        .limit(batch_size)
    ).all()
    db.session.rollback()
    if not due:
        return False
    for reminder_id in due:
        try:
            claimed, sent, late, _ids = _run_batch(now, 1, skip_ids, only_id=reminder_id)
        except Exception:
            db.session.rollback()
            log.exception("sweep: reminder %s failed; it stays pending", reminder_id)
            totals["errors"] += 1
            skip_ids.append(reminder_id)
            continue
        totals["claimed"] += claimed
        totals["sent"] += sent
        totals["late"] += late
    return True


def scheduled_tick(app):
    """The scheduler's one interval job: a sweep, then the mail domain's delivery."""
    with app.app_context():
        now = utcnow()
        try:
            sweep(now)
        except Exception:  # the scheduler keeps running; the next minute retries
            db.session.rollback()
            log.exception("sweep failed")
        try:
            deliver(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("mail delivery failed")
        try:  # report files made in the background (reports.jobs)
            run_export_jobs(now)
        except Exception:
            db.session.rollback()
            log.exception("report exports failed")
        try:  # the reports each unit sends by a fixed day: 7 days, 1 day before, and overdue (reports.deadlines)
            remind_report_deadlines(now)
        except Exception:
            db.session.rollback()
            log.exception("report deadline reminders failed")
        try:  # once a day: records whose retention period ran out, for the supervisors (clients.rights.jobs)
            run_retention_sweep(now)
        except Exception:
            db.session.rollback()
            log.exception("retention sweep failed")
        try:  # large register files written in the background (register.imports.jobs)
            run_import_jobs(now)
        except Exception:
            db.session.rollback()
            log.exception("register imports failed")
        finally:
            db.session.remove()
