"""Keyset pagination: the next page starts after the last row seen, on an index matching the sort.
No OFFSET, no COUNT(*): page cost stays the same on page 1 and page 10,000."""
from dataclasses import dataclass


@dataclass
class KeysetPage:
    rows: list
    next_cursor: object | None

    @property
    def has_next(self):
        return self.next_cursor is not None


def keyset_page(session, stmt, *, key_column, after=None, per_page=50, descending=True, cursor_of=None):
    """Run stmt ordered by key_column (unique), starting after the cursor `after`."""
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
