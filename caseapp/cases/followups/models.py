"""Follow-ups: the scheduled contacts of a case."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model, db


class FollowUp(Model):
    """A scheduled contact: home visit, phone call or meeting at the centre."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.Index("ix_follow_ups_assignee_due", "assigned_to_id", "done_at", "due_at"),
        # The pending follow-ups of a case (deadline engine, dashboards): a small partial index, so a
        # facility's open follow-ups are probed without reading the done ones (bench/: 177 → 64 ms).
        sa.Index(
            "ix_follow_ups_pending_case",
            "case_id",
            "due_at",
            "id",
            postgresql_where=sa.text("done_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL AND cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # home_visit|phone|meeting
    purpose: Mapped[str | None] = mapped_column(sa.String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    assigned_to = db.relationship("User", lazy="raise_on_sql", foreign_keys=[assigned_to_id])
