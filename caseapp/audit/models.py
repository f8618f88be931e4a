"""The audit trail: append-only, written in the same transaction as the change it records.

It never holds personal data itself — only who did what to which record, from where.
On PostgreSQL a trigger refuses UPDATE and DELETE (see the initial migration).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_facility_occurred", "facility_id", "occurred_at"),
        sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    entity_type: Mapped[str | None] = mapped_column(sa.String(64))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    facility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("facilities.id"))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    detail: Mapped[dict | None] = mapped_column(sa.JSON)

    user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[user_id])
