"""reports: the yearly implementation report (drafted, issued with a number, frozen), the reports each
unit sends yearly and their due days, and reference numbers confirmed by a supervisor before use.

Existing reference numbers were in use: they are backfilled as confirmed. Each facility gets the
default deadline: the yearly report to the Department of Health before 15 December.

Revision ID: 0020_yearly_reports
Revises: 0019_report_settings
Create Date: 2026-12-07 16:00:16.360908

"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0020_yearly_reports"
down_revision = "0019_report_settings"
branch_labels = None
depends_on = None

# the defaults of reports.deadlines, as they were when this revision was written
DEFAULT_TITLE = "Báo cáo kết quả thực hiện Kế hoạch công tác xã hội năm"
DEFAULT_RECIPIENT = "Sở Y tế"
NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)


def upgrade():
    op.create_table(
        "report_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("report_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("due_month", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("report_kind IN ('yearly', 'statistics')", name=op.f("ck_report_deadlines_kind_known")),
        sa.CheckConstraint("due_day BETWEEN 1 AND 31", name=op.f("ck_report_deadlines_day_known")),
        sa.CheckConstraint("due_month BETWEEN 1 AND 12", name=op.f("ck_report_deadlines_month_known")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_report_deadlines_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_report_deadlines_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deadlines")),
    )
    with op.batch_alter_table("report_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_report_deadlines_facility", ["facility_id"], unique=False)

    op.create_table(
        "yearly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("results", sa.Text(), nullable=True),
        sa.Column("shortcomings", sa.Text(), nullable=True),
        sa.Column("proposals", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("number_symbol", sa.String(length=64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("heading", sa.JSON(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("scope IN ('facility', 'province')", name=op.f("ck_yearly_reports_scope_known")),
        sa.CheckConstraint(
            "status = 'draft' OR (number IS NOT NULL AND issued_on IS NOT NULL AND data IS NOT NULL)",
            name=op.f("ck_yearly_reports_issued_complete"),
        ),
        sa.CheckConstraint("status IN ('draft', 'issued')", name=op.f("ck_yearly_reports_status_known")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_yearly_reports_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_yearly_reports_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_yearly_reports_issued_by_id_users")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["report_snapshots.id"], name=op.f("fk_yearly_reports_snapshot_id_report_snapshots")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_yearly_reports_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yearly_reports")),
        sa.UniqueConstraint("facility_id", "year", "number", name=op.f("uq_yearly_reports_facility_id_year_number")),
    )
    with op.batch_alter_table("yearly_reports", schema=None) as batch_op:
        batch_op.create_index("ix_yearly_reports_facility_year", ["facility_id", "year"], unique=False)

    op.create_table(
        "report_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number_symbol", sa.String(length=64), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("yearly_report_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["report_deadlines.id"], name=op.f("fk_report_sendings_deadline_id_report_deadlines")
        ),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_report_sendings_sent_by_id_users")),
        sa.ForeignKeyConstraint(
            ["yearly_report_id"], ["yearly_reports.id"], name=op.f("fk_report_sendings_yearly_report_id_yearly_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_sendings")),
        sa.UniqueConstraint("deadline_id", "year", name=op.f("uq_report_sendings_deadline_id_year")),
    )
    with op.batch_alter_table("report_reference_values", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_source", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_reference_values_confirmed_by_id_users"), "users", ["confirmed_by_id"], ["id"]
        )

    with op.batch_alter_table("report_export_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_report_export_jobs_fmt_known"), type_="check")
        batch_op.create_check_constraint("fmt_known", "fmt IN ('csv', 'xlsx', 'pdf', 'docx')")
    op.execute(
        "UPDATE report_reference_values SET confirmed_value = value, confirmed_source = source, "
        "confirmed_by_id = entered_by_id, confirmed_at = entered_at"
    )
    op.execute(
        sa.text(
            "INSERT INTO report_deadlines (facility_id, title, report_kind, recipient, due_month, due_day, active, "
            "updated_at, version) SELECT id, :title, 'yearly', :recipient, 12, 15, :active, :now, 1 FROM facilities"
        ).bindparams(title=DEFAULT_TITLE, recipient=DEFAULT_RECIPIENT, active=True, now=NOW)
    )


def downgrade():
    with op.batch_alter_table("report_export_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_report_export_jobs_fmt_known"), type_="check")
        batch_op.create_check_constraint("fmt_known", "fmt IN ('csv', 'xlsx', 'pdf')")
    with op.batch_alter_table("report_reference_values", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_reference_values_confirmed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("confirmed_source")
        batch_op.drop_column("confirmed_value")

    op.drop_table("report_sendings")
    with op.batch_alter_table("yearly_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_yearly_reports_facility_year")

    op.drop_table("yearly_reports")
    with op.batch_alter_table("report_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_report_deadlines_facility")

    op.drop_table("report_deadlines")
