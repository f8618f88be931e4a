"""The e-mail outbox and each user's e-mail preferences.

An e-mail is a row first: it is written in the transaction of what it announces (a notification, the
day's digest), so it exists exactly when that commits, and its `unique_key` allows at most one e-mail
per notification and one digest per user and local day. `mail.jobs.deliver` sends the due rows
through SMTP, retrying with back-off, so an SMTP outage delays mail and loses none.

Bodies hold only case numbers, the kind of item, due times and links — never a client's name,
address or notes (data minimisation, NĐ 13/2023/NĐ-CP): an e-mail leaves the
system's access rules for good."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a deliver(); a stale claim is queued again
    SENT = "sent"
    FAILED = "failed"


class MailKind(StrEnum):
    NOTIFICATION = "notification"
    DIGEST = "digest"


class MailPreference(Model):
    """A user's choices; a user without a row has the defaults (both on). The address itself is
    users.email (set by the user here or by an administrator)."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    notify_by_email: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    daily_digest: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # The local (Asia/Ho_Chi_Minh) day whose digest was handled — queued, or nothing was due. Claimed
    # with a conditional UPDATE, so two schedulers never both write the day's digest.
    digest_handled_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMail(Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status_known"),
        sa.CheckConstraint("kind IN ('notification', 'digest')", name="kind_known"),
        # What deliver() looks for: queued rows whose next attempt is due (and stale claims).
        sa.Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unique_key: Mapped[str] = mapped_column(
        sa.String(160), nullable=False, unique=True
    )  # notification:<id> | digest:<user>:<date>
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    notification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notifications.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when a deliver() took it to send
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
