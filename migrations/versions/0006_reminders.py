"""reminders: reminder rows, scheduler sweeps, e-mail outbox and preferences

Revision ID: 0006_reminders
Revises: 0005_workflow_completion
Create Date: 2026-12-02 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_reminders'
down_revision = '0005_workflow_completion'
branch_labels = None
depends_on = None


def upgrade():
    # -- upgrade: one block per feature, each in batch mode (SQLite) --
    pass


def downgrade():
    # -- downgrade: the blocks of upgrade() undone in reverse order --
    pass
