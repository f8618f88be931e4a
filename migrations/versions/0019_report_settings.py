"""reports: how a facility heads and signs the reports it issues (managing body, abbreviation,
signer, recipients — Nghị định 30/2020/NĐ-CP, Phụ lục I)

Revision ID: 0019_report_settings
Revises: 0018_membership_version_ends
Create Date: 2026-12-07 14:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019_report_settings"
down_revision = "0018_membership_version_ends"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("parent_body", sa.String(length=255), nullable=True),
        sa.Column("abbreviation", sa.String(length=32), nullable=True),
        sa.Column("signer_authority", sa.String(length=64), nullable=True),
        sa.Column("signer_title", sa.String(length=128), nullable=True),
        sa.Column("signer_name", sa.String(length=128), nullable=True),
        sa.Column("recipients", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_report_settings_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_report_settings_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_settings")),
        sa.UniqueConstraint("facility_id", name=op.f("uq_report_settings_facility_id")),
    )


def downgrade():
    op.drop_table("report_settings")
