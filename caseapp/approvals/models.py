"""An approval: a supervisor's decision on an assessment, a plan or a closure."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..cases.statuses import ApprovalStatus
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class Approval(Model):
    """A supervisor decision on an assessment, a plan or a closure: request → approve / return."""

    __tablename__ = "approvals"
    __table_args__ = (
        sa.Index("ix_approvals_facility_status", "facility_id", "status"),
        sa.Index("ix_approvals_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    subject_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # assessment|plan|closure
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ApprovalStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(sa.Text)

    requested_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[decided_by_id])
