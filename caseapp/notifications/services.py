"""Writing notifications. Services of other domains call notify() in their own transaction; the
view (or the job) commits. Only flushes."""

from collections import namedtuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..core.timeutil import utcnow
from ..extensions import db
from ..mail.services import enqueue_notification, enqueue_notifications
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
    notification = Notification(
        user_id=user_id,
        kind=kind,
        case_id=getattr(case, "id", None),
        text_key=text_key,
        params=values or None,
        unique_key=unique_key,
        created_at=at or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        # Another transaction wrote the same key meanwhile: theirs stands.
        return db.session.scalar(sa.select(Notification).where(Notification.unique_key == unique_key))
    # Its e-mail, in this same transaction: see caseapp/mail/services.py for why here.

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
        sa.update(Notification)
        .where(Notification.user_id == by.id, Notification.read_at.is_(None))
        .values(read_at=at or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# What notify_many returns: the notifications written, built from the values it wrote and the ids
# the INSERT returned (no second SELECT, no ORM objects).
WrittenNotification = namedtuple("WrittenNotification", "id user_id kind case_id text_key params unique_key created_at")
_COLUMNS = ("user_id", "kind", "case_id", "text_key", "params", "unique_key", "created_at")


def _insert():
    """INSERT INTO notifications … ON CONFLICT (unique_key) DO NOTHING: a key written before (or by a
    concurrent writer) is skipped by the database and not returned."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(Notification.__table__)


def _insert_many(rows):
    """INSERT the rows, skipping a unique_key written before; returns {unique_key: id} of those written.
    executemany with RETURNING: SQLAlchemy sends it as few multi-row INSERTs ("insertmanyvalues")."""
    table = Notification.__table__
    statement = (
        _insert().on_conflict_do_nothing(index_elements=["unique_key"]).returning(table.c.id, table.c.unique_key)
    )
    return {key: ident for ident, key in db.session.execute(statement, rows)}


def notify_selected(rows):
    """notify_many for notifications the database builds itself: `rows` is a SELECT of the columns
    user_id, kind, case_id, text_key, params, unique_key, created_at (in that order). One INSERT …
    SELECT … ON CONFLICT (unique_key) DO NOTHING: no value passes through Python (bench/: the reminders
    sweep's 100 k notifications). Then their e-mails. Returns the (id, user_id) rows written."""
    table = Notification.__table__
    statement = (
        _insert()
        .from_select(_COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=["unique_key"])
        .returning(table.c.id, table.c.user_id)
    )
    written = db.session.execute(statement).all()

    enqueue_notifications(written)
    return written


def notify_many(entries):
    """notify() for many notifications at once — the reminders sweep writes a batch (jobs.BATCH_SIZE) in
    one transaction: one multi-row INSERT … ON CONFLICT (unique_key) DO NOTHING RETURNING, so a key
    written before (or by a concurrent writer) is skipped by the database and not returned; then for
    each new one what notify() does after writing (its e-mail, mail.services). Each entry is a dict of
    notify()'s arguments (user_id, kind, case, text_key, unique_key, params, at). Returns the
    notifications written now, as WrittenNotification rows in id order."""
    if not entries:
        return []
    taken = set()  # a key twice in the batch itself
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
        rows.append(
            {
                "user_id": entry["user_id"],
                "kind": entry["kind"],
                "case_id": getattr(case, "id", None),
                "text_key": entry["text_key"],
                "params": values or None,
                "unique_key": key,
                "created_at": entry.get("at") or utcnow(),
                "read_at": None,
            }
        )
    if not rows:
        return []
    ids = _insert_many(rows)
    written = sorted(
        (
            WrittenNotification(id=ids[row["unique_key"]], **{name: row[name] for name in _COLUMNS})
            for row in rows
            if row["unique_key"] in ids
        ),
        key=lambda n: n.id,
    )

    enqueue_notifications(written)
    return written
