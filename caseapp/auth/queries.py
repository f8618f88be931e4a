"""Reads of accounts, scoped to what the acting user may see."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..org.models import Facility
from ..security.scopes import facility_scope, own_sessions
from .models import User, UserSession

# A user has a few sessions at most; a list longer than this is cut (the oldest last seen go).
SESSIONS_SHOWN = 50


def visible_users(user):
    return sa.select(User).join(User.facility).where(facility_scope(User.facility_id, user))


def users_page(user, *, q=None, facility_id=None):
    stmt = visible_users(user).order_by(Facility.code, User.username)
    if facility_id:
        stmt = stmt.where(User.facility_id == facility_id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(User.username.like(like), sa.func.lower(User.full_name).like(like)))
    return stmt


def live_sessions_of(user, *, now: datetime, idle_minutes: int, absolute_hours: int) -> sa.Select:
    """The user's sessions still live at `now` (not ended, not idle too long, not past their absolute
    lifetime), the most recently used first."""
    return (
        sa.select(UserSession)
        .where(
            own_sessions(user),
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - timedelta(hours=absolute_hours),
            UserSession.last_seen_at >= now - timedelta(minutes=idle_minutes),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        .limit(SESSIONS_SHOWN)
    )
