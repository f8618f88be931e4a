"""Keyset pagination: the next page starts after the last row seen, on an index matching the sort.
No OFFSET, no COUNT(*): page cost stays the same on page 1 and page 10,000."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session

from .urls import BIGINT_MAX, INT_MAX, parse_id


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: object | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_page(
    session: Session | scoped_session[Any],
    stmt: sa.Select[Any],
    *,
    key_column: Any,
    after: object | None = None,
    per_page: int = 50,
    descending: bool = True,
    cursor_of: Callable[[Any], object] | None = None,
) -> KeysetPage:
    """Run stmt ordered by key_column (unique), starting after the cursor `after`. An integer cursor
    the key column cannot hold (a hand-made ?after=) is no cursor: the first page."""
    if isinstance(after, int):
        after = parse_id(after, BIGINT_MAX if isinstance(key_column.type, sa.BigInteger) else INT_MAX)
    if after is not None:
        stmt = stmt.where(key_column < after if descending else key_column > after)
    stmt = stmt.order_by(key_column.desc() if descending else key_column.asc()).limit(per_page + 1)
    rows = list(session.scalars(stmt))
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        next_cursor = cursor_of(last) if cursor_of else getattr(last, key_column.key)
    return KeysetPage(rows=rows, next_cursor=next_cursor)
