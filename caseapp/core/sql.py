"""Small SQL helpers shared by the domains."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..extensions import db


def in_ids(column, ids):
    """`column IN ids` for a batch of integer ids. On PostgreSQL as `= ANY(one array parameter)`: an
    IN list of thousands of values costs SQLAlchemy and psycopg a bound parameter each, and the
    server a longer plan (bench/: the reminders sweep's batches)."""
    ids = sorted(set(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.Integer)))
    return column.in_(ids)
