"""Service providers, referrals (chuyển gửi) and transfers of a case to another facility."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, as_utc, utcnow
from ..extensions import Model, db


class ReferralStatus(StrEnum):
    SENT = "sent"  # awaiting the provider's answer
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    REVOKED = "revoked"


class ProviderStatus(StrEnum):
    """An outside organisation proposed by a social worker waits for a supervisor of the facility."""

    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Provider(Model):
    """A service-directory entry: a facility in the system or an outside organisation."""

    __tablename__ = "providers"
    __table_args__ = (
        sa.Index("ix_providers_province_name", "province_code", "name"),
        # One directory entry per facility of the system (referrals.services.ensure_facility_providers).
        sa.Index("ux_providers_facility_id", "facility_id", unique=True),
        # An outside organisation belongs to the facility that added it (its own list, its proposals).
        sa.Index("ix_providers_owner_status", "owner_facility_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    kind: Mapped[str] = mapped_column(
        sa.String(32), nullable=False
    )  # hospital|police|legal_aid|women_union|school|commune|facility|other
    facility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("facilities.id"))  # when it is a facility in caseapp
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    address: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    contact_person: Mapped[str | None] = mapped_column(sa.String(128))
    services: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # SERVICE_TYPES codes
    capacity_note: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    opening_hours: Mapped[str | None] = mapped_column(sa.String(255))
    # The facility that added an outside organisation: only it sees, edits and refers to it. None: an
    # entry every facility of the province reads (a facility of the system, or one added by an admin).
    owner_facility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("facilities.id"))
    status: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default=ProviderStatus.APPROVED, server_default="approved"
    )
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    # fold(name, contact, address, phone, e-mail): the directory's search column (core.text.fold)
    search_text: Mapped[str] = mapped_column(sa.String(1200), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="raise_on_sql", foreign_keys=[facility_id])
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_facility(self):
        """A facility of the system: its supervisors answer referrals in caseapp itself."""
        return self.facility_id is not None

    @property
    def is_approved(self):
        return self.status == ProviderStatus.APPROVED


class Referral(Model):
    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index("ix_referrals_facility_status_due", "facility_id", "status", "answer_due_at"),
        sa.CheckConstraint("consent_id IS NOT NULL OR consent_override_reason IS NOT NULL", name="consent_or_override"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)  # the sender
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("providers.id"), nullable=False)
    service_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    shared_info: Mapped[str] = mapped_column(sa.Text, nullable=False)  # what information is shared (minimised)
    is_urgent: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    consent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consents.id"))
    consent_override_reason: Mapped[str | None] = mapped_column(sa.Text)  # supervisor's emergency override
    consent_override_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ReferralStatus.SENT)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_note: Mapped[str | None] = mapped_column(sa.Text)
    # An outside provider answers by phone or letter: the day the sender received the answer.
    answer_received_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the completion was recorded
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    outcome_date: Mapped[date | None] = mapped_column(sa.Date)  # the date of the outcome
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    provider = db.relationship("Provider", lazy="raise_on_sql")
    case = db.relationship("Case", lazy="raise_on_sql")
    facility = db.relationship("Facility", lazy="raise_on_sql")
    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, now):
        """Sent and not answered by its deadline: the sender follows it up (the closed loop)."""
        return self.status == ReferralStatus.SENT and as_utc(self.answer_due_at) < as_utc(now)


class Transfer(Model):
    """Moving a case to another facility in the system; the receiving supervisor decides."""

    __tablename__ = "transfers"
    __table_args__ = (
        sa.Index("ix_transfers_to_status", "to_facility_id", "status"),
        # At most one pending transfer per case, whatever two browsers do at the same moment.
        sa.Index(
            "ux_transfers_one_pending",
            "case_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    from_facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    to_facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=TransferStatus.PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    case = db.relationship("Case", lazy="raise_on_sql")
    from_facility = db.relationship("Facility", lazy="raise_on_sql", foreign_keys=[from_facility_id])
    to_facility = db.relationship("Facility", lazy="raise_on_sql", foreign_keys=[to_facility_id])
