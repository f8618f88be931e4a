"""The audit of reads of personal data: every page, form, file or export that shows who a client is
(name, code, citizen ID, phone, address) writes one audit row per request naming the client — never
the data itself, and never twice for the same client in one request (OWASP ASVS 5.0 V14.2.4
and V16.2.1; Nghị định 13/2023/NĐ-CP: the processing of personal data is logged).

Lookups by a number that identifies a person (citizen ID, phone) are audited too, with the fields
searched and how many of the user's own facility's clients they found — never the number itself."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from ..audit.services import record
from ..cases.models import Case
from ..core.sql import in_ids
from ..extensions import db

_AUDITED_IN_REQUEST = "caseapp.clients_read"  # request.environ: the clients already audited by this request


def audit_client_read(client: Any, *, by: Any, page: str | None = None, case: Any = None) -> None:
    """One `client_viewed` row for the client a page shows (`page`: the view's endpoint by default;
    `case`: the case whose page or form it is)."""
    if not _not_audited_yet([client.id]):
        return
    detail: dict[str, Any] = {"page": page or _endpoint()}
    if case is not None:
        detail["case_id"] = case.id
    record("client_viewed", by=by, entity=client, detail=detail)


def audit_clients_listed(client_ids: Iterable[int | None], *, by: Any, page: str | None = None) -> None:
    """One `clients_listed` row naming every client a list, board or export shows (nothing for an
    empty list)."""
    fresh = _not_audited_yet(client_ids)
    if fresh:
        record(
            "clients_listed", by=by, entity_type="clients", detail={"page": page or _endpoint(), "client_ids": fresh}
        )


def audit_cases_listed(case_ids: Iterable[int], *, by: Any, page: str | None = None) -> None:
    """audit_clients_listed for a list of cases (each row shows its client): their clients, read in one
    query."""
    case_ids = sorted(set(case_ids))
    if case_ids:
        client_ids = db.session.scalars(sa.select(Case.client_id).where(in_ids(Case.id, case_ids))).all()
        audit_clients_listed(sorted(set(client_ids)), by=by, page=page)


def audit_lookup(fields: Iterable[str], *, found: int, by: Any, page: str | None = None) -> None:
    """One `client_lookup` row for a search by citizen ID or phone: which fields, how many clients of
    the user's own facility it found (what the user was shown), and where."""
    detail = {"fields": sorted(set(fields)), "found": found, "page": page or _endpoint()}
    record("client_lookup", by=by, entity_type="clients", detail=detail)


def _not_audited_yet(client_ids: Iterable[int | None]) -> list[int]:
    ids = [i for i in dict.fromkeys(client_ids) if i is not None]
    if not has_request_context():
        return ids
    done: set[int] = request.environ.setdefault(_AUDITED_IN_REQUEST, set())
    fresh = [i for i in ids if i not in done]
    done.update(fresh)
    return fresh


def _endpoint() -> str | None:
    return request.endpoint if has_request_context() else None
