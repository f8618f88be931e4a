"""register: each membership version's end (the day the next one takes effect), so that the
versions in force on a day are found by a range test instead of a search per membership

Revision ID: 0018_membership_version_ends
Revises: 0017_import_resume_after
Create Date: 2026-12-07 14:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_membership_version_ends"
down_revision = "0017_import_resume_after"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("membership_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_to", sa.Date(), nullable=True))
    # The next version of the same membership, by date taking effect and then by id.
    op.execute(
        "UPDATE membership_versions SET effective_to = ("
        " SELECT n.effective_from FROM membership_versions n"
        " WHERE n.membership_id = membership_versions.membership_id"
        " AND (n.effective_from > membership_versions.effective_from"
        "  OR (n.effective_from = membership_versions.effective_from AND n.id > membership_versions.id))"
        " ORDER BY n.effective_from, n.id LIMIT 1)"
    )


def downgrade():
    with op.batch_alter_table("membership_versions", schema=None) as batch_op:
        batch_op.drop_column("effective_to")
