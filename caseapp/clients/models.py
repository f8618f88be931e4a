"""The client registry (đối tượng): identity (possibly unknown), family, consent, history. The groups a
client belongs to are the register's memberships (register.models)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, local_today, utcnow
from ..extensions import Model, db


class Client(Model):
    __tablename__ = "clients"
    __table_args__ = (
        sa.CheckConstraint("full_name IS NOT NULL OR alias IS NOT NULL", name="has_name_or_alias"),
        sa.CheckConstraint("citizen_id IS NULL OR length(citizen_id) = 12", name="citizen_id_12_digits"),
        # One person per citizen ID in a facility's registry; another facility may hold the same number
        # without anyone being told (clients.identity). Leading on citizen_id: it serves the lookups by
        # number alone too.
        sa.UniqueConstraint("citizen_id", "facility_id"),
        sa.Index("ix_clients_facility_id_id", "facility_id", "id"),
        sa.Index("ix_clients_search_name", "search_name"),
        sa.Index("ix_clients_phone_digits", "phone_digits"),
        sa.Index("ix_clients_birth_year", "birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(128))
    alias: Mapped[str | None] = mapped_column(sa.String(128))
    other_names: Mapped[str | None] = mapped_column(sa.String(255))
    sex: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="unknown")
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    birth_year: Mapped[int | None] = mapped_column(sa.Integer)
    birth_precision: Mapped[str | None] = mapped_column(sa.String(16))  # exact | year | estimated
    ethnicity: Mapped[str | None] = mapped_column(sa.String(16))
    nationality: Mapped[str | None] = mapped_column(sa.String(64), default="Việt Nam")
    citizen_id: Mapped[str | None] = mapped_column(sa.String(12))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    phone_digits: Mapped[str | None] = mapped_column(sa.String(32))
    province_code: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.code"))
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"), index=True)
    street_address: Mapped[str | None] = mapped_column(sa.String(255))
    hometown: Mapped[str | None] = mapped_column(sa.String(255))
    disabilities: Mapped[str | None] = mapped_column(sa.Text)
    is_sensitive: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # fold(full name, alias, other names, code): the one search column (core.text.fold)
    search_name: Mapped[str] = mapped_column(sa.String(600), nullable=False, default="")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="raise_on_sql")
    family = db.relationship(
        "FamilyMember",
        lazy="raise_on_sql",
        cascade="all, delete-orphan",
        back_populates="client",
        order_by="FamilyMember.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self):
        """The name to show: full name, else the alias with the temporary code."""
        if self.full_name:
            return self.full_name
        return f"{self.alias} ({self.code})" if self.alias else self.code

    @property
    def identity_unknown(self):
        return not self.full_name

    def age_on(self, day=None):
        """Full years on `day`. Known only as a year (or an estimated age): the age reached in the
        year of `day` (năm hiện tại - năm sinh), so the rules for children still apply to them."""
        day = day or local_today()
        if self.birth_date is None:
            return max(day.year - self.birth_year, 0) if self.birth_year else None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return max(years, 0)

    @property
    def age(self):
        return self.age_on()

    @property
    def is_child(self):
        """Under 16 (Luật Trẻ em 2016, Điều 1)."""
        age = self.age
        return age is not None and age < 16


class FamilyMember(Model):
    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True)
    full_name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    relationship: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    lives_with_client: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    is_guardian: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    is_alleged_perpetrator: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(sa.String(255))

    client = db.relationship("Client", lazy="raise_on_sql", back_populates="family")


class ClientChange(Model):
    """History of a client record: which fields changed, from what to what, by whom, when.
    (Personal data, so it lives here with the record — never in the audit trail.)"""

    __tablename__ = "client_changes"
    __table_args__ = (sa.Index("ix_client_changes_client_changed", "client_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # created | updated | merged | ...
    changes: Mapped[dict | None] = mapped_column(sa.JSON)  # {field: [old, new]}
    # why an identifying field was corrected (Nghị định 13/2023/NĐ-CP, Điều 15): asked by the edit form
    reason: Mapped[str | None] = mapped_column(sa.String(255))

    changed_by = db.relationship("User", lazy="raise_on_sql")


class Consent(Model):
    """Consent per purpose and recipient (NĐ 13/2023/NĐ-CP; Luật BVDLCN 2025), withdrawable.
    For a child the guardian consents, and the child too from age 7 (NĐ 13/2023/NĐ-CP, Điều 20)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True)
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intakes.id"))
    purpose: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # services | share_provider | reports
    recipient: Mapped[str | None] = mapped_column(sa.String(255))  # named provider for share_provider
    given_by: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # client | guardian
    giver_name: Mapped[str | None] = mapped_column(sa.String(128))
    child_assent: Mapped[bool | None] = mapped_column(sa.Boolean)  # the child's own agreement (≥ 7)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.String(255))

    @property
    def is_active(self):
        return self.withdrawn_at is None
