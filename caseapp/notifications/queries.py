"""Reads of notifications: always the acting user's own."""

import sqlalchemy as sa

from ..core.pagination import keyset_page
from ..core.sql import prebuilt
from ..extensions import db
from .models import Notification

# The header shows at most this many ("99+"): a bounded read on the (user_id, read_at) index, no COUNT.
UNREAD_CAP = 99


def own(user):
    return sa.select(Notification).where(Notification.user_id == user.id)


def inbox_page(user, *, after=None, per_page=30):
    """The user's notifications, newest first (keyset on id, index (user_id, id))."""
    return keyset_page(db.session, own(user), key_column=Notification.id, after=after, per_page=per_page)


def own_notification(user, notification_id):
    return own(user).where(Notification.id == notification_id)


def unread_count(user):
    """How many unread notifications the user has, up to UNREAD_CAP + 1 (shown as "99+")."""
    return len(db.session.scalars(*prebuilt(_unread_ids, user_id=user.id)).all())


def _unread_ids(user_id):
    return (
        sa.select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP + 1)
    )
