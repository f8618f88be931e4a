"""Writes of the identity requests: telling the facility that holds a citizen ID that another facility
registered a client with it, and marking a request handled. Only flushes; audited in the same
transaction — under the holding facility, whose audit trail the registering facility does not read."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ...audit.services import record
from ...auth.models import User
from ...core.services import ServiceError
from ...core.sql import in_ids
from ...core.timeutil import utcnow
from ...extensions import db
from ...notifications.services import notify
from ...org.models import Facility
from ...security.scopes import identity_disclosable, identity_match_recipients
from ..models import Client
from .models import IdentityMatchRequest

NOTIFICATION = "identity_match"  # the notification's kind and text key (notifications.texts)


def tell_holders(client_ids: Iterable[int], *, by) -> list[IdentityMatchRequest]:
    """For each of these clients (just registered, or whose citizen ID was just set) whose citizen ID a
    client of another facility holds: a request to that facility, and a notification to each of its
    supervisors — unless either client may not be disclosed (security.scopes.identity_disclosable).
    A pair asked about before is not asked again. The user who registered the client is told nothing:
    the page and its message are the same whether a holder exists or not."""
    ids = sorted({i for i in client_ids if i})
    if not ids:
        return []
    pairs = _new_pairs(ids)
    requests = [
        IdentityMatchRequest(
            facility_id=holder_facility,
            client_id=holder,
            registered_client_id=registered,
            registered_facility_id=registered_facility,
        )
        for holder, holder_facility, registered, registered_facility in pairs
    ]
    db.session.add_all(requests)
    db.session.flush()
    for request in requests:
        record("identity_match_requested", by=by, entity=request, detail={"client_id": request.client_id})
    _notify_supervisors(requests)
    return requests


def _new_pairs(ids: list[int]) -> list[tuple[int, int, int, int]]:
    """(holder, its facility, registered client, its facility) of every disclosable pair not asked
    about before: one query on the citizen ID index, whatever is found."""
    registered = aliased(Client)
    asked = aliased(IdentityMatchRequest)
    stmt = (
        sa.select(Client.id, Client.facility_id, registered.id, registered.facility_id)
        .join(
            registered,
            sa.and_(registered.citizen_id == Client.citizen_id, registered.facility_id != Client.facility_id),
        )
        .where(
            in_ids(registered.id, ids),
            Client.merged_into_id.is_(None),
            identity_disclosable(Client),
            identity_disclosable(registered),
            ~sa.exists(
                sa.select(asked.id).where(asked.client_id == Client.id, asked.registered_client_id == registered.id)
            ),
        )
        .order_by(registered.id, Client.id)
    )
    return [
        (holder, held_at, registered_id, registered_at)
        for holder, held_at, registered_id, registered_at in db.session.execute(stmt)
    ]


def _notify_supervisors(requests: list[IdentityMatchRequest]) -> None:
    """ "A client with the same citizen ID was registered at <facility>": to each supervisor of the
    holding facility — the facility's name only, never a client's name or number."""
    if not requests:
        return
    facility_ids = {r.facility_id for r in requests} | {r.registered_facility_id for r in requests}
    names = {
        ident: name
        for ident, name in db.session.execute(
            sa.select(Facility.id, Facility.name).where(Facility.id.in_(facility_ids))
        )
    }
    for request in requests:
        for user_id in db.session.scalars(sa.select(User.id).where(identity_match_recipients(request.facility_id))):
            notify(
                user_id,
                NOTIFICATION,
                None,
                NOTIFICATION,
                unique_key=f"{NOTIFICATION}:{request.id}:{user_id}",
                params={"facility": names.get(request.registered_facility_id, "")},
            )


def mark_handled(request: IdentityMatchRequest, *, by) -> IdentityMatchRequest:
    """The supervisor contacted the other facility (or decided nothing is needed): the request leaves the
    list of open ones. Once only."""
    if request.handled_at is not None:
        raise ServiceError(_("This request was already marked as handled."))
    request.handled_at = utcnow()
    request.handled_by_id = getattr(by, "id", None)
    record("identity_match_handled", by=by, entity=request, detail={"client_id": request.client_id})
    db.session.flush()
    return request
