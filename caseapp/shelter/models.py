"""Shelters (Địa chỉ tin cậy - Nhà tạm lánh): rooms, beds and stays."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class Room(Model):
    __tablename__ = "rooms"
    __table_args__ = (sa.UniqueConstraint("facility_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    beds = db.relationship("Bed", lazy="raise_on_sql", order_by="Bed.label", back_populates="room")


class Bed(Model):
    __tablename__ = "beds"
    __table_args__ = (sa.UniqueConstraint("room_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False, index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), nullable=False)
    label: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    room = db.relationship("Room", lazy="raise_on_sql", back_populates="beds")


class ShelterStay(Model):
    """One person's stay. Accompanying children have stays of their own, linked to the adult's."""

    __tablename__ = "shelter_stays"
    __table_args__ = (
        sa.Index("ix_shelter_stays_facility_open", "facility_id", "checked_out_at"),
        # A bed holds one open stay at a time (NULL bed_id = not yet assigned).
        sa.Index(
            "uq_shelter_stays_open_bed",
            "bed_id",
            unique=True,
            sqlite_where=sa.text("checked_out_at IS NULL"),
            postgresql_where=sa.text("checked_out_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False, index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    bed_id: Mapped[int | None] = mapped_column(sa.ForeignKey("beds.id"))
    accompanying_stay_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shelter_stays.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    planned_end_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    brought_by: Mapped[str | None] = mapped_column(sa.String(255))
    immediate_needs: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    immediate_danger: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_destination: Mapped[str | None] = mapped_column(sa.String(32))
    checkout_reason: Mapped[str | None] = mapped_column(sa.String(255))
    # The safety check at check-out: where she goes, whether it is safe there, how to reach her safely.
    checkout_place: Mapped[str | None] = mapped_column(sa.String(255))
    checkout_safety: Mapped[str | None] = mapped_column(sa.String(16))  # categories.CHECKOUT_SAFETY
    checkout_safety_note: Mapped[str | None] = mapped_column(sa.Text)
    checkout_contact_agreed: Mapped[bool | None] = mapped_column(sa.Boolean)
    checkout_contact: Mapped[str | None] = mapped_column(sa.String(255))
    # The admission form's one-time key: a double submit finds the first admission instead of making two.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    client = db.relationship("Client", lazy="raise_on_sql")
    bed = db.relationship("Bed", lazy="raise_on_sql")
    case = db.relationship("Case", lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self):
        return self.checked_out_at is None
