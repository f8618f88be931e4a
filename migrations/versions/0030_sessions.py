"""session lifetime and recovery codes

Revision ID: 0030_sessions
Revises: 0029_assessment
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0030_sessions"
down_revision = "0029_assessment"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(sa.Column("user_agent", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("ip", sa.String(length=64), nullable=True))
    with op.batch_alter_table("totp_credentials") as batch:
        batch.add_column(sa.Column("replacement_encrypted", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("totp_credentials") as batch:
        batch.drop_column("replacement_encrypted")
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("ip")
        batch.drop_column("user_agent")
