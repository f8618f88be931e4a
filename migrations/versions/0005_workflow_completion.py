"""case workflow completion: follow-ups, attachments, closure, tasks, caseload review, break the glass

Revision ID: 0005_workflow_completion
Revises: 0004_referrals_loop
Create Date: 2026-12-02 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_workflow_completion'
down_revision = '0004_referrals_loop'
branch_labels = None
depends_on = None


def upgrade():
    # -- upgrade: one block per feature, each in batch mode (SQLite) --
    pass


def downgrade():
    # -- downgrade: the blocks of upgrade() undone in reverse order --
    pass
