"""Tables of the data subject's rights: the requests a person (or their representative) made in writing,
the anonymisation of a client record, and the retention sweep's notices."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.categories import Category
from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model

if TYPE_CHECKING:  # for annotations only
    from ...auth.models import User


class RequestKind(StrEnum):
    """What the person asks for (Nghị định 13/2023/NĐ-CP, Điều 9: to access and be given their data, to
    have it corrected, to have it erased)."""

    EXPORT = "export"
    CORRECTION = "correction"
    ERASURE = "erasure"


class Requester(StrEnum):
    PERSON = "person"  # the client themself
    REPRESENTATIVE = "representative"  # a parent or guardian of a child, a legal or authorised representative


class RequestOutcome(StrEnum):
    PROVIDED = "provided"  # the data was given (JSON and PDF)
    CORRECTED = "corrected"  # the record was corrected (the reason is in the client's history)
    ANONYMISED = "anonymised"  # the record was anonymised
    REFUSED = "refused"  # refused, with the reason (e.g. the law requires the record to be kept)


class DataSubjectRequest(Model):
    """A written request about a client's personal data: recorded first, before anything is given or
    changed, then handled — by whom, when, with what outcome."""

    __tablename__ = "data_subject_requests"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('export', 'correction', 'erasure')", name="kind_known"),
        sa.CheckConstraint("requester IN ('person', 'representative')", name="requester_known"),
        sa.CheckConstraint(
            "requester = 'person' OR representative_relation IS NOT NULL", name="representative_has_relation"
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('provided', 'corrected', 'anonymised', 'refused')", name="outcome_known"
        ),
        sa.CheckConstraint("outcome IS NULL OR handled_at IS NOT NULL", name="outcome_when_handled"),
        sa.Index("ix_data_subject_requests_client_id", "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    requester: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    representative_name: Mapped[str | None] = mapped_column(sa.String(128))
    representative_relation: Mapped[str | None] = mapped_column(sa.String(32))  # REPRESENTATIVE_RELATIONS
    received_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reference: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # the written request's number
    details: Mapped[str | None] = mapped_column(sa.String(500))  # what is asked (the fields to correct …)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    outcome_note: Mapped[str | None] = mapped_column(sa.String(500))

    recorded_by: Mapped[User | None] = relationship("User", lazy="raise_on_sql", foreign_keys=[recorded_by_id])
    handled_by: Mapped[User | None] = relationship("User", lazy="raise_on_sql", foreign_keys=[handled_by_id])

    @property
    def is_open(self) -> bool:
        return self.outcome is None


class ClientAnonymisation(Model):
    """A client record made anonymous: when, by whom, why, and how many rows of each kind were cleared
    (numbers only). Irreversible: what was removed is kept nowhere."""

    __tablename__ = "client_anonymisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False, unique=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    anonymised_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    anonymised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("data_subject_requests.id"))
    cleared: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)  # {what: rows}

    anonymised_by: Mapped[User | None] = relationship("User", lazy="raise_on_sql")


class RetentionNotice(Model):
    """A client the retention sweep found due for anonymisation: the facility's supervisors were asked
    once, on `notified_at`. The list of due clients is read live (a case reopened since takes the client
    off it); this row only keeps the sweep from asking twice."""

    __tablename__ = "retention_notices"
    __table_args__ = (sa.Index("ix_retention_notices_facility_id", "facility_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), nullable=False, unique=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class RetentionSweep(Model):
    """One row per day the retention sweep ran: the sweep runs once a day, whatever the scheduler's
    interval, and a second scheduler finds the day taken."""

    __tablename__ = "retention_sweeps"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, nullable=False, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    found: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)  # clients newly due


# The labels of the codes above, for the pages (category lists: core.categories.label).
REQUEST_KINDS = (
    Category(RequestKind.EXPORT, "Access and a copy of the data", "Nghị định 13/2023/NĐ-CP, Điều 9, Điều 14"),
    Category(RequestKind.CORRECTION, "Correction of the data", "Nghị định 13/2023/NĐ-CP, Điều 9, Điều 15"),
    Category(RequestKind.ERASURE, "Erasure of the data", "Nghị định 13/2023/NĐ-CP, Điều 9, Điều 16"),
)
# Who may ask for a person: a child's parent or guardian (Nghị định 13/2023/NĐ-CP, Điều 20), a legal
# representative, or someone the person authorised in writing.
REPRESENTATIVE_RELATIONS = (
    Category("parent", "Parent"),
    Category("guardian", "Guardian"),
    Category("legal_representative", "Legal representative"),
    Category("authorised", "Authorised in writing"),
)
REQUEST_OUTCOMES = (
    Category(RequestOutcome.PROVIDED, "Data provided"),
    Category(RequestOutcome.CORRECTED, "Corrected"),
    Category(RequestOutcome.ANONYMISED, "Anonymised"),
    Category(RequestOutcome.REFUSED, "Refused"),
)
