"""attachments: encrypted at rest, the key id of each file

Revision ID: 0023_attachment_keys
Revises: 0022_client_identity
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0023_attachment_keys"
down_revision = "0022_client_identity"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
