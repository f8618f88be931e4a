"""Case workflow records: approvals, follow-ups, attachments, supervisor flags and access grants."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db
from .statuses import ApprovalStatus


class Approval(Model):
    """A supervisor decision on an assessment, a plan or a closure: request → approve / return."""
    __tablename__ = "approvals"
    __table_args__ = (sa.Index("ix_approvals_facility_status", "facility_id", "status"),
                      sa.Index("ix_approvals_subject", "subject_type", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    subject_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)   # assessment|plan|closure
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=ApprovalStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(sa.Text)

    requested_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[decided_by_id])


class FollowUp(Model):
    """A scheduled contact: home visit, phone call or meeting at the centre."""
    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.Index("ix_follow_ups_assignee_due", "assigned_to_id", "done_at", "due_at"),
        # The pending follow-ups of a case (deadline engine, dashboards): a small partial index, so a
        # facility's open follow-ups are probed without reading the done ones (bench/: 177 → 64 ms).
        sa.Index("ix_follow_ups_pending_case", "case_id", "due_at", "id",
                 postgresql_where=sa.text("done_at IS NULL AND cancelled_at IS NULL"),
                 sqlite_where=sa.text("done_at IS NULL AND cancelled_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)      # home_visit|phone|meeting
    purpose: Mapped[str | None] = mapped_column(sa.String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    assigned_to = db.relationship("User", lazy="raise_on_sql", foreign_keys=[assigned_to_id])


class Attachment(Model):
    """A document on a case. Files live outside static/ under a random key; served only through an
    access-checked, audited route."""
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    uploaded_by = db.relationship("User", lazy="raise_on_sql")


class CaseFlag(Model):
    """A supervisor's flag to a worker on a case, with a note and a due date, resolved by the worker."""
    __tablename__ = "case_flags"
    __table_args__ = (sa.Index("ix_case_flags_to_user_open", "to_user_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    raised_by = db.relationship("User", lazy="raise_on_sql", foreign_keys=[raised_by_id])
    to_user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[to_user_id])


class CaseAccessGrant(Model):
    """Access to a case beyond the default scope: shared by a supervisor, or break-the-glass by a
    user of the facility who gave a reason (audited and shown to the supervisors)."""
    __tablename__ = "case_access_grants"
    __table_args__ = (sa.Index("ix_case_access_grants_user_case", "user_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)      # shared|break_glass
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())     # a supervisor has looked at it

    user = db.relationship("User", lazy="raise_on_sql", foreign_keys=[user_id])
