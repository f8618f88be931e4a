"""Reads of the audit trail: admins see every facility, supervisors their own."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ..core.timeutil import VN_TZ
from ..security.scopes import facility_scope
from .models import AuditEvent


def visible_events(user):
    return sa.select(AuditEvent).where(facility_scope(AuditEvent.facility_id, user))


def filtered_events(user, *, user_id=None, action=None, entity_type=None, entity_id=None, date_from=None, date_to=None):
    """date_from / date_to are local (Vietnam) calendar days, inclusive."""
    stmt = visible_events(user)
    if user_id:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == str(entity_id))
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(date_from, time.min, VN_TZ))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, VN_TZ))
    return stmt


def known_actions():
    return sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
