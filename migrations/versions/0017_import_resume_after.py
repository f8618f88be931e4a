"""register import: the last row written, so that each chunk of a large file starts after it
instead of skipping the rows done (OFFSET reads every skipped row again)

Revision ID: 0017_import_resume_after
Revises: 0016_commune_groups
Create Date: 2026-12-07 13:25:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_import_resume_after"
down_revision = "0016_commune_groups"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_row_id", sa.Integer(), nullable=True))
    # A batch stopped part-way resumes after its last row done.
    conn = op.get_bind()
    stopped = conn.execute(sa.text("SELECT id, rows_done FROM import_batches WHERE rows_done > 0")).all()
    for batch_id, rows_done in stopped:
        last = conn.scalar(
            sa.text("SELECT id FROM import_rows WHERE batch_id = :b ORDER BY id LIMIT 1 OFFSET :n"),
            {"b": batch_id, "n": rows_done - 1},
        )
        conn.execute(sa.text("UPDATE import_batches SET last_row_id = :r WHERE id = :b"), {"r": last, "b": batch_id})


def downgrade():
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("last_row_id")
