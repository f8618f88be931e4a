"""providers outside caseapp and referrals to them

Revision ID: 0026_outside_providers
Revises: 0025_supervision
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0026_outside_providers"
down_revision = "0025_supervision"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_hours", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("owner_facility_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=16), server_default="approved", nullable=False))
        batch_op.add_column(sa.Column("proposed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_providers_owner_facility_id_facilities"), "facilities", ["owner_facility_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_providers_proposed_by_id_users"), "users", ["proposed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_providers_decided_by_id_users"), "users", ["decided_by_id"], ["id"])
        batch_op.create_index("ix_providers_owner_status", ["owner_facility_id", "status"], unique=False)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_received_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("answer_received_on")

    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index("ix_providers_owner_status")
        batch_op.drop_constraint(batch_op.f("fk_providers_decided_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_providers_proposed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_providers_owner_facility_id_facilities"), type_="foreignkey")
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("proposed_by_id")
        batch_op.drop_column("status")
        batch_op.drop_column("owner_facility_id")
        batch_op.drop_column("opening_hours")
