"""auth: two-factor sign-in (TOTP secret, recovery codes) and the roles that must use it per facility

Revision ID: 0021_two_factor
Revises: 0020_yearly_reports
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0021_two_factor"
down_revision = "0020_yearly_reports"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
