"""Times are stored timezone-aware in UTC and shown in Asia/Ho_Chi_Minh as dd/mm/yyyy, 24 h."""

from datetime import date, datetime, timezone
from typing import overload
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The years the app deals in: no person, case or report of a centre falls outside them. A date beyond
# (0001-01-01, 9999-12-31) is refused at input — forms (core.forms) and query strings (report periods)
# — before time-zone shifts or date arithmetic overflow Python's calendar (OWASP ASVS 5.0 V2.2.1).
FIRST_YEAR, LAST_YEAR = 1900, 2100
DATE_OUT_OF_RANGE = _l("Enter a date between the years 1900 and 2100.")


def date_in_range(value: object) -> bool:
    """Is a date (or a date and time) within FIRST_YEAR … LAST_YEAR? (Anything else: nothing to check.)"""
    return not isinstance(value, date) or FIRST_YEAR <= value.year <= LAST_YEAR


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored datetime is UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@overload
def to_local(value: datetime) -> datetime: ...
@overload
def to_local(value: None) -> None: ...
@overload
def to_local(value: datetime | None) -> datetime | None: ...
def to_local(value: datetime | None) -> datetime | None:
    return as_utc(value).astimezone(VN_TZ) if value is not None else None


def local_today() -> date:
    return utcnow().astimezone(VN_TZ).date()


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def parse_local_datetime(value: str) -> datetime:
    """Parse 'YYYY-MM-DDTHH:MM' (an <input type=datetime-local>) as Vietnam time, return UTC.
    ValueError for a time out of FIRST_YEAR … LAST_YEAR (0001-01-01 has no UTC before it)."""
    naive = datetime.fromisoformat(value)
    if not date_in_range(naive):
        raise ValueError(str(DATE_OUT_OF_RANGE))
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=VN_TZ)
    return naive.astimezone(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A DateTime that is always timezone-aware UTC in Python, on SQLite and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return as_utc(value)


__all__ = [
    "VN_TZ",
    "utcnow",
    "as_utc",
    "to_local",
    "local_today",
    "format_date",
    "format_datetime",
    "parse_local_datetime",
    "UTCDateTime",
    "date",
]
