"""Communication activities (truyền thông) of a facility: events with the people they reached, products
(leaflets, posters, broadcasts, videos, posts) with their copies — what the provincial plans report under
Quyết định 112/QĐ-TTg.

Reads take the acting user and stay inside communication_scope (another facility's activity is not
found). Writes take the acting user, check, flush and audit in the same transaction; they never commit."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..auth.models import User
from ..core.services import ServiceError
from ..core.text import nfc, nfc_text
from ..core.timeutil import local_today
from ..extensions import db
from ..security.policy import Perm, has_perm
from ..security.scopes import communication_scope
from .categories import COMMUNICATION_KINDS, COMMUNICATION_TOPICS
from .models import CommunicationActivity
from .training import check_commune

TITLE_MAX = 255
AUDIENCE_MAX = 255
NOTES_MAX = 4000
COUNT_MAX = 10_000_000
PER_PAGE = 30

STALE = _l(
    "Someone else changed this activity while you were editing. Your text is kept below; check it and save again."
)


@dataclass(frozen=True)
class ActivityInput:
    kind: str | None
    title: str | None
    held_on: date | None
    commune_code: str | None
    audience: str | None
    participants: int | None
    copies: int | None
    topic: str | None
    notes: str | None


@dataclass(frozen=True)
class ActivityFilters:
    year: int | None = None
    kind: str | None = None
    topic: str | None = None


@dataclass
class ActivityPage:
    rows: list[CommunicationActivity]
    next_cursor: int | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


# --- reads ------------------------------------------------------------------------------------------------


def activities(user: User, filters: ActivityFilters) -> sa.Select[tuple[CommunicationActivity]]:
    stmt = (
        sa.select(CommunicationActivity)
        .where(communication_scope(user))
        .options(joinedload(CommunicationActivity.commune))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    )
    if filters.year:
        stmt = stmt.where(
            CommunicationActivity.held_on >= date(filters.year, 1, 1),
            CommunicationActivity.held_on <= date(filters.year, 12, 31),
        )
    if filters.kind:
        stmt = stmt.where(CommunicationActivity.kind == filters.kind)
    if filters.topic:
        stmt = stmt.where(CommunicationActivity.topic == filters.topic)
    return stmt


def activity_page(
    user: User, filters: ActivityFilters, *, after: int | None = None, per_page: int = PER_PAGE
) -> ActivityPage:
    """One page, newest first by (date, id); the cursor is the last row's id (no OFFSET, no COUNT)."""
    stmt = activities(user, filters)
    if after is not None:
        last = db.session.execute(
            sa.select(CommunicationActivity.held_on, CommunicationActivity.id).where(CommunicationActivity.id == after)
        ).first()
        if last is not None:
            stmt = stmt.where(
                sa.tuple_(CommunicationActivity.held_on, CommunicationActivity.id)
                < sa.tuple_(sa.literal(last.held_on, sa.Date), sa.literal(last.id))
            )
    stmt = stmt.order_by(CommunicationActivity.held_on.desc(), CommunicationActivity.id.desc()).limit(per_page + 1)
    rows = list(db.session.scalars(stmt))
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = rows[-1].id
    return ActivityPage(rows=rows, next_cursor=next_cursor)


def activity_in_scope(user: User, activity_id: int) -> CommunicationActivity | None:
    return db.session.scalar(
        sa.select(CommunicationActivity)
        .where(CommunicationActivity.id == activity_id, communication_scope(user))
        .options(joinedload(CommunicationActivity.facility))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    )


# --- writes -----------------------------------------------------------------------------------------------


def _ensure_may_manage(by: User) -> None:
    if not has_perm(by, Perm.MANAGE_WORKFORCE):
        raise ServiceError(_l("Only an administrator or a supervisor of the facility can do this."))


def _count(value: int | None, field: str) -> int | None:
    if value is not None and not 0 <= value <= COUNT_MAX:
        raise ServiceError(_l("Give a number from 0 to %(max)d.", max=COUNT_MAX), field=field)
    return value


def _line(value: str | None, limit: int, field: str) -> str | None:
    text = nfc(value) or None
    if text is not None and len(text) > limit:
        raise ServiceError(_l("At most %(max)d characters.", max=limit), field=field)
    return text


def _reach(kind: str, participants: int | None, copies: int | None) -> tuple[int | None, int | None]:
    """An event reaches people; a product is made in copies (or broadcasts): each counts only its own."""
    if kind == "event" and copies is not None:
        raise ServiceError(_l("An event has participants, not copies: leave this empty."), field="copies")
    if kind == "product" and participants is not None:
        raise ServiceError(_l("A product has copies, not participants: leave this empty."), field="participants")
    return _count(participants, "participants"), _count(copies, "copies")


def _values(data: ActivityInput) -> dict[str, object]:
    if data.kind not in {c.code for c in COMMUNICATION_KINDS}:
        raise ServiceError(_l("Choose the kind of activity."), field="kind")
    title = _line(data.title, TITLE_MAX, "title")
    if not title:
        raise ServiceError(_l("Give the title of the activity."), field="title")
    if data.held_on is None:
        raise ServiceError(_l("Give the date of the activity."), field="held_on")
    if data.held_on > local_today():
        raise ServiceError(_l("The date cannot be in the future."), field="held_on")
    if data.topic not in {c.code for c in COMMUNICATION_TOPICS}:
        raise ServiceError(_l("Choose the topic."), field="topic")
    notes = nfc_text(data.notes)
    if len(notes) > NOTES_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=NOTES_MAX), field="notes")
    participants, copies = _reach(data.kind, data.participants, data.copies)
    return {
        "kind": data.kind,
        "title": title,
        "held_on": data.held_on,
        "commune_code": check_commune(data.commune_code),
        "audience": _line(data.audience, AUDIENCE_MAX, "audience"),
        "participants": participants,
        "copies": copies,
        "topic": data.topic,
        "notes": notes or None,
    }


def create_activity(data: ActivityInput, *, by: User) -> CommunicationActivity:
    """An activity recorded by `by`'s facility."""
    _ensure_may_manage(by)
    activity = CommunicationActivity(facility_id=by.facility_id, created_by_id=by.id, **_values(data))
    db.session.add(activity)
    db.session.flush()
    record(
        "communication_activity_created",
        by=by,
        entity=activity,
        detail={"kind": activity.kind, "year": activity.held_on.year},
    )
    return activity


def update_activity(
    activity: CommunicationActivity, data: ActivityInput, *, by: User, seen_version: int
) -> CommunicationActivity:
    """Change an activity; refused when someone changed it since the form was opened (`seen_version`)."""
    _ensure_may_manage(by)
    if activity.version != seen_version:
        raise ServiceError(STALE)
    values = _values(data)
    changed = sorted(key for key, value in values.items() if getattr(activity, key) != value)
    for key, value in values.items():
        setattr(activity, key, value)
    db.session.flush()
    record("communication_activity_changed", by=by, entity=activity, detail={"fields": changed})
    return activity


def delete_activity(activity: CommunicationActivity, *, by: User) -> None:
    """Remove an activity recorded by mistake."""
    _ensure_may_manage(by)
    record(
        "communication_activity_deleted",
        by=by,
        entity=activity,
        detail={"kind": activity.kind, "year": activity.held_on.year},
    )
    db.session.delete(activity)
    db.session.flush()
