"""Writing e-mails into the outbox, the users' e-mail preferences, and re-queueing failed e-mails.
Only flushes; the view or the job commits.

Why the e-mail of a notification is written by notifications.services.notify itself, in the same
transaction (and not found later by the scheduler among "notifications not yet mailed"): the two
rows commit together or not at all, so a notification that exists always has its e-mail and a
rolled-back one never has one (nothing lost); notify() writes a notification once per unique_key and
returns the existing one otherwise, and the outbox row's own unique key (notification:<id>) allows
one e-mail per notification even if that were bypassed (nothing duplicated). A scan by the
scheduler would need a watermark or an anti-join over the growing notifications table, and would
mail old notifications in bulk the day it is switched on."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..auth.models import User
from ..core.services import ServiceError
from ..core.sql import in_ids
from ..core.text import nfc
from ..core.timeutil import utcnow
from ..extensions import db
from ..notifications.models import Notification
from . import compose
from .models import MailPreference, MailStatus, OutboxMail

EMAIL_MAX = 255


def preference_for(user_id):
    """The user's preferences; a user who never chose has the defaults (a row not added)."""
    pref = db.session.get(MailPreference, user_id)
    return pref if pref is not None else preference_for_default(user_id)


def preference_for_default(user_id):
    """The preferences of a user who never chose (not added to the session)."""
    return MailPreference(user_id=user_id, notify_by_email=True, daily_digest=True)


def _outbox_row(*, key, kind, user, mail, notification_id=None, at=None):
    at = at or utcnow()
    return OutboxMail(
        unique_key=key,
        kind=kind,
        user_id=user.id,
        notification_id=notification_id,
        to_address=user.email,
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )


def _queue(**fields):
    row = _outbox_row(**fields)
    db.session.add(row)
    db.session.flush()
    return row


def enqueue_notification(notification):
    """The e-mail of a notification just written, for a user with e-mail on and an address;
    None otherwise. Called by notifications.services.notify in its transaction."""
    user = db.session.get(User, notification.user_id)
    if not _mailable(user, preference_for(user.id) if user is not None else None):
        return None
    return _enqueue_for(notification, user)


def enqueue_notifications(notifications):
    """enqueue_notification for a batch (the reminders sweep writes thousands at a time); each item
    needs only `id` and `user_id`: the users and their preferences are read in two queries, not two
    per notification (bench/: most users have no preference row, so each get() was a SELECT), the
    e-mails already queued in one, the notifications to mail in one, and the new e-mails written in
    one flush. Returns the e-mails queued now."""
    user_ids = {n.user_id for n in notifications}
    users = (
        {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(in_ids(User.id, user_ids), User.active.is_(True), User.email.is_not(None))
            )
        }
        if user_ids
        else {}
    )
    with_address = [uid for uid, user in users.items() if _mailable(user, None)]
    chosen = (
        {
            p.user_id: p
            for p in db.session.scalars(sa.select(MailPreference).where(MailPreference.user_id.in_(with_address)))
        }
        if with_address
        else {}
    )
    wanted = {
        n.id: users[n.user_id]
        for n in notifications
        if n.user_id in users
        and _mailable(users[n.user_id], chosen.get(n.user_id) or preference_for_default(n.user_id))
    }
    keys = {f"notification:{ident}": ident for ident in wanted}
    taken = (
        set(db.session.scalars(sa.select(OutboxMail.unique_key).where(OutboxMail.unique_key.in_(keys))))
        if keys
        else set()
    )
    new_ids = [ident for key, ident in keys.items() if key not in taken]
    to_mail = (
        db.session.scalars(
            sa.select(Notification).where(in_ids(Notification.id, new_ids)).order_by(Notification.id)
        ).all()
        if new_ids
        else []
    )
    rows = [
        _outbox_row(
            key=f"notification:{n.id}",
            kind="notification",
            user=wanted[n.id],
            mail=compose.notification_mail(n, wanted[n.id]),
            notification_id=n.id,
            at=n.created_at,
        )
        for n in to_mail
    ]
    db.session.add_all(rows)
    db.session.flush()  # one multi-row INSERT for the batch, not one flush per e-mail
    return rows


def _mailable(user, pref):
    """An active user with an address whose preferences (when given) keep notification e-mails on."""
    if user is None or not user.active or not (user.email or "").strip():
        return False
    return pref is None or pref.notify_by_email


def _enqueue_for(notification, user):
    key = f"notification:{notification.id}"
    existing = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.unique_key == key))
    if existing is not None:
        return existing
    return _queue(
        key=key,
        kind="notification",
        user=user,
        mail=compose.notification_mail(notification, user),
        notification_id=notification.id,
        at=notification.created_at,
    )


def enqueue_digest(user, day, overdue, today, *, at=None):
    """The day's digest for the user (one per user and local day: digest:<user>:<yyyy-mm-dd>)."""
    key = f"digest:{user.id}:{day.isoformat()}"
    existing = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.unique_key == key))
    if existing is not None:
        return existing
    return _queue(key=key, kind="digest", user=user, mail=compose.digest_mail(user, day, overdue, today), at=at)


def update_preferences(user, *, email, notify_by_email, daily_digest, by):
    """A user changes their own e-mail address and choices (an administrator changes the address on
    the user form). Audited without the address itself."""
    if by is None or by.id != user.id:
        raise ServiceError(_("You can only change your own e-mail settings."))
    email = nfc((email or "").strip()) or None
    if email is not None and (len(email) > EMAIL_MAX or "@" not in email.strip("@") or " " in email):
        raise ServiceError(_("Enter a valid e-mail address."), field="email")
    pref = db.session.get(MailPreference, user.id)
    if pref is None:
        pref = MailPreference(user_id=user.id)
        db.session.add(pref)
    address_changed = (user.email or None) != email
    if address_changed:
        user.email = email
    pref.notify_by_email = bool(notify_by_email)
    pref.daily_digest = bool(daily_digest)
    pref.updated_at = utcnow()
    record(
        "mail_preferences_changed",
        by=by,
        entity=user,
        detail={
            "notify_by_email": pref.notify_by_email,
            "daily_digest": pref.daily_digest,
            "address_changed": address_changed,
            "has_address": email is not None,
        },
    )
    db.session.flush()
    return pref


def requeue_failed(*, by, now=None):
    """An administrator sends the failed e-mails again (after fixing the SMTP settings): each is
    queued for now with its attempts reset. Returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.status == MailStatus.FAILED)
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=now, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount
    record("mail_requeued", by=by, entity_type="mail_outbox", detail={"count": count})
    db.session.flush()
    return count
