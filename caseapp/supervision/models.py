"""Professional supervision (giám sát chuyên môn) and case conferences (hội chẩn).

Thông tư 02/2020/TT-BLĐTBXH gives the facility's leaders the supervision of the case workers (the
approvals of bước 2 and 5 and the review of bước 4); a supervision session and a case conference record
that work: who took part, which cases were discussed, what was decided. The actions agreed with an owner
and a due date are the supervisor's flags of cases.caseload (CaseFlag): they are the owner's tasks, get
reminders and are resolved like every flag — the rows here only say which session or conference made
them.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:  # for annotations only
    from ..auth.models import User
    from ..cases.models import Case


class SessionKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


session_workers = sa.Table(
    "supervision_session_workers",
    Model.metadata,
    sa.Column("session_id", sa.ForeignKey("supervision_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)

session_cases = sa.Table(
    "supervision_session_cases",
    Model.metadata,
    sa.Column("session_id", sa.ForeignKey("supervision_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SupervisionSession(Model):
    """A supervision session of one worker (individual) or several (group) with their supervisor."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('individual', 'group')", name="kind_known"),
        sa.Index("ix_supervision_sessions_facility_held", "facility_id", "held_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    held_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    supervisor = db.relationship("User", lazy="raise_on_sql", foreign_keys=[supervisor_id])
    workers: Mapped[list["User"]] = relationship(
        "User", secondary=session_workers, lazy="raise_on_sql", order_by="User.full_name"
    )
    cases: Mapped[list["Case"]] = relationship(
        "Case", secondary=session_cases, lazy="raise_on_sql", order_by="Case.number"
    )
    actions: Mapped[list["SupervisionAction"]] = relationship(
        "SupervisionAction", lazy="raise_on_sql", order_by="SupervisionAction.position", back_populates="session"
    )


class SupervisionAction(Model):
    """An action agreed in a session: the flag (owner, case, text, due date, done) it became."""

    __tablename__ = "supervision_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    flag_id: Mapped[int] = mapped_column(sa.ForeignKey("case_flags.id"), nullable=False, unique=True)

    session = db.relationship("SupervisionSession", lazy="raise_on_sql", back_populates="actions")
    flag = db.relationship("CaseFlag", lazy="raise_on_sql")


class CaseConference(Model):
    """Hội chẩn: the people working a case (and others from outside) meet on its situation and decide."""

    __tablename__ = "case_conferences"
    __table_args__ = (
        sa.Index("ix_case_conferences_case_held", "case_id", "held_at"),
        sa.Index("ix_case_conferences_facility_held", "facility_id", "held_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(255))
    chaired_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    situation: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    chaired_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[chaired_by_id])
    case = db.relationship("Case", lazy="raise_on_sql")
    participants: Mapped[list["ConferenceParticipant"]] = relationship(
        "ConferenceParticipant", lazy="raise_on_sql", order_by="ConferenceParticipant.position"
    )
    decisions: Mapped[list["ConferenceDecision"]] = relationship(
        "ConferenceDecision", lazy="raise_on_sql", order_by="ConferenceDecision.position"
    )


class ConferenceParticipant(Model):
    """A participant: a user of caseapp, or a person from outside (name, organisation, role)."""

    __tablename__ = "case_conference_participants"
    __table_args__ = (sa.CheckConstraint("user_id IS NOT NULL OR name IS NOT NULL", name="someone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_conferences.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    name: Mapped[str | None] = mapped_column(sa.String(128))
    organisation: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str | None] = mapped_column(sa.String(128))

    user = db.relationship("User", lazy="raise_on_sql")


class ConferenceDecision(Model):
    """A decision of the conference; one given an owner and a due date became a flag (a task)."""

    __tablename__ = "case_conference_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_conferences.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_flags.id"), unique=True)

    flag = db.relationship("CaseFlag", lazy="raise_on_sql")
