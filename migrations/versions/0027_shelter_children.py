"""shelter: the safety check at check-out (where she goes, is it safe, how to reach her)

Revision ID: 0027_shelter_children
Revises: 0026_outside_providers
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0027_shelter_children"
down_revision = "0026_outside_providers"
branch_labels = None
depends_on = None


COLUMNS = (
    ("checkout_place", sa.String(length=255)),
    ("checkout_safety", sa.String(length=16)),
    ("checkout_safety_note", sa.Text()),
    ("checkout_contact_agreed", sa.Boolean()),
    ("checkout_contact", sa.String(length=255)),
)


def upgrade():
    with op.batch_alter_table("shelter_stays", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table("shelter_stays", schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
