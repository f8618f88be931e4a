"""Small SQL helpers shared by the domains."""

import functools
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from .timeutil import VN_TZ


def in_ids(
    column: sa.ColumnElement[Any] | InstrumentedAttribute[Any], ids: Iterable[Any], *, of: Any = sa.Integer
) -> sa.ColumnElement[bool]:
    """`column IN ids` for a batch of ids (integers, or `of` another type: citizen IDs as sa.String).
    On PostgreSQL as `= ANY(one array parameter)`: an IN list of thousands of values costs SQLAlchemy
    and psycopg a bound parameter each, and the server a longer plan (bench/: the reminders sweep's
    batches)."""
    ids = sorted(set(ids))
    if _dialect() == "postgresql":
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(of)))
    return column.in_(ids)


def insert_many(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT many rows of `model` (dicts of column values with the same keys): their new ids, in
    order. On PostgreSQL the ids are drawn from the table's sequence in one query and the rows sent
    by COPY: a statement per row costs the server a tenth of a millisecond each, and SQLAlchemy's
    multi-row INSERT … RETURNING makes psycopg read a statement of thousands of parameters for every
    500 rows; either is most of the time of a register's import (bench/register_import.py).
    Elsewhere a multi-row INSERT … RETURNING."""
    if not rows:
        return []
    if _dialect() != "postgresql":
        insert = sa.insert(model).execution_options(render_nulls=True)
        return list(db.session.scalars(insert.returning(model.id, sort_by_parameter_order=True), rows))
    sequence = sa.func.pg_get_serial_sequence(model.__tablename__, "id")
    drawn = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, len(rows)))
    ids = list(db.session.scalars(drawn))
    _copy(model.__table__, [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def copy_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """insert_many without the ids."""
    if not rows:
        return
    if _dialect() != "postgresql":
        db.session.execute(sa.insert(model).execution_options(render_nulls=True), rows)
        return
    _copy(model.__table__, rows)


def update_many(model: Any, rows: list[dict[str, Any]]) -> None:
    """UPDATE many rows of `model` by id (dicts of "id" and the same columns), as plain SQL: no
    version check, for rows no form edits (an import's own rows). On PostgreSQL one statement joining
    the arrays of the values (unnest): an executemany costs the server a statement per row.
    Elsewhere an executemany."""
    if not rows:
        return
    table = model.__table__
    names = ["id", *(name for name in rows[0] if name != "id")]
    if _dialect() != "postgresql":
        by_id = sa.update(table).where(table.c.id == sa.bindparam("row_id"))
        params: dict[str, Any] = {name: sa.bindparam(name) for name in names if name != "id"}
        db.session.execute(by_id.values(params), [{**row, "row_id": row["id"]} for row in rows])
        return
    arrays = [sa.literal([row[name] for row in rows], postgresql.ARRAY(table.c[name].type)) for name in names]
    given = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="given")
    changes = {name: given.c[name] for name in names if name != "id"}
    db.session.execute(sa.update(table).values(changes).where(table.c.id == given.c.id))


def _copy(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY … FROM STDIN of the rows, in this transaction: each value converted as an INSERT would
    convert it (the column type's bind processor), and a column left out given its default."""
    dialect = db.session.get_bind().dialect
    given = list(rows[0])
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in given and isinstance(column.default, sa.ColumnDefault)
    }
    names = given + list(defaults)
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quoted = ", ".join(f'"{name}"' for name in names)
    driver = db.session.connection().connection.driver_connection
    assert driver is not None  # a connection of this session's transaction
    with driver.cursor().copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = [row[name] for name in given]
            values += [default(None) if callable(default) else default for default in defaults.values()]
            copy.write_row([c(v) if c and v is not None else v for c, v in zip(convert, values, strict=True)])


def prebuilt(build: Callable[..., Any], **values: object) -> tuple[Any, dict[str, object]]:
    """(statement, parameters) to execute `build(**values)`: the statement is built once per builder,
    with a bind parameter named after each value, and kept; each call only binds the values.

        db.session.scalars(*prebuilt(follow_ups_of_case, case_id=case.id))

    For the statements a page runs on every request (the case page's sections): building a select
    and computing its cache key cost 0.2–0.5 ms, more than PostgreSQL takes to run it (bench/). The
    builder must use its arguments only as SQL values (no `if case_id …`)."""
    return _built(build, tuple(values)), values


@functools.cache
def _built(build: Callable[..., Any], names: tuple[str, ...]) -> Any:
    return build(**{name: sa.bindparam(name) for name in names})


def plan_for_the_values() -> None:
    """PostgreSQL: plan the rest of this transaction's statements for the values they are given
    (plan_cache_mode = force_custom_plan, transaction-local: a COMMIT or ROLLBACK ends it).

    psycopg prepares a statement at its fifth use on a connection, and PostgreSQL then plans it once
    for any values (the generic plan) when that plan's estimate is no worse than the plans made so
    far. For the client search that estimate is wrong: without the words, a LIKE on the country-wide
    trigram index looks as selective as the facility's own (migration 0010), and the generic plan
    read 14,000 clients of every facility for a common name — 47 ms instead of 0.4 ms at 1 M clients
    (bench/). Planning for the values costs about 0.2 ms. A SELECT, so the request still counts as
    read-only (core.transaction)."""
    if _dialect() == "postgresql":
        db.session.execute(sa.select(sa.func.set_config("plan_cache_mode", "force_custom_plan", True)))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def json_object(**values: Any) -> sa.ColumnElement[Any]:
    """A JSON object built by the database from column expressions, keys in the given order."""
    pairs = [part for key, value in values.items() for part in (sa.literal(key, sa.String), value)]
    name = "json_build_object" if _dialect() == "postgresql" else "json_object"
    built: sa.ColumnElement[Any] = getattr(sa.func, name)(*pairs, type_=sa.JSON)
    return built


def local_datetime_text(column: Any) -> sa.Function[str]:
    """timeutil.format_datetime in SQL: a stored UTC time as 'dd/mm/yyyy HH:MM' in Vietnam time.
    SQLite has no time zones: a fixed +7 hours, which is Asia/Ho_Chi_Minh (no DST) since 1975."""
    if _dialect() == "postgresql":
        return sa.func.to_char(sa.func.timezone(VN_TZ.key, column), "DD/MM/YYYY HH24:MI", type_=sa.String)
    return sa.func.strftime("%d/%m/%Y %H:%M", column, "+7 hours", type_=sa.String)
