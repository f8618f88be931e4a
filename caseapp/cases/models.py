"""Cases (hồ sơ): one episode of service for a client at a facility."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db
from .statuses import OPEN_STATUSES, CaseStatus

OPEN_CASES = "status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_STATUSES))


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        # The lists: facility cases by status / worker, newest first (keyset on id).
        sa.Index("ix_cases_facility_status_id", "facility_id", "status", "id"),
        sa.Index("ix_cases_worker_status_id", "assigned_worker_id", "status", "id"),
        # The facility's open cases newest first, the default "Hồ sơ của cơ sở": (facility, status, id)
        # cannot give id order across five statuses, and PostgreSQL walked every case's id backwards
        # instead (bench/: 55,000 rows filtered for a deep page at 1 M clients).
        sa.Index(
            "ix_cases_facility_open_id",
            "facility_id",
            "id",
            postgresql_where=sa.text(OPEN_CASES),
            sqlite_where=sa.text(OPEN_CASES),
        ),
        # The facility's cases by opening date; closed_at and client_id make the reports' "case active
        # in the period" and served-clients reads index-only (bench/: heap reads of every case row).
        sa.Index("ix_cases_facility_opened", "facility_id", "opened_at", "closed_at", "client_id"),
        sa.CheckConstraint("urgency IN ('emergency', 'high', 'medium', 'low')", name="urgency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False, index=True)
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intakes.id"))
    case_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    care_kind: Mapped[str | None] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=CaseStatus.INTAKE)
    urgency: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="medium")
    risk_level: Mapped[str | None] = mapped_column(sa.String(16))
    assigned_worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    is_sensitive: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    intake_incomplete: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    intake_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    primary_group: Mapped[str | None] = mapped_column(sa.String(48))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closure_reason: Mapped[str | None] = mapped_column(sa.String(32))
    closure_summary: Mapped[str | None] = mapped_column(sa.Text)
    # Last contact with the person (note of a contact, follow-up done, admission): the caseload review
    # lists cases without contact for 30 days from this column, not from the event table.
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    client = db.relationship("Client", lazy="raise_on_sql")
    facility = db.relationship("Facility", lazy="raise_on_sql")
    assigned_worker = db.relationship("User", lazy="raise_on_sql", foreign_keys=[assigned_worker_id])
    intake = db.relationship("Intake", lazy="raise_on_sql")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class CaseEvent(Model):
    """The case timeline: status changes, notes and other happenings, in order."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_case_at", "case_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # opened | status | note | admitted | ...
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    text: Mapped[str | None] = mapped_column(sa.Text)

    actor = db.relationship("User", lazy="raise_on_sql")
