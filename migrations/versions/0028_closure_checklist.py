"""closure checklist: the loose ends a closure request goes ahead despite, with the reason

Revision ID: 0028_closure_checklist
Revises: 0027_shelter_children
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import caseapp.core.timeutil

revision = "0028_closure_checklist"
down_revision = "0027_shelter_children"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closure_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("item_text", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", caseapp.core.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_closure_overrides_approval_id_approvals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_closure_overrides_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_closure_overrides_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_overrides")),
        sa.UniqueConstraint("approval_id", "item_kind", "item_id", name="uq_closure_overrides_item"),
    )
    op.create_index("ix_closure_overrides_case", "closure_overrides", ["case_id"], unique=False)


def downgrade():
    op.drop_index("ix_closure_overrides_case", table_name="closure_overrides")
    op.drop_table("closure_overrides")
