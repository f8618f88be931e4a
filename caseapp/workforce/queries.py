"""Reads of the workforce register: each list and page is built on security.scopes (agency_scope,
workforce_member_scope), so a record of another facility is not found (404)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from ..audit.models import AuditEvent
from ..auth.models import User
from ..core.pagination import KeysetPage
from ..core.text import fold, people_sorted, vn_sort_key
from ..extensions import db
from ..security.scopes import agency_scope, workforce_member_scope
from .models import Agency, TrainingCourse, TrainingParticipant, WorkforceMember

PER_PAGE = 50
# The relationships the reads load, typed as the attributes the loader options take (an unannotated
# db.relationship() is typed as its property).
_AGENCY_COMMUNE: Any = Agency.commune
_MEMBER_AGENCY: Any = WorkforceMember.agency
_MEMBER_COMMUNE: Any = WorkforceMember.commune
_MEMBER_USER: Any = WorkforceMember.user
_USER_FACILITY: Any = User.facility
_PARTICIPANT_COURSE: Any = TrainingParticipant.course
_PARTICIPANT_MEMBER: Any = TrainingParticipant.member

HISTORY_LIMIT = 100


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _by_name_page(stmt: sa.Select[Any], model: Any, after: int | None, per_page: int) -> KeysetPage:
    """One page in order of (search_name, id); the cursor is the last row's id (no OFFSET, no COUNT)."""
    if after is not None:
        last = db.session.execute(sa.select(model.search_name, model.id).where(model.id == after)).first()
        if last is not None:
            stmt = stmt.where(
                sa.tuple_(model.search_name, model.id) > sa.tuple_(sa.literal(last.search_name), sa.literal(last.id))
            )
    rows = list(db.session.scalars(stmt.order_by(model.search_name, model.id).limit(per_page + 1)).unique())
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = rows[-1].id
    return KeysetPage(rows=rows, next_cursor=next_cursor)


# --- agencies -----------------------------------------------------------------------------------------------


def agencies_page(user: User, *, kind: str | None = None, after: int | None = None) -> KeysetPage:
    """The agencies whose register the user keeps, by name, with their commune."""
    stmt = sa.select(Agency).where(agency_scope(user)).options(joinedload(_AGENCY_COMMUNE))
    if kind:
        stmt = stmt.where(Agency.kind == kind)
    return _by_name_page(stmt, Agency, after, PER_PAGE)


def agency_in_scope(user: User, agency_id: int) -> sa.Select[tuple[Agency]]:
    return sa.select(Agency).where(Agency.id == agency_id, agency_scope(user)).options(joinedload(_AGENCY_COMMUNE))


def agency_choices(user: User, *, keep_id: int | None = None, inactive: bool = False) -> list[Agency]:
    """The active agencies a person may be added to (and `keep_id`, the person's own, even inactive;
    every one with `inactive`, for the filters), in Vietnamese order of their names."""
    stmt = sa.select(Agency).where(agency_scope(user))
    if not inactive:
        stmt = stmt.where(
            Agency.active.is_(True) if keep_id is None else sa.or_(Agency.active.is_(True), Agency.id == keep_id)
        )
    return sorted(db.session.scalars(stmt), key=lambda a: (vn_sort_key(a.name), a.id))


def has_own_agency(facility_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Agency.facility_id == facility_id))) or False


# --- people --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFilters:
    agency_id: int | None = None
    commune_code: str | None = None
    kind: str | None = None
    qualification: str | None = None
    on: date | None = None  # in post on that day; None: every record, ended or not
    q: str | None = None


def in_post_on(day: date) -> sa.ColumnElement[bool]:
    """SQL condition on WorkforceMember: in post on `day` (from ≤ day ≤ to, or no end yet)."""
    return sa.and_(
        WorkforceMember.from_date <= day, sa.or_(WorkforceMember.to_date.is_(None), WorkforceMember.to_date >= day)
    )


def members(user: User, filters: MemberFilters) -> sa.Select[tuple[WorkforceMember]]:
    """The people of the user's register matching the filters; search: every word of the folded query in
    the folded name (core.text.fold, the same on both databases)."""
    stmt = (
        sa.select(WorkforceMember)
        .where(workforce_member_scope(user))
        .options(joinedload(_MEMBER_AGENCY), joinedload(_MEMBER_COMMUNE))
    )
    if filters.agency_id:
        stmt = stmt.where(WorkforceMember.agency_id == filters.agency_id)
    if filters.commune_code:
        stmt = stmt.where(WorkforceMember.commune_code == filters.commune_code)
    if filters.kind:
        stmt = stmt.where(WorkforceMember.kind == filters.kind)
    if filters.qualification:
        stmt = stmt.where(WorkforceMember.qualification == filters.qualification)
    if filters.on is not None:
        stmt = stmt.where(in_post_on(filters.on))
    for word in fold(filters.q or "").split():
        stmt = stmt.where(WorkforceMember.search_name.like(f"%{_like_escaped(word)}%", escape="\\"))
    return stmt


def members_page(user: User, filters: MemberFilters, *, after: int | None = None) -> KeysetPage:
    return _by_name_page(members(user, filters), WorkforceMember, after, PER_PAGE)


def member_in_scope(user: User, member_id: int) -> sa.Select[tuple[WorkforceMember]]:
    """One person of the user's register with their agency, commune and linked user."""
    return (
        sa.select(WorkforceMember)
        .where(WorkforceMember.id == member_id, workforce_member_scope(user))
        .options(
            joinedload(_MEMBER_AGENCY).joinedload(_AGENCY_COMMUNE),
            joinedload(_MEMBER_COMMUNE),
            joinedload(_MEMBER_USER).lazyload(_USER_FACILITY),
        )
    )


def linkable_users(facility_id: int, *, member_id: int | None = None) -> list[User]:
    """The accounts a person of an agency of that facility may be linked to: its active users not linked
    to anyone else in the register, in Vietnamese order of their names."""
    linked = sa.select(WorkforceMember.user_id).where(WorkforceMember.user_id.is_not(None))
    if member_id is not None:
        linked = linked.where(WorkforceMember.id != member_id)
    rows = db.session.scalars(
        sa.select(User)
        .where(User.facility_id == facility_id, User.active.is_(True), User.id.not_in(linked))
        .options(lazyload(_USER_FACILITY))
    )
    return people_sorted(rows)


def member_history(member_id: int) -> list[tuple[AuditEvent, str | None]]:
    """What was recorded about a person (added, changed, post ended) and by whom, oldest first."""
    rows = db.session.execute(
        sa.select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.entity_type == WorkforceMember.__tablename__,
            AuditEvent.entity_id == str(member_id),
            AuditEvent.action.in_(("workforce_member_created", "workforce_member_changed", "workforce_member_ended")),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .limit(HISTORY_LIMIT)
    )
    return [(event, name) for event, name in rows.tuples()]


def training_history(member_id: int) -> sa.Select[tuple[TrainingParticipant]]:
    """A person's courses (member already loaded in the user's scope): their TrainingParticipant rows with
    the course joined and loaded (title, kind, dates, hours) — attended, certificate — newest first.
    `db.session.scalars(training_history(member.id)).all()`."""
    return (
        sa.select(TrainingParticipant)
        .join(TrainingCourse, TrainingCourse.id == TrainingParticipant.course_id)
        .where(TrainingParticipant.member_id == member_id)
        .options(contains_eager(_PARTICIPANT_COURSE), lazyload(_PARTICIPANT_MEMBER))
        .order_by(TrainingCourse.start_date.desc(), TrainingCourse.id.desc())
    )
