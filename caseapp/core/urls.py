"""URL helpers: safe redirect targets, and record ids in URLs and query strings."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Request


def safe_next(target: object) -> str | None:
    """Only a local path may be a redirect target (no scheme, no host, no '//' or '\\' tricks)."""
    if not target or not isinstance(target, str):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def return_path(request: Request, url_map: Map) -> str | None:
    """Where a request that found no live session leads back to after signing in again. A GET: the page
    itself. Anything else (a form posted after its session expired): the page that showed the form — the
    Referer, when it is a page of this site — or the same path when it answers GET too; never a URL that
    answers POST only, where signing in would end on "405 Method Not Allowed", away from the form whose
    text the browser kept (static/js/session.js)."""
    if request.method in ("GET", "HEAD"):
        return safe_next(request.full_path.rstrip("?"))
    adapter = url_map.bind_to_environ(request.environ)
    for candidate in (_same_site_referrer(request), request.full_path.rstrip("?")):
        target = safe_next(candidate)
        if target and adapter.test(urlsplit(target).path, method="GET"):
            return target
    return None


def _same_site_referrer(request: Request) -> str | None:
    """The Referer's path and query, when it is a page of this very site (scheme and host)."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme != request.scheme or parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- record ids in URLs and query strings -------------------------------------------------------------
# A number the database cannot hold would reach it as an overflow (SQLite) or an "out of range" error
# (PostgreSQL), answered with a 500: ids are checked against the column's range before any query
# (OWASP ASVS 5.0 V2.2.1, input checked against its expected structure and range).

INT_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL: the ids of every table but the audit trail's
BIGINT_MAX = 2**63 - 1  # a BIGINT column (the audit trail's ids; SQLite's INTEGER holds as much)
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object, maximum: int = INT_MAX) -> int | None:
    """A record id — an int, or ASCII digits without sign or spaces — from 1 to `maximum`; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= maximum else None


def db_id(value: object) -> int:
    """`request.args.get(name, type=db_id)`: the id, or the default (None) when it is no id the
    database can hold (MultiDict.get turns the ValueError into the default)."""
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


def int_between(low: int, high: int) -> Callable[[object], int]:
    """`request.args.get(name, type=int_between(2000, 2100))`: an integer within [low, high], else the
    default."""

    def convert(value: object) -> int:
        text = str(value).strip()
        if not re.fullmatch(r"-?[0-9]{1,19}", text) or not low <= int(text) <= high:
            raise ValueError(value)
        return int(text)

    return convert


class DatabaseIdConverter(IntegerConverter):
    """URL rules' `<id:name>` — and `<int:name>`, which create_app maps to this converter too: a record
    id, 1 … 2^31−1, in ASCII digits. Anything else matches no route, so it answers 404 before any query."""

    regex = r"[0-9]{1,19}"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT_MAX, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
