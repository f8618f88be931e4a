"""the needs assessment by TT 02/2020

Revision ID: 0029_assessment
Revises: 0028_closure_checklist
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0029_assessment"
down_revision = "0028_closure_checklist"
branch_labels = None
depends_on = None


def upgrade():
    # The blocks of the TT 02/2020/TT-BLĐTBXH assessment form (health, psychology, family, economy,
    # education or work …). NULL on the assessments stored before: they show and compare as empty.
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("blocks", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("blocks")
