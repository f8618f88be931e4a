"""supervision sessions and case conferences

Revision ID: 0025_supervision
Revises: 0024_data_subject_rights
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025_supervision"
down_revision = "0024_data_subject_rights"
branch_labels = None
depends_on = None


def _utc():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "supervision_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint("kind IN ('individual', 'group')", name=op.f("ck_supervision_sessions_kind_known")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_supervision_sessions_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["users.id"], name=op.f("fk_supervision_sessions_supervisor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_sessions")),
    )
    op.create_index(
        "ix_supervision_sessions_facility_held", "supervision_sessions", ["facility_id", "held_on", "id"], unique=False
    )
    op.create_table(
        "supervision_session_workers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["supervision_sessions.id"],
            name=op.f("fk_supervision_session_workers_session_id_supervision_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_supervision_session_workers_user_id_users")),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_supervision_session_workers")),
    )
    op.create_index(
        op.f("ix_supervision_session_workers_user_id"), "supervision_session_workers", ["user_id"], unique=False
    )
    op.create_table(
        "supervision_session_cases",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_supervision_session_cases_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["supervision_sessions.id"],
            name=op.f("fk_supervision_session_cases_session_id_supervision_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "case_id", name=op.f("pk_supervision_session_cases")),
    )
    op.create_index(
        op.f("ix_supervision_session_cases_case_id"), "supervision_session_cases", ["case_id"], unique=False
    )
    op.create_table(
        "supervision_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["case_flags.id"], name=op.f("fk_supervision_actions_flag_id_case_flags")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["supervision_sessions.id"],
            name=op.f("fk_supervision_actions_session_id_supervision_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_actions")),
        sa.UniqueConstraint("flag_id", name=op.f("uq_supervision_actions_flag_id")),
    )
    op.create_index(op.f("ix_supervision_actions_session_id"), "supervision_actions", ["session_id"], unique=False)
    op.create_table(
        "case_conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_at", _utc(), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=True),
        sa.Column("chaired_by_id", sa.Integer(), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_conferences_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["chaired_by_id"], ["users.id"], name=op.f("fk_case_conferences_chaired_by_id_users")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_case_conferences_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_conferences")),
    )
    op.create_index("ix_case_conferences_case_held", "case_conferences", ["case_id", "held_at"], unique=False)
    op.create_index(
        "ix_case_conferences_facility_held", "case_conferences", ["facility_id", "held_at", "id"], unique=False
    )
    op.create_table(
        "case_conference_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("organisation", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR name IS NOT NULL", name=op.f("ck_case_conference_participants_someone")
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["case_conferences.id"],
            name=op.f("fk_case_conference_participants_conference_id_case_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_conference_participants_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_conference_participants")),
    )
    op.create_index(
        op.f("ix_case_conference_participants_conference_id"),
        "case_conference_participants",
        ["conference_id"],
        unique=False,
    )
    op.create_table(
        "case_conference_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["case_conferences.id"],
            name=op.f("fk_case_conference_decisions_conference_id_case_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["case_flags.id"], name=op.f("fk_case_conference_decisions_flag_id_case_flags")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_conference_decisions")),
        sa.UniqueConstraint("flag_id", name=op.f("uq_case_conference_decisions_flag_id")),
    )
    op.create_index(
        op.f("ix_case_conference_decisions_conference_id"), "case_conference_decisions", ["conference_id"], unique=False
    )


def downgrade():
    for table in (
        "case_conference_decisions",
        "case_conference_participants",
        "case_conferences",
        "supervision_actions",
        "supervision_session_cases",
        "supervision_session_workers",
        "supervision_sessions",
    ):
        op.drop_table(table)
