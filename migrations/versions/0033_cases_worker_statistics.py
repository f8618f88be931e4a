"""statistics on the cases' worker and facility together (PostgreSQL)

Revision ID: 0033_cases_worker_statistics
Revises: 0032_goal_outcomes
Create Date: 2026-12-07 23:50:00

"""

from alembic import op

revision = "0033_cases_worker_statistics"
down_revision = "0032_goal_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    # A worker's cases are all of one facility, which PostgreSQL does not know by itself: it estimated
    # "assigned_worker_id = W AND facility_id = F" at one row instead of ~200 at 1 M clients and joined
    # every client before the follow-ups of the tasks page (bench: 1,815 buffers read, 1,131 with these
    # statistics). SQLite plans without them.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS st_cases_worker_facility (dependencies, ndistinct) "
            "ON assigned_worker_id, facility_id FROM cases"
        )
        op.execute("ANALYZE cases")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_cases_worker_facility")
