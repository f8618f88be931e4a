"""Administrative units (two tiers since 1 July 2025: 34 provinces, 3,321 communes) and facilities."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class Province(Model):
    __tablename__ = "provinces"
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    division_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)


class Commune(Model):
    """Xã, phường, đặc khu (Luật Tổ chức chính quyền địa phương 2025: no districts any more)."""

    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    division_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False, index=True)

    province = db.relationship("Province", lazy="raise_on_sql")


class FacilityType(str, enum.Enum):
    """Facility types (cơ sở) of the social-assistance and social-work system."""

    SOCIAL_WORK_CENTER = "social_work_center"  # Trung tâm Công tác xã hội
    SOCIAL_PROTECTION_CENTER = "social_protection_center"  # Trung tâm Bảo trợ xã hội (tổng hợp)
    PRIVATE_ASSISTANCE = "private_assistance"  # Cơ sở trợ giúp xã hội ngoài công lập
    SHELTER = "shelter"  # Địa chỉ tin cậy - Nhà tạm lánh
    DRUG_REHAB = "drug_rehab"  # Cơ sở cai nghiện ma túy
    HOSPITAL = "hospital"  # Bệnh viện / trung tâm y tế (tổ CTXH)
    SCHOOL = "school"  # Trường học
    COMMUNE_COMMITTEE = "commune_committee"  # UBND xã/phường (cộng tác viên CTXH)
    OTHER = "other"  # Tổ chức khác


class Facility(Model):
    __tablename__ = "facilities"
    __table_args__ = (sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False, index=True)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    street_address: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    confidential_address: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Shelters: default length of stay in days (30, extendable; no national maximum, so per facility).
    max_stay_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30, server_default="30")
    # Whether needs assessments need a supervisor's approval at this facility.
    requires_assessment_approval: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # The roles of this facility that must sign in with a second factor besides those that always must
    # (security.rules.second_factor_required): role values separated by commas, "" for none.
    second_factor_roles: Mapped[str] = mapped_column(sa.String(128), nullable=False, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    province = db.relationship("Province", lazy="raise_on_sql")
    commune = db.relationship("Commune", lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}

    @property
    def scope_facility_id(self):
        return self.id

    @property
    def second_factor_role_list(self) -> list[str]:
        return [role for role in (self.second_factor_roles or "").split(",") if role]

    def address_visible_to(self, user):
        """A confidential address is shown only to users of the facility itself: perpetrators must never
        learn where a victim is."""
        return not self.confidential_address or getattr(user, "facility_id", None) == self.id
