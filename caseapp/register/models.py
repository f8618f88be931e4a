"""A beneficiary's membership of a group, held under a decision, and its dated versions.

A membership never changes in place: every change (a suspension, an end, a new allowance, a corrected
decision) is a new version with the date it takes effect, so a count on a past date reads the version
then in force and does not move when today's data changes (Nghị định 20/2021/NĐ-CP, Điều 7–8: an
allowance is granted, suspended and ended by decision, each from a date)."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class GroupMembership(Model):
    __tablename__ = "group_memberships"
    __table_args__ = (sa.Index("ix_group_memberships_group_code", "group_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True)
    group_code: Mapped[str] = mapped_column(sa.String(48), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    client = db.relationship("Client", lazy="raise_on_sql")
    versions = db.relationship(
        "MembershipVersion",
        lazy="raise_on_sql",
        back_populates="membership",
        order_by="(MembershipVersion.effective_from, MembershipVersion.id)",
        passive_deletes=True,
    )


class MembershipVersion(Model):
    __tablename__ = "membership_versions"
    __table_args__ = (
        sa.Index("ix_membership_versions_in_force", "membership_id", "effective_from", "id"),
        sa.CheckConstraint("status IN ('receiving', 'suspended', 'ended')", name="membership_status"),
        sa.CheckConstraint("status = 'receiving' OR reason IS NOT NULL", name="stop_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group_memberships.id", ondelete="CASCADE"), nullable=False
    )
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    # The day the next version takes effect (none for the last): the version is in force from
    # effective_from until the day before. Kept by register.services.chain_versions, so that "in
    # force on a day" is a range test, not a search for the latest version per membership.
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(255))
    decision_number: Mapped[str | None] = mapped_column(sa.String(64))
    decision_date: Mapped[date | None] = mapped_column(sa.Date)
    decision_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    allowance_coefficient: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    allowance_amount: Mapped[int | None] = mapped_column(sa.Integer)  # đồng a month
    care_mode: Mapped[str | None] = mapped_column(sa.String(16))
    disability_type: Mapped[str | None] = mapped_column(sa.String(24))
    disability_degree: Mapped[str | None] = mapped_column(sa.String(16))
    certificate_number: Mapped[str | None] = mapped_column(sa.String(64))
    certificate_date: Mapped[date | None] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The import batch the version came from (none when typed on the client page).
    source_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    membership = db.relationship("GroupMembership", lazy="raise_on_sql", back_populates="versions")
    recorded_by = db.relationship("User", lazy="raise_on_sql")
