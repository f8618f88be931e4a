"""clients: the identity of a person across facilities without telling, and requests to the holding facility

Revision ID: 0022_client_identity
Revises: 0021_two_factor
Create Date: 2026-12-07 17:00:00

A citizen ID becomes unique per facility (another facility may hold the same number without anyone
being told), and the facility that holds it gets a request when another registers it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_client_identity"
down_revision = "0021_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint("uq_clients_citizen_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_clients_citizen_id_facility_id"), ["citizen_id", "facility_id"]
        )

    op.create_table(
        "identity_match_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("registered_client_id", sa.Integer(), nullable=False),
        sa.Column("registered_facility_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_identity_match_requests_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_identity_match_requests_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_identity_match_requests_handled_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["registered_client_id"],
            ["clients.id"],
            name=op.f("fk_identity_match_requests_registered_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_facility_id"],
            ["facilities.id"],
            name=op.f("fk_identity_match_requests_registered_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_match_requests")),
        sa.UniqueConstraint(
            "client_id", "registered_client_id", name=op.f("uq_identity_match_requests_client_id_registered_client_id")
        ),
    )
    with op.batch_alter_table("identity_match_requests", schema=None) as batch_op:
        batch_op.create_index("ix_identity_match_requests_facility_id_id", ["facility_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_identity_match_requests_registered_client_id"), ["registered_client_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("identity_match_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_match_requests_registered_client_id"))
        batch_op.drop_index("ix_identity_match_requests_facility_id_id")
    op.drop_table("identity_match_requests")

    shared = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM (SELECT citizen_id FROM clients WHERE citizen_id IS NOT NULL"
            " GROUP BY citizen_id HAVING count(*) > 1) AS shared"
        )
    )
    if shared:
        raise RuntimeError(
            f"{shared} citizen IDs are held by clients of several facilities: a citizen ID unique across "
            "every facility cannot be restored (merge or correct those records first)."
        )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_clients_citizen_id_facility_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_clients_citizen_id"), ["citizen_id"])
