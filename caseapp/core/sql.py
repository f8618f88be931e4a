"""Small SQL helpers shared by the domains."""

import functools
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from .timeutil import VN_TZ


def in_ids(column: sa.ColumnElement[int] | InstrumentedAttribute[int], ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """`column IN ids` for a batch of integer ids. On PostgreSQL as `= ANY(one array parameter)`: an
    IN list of thousands of values costs SQLAlchemy and psycopg a bound parameter each, and the
    server a longer plan (bench/: the reminders sweep's batches)."""
    ids = sorted(set(ids))
    if _dialect() == "postgresql":
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.Integer)))
    return column.in_(ids)


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
