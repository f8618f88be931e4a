"""case workflow completion: follow-ups, attachments, closure, tasks, caseload review, break the glass

Revision ID: 0005_workflow_completion
Revises: 0004_referrals_loop
Create Date: 2026-12-02 01:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_workflow_completion"
down_revision = "0004_referrals_loop"
branch_labels = None
depends_on = None


def upgrade():
    # -- upgrade: one block per feature, each in batch mode (SQLite) --
    # -- caseload review and notifications: the in-app notifications table --
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=True),
        sa.Column("unique_key", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_notifications_unique_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_notifications_user_unread", ["user_id", "read_at"], unique=False)
    # -- end caseload review and notifications --
    pass


def downgrade():
    # -- downgrade: the blocks of upgrade() undone in reverse order --
    # -- caseload review and notifications --
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")
        batch_op.drop_index("ix_notifications_user_id_id")
    op.drop_table("notifications")
    # -- end caseload review and notifications --
    pass
