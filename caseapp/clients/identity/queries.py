"""Reads of the identity requests: the supervisors' list, and the cases they may transfer."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...cases.models import Case
from ...cases.statuses import OPEN_STATUSES
from ...core.pagination import KeysetPage, keyset_page
from ...extensions import db
from ...security.scopes import case_scope, identity_match_scope
from .models import IdentityMatchRequest


def requests_page(user, *, after=None, per_page: int = 30) -> KeysetPage:
    """The requests about the clients of the user's facility, newest first, with their client, the other
    facility and who handled them."""
    stmt = (
        sa.select(IdentityMatchRequest)
        .where(identity_match_scope(user))
        .options(
            joinedload(IdentityMatchRequest.client),
            joinedload(IdentityMatchRequest.registered_facility),
            joinedload(IdentityMatchRequest.handled_by),
        )
    )
    return keyset_page(db.session, stmt, key_column=IdentityMatchRequest.id, after=after, per_page=per_page)


def request_in_scope(user, request_id: int) -> sa.Select:
    return sa.select(IdentityMatchRequest).where(IdentityMatchRequest.id == request_id, identity_match_scope(user))


def open_cases_of(user, client_ids) -> dict[int, list[Case]]:
    """{client: its open cases the user may open} — what a transfer to the other facility would move."""
    if not client_ids:
        return {}
    stmt = (
        sa.select(Case)
        .where(Case.client_id.in_(sorted(set(client_ids))), Case.status.in_(OPEN_STATUSES), case_scope(user))
        .order_by(Case.id)
    )
    out: dict[int, list[Case]] = {}
    for case in db.session.scalars(stmt):
        out.setdefault(case.client_id, []).append(case)
    return out
