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
