"""The supervisor dashboard's roll-up: the numbers of one supervisor's home page, kept for a short while."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime
from ..extensions import Model


class DashboardRollup(Model):
    """One row per supervisor: the dashboard as computed at `computed_at` (main.rollups). Only numbers,
    case steps and staff names — never a client's data. Valid only for the role and facility it was
    computed for; dropped when the user writes anything (audit.services.record)."""

    __tablename__ = "dashboard_rollups"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    format_version: Mapped[int] = mapped_column(nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)

    def counted_for(self, user) -> bool:
        """Counted for the user as they are now (a new role or facility gives other numbers)."""
        return self.role == user.role and self.facility_id == user.facility_id
