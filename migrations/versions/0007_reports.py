"""reports: statistics, programme indicators, reference data and frozen reporting periods

Revision ID: 0007_reports
Revises: 0006_reminders
Create Date: 2026-12-02 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_reports"
down_revision = "0006_reminders"
branch_labels = None
depends_on = None


def upgrade():
    # -- upgrade: one block per feature, each in batch mode (SQLite) --
    # -- statistics report, indicators and frozen reporting periods --
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_report_snapshots_period_ordered")),
        sa.CheckConstraint("status IN ('frozen', 'reopened')", name=op.f("ck_report_snapshots_status_known")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_report_snapshots_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["frozen_by_id"], ["users.id"], name=op.f("fk_report_snapshots_frozen_by_id_users")),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"], ["users.id"], name=op.f("fk_report_snapshots_reopened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshots")),
    )
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_snapshots_facility_period", ["facility_id", "period_start", "period_end"], unique=False
        )
        batch_op.create_index(
            "ux_report_snapshots_one_frozen",
            ["facility_id", "period_start", "period_end"],
            unique=True,
            sqlite_where=sa.text("status = 'frozen'"),
            postgresql_where=sa.text("status = 'frozen'"),
        )
    op.create_table(
        "report_reference_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_report_reference_values_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_report_reference_values_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["province_code"], ["provinces.code"], name=op.f("fk_report_reference_values_province_code_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reference_values")),
        sa.UniqueConstraint(
            "province_code", "year", "key", name=op.f("uq_report_reference_values_province_code_year_key")
        ),
    )
    op.create_table(
        "report_export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=128), nullable=True),
        sa.Column("file_path", sa.String(length=255), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("fmt IN ('csv', 'xlsx', 'pdf')", name=op.f("ck_report_export_jobs_fmt_known")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'expired')",
            name=op.f("ck_report_export_jobs_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_report_export_jobs_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_report_export_jobs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_export_jobs")),
    )
    with op.batch_alter_table("report_export_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_report_export_jobs_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_report_export_jobs_user_id_id", ["user_id", "id"], unique=False)
    # -- end statistics report, indicators and frozen reporting periods --
    pass


def downgrade():
    # -- downgrade: the blocks of upgrade() undone in reverse order --
    # -- statistics report, indicators and frozen reporting periods --
    with op.batch_alter_table("report_export_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_report_export_jobs_user_id_id")
        batch_op.drop_index("ix_report_export_jobs_status_created")
    op.drop_table("report_export_jobs")
    op.drop_table("report_reference_values")
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_report_snapshots_one_frozen",
            sqlite_where=sa.text("status = 'frozen'"),
            postgresql_where=sa.text("status = 'frozen'"),
        )
        batch_op.drop_index("ix_report_snapshots_facility_period")
    op.drop_table("report_snapshots")
    # -- end statistics report, indicators and frozen reporting periods --
    pass
