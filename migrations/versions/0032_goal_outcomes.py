"""outcomes of the plan's goals

Revision ID: 0032_goal_outcomes
Revises: 0031_workforce
Create Date: 2026-12-07 23:10:00

"""

import sqlalchemy as sa
from alembic import op

import caseapp.core.timeutil

revision = "0032_goal_outcomes"
down_revision = "0031_workforce"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("outcome_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome_recorded_at", caseapp.core.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_foreign_key(batch_op.f("fk_plan_goals_outcome_by_id_users"), "users", ["outcome_by_id"], ["id"])
        batch_op.create_check_constraint(
            "outcome_known", "outcome IS NULL OR outcome IN ('achieved', 'partly_achieved', 'not_achieved')"
        )
    # A goal marked achieved before outcomes were recorded keeps that as its outcome.
    op.execute(sa.text("UPDATE plan_goals SET outcome = 'achieved' WHERE achieved = :yes").bindparams(yes=True))


def downgrade():
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_goals_outcome_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_plan_goals_outcome_by_id_users"), type_="foreignkey")
        batch_op.drop_column("version")
        batch_op.drop_column("outcome_recorded_at")
        batch_op.drop_column("outcome_by_id")
        batch_op.drop_column("outcome_on")
        batch_op.drop_column("outcome_note")
        batch_op.drop_column("outcome")
