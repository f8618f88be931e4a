"""Scheduler entry point of the mail domain: the reminders sweep job calls deliver(now) after each
sweep (`flask scheduler run`, `flask reminders tick`). Plain functions; they commit as they go.

Sending is at-least-once towards the SMTP server and exactly-once in the outbox's books:
- a row is *claimed* before it is sent — one conditional UPDATE queued → sending (its inner SELECT
  FOR UPDATE SKIP LOCKED on PostgreSQL), committed at once — so two deliver() running together (a
  second scheduler, cron beside the scheduler) never both send it;
- the outcome is committed right after the SMTP answer: sent, or queued again with exponential
  back-off (1, 2, 4 … minutes, at most an hour), or failed after MAIL_MAX_ATTEMPTS attempts;
- a process killed between claim and outcome leaves the row "sending"; after CLAIM_LEASE it is due
  again. Only that case can send an e-mail twice (the server took it, we died before writing
  "sent") — no SMTP client can do better;
- the server unreachable: the round stops, the rest stays queued with no attempt counted.
Without MAIL_SERVER nothing is claimed: e-mails stay queued until mail is configured.
"""

from datetime import time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..core.timeutil import as_utc, to_local, utcnow
from ..deadlines.items import user_items
from ..extensions import db
from ..security.policy import Capability
from ..security.scopes import users_with
from . import services, smtp
from .models import MailPreference, MailStatus, OutboxMail

DIGEST_AT = time(7, 0)  # the daily digest: 07:00 Asia/Ho_Chi_Minh
CLAIM_LEASE = timedelta(minutes=15)  # a claim older than this was abandoned by a killed process
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
BATCH = 200  # e-mails one deliver() sends at most (the next tick goes on)
CLAIM_TRIES = 3
KEEP_SENT = timedelta(days=30)
PURGE_BATCH = 1000


def retry_delay(attempts):
    """After the n-th failed attempt: 1, 2, 4, 8 … minutes, never more than an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def deliver(now=None):
    """Queue the digests due at `now`, then send what is due in the outbox. Returns counts for the
    sweep's log."""
    now = as_utc(now) if now else utcnow()
    counts = {"digests_queued": queue_digests(now)}
    counts.update(send_due(now))
    counts["mail_purged"] = purge_sent(now)
    return counts


