"""clients: the data subject's requests, and the retention and anonymisation of closed cases

Revision ID: 0024_data_subject_rights
Revises: 0023_attachment_keys
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024_data_subject_rights"
down_revision = "0023_attachment_keys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("client_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=255), nullable=True))

    op.create_table(
        "data_subject_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requester", sa.String(length=16), nullable=False),
        sa.Column("representative_name", sa.String(length=128), nullable=True),
        sa.Column("representative_relation", sa.String(length=32), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("details", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "kind IN ('export', 'correction', 'erasure')", name=op.f("ck_data_subject_requests_kind_known")
        ),
        sa.CheckConstraint(
            "requester IN ('person', 'representative')", name=op.f("ck_data_subject_requests_requester_known")
        ),
        sa.CheckConstraint(
            "requester = 'person' OR representative_relation IS NOT NULL",
            name=op.f("ck_data_subject_requests_representative_has_relation"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('provided', 'corrected', 'anonymised', 'refused')",
            name=op.f("ck_data_subject_requests_outcome_known"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR handled_at IS NOT NULL", name=op.f("ck_data_subject_requests_outcome_when_handled")
        ),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_data_subject_requests_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_data_subject_requests_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_data_subject_requests_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_data_subject_requests_handled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_subject_requests")),
    )
    with op.batch_alter_table("data_subject_requests", schema=None) as batch_op:
        batch_op.create_index("ix_data_subject_requests_client_id", ["client_id", "id"], unique=False)

    op.create_table(
        "client_anonymisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("cleared", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_client_anonymisations_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_client_anonymisations_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["anonymised_by_id"], ["users.id"], name=op.f("fk_client_anonymisations_anonymised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_subject_requests.id"],
            name=op.f("fk_client_anonymisations_request_id_data_subject_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_anonymisations")),
        sa.UniqueConstraint("client_id", name=op.f("uq_client_anonymisations_client_id")),
    )

    op.create_table(
        "retention_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_retention_notices_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_retention_notices_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_notices")),
        sa.UniqueConstraint("client_id", name=op.f("uq_retention_notices_client_id")),
    )
    with op.batch_alter_table("retention_notices", schema=None) as batch_op:
        batch_op.create_index("ix_retention_notices_facility_id", ["facility_id", "id"], unique=False)

    op.create_table(
        "retention_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_sweeps")),
        sa.UniqueConstraint("day", name=op.f("uq_retention_sweeps_day")),
    )


def downgrade():
    op.drop_table("retention_sweeps")
    with op.batch_alter_table("retention_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_retention_notices_facility_id")
    op.drop_table("retention_notices")
    op.drop_table("client_anonymisations")
    with op.batch_alter_table("data_subject_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_data_subject_requests_client_id")
    op.drop_table("data_subject_requests")
    with op.batch_alter_table("client_changes", schema=None) as batch_op:
        batch_op.drop_column("reason")
