"""What a closure request keeps of its checklist: each loose end the worker chose to leave open,
with the reason (cases.workflow.checklist)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model


class ClosureOverride(Model):
    """A loose end of the case (a pending approval, an open referral, an open follow-up, a goal without
    an outcome) the closure request goes ahead despite, with the worker's reason. Kept with the request
    (the approval), so the supervisor deciding it and the history after it read the same reasons."""

    __tablename__ = "closure_overrides"
    __table_args__ = (
        sa.UniqueConstraint("approval_id", "item_kind", "item_id", name="uq_closure_overrides_item"),
        sa.Index("ix_closure_overrides_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[int] = mapped_column(sa.ForeignKey("approvals.id", ondelete="CASCADE"), nullable=False)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    item_kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # checklist.LooseEndKind
    item_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    item_text: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # what it was, when overridden
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.item_kind}-{self.item_id}"
