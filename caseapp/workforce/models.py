"""The workforce register, training and communication activities.

- Agency: a place where people do social work — a facility of caseapp (facility_id set) or an agency
  outside it (a commune People's Committee, a school, a hospital, a prison…), kept as a record by the
  facility that entered it (owner_facility_id), never as a user account.
- WorkforceMember: one person doing social work at an agency, with their post and qualifications,
  from / to dates (the register on a date is the people whose dates cover it), and the caseapp user
  it is, where they have one.
- TrainingCourse / TrainingParticipant: a course or class and who attended it, with their certificate.
- CommunicationActivity: a communication event or product, with its audience and reach.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class Agency(Model):
    __tablename__ = "workforce_agencies"
    __table_args__ = (sa.Index("ix_workforce_agencies_province_kind", "province_code", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False, index=True)
    # the agency is this facility of caseapp (its own staff); none for an agency outside caseapp
    facility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("facilities.id"), unique=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # categories.AGENCY_KINDS
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    search_name: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="")  # core.text.fold(name)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    owner_facility = db.relationship("Facility", lazy="raise_on_sql", foreign_keys=[owner_facility_id])
    facility = db.relationship("Facility", lazy="raise_on_sql", foreign_keys=[facility_id])
    commune = db.relationship("Commune", lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}


class WorkforceMember(Model):
    __tablename__ = "workforce_members"
    __table_args__ = (
        sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="dates_ordered"),
        sa.Index("ix_workforce_members_agency_dates", "agency_id", "from_date", "to_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("workforce_agencies.id"), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    search_name: Mapped[str] = mapped_column(sa.String(128), nullable=False, default="", index=True)
    sex: Mapped[str | None] = mapped_column(sa.String(8))  # core.categories.SEXES
    birth_year: Mapped[int | None] = mapped_column(sa.Integer)
    citizen_id: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # categories.MEMBER_KINDS
    position: Mapped[str | None] = mapped_column(sa.String(128))
    qualification: Mapped[str] = mapped_column(sa.String(24), nullable=False, default="none")
    professional_title: Mapped[str | None] = mapped_column(sa.String(32))  # categories.PROFESSIONAL_TITLES
    # the labour contract or the appointment decision (for a collaborator, the commune chair's decision)
    appointment_number: Mapped[str | None] = mapped_column(sa.String(64))
    appointment_date: Mapped[date | None] = mapped_column(sa.Date)
    # the commune the person works in (a collaborator's commune; else the agency's)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"), index=True)
    from_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    to_date: Mapped[date | None] = mapped_column(sa.Date)  # the last day; none while in post
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    source_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    agency = db.relationship("Agency", lazy="raise_on_sql")
    commune = db.relationship("Commune", lazy="raise_on_sql")
    user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[user_id])

    __mapper_args__ = {"version_id_col": version}

    def in_post_on(self, day: date) -> bool:
        return self.from_date <= day and (self.to_date is None or self.to_date >= day)


class TrainingCourse(Model):
    __tablename__ = "training_courses"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
        sa.Index("ix_training_courses_facility_start", "facility_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)  # who recorded it
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # categories.TRAINING_KINDS
    level: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # categories.TRAINING_LEVELS
    start_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    organiser: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    hours: Mapped[int | None] = mapped_column(sa.Integer)
    topics: Mapped[str | None] = mapped_column(sa.Text)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))  # where it was held
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="raise_on_sql")
    participants = db.relationship(
        "TrainingParticipant", lazy="raise_on_sql", back_populates="course", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class TrainingParticipant(Model):
    __tablename__ = "training_participants"
    __table_args__ = (sa.UniqueConstraint("course_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_courses.id", ondelete="CASCADE"), nullable=False)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("workforce_members.id"), nullable=False, index=True)
    attended: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    certificate_number: Mapped[str | None] = mapped_column(sa.String(64))
    certificate_date: Mapped[date | None] = mapped_column(sa.Date)

    course = db.relationship("TrainingCourse", lazy="raise_on_sql", back_populates="participants")
    member = db.relationship("WorkforceMember", lazy="raise_on_sql")


class CommunicationActivity(Model):
    __tablename__ = "communication_activities"
    __table_args__ = (
        sa.CheckConstraint("participants IS NULL OR participants >= 0", name="participants_not_negative"),
        sa.CheckConstraint("copies IS NULL OR copies >= 0", name="copies_not_negative"),
        sa.Index("ix_communication_activities_facility_held", "facility_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # categories.COMMUNICATION_KINDS
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    held_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    audience: Mapped[str | None] = mapped_column(sa.String(255))
    participants: Mapped[int | None] = mapped_column(sa.Integer)  # people reached by an event
    copies: Mapped[int | None] = mapped_column(sa.Integer)  # copies or broadcasts of a product
    topic: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # categories.COMMUNICATION_TOPICS
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="raise_on_sql")
    commune = db.relationship("Commune", lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}
