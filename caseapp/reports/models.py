"""Reports: frozen reporting periods and the reference data entered by reporters.

- ReportSnapshot: a facility's statistics and indicator numerators for one period, frozen by a
  supervisor (facility director) or a reporter. `data` is the JSON of every number, computed once
  at the freeze and never recomputed: later edits of the case data do not change it. Re-opening sets
  status "reopened" with who, when and why; freezing again makes a new row, so every submitted
  version stays readable. At most one frozen snapshot per facility and period.
- ReferenceValue: a number the system does not hold (staff and training counts, the
  number of agencies, the baseline of people counselled, the children of the indicator group in the
  area, a local target), entered per year with its source for a province, or for a commune group or
  one commune of it (a district plan's own targets). At most one value per key, year and place.
- YearlyReport: the yearly implementation report, drafted, then issued once with its number and frozen.
- ReportDeadline / ReportSending: the reports a unit sends each year, their due days, and the years sent.
- CommuneGroup: a named group of communes of one province (the communes of a former district),
  defined by the province's reporters; a scope of the reports and of reference data.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class SnapshotStatus(StrEnum):
    FROZEN = "frozen"
    REOPENED = "reopened"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


class ReportSnapshot(Model):
    __tablename__ = "report_snapshots"
    __table_args__ = (
        sa.CheckConstraint("status IN ('frozen', 'reopened')", name="status_known"),
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.Index("ix_report_snapshots_facility_period", "facility_id", "period_start", "period_end"),
        # One frozen report per facility and period, whatever two browsers do at the same moment.
        sa.Index(
            "ux_report_snapshots_one_frozen",
            "facility_id",
            "period_start",
            "period_end",
            unique=True,
            sqlite_where=sa.text("status = 'frozen'"),
            postgresql_where=sa.text("status = 'frozen'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    period_kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # month|quarter|half|year|custom
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date] = mapped_column(sa.Date, nullable=False)  # inclusive
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=SnapshotStatus.FROZEN)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="raise_on_sql")
    frozen_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[frozen_by_id])
    reopened_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[reopened_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_frozen(self):
        return self.status == SnapshotStatus.FROZEN


commune_group_communes = sa.Table(
    "commune_group_communes",
    Model.metadata,
    sa.Column("group_id", sa.ForeignKey("commune_groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("commune_code", sa.ForeignKey("communes.code"), primary_key=True, index=True),
)


class CommuneGroup(Model):
    """A named group of communes of one province, e.g. "Huyện Thới Lai cũ": the communes that made up a
    district before districts were abolished (Luật Tổ chức chính quyền địa phương 2025). Reports can be
    read for the clients living in them, and targets entered for them."""

    __tablename__ = "commune_groups"
    __table_args__ = (sa.UniqueConstraint("province_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    communes = db.relationship(
        "Commune", secondary=commune_group_communes, lazy="raise_on_sql", order_by="Commune.name"
    )
    created_by = db.relationship("User", lazy="raise_on_sql")


class ReferenceValue(Model):
    __tablename__ = "report_reference_values"
    __table_args__ = (
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("commune_group_id IS NULL OR commune_code IS NULL", name="one_place"),
        # one value per key and year for each place: the province itself, a commune group, a commune
        sa.Index(
            "ux_report_reference_values_province",
            "province_code",
            "year",
            "key",
            unique=True,
            sqlite_where=sa.text("commune_group_id IS NULL AND commune_code IS NULL"),
            postgresql_where=sa.text("commune_group_id IS NULL AND commune_code IS NULL"),
        ),
        sa.Index(
            "ux_report_reference_values_group",
            "commune_group_id",
            "year",
            "key",
            unique=True,
            sqlite_where=sa.text("commune_group_id IS NOT NULL"),
            postgresql_where=sa.text("commune_group_id IS NOT NULL"),
        ),
        sa.Index(
            "ux_report_reference_values_commune",
            "commune_code",
            "year",
            "key",
            unique=True,
            sqlite_where=sa.text("commune_code IS NOT NULL"),
            postgresql_where=sa.text("commune_code IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), nullable=False)
    # the place within the province the value is of; both NULL: the province itself
    commune_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune_groups.id"))
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.code"))
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    key: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # reports.indicators.REFERENCE_KEYS
    value: Mapped[float] = mapped_column(sa.Float, nullable=False)
    source: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # where the number comes from
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # What the reports use: the value and source as a supervisor confirmed them (a reporter's entry waits
    # for it; a value a supervisor enters is confirmed as it is entered). NULL: never confirmed.
    confirmed_value: Mapped[float | None] = mapped_column(sa.Float)
    confirmed_source: Mapped[str | None] = mapped_column(sa.String(255))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entered_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[entered_by_id])

    @property
    def is_pending(self):
        """Entered (or changed) since a supervisor last confirmed it."""
        return self.confirmed_value != self.value or self.confirmed_source != self.source


class ExportJob(Model):
    """A report file made outside the request: queued by the user, made by the scheduler's
    tick (reports.jobs.run_export_jobs) with its progress, the user notified when it is ready; the
    file is deleted EXPORT_KEEP_DAYS (7) days later."""

    __tablename__ = "report_export_jobs"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'expired')", name="status_known"),
        sa.CheckConstraint("fmt IN ('csv', 'xlsx', 'pdf', 'docx')", name="fmt_known"),
        sa.Index("ix_report_export_jobs_status_created", "status", "created_at"),
        sa.Index("ix_report_export_jobs_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    fmt: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False)  # period args + scope, or a snapshot id
    label: Mapped[str] = mapped_column(sa.String(128), nullable=False)  # the period, for the list
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ExportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    claim_token: Mapped[str | None] = mapped_column(sa.String(64))
    file_name: Mapped[str | None] = mapped_column(sa.String(128))
    file_path: Mapped[str | None] = mapped_column(sa.String(255))  # its key in the file store
    key_id: Mapped[str | None] = mapped_column(sa.String(32))  # the file's key (core.sealing); NULL: in clear
    error: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StatisticsRollup(Model):
    """A province's live statistics for one period, kept a short while (reports.rollups): every
    reporter of the province reading that period within STATISTICS_ROLLUP_SECONDS gets these numbers,
    counted once. Aggregates only (what a frozen snapshot holds); never a facility's own report, whose
    numbers open the drill-down lists and must match them."""

    __tablename__ = "statistics_rollups"

    province_code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)


class ReportSettings(Model):
    """How a facility heads and signs the reports it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I):
    the managing body printed above its name, the abbreviation after the number ("…/BC-TTCTXH"),
    the signature block (authority, title, name) and the recipients ("Nơi nhận")."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False, unique=True)
    parent_body: Mapped[str | None] = mapped_column(sa.String(255))  # tên cơ quan chủ quản
    abbreviation: Mapped[str | None] = mapped_column(sa.String(32))  # chữ viết tắt tên cơ quan
    signer_authority: Mapped[str | None] = mapped_column(sa.String(64))  # "KT. GIÁM ĐỐC", "TM. …"
    signer_title: Mapped[str | None] = mapped_column(sa.String(128))  # "PHÓ GIÁM ĐỐC"
    signer_name: Mapped[str | None] = mapped_column(sa.String(128))
    recipients: Mapped[str | None] = mapped_column(sa.Text)  # one per line
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in (self.recipients or "").splitlines() if line.strip()]


class YearlyReportStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class YearlyReport(Model):
    """The yearly implementation report ("Báo cáo kết quả thực hiện Kế hoạch … năm …") the provincial
    plans ask of each unit: the statistics and indicator tables of the year, and the sections the
    supervisor writes (results, shortcomings and their causes, proposals). Saved as a draft and edited
    any number of times; issued once, with the number of the unit's outgoing reports of the year
    (core.sequences, kind "report"), the date and the signer; then frozen: `data` keeps the figures and
    `heading` how the unit headed and signed it, and neither changes again."""

    __tablename__ = "yearly_reports"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'issued')", name="status_known"),
        sa.CheckConstraint("scope IN ('facility', 'province')", name="scope_known"),
        sa.CheckConstraint(
            "status = 'draft' OR (number IS NOT NULL AND issued_on IS NOT NULL AND data IS NOT NULL)",
            name="issued_complete",
        ),
        sa.UniqueConstraint("facility_id", "year", "number"),
        sa.Index("ix_yearly_reports_facility_year", "facility_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    scope: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="facility")
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # trích yếu
    results: Mapped[str | None] = mapped_column(sa.Text)  # kết quả đạt được
    shortcomings: Mapped[str | None] = mapped_column(sa.Text)  # tồn tại, hạn chế và nguyên nhân
    proposals: Mapped[str | None] = mapped_column(sa.Text)  # phương hướng, kiến nghị, đề xuất
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=YearlyReportStatus.DRAFT)
    number: Mapped[int | None] = mapped_column(sa.Integer)  # the unit's outgoing report number of the year
    number_symbol: Mapped[str | None] = mapped_column(sa.String(64))  # "15/BC-TTCTXH"
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    data: Mapped[dict | None] = mapped_column(sa.JSON)  # the figures, frozen when issued
    heading: Mapped[dict | None] = mapped_column(sa.JSON)  # issuer, parent body, signer, recipients, place
    snapshot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_snapshots.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_issued(self):
        return self.status == YearlyReportStatus.ISSUED


class ReportDeadline(Model):
    """A report the unit sends every year and the day it is due, e.g. the yearly implementation report
    to the Department of Health before 15 December. Never deleted, only stopped (`active`), so the
    years it was sent stay on record."""

    __tablename__ = "report_deadlines"
    __table_args__ = (
        sa.CheckConstraint("due_month BETWEEN 1 AND 12", name="month_known"),
        sa.CheckConstraint("due_day BETWEEN 1 AND 31", name="day_known"),
        sa.CheckConstraint("report_kind IN ('yearly', 'statistics')", name="kind_known"),
        sa.Index("ix_report_deadlines_facility", "facility_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    report_kind: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="yearly")
    recipient: Mapped[str] = mapped_column(sa.String(255), nullable=False)  # the body it is sent to
    due_month: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    due_day: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # due before the end of this day
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class ReportSending(Model):
    """A deadline met for one year: the report sent, with its issued number and date."""

    __tablename__ = "report_sendings"
    __table_args__ = (sa.UniqueConstraint("deadline_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(sa.ForeignKey("report_deadlines.id"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    number_symbol: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    sent_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    yearly_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("yearly_reports.id"))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
