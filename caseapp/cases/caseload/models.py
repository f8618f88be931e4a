"""Flags: a supervisor's request to a worker on a case."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model, db


class CaseFlag(Model):
    """A supervisor's flag to a worker on a case, with a note and a due date, resolved by the worker."""

    __tablename__ = "case_flags"
    __table_args__ = (sa.Index("ix_case_flags_to_user_open", "to_user_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    raised_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[raised_by_id])
    to_user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[to_user_id])
