"""roll-ups: a supervisor's dashboard and a province's statistics, kept a short while; the cases'
facility-date index covers closed_at and client_id

Revision ID: 0009_rollups
Revises: 0008_scale_indexes
Create Date: 2026-12-02 17:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

import caseapp.core.timeutil

# revision identifiers, used by Alembic.
revision = "0009_rollups"
down_revision = "0008_scale_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_rollups",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", caseapp.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_dashboard_rollups_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dashboard_rollups_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_dashboard_rollups")),
    )
    op.create_table(
        "statistics_rollups",
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("computed_at", caseapp.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("province_code", "period_start", "period_end", name=op.f("pk_statistics_rollups")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_facility_opened")
        batch_op.create_index(
            "ix_cases_facility_opened", ["facility_id", "opened_at", "closed_at", "client_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_facility_opened")
        batch_op.create_index("ix_cases_facility_opened", ["facility_id", "opened_at"], unique=False)
    op.drop_table("statistics_rollups")
    op.drop_table("dashboard_rollups")
