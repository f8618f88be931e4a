"""Reads of the scheduler's state: small grouped counts and the last sweeps."""

from datetime import timedelta

import sqlalchemy as sa

from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..mail import queries as mail_queries
from ..security.scopes import facility_scope
from .jobs import LATE_AFTER
from .models import Reminder, ReminderStatus, SchedulerSweep

STALE_AFTER = timedelta(minutes=5)  # no sweep for 5 minutes → the scheduler is stale
RECENT_SWEEPS = 10


def last_sweep():
    return db.session.scalar(
        sa.select(SchedulerSweep).order_by(SchedulerSweep.started_at.desc(), SchedulerSweep.id.desc()).limit(1)
    )


def recent_sweeps(limit=RECENT_SWEEPS):
    return db.session.scalars(
        sa.select(SchedulerSweep).order_by(SchedulerSweep.started_at.desc(), SchedulerSweep.id.desc()).limit(limit)
    ).all()


def latest_sweep_at():
    """When the last sweep started (None: never) — one row read on ix_scheduler_sweeps_started_at."""
    return db.session.scalar(sa.select(SchedulerSweep.started_at).order_by(SchedulerSweep.started_at.desc()).limit(1))


def scheduler_state(expected, now=None):
    """ "ok" (a sweep within STALE_AFTER), "stale" (a scheduler is expected — configured, or it has run
    before — and none swept lately) or "off" (none expected, none ever ran). Reads one row."""
    now = as_utc(now) if now else utcnow()
    latest = latest_sweep_at()
    if latest is None:
        return "stale" if expected else "off"
    return "ok" if as_utc(latest) >= now - STALE_AFTER else "stale"


def _scoped(stmt, user):
    return stmt.where(facility_scope(Reminder.facility_id, user))


def reminder_counts(user, now=None):
    """{"pending", "sent", "late", "cancelled", "behind"}: one GROUP BY on (facility, status, late) and
    one bounded count of pending rows already past due by more than LATE_AFTER (the scheduler is behind).
    Admins: every facility; supervisors: their own."""
    now = as_utc(now) if now else utcnow()
    counts = {"pending": 0, "sent": 0, "late": 0, "cancelled": 0, "behind": 0}
    stmt = _scoped(
        sa.select(Reminder.status, Reminder.late, sa.func.count()).group_by(Reminder.status, Reminder.late), user
    )
    for status, late, number in db.session.execute(stmt).all():
        if status in (ReminderStatus.PENDING, ReminderStatus.CLAIMED):
            counts["pending"] += number
        elif status == ReminderStatus.SENT:
            counts["sent"] += number
            if late:
                counts["late"] += number
        elif status == ReminderStatus.CANCELLED:
            counts["cancelled"] += number
    behind = _scoped(
        sa.select(sa.func.count())
        .select_from(Reminder)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.remind_at < now - LATE_AFTER),
        user,
    )
    counts["behind"] = db.session.scalar(behind) or 0
    return counts


def outbox_counts(user):
    """The mail outbox's queue by status, if the mail domain has one (caseapp.mail.queries.outbox_counts);
    None otherwise — the page then says the mail panel is not available."""
    counter = getattr(mail_queries, "outbox_counts", None)
    return counter(user) if counter is not None else None
