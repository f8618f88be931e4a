"""Per-facility yearly counters (case numbers, temporary client codes).

One INSERT … ON CONFLICT DO UPDATE … RETURNING creates the counter row at 1 or increments it, under
the row lock (PostgreSQL) or the write lock (SQLite): two concurrent intakes never get the same
number. A rolled-back transaction leaves a gap, which case numbering tolerates."""

import functools

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import ReturningInsert

from ..extensions import Model, db


class CodeSequence(Model):
    """Per-facility, per-year counters for case numbers and temporary client codes.
    Incremented with one UPDATE … RETURNING under a row lock: safe under concurrent intakes;
    a rolled-back intake may leave a gap, which the numbering tolerates."""

    __tablename__ = "code_sequences"
    __table_args__ = (sa.UniqueConstraint("facility_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # case | client
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    last_value: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


def next_value(facility_id: int, kind: str, year: int) -> int:
    return next_values(facility_id, kind, year, 1)[0]


def next_values(facility_id: int, kind: str, year: int, count: int) -> range:
    """`count` consecutive values taken at once (an import of a register numbers its clients so)."""
    statement = _increment(db.session.get_bind().dialect.name)
    parameters = {"facility_id": facility_id, "kind": kind, "year": year, "step": count}
    last = db.session.execute(statement, parameters).scalar_one()
    return range(last - count + 1, last + 1)


@functools.cache
def _increment(dialect: str) -> ReturningInsert[tuple[int]]:
    """The upsert, built once per database kind (core.sql.prebuilt explains why)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(CodeSequence)
        .values(
            facility_id=sa.bindparam("facility_id"),
            kind=sa.bindparam("kind"),
            year=sa.bindparam("year"),
            last_value=sa.bindparam("step"),
        )
        .on_conflict_do_update(
            index_elements=["facility_id", "kind", "year"],
            set_={"last_value": CodeSequence.last_value + sa.bindparam("step")},
        )
        .returning(CodeSequence.last_value)
    )
