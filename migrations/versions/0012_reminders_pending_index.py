"""reminders: the sweep's index holds the pending rows only; the claim-token index goes (the sweep
claims and marks sent in one UPDATE … RETURNING, no token is looked up)

Revision ID: 0012_reminders_pending
Revises: 0011_cases_facility_open
Create Date: 2026-12-03 17:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_reminders_pending"
down_revision = "0011_cases_facility_open"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"


def upgrade():
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_status_remind_at")
        batch_op.drop_index("ix_reminders_claim_token")
        batch_op.create_index(
            "ix_reminders_pending_remind_at",
            ["remind_at", "id"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def downgrade():
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_pending_remind_at")
        batch_op.create_index("ix_reminders_claim_token", ["claim_token"], unique=False)
        batch_op.create_index("ix_reminders_status_remind_at", ["status", "remind_at"], unique=False)
