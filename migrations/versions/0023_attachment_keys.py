"""attachments: encrypted at rest, the key id of each file

Revision ID: 0023_attachment_keys
Revises: 0022_client_identity
Create Date: 2026-12-07 17:00:00

Each stored file's row gets the id of the key it is sealed with (caseapp.core.sealing): case documents
(attachments.key_id) and report files made in the background (report_export_jobs.key_id). The files
already stored keep NULL — "stored in clear" — and are read as before; `flask attachments rotate-key`
seals them. The keys themselves are never in the database (ATTACHMENT_KEYS, in the environment).

The downgrade refuses while any file is sealed: the previous version would hand the sealed bytes out
as the document. Restore the backup taken before the upgrade instead.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_attachment_keys"
down_revision = "0022_client_identity"
branch_labels = None
depends_on = None


TABLES = ("attachments", "report_export_jobs")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("key_id", sa.String(length=32), nullable=True))


def downgrade():
    connection = op.get_bind()
    for table in TABLES:
        sealed = connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE key_id IS NOT NULL")).scalar()
        if sealed:
            raise RuntimeError(
                f"{table}: {sealed} encrypted files, which the previous version cannot read; "
                "restore the backup taken before the upgrade instead of downgrading."
            )
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("key_id")
