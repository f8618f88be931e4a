"""Reads of cases, always inside the user's case scope (security.case_scope)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..auth.models import User
from ..core.pagination import keyset_page
from ..core.timeutil import VN_TZ, local_today, utcnow
from ..extensions import db
from ..referrals.models import Referral, ReferralStatus
from ..register.queries import clients_in_groups
from ..security.policy import Capability
from ..security.scopes import case_scope, granted_case, own_facility, users_with
from .followups.models import FollowUp
from .models import Case, CaseEvent
from .statuses import OPEN_STATUSES, GrantKind

UNASSIGNED = "none"  # the lists' worker filter: cases nobody is assigned to


def visible_cases(user):
    return sa.select(Case).where(case_scope(user))


@dataclass
class CaseFilters:
    """The filters of the case lists (and of dashboards that link to them)."""

    scope: str = "mine"  # mine | facility
    status: str | None = None  # a status code, or "open"
    worker_id: int | None = None
    unassigned: bool = False  # cases without a worker (facility list)
    urgency: str | None = None
    case_type: str | None = None
    group: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    intake_incomplete: bool = False
    # the caseload review's columns (cases.caseload links each number to the list with its filter)
    high_risk: bool = False  # urgency emergency/high, or risk high
    no_contact_days: int | None = None  # no contact (last_contact_at, else opened_at) for this many days
    overdue_follow_up: bool = False  # a follow-up past due, neither done nor cancelled
    awaiting_referral: bool = False  # a referral the case's facility sent still awaits its answer (dashboard)


def high_risk_condition():
    """SQL condition on Case: high risk (urgency emergency or high, or the assessed risk high)."""
    return sa.or_(Case.urgency.in_(("emergency", "high")), Case.risk_level == "high")


def no_contact_condition(days, now=None):
    """SQL condition on Case: no contact with the person for `days` days (last_contact_at, or the
    opening when there was none yet)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return sa.func.coalesce(Case.last_contact_at, Case.opened_at) < cutoff


def awaiting_referral_condition():
    """SQL condition on Case: a referral its facility sent still awaits the receiver's answer (status
    'sent' — the sender's side of the closed loop, as deadlines.items reads it)."""
    return Case.id.in_(
        sa.select(Referral.case_id).where(
            Referral.status == ReferralStatus.SENT, Referral.facility_id == Case.facility_id
        )
    )


def overdue_follow_up_condition(now=None):
    """SQL condition on Case: it has a follow-up past due, neither done nor cancelled."""
    # Correlated EXISTS, not IN (SELECT …): the IN form reads every overdue follow-up of the country
    # for one facility's counts (a sequential scan of follow_ups: 170 ms at 1 M clients, bench/).
    return sa.exists().where(
        FollowUp.case_id == Case.id,
        FollowUp.due_at < (now or utcnow()),
        FollowUp.done_at.is_(None),
        FollowUp.cancelled_at.is_(None),
    )


SORTS = {
    # name: (column, descending) — keyset on the primary key (ids grow with the opening order), so
    # every list and filter is served by the PK index or one of the (…, id) indexes of Case.
    "newest": (Case.id, True),
    "oldest": (Case.id, False),
}


