"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the identity requests
(caseapp/clients/identity/views.py): a request to the acting user's facility — a client of it holds a
citizen ID another facility registered since — one to another facility, or none."""

from itertools import count

import sqlalchemy as sa

from caseapp.clients.identity.models import IdentityMatchRequest
from caseapp.clients.services import create_client
from caseapp.extensions import db

_numbers = count(1)


def _request(world, which):
    """A client of the facility (`own`: the acting user's) holding a citizen ID, then registered with
    the same number at the other facility: the request goes to the first."""
    holder_facility, other = (world.facility, world.other_facility)
    if which == "other":
        holder_facility, other = other, holder_facility
    citizen_id = f"0793{next(_numbers):08d}"
    holder = create_client({"full_name": "Lê Văn Trùng", "citizen_id": citizen_id}, facility=holder_facility, by=None)
    create_client({"full_name": "Lê Văn Trùng", "citizen_id": citizen_id}, facility=other, by=None)
    request_id = db.session.scalar(
        sa.select(IdentityMatchRequest.id).where(IdentityMatchRequest.client_id == holder.id)
    )
    return {"request_id": request_id}


def targets(Target, no_record):
    return {
        "clients.identity_match_handled": Target(
            own=lambda w: _request(w, "own"),
            other=lambda w: _request(w, "other"),
            missing=lambda w: {"request_id": no_record},
        ),
    }