def purge_sent(now):
    """Forget sent e-mails after KEEP_SENT (their addresses are staff's personal data, and nothing
    reads them again: a notification is mailed when it is written, a digest's day is kept in
    mail_preferences). At most PURGE_BATCH per call, on the (status, next_attempt_at) index."""
    old = (
        sa.select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.SENT, OutboxMail.next_attempt_at < now - KEEP_SENT)
        .limit(PURGE_BATCH)
        .scalar_subquery()
    )
    result = db.session.execute(
        sa.delete(OutboxMail).where(OutboxMail.id.in_(old)).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


# --- the daily digest ------------------------------------------------------------------------------


def _digest_candidates(day):
    return db.session.scalars(
        sa.select(User)
        .outerjoin(MailPreference, MailPreference.user_id == User.id)
        .where(
            User.active.is_(True),
            User.email.is_not(None),
            User.email != "",
            users_with(Capability.TAKES_CASE_TASKS),
            sa.or_(MailPreference.user_id.is_(None), MailPreference.daily_digest.is_(True)),
            sa.or_(MailPreference.digest_handled_on.is_(None), MailPreference.digest_handled_on < day),
        )
        .order_by(User.id)
    ).all()


def _claim_digest(user_id, day):
    """Take the user's digest of `day`: one conditional UPDATE, so of two schedulers only one wins.
    A user who never saved preferences first gets the default row."""
    if db.session.get(MailPreference, user_id) is None:
        try:
            db.session.add(MailPreference(user_id=user_id, notify_by_email=True, daily_digest=True))
            db.session.commit()
        except IntegrityError:  # another process wrote it meanwhile
            db.session.rollback()
    result = db.session.execute(
        sa.update(MailPreference)
        .where(
            MailPreference.user_id == user_id,
            MailPreference.daily_digest.is_(True),
            sa.or_(MailPreference.digest_handled_on.is_(None), MailPreference.digest_handled_on < day),
        )
        .values(digest_handled_on=day)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def queue_digests(now):
    """From 07:00 local time on, each user with the digest on gets one e-mail that day listing their
    overdue items and those due today (deadlines.items.user_items) — on the first tick at or after
    07:00, so a scheduler that was down at 07:00 catches up later that day. Nothing due: no e-mail
    (the day counts as handled). Each user's digest commits on its own."""
    local = to_local(now)
    if local.time() < DIGEST_AT:
        return 0
    day = local.date()
    queued = 0
    user_ids = [user.id for user in _digest_candidates(day)]
    db.session.commit()
    for user_id in user_ids:
        try:
            if not _claim_digest(user_id, day):
                db.session.rollback()
                continue
            user = db.session.get(User, user_id)
            items = user_items(user).items
            overdue = [item for item in items if item.is_overdue(now)]
            today = [item for item in items if not item.is_overdue(now) and to_local(item.due_at).date() == day]
            if overdue or today:
                services.enqueue_digest(user, day, overdue, today, at=now)
                queued += 1
            db.session.commit()
        except Exception:  # one user's digest must not stop the others nor the sending
            db.session.rollback()  # the claim too: the next tick tries this user again
            current_app.logger.exception("mail: the digest of user %s could not be written", user_id)
    return queued


# --- sending ---------------------------------------------------------------------------------------


def _due(now):
    return sa.or_(
        sa.and_(OutboxMail.status == MailStatus.QUEUED, OutboxMail.next_attempt_at <= now),
        sa.and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < now - CLAIM_LEASE),
    )


def claim_next(now):
    """Claim the next due e-mail (queued → sending, attempts + 1) and commit; its id, or None.

    One statement, UPDATE … WHERE id = (the first due row) AND still due RETURNING id: on SQLite it
    takes the write lock before it reads, so a second deliver() waits and then finds the row taken;
    on PostgreSQL the inner SELECT is FOR UPDATE SKIP LOCKED, so it takes the next row instead. (A row
    another deliver() claimed an instant earlier can make PostgreSQL's inner SELECT come back empty
    although more rows are due: tried again, a few times, before the round is declared over.)"""
    due = _due(now)
    first_due = (
        sa.select(OutboxMail.id)
        .where(due)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claim = (
        sa.update(OutboxMail)
        .where(OutboxMail.id == first_due, due)
        .values(status=MailStatus.SENDING, claimed_at=now, attempts=OutboxMail.attempts + 1)
        .returning(OutboxMail.id)
        .execution_options(synchronize_session=False)
    )
    for _ in range(CLAIM_TRIES):
        row_id = db.session.scalar(claim)
        db.session.commit()
        if row_id is not None:
            return row_id
    return None


def _sent(row_id, now):
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == row_id, OutboxMail.status == MailStatus.SENDING)
        .values(status=MailStatus.SENT, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failed_attempt(row, error, now, max_attempts):
    """Queue the row again after its back-off, or give up after max_attempts. Returns the status."""
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    row.claimed_at = None
    if row.attempts >= max_attempts:
        row.status = MailStatus.FAILED
    else:
        row.status = MailStatus.QUEUED
        row.next_attempt_at = now + retry_delay(row.attempts)
    db.session.commit()
    return row.status


def send_due(now):
    config = current_app.config
    counts = {"mail_sent": 0, "mail_retrying": 0, "mail_failed": 0}
    if not smtp.is_configured(config):
        return counts
    max_attempts = config.get("MAIL_MAX_ATTEMPTS", 12)
    sender = config.get("MAIL_DEFAULT_SENDER") or "caseapp@localhost"
    connection = smtp.Connection(config)
    try:
        for _ in range(BATCH):
            row_id = claim_next(now)
            if row_id is None:
                break
            row = db.session.get(OutboxMail, row_id)
            try:
                connection.send(smtp.build_message(row, sender))
            except Exception as error:  # noqa: BLE001 — SMTP refusals, network errors, an unusable address
                status = _failed_attempt(row, error, now, max_attempts)
                counts["mail_failed" if status == MailStatus.FAILED else "mail_retrying"] += 1
                current_app.logger.warning(
                    "mail: outbox %s not sent (attempt %s): %s", row_id, row.attempts, row.last_error
                )
                connection.drop()  # a fresh connection for the next e-mail
                if smtp.is_connection_error(error):
                    break  # the server is away: the rest waits for the next tick, no attempt counted
            else:
                _sent(row_id, now)
                counts["mail_sent"] += 1
    finally:
        connection.close()
    return counts


__all__ = ["deliver", "queue_digests", "send_due", "claim_next", "retry_delay", "DIGEST_AT", "CLAIM_LEASE"]
