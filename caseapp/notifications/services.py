"""Writing notifications. Services of other domains call notify() in their own transaction; the
view (or the job) commits. Only flushes."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..core.timeutil import utcnow
from ..extensions import db
from .models import Notification


def notify(user_id, kind, case, text_key, *, unique_key, params=None, at=None):
    """Notify a user once per unique_key: a second call with the same key returns the first
    notification and writes nothing (checked first, and enforced by the unique index when two
    transactions race). `case` may be None; its number is added to the params."""
    existing = db.session.scalar(sa.select(Notification).where(Notification.unique_key == unique_key))
    if existing is not None:
        return existing
    values = dict(params or {})
    if case is not None:
        values.setdefault("number", case.number)
    notification = Notification(user_id=user_id, kind=kind, case_id=getattr(case, "id", None), text_key=text_key,
                                params=values or None, unique_key=unique_key, created_at=at or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        # Another transaction wrote the same key meanwhile: theirs stands.
        return db.session.scalar(sa.select(Notification).where(Notification.unique_key == unique_key))
    # Its e-mail (issue 5 §6), in this same transaction: see caseapp/mail/services.py for why here.
    from ..mail.services import enqueue_notification

    enqueue_notification(notification)
    return notification


def mark_read(notification, *, by, at=None):
    """Mark one of the user's own notifications read (already read: unchanged). The view loads
    it through queries.own_notification(by, …), so it is always the user's."""
    if notification.read_at is None:
        notification.read_at = at or utcnow()
        db.session.flush()
    return notification


def mark_all_read(*, by, at=None):
    """Mark every unread notification of the user read, in one UPDATE; returns how many."""
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == by.id, Notification.read_at.is_(None))
        .values(read_at=at or utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def notify_many(entries):
    """notify() for many notifications at once — the reminders sweep writes up to a batch of 500 in
    one transaction: one SELECT of the keys already written, one multi-row INSERT of the others, then
    for each new one what notify() does after writing (its e-mail, mail.services). Each entry is a
    dict of notify()'s arguments (user_id, kind, case, text_key, unique_key, params, at). The unique
    index still stands against a concurrent writer of the same key: the caller's transaction then
    fails whole. Returns the notifications written now."""
    if not entries:
        return []
    keys = [entry["unique_key"] for entry in entries]
    taken = set(db.session.scalars(sa.select(Notification.unique_key).where(Notification.unique_key.in_(keys))))
    rows = []
    for entry in entries:
        key = entry["unique_key"]
        if key in taken:
            continue
        taken.add(key)
        case = entry.get("case")
        values = dict(entry.get("params") or {})
        if case is not None:
            values.setdefault("number", case.number)
        rows.append({"user_id": entry["user_id"], "kind": entry["kind"], "case_id": getattr(case, "id", None),
                     "text_key": entry["text_key"], "params": values or None, "unique_key": key,
                     "created_at": entry.get("at") or utcnow(), "read_at": None})
    if not rows:
        return []
    # executemany with RETURNING: SQLAlchemy sends it as few multi-row INSERTs ("insertmanyvalues")
    ids = db.session.scalars(sa.insert(Notification).returning(Notification.id), rows).all()
    written = db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids))
                                 .order_by(Notification.id)).all()
    from ..mail.services import enqueue_notifications

    enqueue_notifications(written)
    return written
