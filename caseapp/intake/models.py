"""Intake (tiếp nhận): receiving a person or a report, first screening, the decision."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class Intake(Model):
    __tablename__ = "intakes"
    __table_args__ = (
        # client_id in the key: the statistics of a province-year read the clients received from this
        # index alone (an index-only scan), not from a heap page per intake (bench/: 250 → ~40 ms per query).
        sa.Index("ix_intakes_facility_received", "facility_id", "received_at", "client_id"),
        sa.CheckConstraint("decision IN ('open_case', 'advice_only', 'refer_out')", name="decision_known"),
        sa.CheckConstraint("urgency IN ('emergency', 'high', 'medium', 'low')", name="urgency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    referrer_name: Mapped[str | None] = mapped_column(sa.String(128))
    referrer_org: Mapped[str | None] = mapped_column(sa.String(255))
    referrer_contact: Mapped[str | None] = mapped_column(sa.String(128))
    problems: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # codes of PROBLEMS
    problem_note: Mapped[str | None] = mapped_column(sa.Text)
    screening: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)  # answers of the question set
    urgency: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    decision: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    referred_to: Mapped[str | None] = mapped_column(sa.String(255))
    note: Mapped[str | None] = mapped_column(sa.Text)
    is_emergency_admission: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    client = db.relationship("Client", lazy="raise_on_sql")
    created_by = db.relationship("User", lazy="raise_on_sql")
