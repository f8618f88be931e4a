"""scale: indexes the national-scale benchmark (bench/) asked for

Revision ID: 0008_scale_indexes
Revises: 0007_reports
Create Date: 2026-12-02 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_scale_indexes"
down_revision = "0007_reports"
branch_labels = None
depends_on = None

PENDING = "done_at IS NULL AND cancelled_at IS NULL"


def upgrade():
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_intakes_facility_received")
        batch_op.create_index("ix_intakes_facility_received", ["facility_id", "received_at", "client_id"], unique=False)
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_ups_pending_case",
            ["case_id", "due_at", "id"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def downgrade():
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_pending_case")
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_intakes_facility_received")
        batch_op.create_index("ix_intakes_facility_received", ["facility_id", "received_at"], unique=False)
