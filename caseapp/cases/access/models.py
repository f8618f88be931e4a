"""Access grants: a case shared beyond its default scope, or opened by break-the-glass."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model, db


class CaseAccessGrant(Model):
    """Access to a case beyond the default scope: shared by a supervisor, or break-the-glass by a
    user of the facility who gave a reason (audited and shown to the supervisors)."""

    __tablename__ = "case_access_grants"
    __table_args__ = (sa.Index("ix_case_access_grants_user_case", "user_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # shared|break_glass
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a supervisor has looked at it

    user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[user_id])
