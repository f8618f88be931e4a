"""cases: the facility's open cases by id, for the default facility list's keyset pages

Revision ID: 0011_cases_facility_open
Revises: 0010_search_facility_trgm
Create Date: 2026-12-03 17:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_cases_facility_open"
down_revision = "0010_search_facility_trgm"
branch_labels = None
depends_on = None

OPEN_CASES = "status IN ('intake', 'assessment', 'planning', 'implementation', 'review')"


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_facility_open_id",
            ["facility_id", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN_CASES),
            sqlite_where=sa.text(OPEN_CASES),
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_facility_open_id")