def filtered_cases(user, filters: CaseFilters):
    """The list statement: scope, filters, and the client and worker loaded in the same query."""

    worker = aliased(User, name="assigned_worker")
    stmt = (
        visible_cases(user)
        .join(Case.client)
        .outerjoin(worker, Case.assigned_worker_id == worker.id)
        .options(
            contains_eager(Case.client),  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property, not an attribute
            contains_eager(Case.assigned_worker.of_type(worker)).lazyload(worker.facility),  # type: ignore[arg-type]
        )
    )
    if filters.scope == "mine":
        # "Hồ sơ của tôi": the user's cases and those a supervisor shared with them (the list
        # marks them "được chia sẻ"). Break-the-glass accesses stay out of the list.
        stmt = stmt.where(sa.or_(Case.assigned_worker_id == user.id, granted_case(user, kinds=(GrantKind.SHARED,))))
    if filters.status == "open":
        stmt = stmt.where(Case.status.in_(OPEN_STATUSES))
    elif filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.unassigned:
        # a case transferred out has no worker here, but it is not this facility's to assign
        stmt = stmt.where(Case.assigned_worker_id.is_(None), own_facility(Case.facility_id, user))
    elif filters.worker_id:
        stmt = stmt.where(Case.assigned_worker_id == filters.worker_id)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    if filters.case_type:
        stmt = stmt.where(Case.case_type == filters.case_type)
    if filters.group:
        stmt = stmt.where(Case.client_id.in_(clients_in_groups([filters.group], local_today())))
    if filters.opened_from:
        stmt = stmt.where(Case.opened_at >= datetime.combine(filters.opened_from, time.min, VN_TZ))
    if filters.opened_to:
        stmt = stmt.where(Case.opened_at < datetime.combine(filters.opened_to + timedelta(days=1), time.min, VN_TZ))
    if filters.intake_incomplete:
        stmt = stmt.where(Case.intake_incomplete.is_(True))
    if filters.high_risk:
        stmt = stmt.where(high_risk_condition())
    if filters.no_contact_days:
        stmt = stmt.where(no_contact_condition(filters.no_contact_days))
    if filters.overdue_follow_up:
        stmt = stmt.where(overdue_follow_up_condition())
    if filters.awaiting_referral:
        stmt = stmt.where(awaiting_referral_condition())
    return stmt


def case_page(user, filters: CaseFilters, *, sort="newest", after=None, per_page=25):
    """One page of a case list: keyset on the sort's key (no OFFSET, no COUNT)."""
    column, descending = SORTS.get(sort, SORTS["newest"])
    return keyset_page(
        db.session,
        filtered_cases(user, filters),
        key_column=column,
        after=after,
        per_page=per_page,
        descending=descending,
    )


def facility_workers(user):
    """Who can be chosen in the worker filter: the case-working staff of the user's facility."""
    return (
        sa.select(User)
        .where(own_facility(User.facility_id, user), users_with(Capability.TAKES_CASE_TASKS))
        .order_by(User.full_name, User.id)
    )


def case_page_options():
    """What the case page shows with the case: its client, worker and intake (the relationships load
    nothing by themselves)."""
    return joinedload(Case.client), joinedload(Case.assigned_worker), joinedload(Case.intake)


def case_for_page(user, case_id):
    """The case page's case, with its client, worker and intake, if the user's scope admits it."""
    return visible_cases(user).where(Case.id == case_id).options(*case_page_options())


def timeline(case_id):
    return (
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .options(joinedload(CaseEvent.actor))
        .order_by(CaseEvent.occurred_at, CaseEvent.id)
    )


def my_case_counts(user, now=None):
    """The home tiles' small aggregate (one query on the worker's index): open cases assigned to the
    user, those with an incomplete intake record, and how many of those are overdue."""
    now = now or utcnow()
    incomplete = Case.intake_incomplete.is_(True)
    row = db.session.execute(
        sa.select(
            sa.func.count(Case.id),
            sa.func.count(sa.case((incomplete, Case.id))),
            sa.func.count(sa.case((sa.and_(incomplete, Case.intake_due_at < now), Case.id))),
        ).where(case_scope(user), Case.assigned_worker_id == user.id, Case.status.in_(OPEN_STATUSES))
    ).one()
    return {"open": row[0], "intake_incomplete": row[1], "intake_overdue": row[2]}


def cases_of_client(user, client_id):
    return visible_cases(user).where(Case.client_id == client_id).order_by(Case.id.desc())


__all__ = [
    "visible_cases",
    "filtered_cases",
    "CaseFilters",
    "SORTS",
    "case_page",
    "facility_workers",
    "case_for_page",
    "timeline",
    "my_case_counts",
    "cases_of_client",
]
