"""An import batch (one file, one user, one audited unit of work), its rows as read and decided, and
the column mappings remembered per facility and file layout."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model, db


class BatchStatus(StrEnum):
    PREVIEWED = "previewed"  # read and decided, nothing written to the register yet
    QUEUED = "queued"  # committed in the background (a large file)
    COMMITTING = "committing"
    COMMITTED = "committed"
    UNDONE = "undone"
    FAILED = "failed"


class RowOutcome(StrEnum):
    CREATE = "create"  # a new client and membership
    LINK = "link"  # an existing client (same citizen ID): a new membership
    UPDATE = "update"  # an existing membership: a new version from the row's date
    UNCHANGED = "unchanged"  # already in the register as the row says: nothing written
    REVIEW = "review"  # a probable duplicate: the user decides (link or create), never merged
    CHOOSE = "choose"  # an old commune split between new ones: the user chooses
    REFUSED = "refused"  # an error in the row: in the error file, not imported


class ImportBatch(Model):
    __tablename__ = "import_batches"
    __table_args__ = (sa.Index("ix_import_batches_facility_created", "facility_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # what the file lists: "beneficiaries" (the register of groups) or "workforce" (staff and collaborators)
    kind: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default="beneficiaries", server_default="beneficiaries"
    )
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    encoding: Mapped[str | None] = mapped_column(sa.String(16))  # legacy text found: tcvn3 | vni
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=BatchStatus.PREVIEWED)
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    rows_total: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    rows_done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_row_id: Mapped[int | None] = mapped_column(sa.Integer)  # the last row written: the next chunk's start
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # by the scheduler, for a large file
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(sa.String(255))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[created_by_id])


class ImportRow(Model):
    __tablename__ = "import_rows"
    __table_args__ = (sa.UniqueConstraint("batch_id", "row_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False)
    row_number: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # as the spreadsheet numbers it
    cells: Mapped[list[Any]] = mapped_column(sa.JSON, nullable=False)  # the row as read (the error file)
    values: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)  # parsed
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    messages: Mapped[list[Any]] = mapped_column(sa.JSON, nullable=False, default=list)  # [[column, text]]
    options: Mapped[list[Any]] = mapped_column(sa.JSON, nullable=False, default=list)  # communes or clients
    choice: Mapped[str | None] = mapped_column(sa.String(32))  # the user's: a commune code, "new" or a client id
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clients.id", ondelete="SET NULL"))
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_memberships.id", ondelete="SET NULL"))
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("membership_versions.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workforce_members.id", ondelete="SET NULL"))
    created_client: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class ColumnMapping(Model):
    """The columns the user matched for a file layout (its headers), reused for the next such file."""

    __tablename__ = "import_column_mappings"
    __table_args__ = (sa.UniqueConstraint("facility_id", "layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    layout: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # sha256 of the folded headers
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
