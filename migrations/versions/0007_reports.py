"""reports: statistics, programme indicators, reference data and frozen reporting periods

Revision ID: 0007_reports
Revises: 0006_reminders
Create Date: 2026-12-02 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_reports'
down_revision = '0006_reminders'
branch_labels = None
depends_on = None


def upgrade():
    # -- upgrade: one block per feature, each in batch mode (SQLite) --
    pass


def downgrade():
    # -- downgrade: the blocks of upgrade() undone in reverse order --
    pass
