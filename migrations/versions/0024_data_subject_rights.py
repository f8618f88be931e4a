"""clients: the data subject's requests, and the retention and anonymisation of closed cases

Revision ID: 0024_data_subject_rights
Revises: 0023_attachment_keys
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0024_data_subject_rights"
down_revision = "0023_attachment_keys"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
