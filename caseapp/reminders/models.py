"""Reminders as rows: for every due item of deadlines.items, when to remind whom.

A reminder is keyed on the due item (`item_key`, from DueItem.key) and its `slot` — one of the
configured offsets before/at the due time (REMINDER_OFFSETS, default one day before and at the due
time) or "escalation" (the facility's supervisors, deadlines.rules rule "escalation"). Rows are
created, moved and cancelled by reminders.services.sync_case_reminders in the transaction that
changes the due item; the scheduler (reminders.jobs) only finds what is due, claims it and marks it
sent together with its notification, so a reminder is issued exactly once.

status: pending → sent | cancelled ("claimed" exists only inside a sweep's transaction).
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a sweep, inside its transaction only
    SENT = "sent"
    CANCELLED = "cancelled"


ESCALATION = "escalation"


class Reminder(Model):
    __tablename__ = "reminders"
    __table_args__ = (
        # One reminder per due item, slot and due time: a sent reminder stays as history when the
        # item moves, and a new one is made for the new due time.
        sa.UniqueConstraint("item_key", "slot", "due_at", name="uq_reminders_item_slot_due"),
        sa.CheckConstraint("status IN ('pending', 'claimed', 'sent', 'cancelled')", name="status_known"),
        # The sweep: pending rows by remind_at (the index it claims on). Partial: a row the sweep marks
        # sent leaves it instead of adding an entry to it (bench/: 100 k reminders per sweep).
        sa.Index(
            "ix_reminders_pending_remind_at",
            "remind_at",
            "id",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        # The reconciliation of one case.
        sa.Index("ix_reminders_case_status", "case_id", "status"),
        # The scheduler page's grouped counts of a facility.
        sa.Index("ix_reminders_facility_status", "facility_id", "status", "late"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    item_kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # a key of deadlines.items.KINDS
    item_key: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # "kind:case_id:ref_id"
    slot: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # "-1d", "0", … or "escalation"
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))  # None: supervisors
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ReminderStatus.PENDING)
    claim_token: Mapped[str | None] = mapped_column(sa.String(36))
    late: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_escalation(self):
        return self.slot == ESCALATION


class SchedulerSweep(Model):
    """One row per sweep: the heartbeat the admin page and /healthz read."""

    __tablename__ = "scheduler_sweeps"
    __table_args__ = (sa.Index("ix_scheduler_sweeps_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    swept_for: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)  # the `now` of the sweep
    claimed: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    sent: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    late: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    errors: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    error_detail: Mapped[str | None] = mapped_column(sa.String(500))
    host: Mapped[str | None] = mapped_column(sa.String(128))
