"""Small SQL helpers shared by the domains."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..extensions import db


def in_ids(column, ids):
    """`column IN ids` for a batch of integer ids. On PostgreSQL as `= ANY(one array parameter)`: an
    IN list of thousands of values costs SQLAlchemy and psycopg a bound parameter each, and the
    server a longer plan (bench/: the reminders sweep's batches)."""
    ids = sorted(set(ids))
    if _dialect() == "postgresql":
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.Integer)))
    return column.in_(ids)


def _dialect():
    return db.session.get_bind().dialect.name


def json_object(**values):
    """A JSON object built by the database from column expressions, keys in the given order."""
    pairs = [part for key, value in values.items() for part in (sa.literal(key, sa.String), value)]
    name = "json_build_object" if _dialect() == "postgresql" else "json_object"
    return getattr(sa.func, name)(*pairs, type_=sa.JSON)


def local_datetime_text(column):
    """timeutil.format_datetime in SQL: a stored UTC time as 'dd/mm/yyyy HH:MM' in Vietnam time.
    SQLite has no time zones: a fixed +7 hours, which is Asia/Ho_Chi_Minh (no DST) since 1975."""
    from .timeutil import VN_TZ

    if _dialect() == "postgresql":
        return sa.func.to_char(sa.func.timezone(VN_TZ.key, column), "DD/MM/YYYY HH24:MI", type_=sa.String)
    return sa.func.strftime("%d/%m/%Y %H:%M", column, "+7 hours", type_=sa.String)
