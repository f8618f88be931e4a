"""Reads of accounts, scoped to what the acting user may see."""

import sqlalchemy as sa

from ..org.models import Facility
from ..security.scopes import facility_scope
from .models import User


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
