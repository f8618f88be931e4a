"""referrals: directory search column, outcome date and revocation, one pending transfer per case

Revision ID: 0004_referrals_loop
Revises: 0003_case_workflow
Create Date: 2026-11-24 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_referrals_loop"
down_revision = "0003_case_workflow"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"


def upgrade():
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.String(length=1200), server_default="", nullable=False))
        batch_op.create_index("ux_providers_facility_id", ["facility_id"], unique=True)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoke_reason", sa.Text(), nullable=True))

    # A partial unique index (SQLite ≥ 3.8 and PostgreSQL): at most one pending transfer per case.
    op.create_index(
        "ux_transfers_one_pending",
        "transfers",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )


def downgrade():
    op.drop_index("ux_transfers_one_pending", table_name="transfers")

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("revoke_reason")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("outcome_date")

    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index("ux_providers_facility_id")
        batch_op.drop_column("search_text")
