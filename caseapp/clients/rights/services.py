"""Writes of the data subject's rights: record a written request, close it, note that the data was given
(the anonymisation is anonymise.py). Each takes the acting user (`by=`), validates, audits in the same
transaction and flushes; the request (or the job) commits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from ...audit.services import record
from ...core import categories
from ...core.services import ServiceError
from ...core.text import nfc
from ...core.timeutil import local_today, utcnow
from ...extensions import db
from ..models import Client
from .models import (
    REPRESENTATIVE_RELATIONS,
    DataSubjectRequest,
    Requester,
    RequestKind,
    RequestOutcome,
)

if TYPE_CHECKING:  # for annotations only
    from ...auth.models import User

# How far back a written request may be dated: a request received before this is a typing error.
OLDEST_REQUEST = date(2023, 7, 1)  # Nghị định 13/2023/NĐ-CP took effect on 01/07/2023


# How a request is closed by hand: a correction is made on the client's edit form (with its reason) and
# then closed as corrected; an export is answered by the export itself, an erasure by the anonymisation.
# Any request may be refused, with the reason (e.g. the law requires the record to be kept).
CLOSING_OUTCOMES: dict[str, set[str]] = {
    RequestKind.EXPORT: {RequestOutcome.REFUSED},
    RequestKind.CORRECTION: {RequestOutcome.CORRECTED, RequestOutcome.REFUSED},
    RequestKind.ERASURE: {RequestOutcome.REFUSED},
}


def _text(value: str | None, field: str, max_length: int, required: str | None = None) -> str | None:
    value = (nfc(value) or "").strip()
    if required and not value:
        raise ServiceError(required, field=field)
    if len(value) > max_length:
        raise ServiceError(_("At most %(max)d characters.", max=max_length), field=field)
    return value or None


def record_request(
    client: Client,
    *,
    kind: str,
    requester: str,
    received_on: date | None,
    reference: str | None,
    by: User,
    representative_name: str | None = None,
    representative_relation: str | None = None,
    details: str | None = None,
) -> DataSubjectRequest:
    """Record a person's written request about their data — first, before anything is given or changed.
    A representative (a child's parent or guardian, a legal or authorised representative) is named with
    their relation to the person."""
    if kind not in set(RequestKind):
        raise ServiceError(_("Choose what the person asks for."), field="kind")
    if requester not in set(Requester):
        raise ServiceError(_("Say who made the request."), field="requester")
    if received_on is None or not OLDEST_REQUEST <= received_on <= local_today():
        raise ServiceError(_("The date received must be between 01/07/2023 and today."), field="received_on")
    reference = _text(reference, "reference", 64, _("Enter the reference of the written request."))
    name = relation = None
    if requester == Requester.REPRESENTATIVE:
        name = _text(representative_name, "representative_name", 128, _("Enter the representative's name."))
        relation = representative_relation
        if relation not in categories.codes(REPRESENTATIVE_RELATIONS):
            raise ServiceError(
                _("Choose the representative's relation to the person."), field="representative_relation"
            )
    request = DataSubjectRequest(
        client_id=client.id,
        facility_id=client.facility_id,
        kind=kind,
        requester=requester,
        representative_name=name,
        representative_relation=relation,
        received_on=received_on,
        reference=reference,
        details=_text(details, "details", 500),
        recorded_at=utcnow(),
        recorded_by_id=by.id,
    )
    db.session.add(request)
    db.session.flush()
    record(
        "data_request_recorded",
        by=by,
        entity=client,
        detail={"request_id": request.id, "kind": kind, "requester": requester, "relation": relation},
    )
    return request


def _ensure_open(request: DataSubjectRequest) -> None:
    if not request.is_open:
        raise ServiceError(_("This request was already handled."))


def close_request(request: DataSubjectRequest, *, outcome: str, note: str | None, by: User) -> DataSubjectRequest:
    """Close a request by hand with its outcome (CLOSING_OUTCOMES; a refusal with its reason). Final."""
    _ensure_open(request)
    if outcome not in CLOSING_OUTCOMES[request.kind]:
        raise ServiceError(_("Choose the outcome."), field="outcome")
    required = _("Give the reason for the refusal.") if outcome == RequestOutcome.REFUSED else None
    _finish(request, outcome, _text(note, "note", 500, required), by=by)
    return request


def _finish(request: DataSubjectRequest, outcome: str, note: str | None, *, by: User) -> None:
    request.outcome = outcome
    request.outcome_note = note
    request.handled_at = utcnow()
    request.handled_by_id = by.id
    record(
        "data_request_handled",
        by=by,
        entity_type="clients",
        entity_id=request.client_id,
        facility_id=request.facility_id,
        detail={"request_id": request.id, "kind": request.kind, "outcome": outcome},
    )
    db.session.flush()


def record_export(request: DataSubjectRequest, client: Client, *, file_format: str, by: User) -> None:
    """The person's data (`client`: the record the request is about, or the one it was merged into) was
    exported for their request (audited: which request, which format — never the
    data). The first export handles an export request ("data provided"); later ones are audited only."""
    if request.kind != RequestKind.EXPORT:
        raise ServiceError(_("Only a request for a copy of the data is answered with an export."))
    record(
        "client_data_exported",
        by=by,
        entity=client,
        detail={"request_id": request.id, "format": file_format},
    )
    if request.is_open:
        _finish(request, RequestOutcome.PROVIDED, None, by=by)


def finish_erasure(request: DataSubjectRequest | None, *, by: User) -> None:
    """Anonymising a client answers the erasure request it was made for."""
    if request is not None and request.is_open:
        _finish(request, RequestOutcome.ANONYMISED, None, by=by)


__all__ = [
    "record_request",
    "close_request",
    "record_export",
    "finish_erasure",
]
