"""In-app notifications (thông báo): what happened, for whom, about which case — never a client's name
(data minimisation, NĐ 13/2023/NĐ-CP: a list of notifications is seen at a glance, on
shared screens too, and outlives the case's access rules).

General on purpose: the caseload review (reassignments, flags) writes them now, the reminders
scheduler later. `unique_key` makes writing one idempotent: the same event never notifies twice
(a retried request, a second scheduler)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox, newest first (keyset on id), and the header's unread count.
        sa.Index("ix_notifications_user_id_id", "user_id", "id"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # case_assigned | case_flagged | …
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    text_key: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # a key of notifications.texts.TEXTS
    params: Mapped[dict | None] = mapped_column(sa.JSON)  # e.g. {"number": "…", "due": "dd/mm/yyyy"}
    unique_key: Mapped[str] = mapped_column(sa.String(160), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_read(self):
        return self.read_at is not None
