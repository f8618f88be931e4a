"""Needs assessments and intervention plans (TT 02/2020/TT-BLĐTBXH, bước 1 and 2). Both are kept
in versions: a re-assessment or a revised plan is a new row; the old ones stay readable."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # awaiting a supervisor's approval
    APPROVED = "approved"
    RETURNED = "returned"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    SUPERSEDED = "superseded"  # a later version was approved


class GoalOutcome(StrEnum):
    """How far a goal of the plan was reached, assessed at the plan's review or before closing the case
    (TT 02/2020/TT-BLĐTBXH, bước 4 and 5). A goal not achieved has an outcome too."""

    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Assessment(Model):
    __tablename__ = "assessments"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "version_no"),
        sa.CheckConstraint("risk_level IN ('high', 'medium', 'low')", name="risk_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    version_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # {domain code: {"situation": str, "need_level": high|medium|low|none, "strengths": str, "client_view": str}}
    domains: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    risk_level: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    risk_reasons: Mapped[str | None] = mapped_column(sa.Text)
    # Risk and safety questions for violence / child-protection cases (NĐ 56/2017, Mẫu số 02/03).
    safety: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    client_view: Mapped[str | None] = mapped_column(sa.Text)
    # The other blocks of the TT 02/2020 form: {block code: {field code: text}} (plans.blocks); NULL on
    # the assessments stored before the blocks existed.
    blocks: Mapped[dict | None] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=AssessmentStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    created_by = db.relationship("User", lazy="raise_on_sql")
    __mapper_args__ = {"version_id_col": version}


class CarePlan(Model):
    __tablename__ = "care_plans"
    __table_args__ = (sa.UniqueConstraint("case_id", "version_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"))
    version_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PlanStatus.DRAFT)
    review_due_on: Mapped[date | None] = mapped_column(sa.Date)
    client_participation: Mapped[str | None] = mapped_column(sa.Text)  # how the person (and guardian) took part
    guardian_participated: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Safety plan (violence cases): {"warning_signs", "safe_places", "contacts", "steps"}
    safety_plan: Mapped[dict | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    goals = db.relationship(
        "PlanGoal",
        lazy="raise_on_sql",
        order_by="PlanGoal.position",
        cascade="all, delete-orphan",
        back_populates="plan",
    )
    activities = db.relationship(
        "PlanActivity",
        lazy="raise_on_sql",
        order_by="PlanActivity.position",
        cascade="all, delete-orphan",
        back_populates="plan",
    )
    created_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[created_by_id])
    __mapper_args__ = {"version_id_col": version}


class PlanGoal(Model):
    __tablename__ = "plan_goals"
    __table_args__ = (
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('achieved', 'partly_achieved', 'not_achieved')", name="outcome_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("care_plans.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    need_domain: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # a domain of the assessment
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    target_on: Mapped[date | None] = mapped_column(sa.Date)
    achieved: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)  # outcome == "achieved"
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # GoalOutcome; None: not assessed yet
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome_on: Mapped[date | None] = mapped_column(sa.Date)  # the day the outcome was assessed
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    plan = db.relationship("CarePlan", lazy="raise_on_sql", back_populates="goals")
    outcome_by = db.relationship("User", lazy="raise_on_sql")
    __mapper_args__ = {"version_id_col": version}


class PlanActivity(Model):
    __tablename__ = "plan_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("care_plans.id", ondelete="CASCADE"), nullable=False, index=True)
    goal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_goals.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    service_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    responsible_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    responsible_org: Mapped[str | None] = mapped_column(sa.String(255))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("providers.id"))
    start_on: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ActivityStatus.PLANNED)

    plan = db.relationship("CarePlan", lazy="raise_on_sql", back_populates="activities")
    responsible_user = db.relationship("User", lazy="raise_on_sql")
