"""Reads of the audit trail: admins see every facility, supervisors their own."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ..core.timeutil import VN_TZ
from ..security.scopes import facility_scope
from .models import AuditEvent


def visible_events(user):
    return sa.select(AuditEvent).where(facility_scope(AuditEvent.facility_id, user))


def filtered_events(
    user,
    *,
    user_id=None,
    action=None,
    case_id=None,
    entity_type=None,
    entity_id=None,
    date_from=None,
    date_to=None,
):
    """date_from / date_to are local (Vietnam) calendar days, inclusive. case_id: the events about the
    case itself and those whose details name it (its notes, plans, referrals …)."""
    stmt = visible_events(user)
    if case_id:
        stmt = stmt.where(about_case(case_id))
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


def about_case(case_id: int) -> sa.ColumnElement[bool]:
    """An event about the case: recorded on it, or naming it in its details ("case_id"). The details'
    value is compared as text, the same on SQLite (a JSON number) and PostgreSQL (json ->> text)."""
    named_in_detail = sa.cast(AuditEvent.detail["case_id"].as_string(), sa.String) == str(case_id)
    on_the_case = sa.and_(AuditEvent.entity_type == "cases", AuditEvent.entity_id == str(case_id))
    return sa.or_(on_the_case, named_in_detail)
