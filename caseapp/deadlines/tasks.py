"""'Việc cần làm' in pages: a worker's due items (deadlines.items) in groups — overdue, within the next
7 days, later (as the dashboard counts them) — each sorted by urgency then due date. The page shows the first few of each
group; "more" opens one group a page at a time after the last item seen (a keyset on the items' sort
key, so an item done meanwhile moves nothing). The reads stay the five bounded statements of
deadlines.items; only the items shown are rendered and audited."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..core.timeutil import as_utc
from .items import DueItem, sort_items

FIRST_PAGE_PER_GROUP = 10  # per group on the page that shows them all
PER_PAGE = 25  # a group of its own ("more")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

SortKey = tuple[int, datetime, str, str, int]


class TaskGroup(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"  # within the next 7 days
    LATER = "later"


@dataclass(frozen=True)
class GroupPage:
    group: TaskGroup
    items: list[DueItem]  # the items shown
    total: int  # the group's items (counted in Python: no COUNT query)
    more_after: str | None  # the cursor of the next page, None at the group's end


def group_of(item: DueItem, now: datetime) -> TaskGroup:
    if item.is_overdue(now):
        return TaskGroup.OVERDUE
    return TaskGroup.SOON if item.is_due_soon(now) else TaskGroup.LATER


def cursor_of(item: DueItem) -> str:
    """The item's sort key as text for a link: rank~microseconds~ref~kind~case-number ("~": in no kind
    code nor case number, and kept as it is in a URL)."""
    rank, due, number, kind, ref = item.sort_key
    return f"{rank}~{(as_utc(due) - _EPOCH) // _MICROSECOND}~{ref}~{kind}~{number}"


def parse_cursor(text: str | None) -> SortKey | None:
    """The sort key a cursor names, or None for anything that is not one (the group's first page)."""
    try:
        rank, micros, ref, kind, number = (text or "").split("~", 4)
        return (int(rank), _EPOCH + int(micros) * _MICROSECOND, number, kind, int(ref))
    except (ValueError, OverflowError):
        return None


def _page(group: TaskGroup, items: list[DueItem], after: SortKey | None, size: int) -> GroupPage:
    rest = [item for item in items if after is None or item.sort_key > after]
    shown = rest[:size]
    more = cursor_of(shown[-1]) if len(rest) > size else None
    return GroupPage(group=group, items=shown, total=len(items), more_after=more)


def task_pages(
    items: Iterable[DueItem], now: datetime, *, group: TaskGroup | None = None, after: str | None = None
) -> list[GroupPage]:
    """Every group's first page, or — `group` chosen — that group's page after the cursor."""
    now = as_utc(now)
    grouped: dict[TaskGroup, list[DueItem]] = {g: [] for g in TaskGroup}
    for item in sort_items(items):
        grouped[group_of(item, now)].append(item)
    if group is not None:
        return [_page(group, grouped[group], parse_cursor(after), PER_PAGE)]
    return [_page(g, grouped[g], None, FIRST_PAGE_PER_GROUP) for g in TaskGroup]
