"""clients: the identity of a person across facilities without telling, and requests to the holding facility

Revision ID: 0022_client_identity
Revises: 0021_two_factor
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0022_client_identity"
down_revision = "0021_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
