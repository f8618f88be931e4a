"""Reads of the data subject's rights. The views load the client first in data_subject_scope
(security.scopes): these read what belongs to that client."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...cases.models import Case
from ...extensions import db
from .models import ClientAnonymisation, DataSubjectRequest, RequestKind, RetentionNotice


def requests_of(client_ids: list[int]) -> sa.Select[tuple[DataSubjectRequest]]:
    """The requests about a client (and the records merged into it), newest first."""
    return (
        sa.select(DataSubjectRequest)
        .where(DataSubjectRequest.client_id.in_(client_ids))
        .order_by(DataSubjectRequest.id.desc())
        .options(joinedload(DataSubjectRequest.recorded_by), joinedload(DataSubjectRequest.handled_by))
    )


def request_of(client_ids: list[int], request_id: int) -> DataSubjectRequest | None:
    """One request, only if it is about that client (or a record merged into it), with who recorded and
    who handled it (its page names them)."""
    return db.session.scalar(
        sa.select(DataSubjectRequest)
        .where(DataSubjectRequest.id == request_id, DataSubjectRequest.client_id.in_(client_ids))
        .options(joinedload(DataSubjectRequest.recorded_by), joinedload(DataSubjectRequest.handled_by))
    )


def open_erasure_request(client_id: int) -> DataSubjectRequest | None:
    """The client's oldest erasure request not handled yet, if any."""
    return db.session.scalar(
        sa.select(DataSubjectRequest)
        .where(
            DataSubjectRequest.client_id == client_id,
            DataSubjectRequest.kind == RequestKind.ERASURE,
            DataSubjectRequest.outcome.is_(None),
        )
        .order_by(DataSubjectRequest.id)
        .limit(1)
    )


def anonymisation_of(client_id: int) -> ClientAnonymisation | None:
    return db.session.scalar(
        sa.select(ClientAnonymisation)
        .where(ClientAnonymisation.client_id == client_id)
        .options(joinedload(ClientAnonymisation.anonymised_by))
    )


def notices_of(client_ids: list[int]) -> dict[int, object]:
    """{client id: when the supervisors were asked} of those clients."""
    if not client_ids:
        return {}
    rows = db.session.execute(
        sa.select(RetentionNotice.client_id, RetentionNotice.notified_at).where(
            RetentionNotice.client_id.in_(client_ids)
        )
    )
    return dict(rows.tuples().all())


def last_closed(client_ids: list[int]) -> dict[int, object]:
    """{client id: when their last case closed} of those clients."""
    if not client_ids:
        return {}
    rows = db.session.execute(
        sa.select(Case.client_id, sa.func.max(Case.closed_at))
        .where(Case.client_id.in_(client_ids))
        .group_by(Case.client_id)
    )
    return dict(rows.tuples().all())
