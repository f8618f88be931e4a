"""An import, step by step: the file is read into rows (stage), each row decided (evaluate: create,
link, update, unchanged, review, choose or refused, with the reasons), the user settles what only a
person may (a probable duplicate, a split commune), and the batch is committed as one audited unit
— or undone while none of its rows was edited since. Re-importing a file changes nothing: each row
finds what the earlier import wrote and is unchanged."""

import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...cases.models import Case
from ...clients import queries as client_queries
from ...clients.models import Client
from ...clients.services import create_clients
from ...core.legacy_text import detect
from ...core.services import ServiceError
from ...core.timeutil import local_today, utcnow
from ...extensions import db
from ...intake.models import Intake
from ...security.scopes import own_facility
from .. import queries as register_queries
from .. import services as register_services
from ..models import GroupMembership, MembershipVersion
from ..statuses import MembershipStatus
from . import columns, reader, rows, values
from .models import BatchStatus, ColumnMapping, ImportBatch, ImportRow, RowOutcome

MAX_BYTES = 30 * 1024 * 1024
CHUNK = 500  # rows read, decided and inserted together
SAMPLE_ROWS = 2000  # the rows whose text decides a legacy encoding
SYNC_ROWS = 2000  # a larger file is written by the scheduler, in chunks, with its progress shown
PROBABLE = 80  # the duplicate score (clients.queries.duplicate_candidates) that asks the user
WRITES = (RowOutcome.CREATE, RowOutcome.LINK, RowOutcome.UPDATE)


# --- stage: the file into rows ---------------------------------------------------------------------


def stage(stream: IO[bytes], filename: str, *, user) -> ImportBatch:
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ServiceError(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 30 MB: split it."), field="file")
    sheet = reader.open_sheet(io.BytesIO(data), filename)
    headers = [values.text(h) for h in sheet.headers]
    layout = columns.layout(headers)
    saved = db.session.scalar(
        sa.select(ColumnMapping).where(own_facility(ColumnMapping.facility_id, user), ColumnMapping.layout == layout)
    )
    batch = ImportBatch(
        facility_id=user.facility_id,
        created_by_id=user.id,
        filename=filename[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        mapping={
            "headers": headers,
            "layout": layout,
            "columns": saved.mapping if saved else columns.guess(headers),
            "saved": saved is not None,
        },
    )
    db.session.add(batch)
    db.session.flush()
    texts: list[str] = []
    pending: list[dict[str, Any]] = []
    for number, cells in sheet.rows:
        if all(c in (None, "") for c in cells):
            continue
        if len(texts) < SAMPLE_ROWS:
            texts.extend(c for c in cells if isinstance(c, str))
        pending.append({"batch_id": batch.id, "row_number": number, "cells": [_jsonable(c) for c in cells]})
        if len(pending) == CHUNK:
            _insert_rows(pending)
    _insert_rows(pending)
    batch.encoding = detect(texts)
    record("register_import_read", by=user, entity=batch, detail={"sha256": batch.sha256, "file": batch.filename})
    if not columns.missing(batch.mapping["columns"]):
        evaluate(batch, user=user)
    return batch


def _insert_rows(pending: list[dict[str, Any]]) -> None:
    """Rows inserted a chunk at a time, as one executemany: a 100,000-row file never becomes
    100,000 objects in the session."""
    if pending:
        db.session.execute(
            sa.insert(ImportRow),
            [{**row, "values": {}, "outcome": "new", "messages": [], "options": []} for row in pending],
        )
        pending.clear()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def set_mapping(batch: ImportBatch, mapping: dict[str, int], *, user) -> None:
    """The user's columns for this layout: kept for the next file of the same layout, then every row
    decided again."""
    _ensure_previewed(batch)
    lacking = columns.missing(mapping)
    if lacking:
        raise ServiceError(_("Match the required columns: %(names)s.", names=", ".join(c.header for c in lacking)))
    batch.mapping = {**batch.mapping, "columns": mapping, "saved": True}
    saved = db.session.scalar(
        sa.select(ColumnMapping).where(
            ColumnMapping.facility_id == batch.facility_id, ColumnMapping.layout == batch.mapping["layout"]
        )
    )
    if saved is None:
        saved = ColumnMapping(facility_id=batch.facility_id, layout=batch.mapping["layout"], mapping=mapping)
        db.session.add(saved)
    saved.mapping, saved.updated_at = mapping, utcnow()
    evaluate(batch, user=user)


# --- evaluate: what each row would do ---------------------------------------------------------------


def evaluate(batch: ImportBatch, *, user) -> None:
    """Every row read and decided, CHUNK rows at a time: the clients and memberships the chunk's
    citizen IDs name are read in two queries, and the chunk's decisions written in one flush."""
    mapping = {key: int(index) for key, index in batch.mapping["columns"].items()}
    province = user.facility.province_code
    seen_ids: dict[str, int] = {}
    last = 0
    with db.session.no_autoflush:
        while chunk := _next_rows(batch, after=last):
            reads = [rows.read(row.cells, mapping, batch.encoding, province) for row in chunk]
            known = _Known.of([read.client.get("citizen_id") for read in reads], user)
            for row, read, similar in zip(chunk, reads, _similar(reads, known, user), strict=True):
                _decide(row, read, seen_ids=seen_ids, known=known, similar=similar)
            db.session.flush()
            for row in chunk:
                db.session.expunge(row)
            last = chunk[-1].id
    _count(batch)


def _next_rows(batch: ImportBatch, *, after: int) -> list[ImportRow]:
    stmt = sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.id > after)
    return list(db.session.scalars(stmt.order_by(ImportRow.id).limit(CHUNK)))


@dataclass
class _Known:
    """What the register already holds for a chunk of rows: the clients of their citizen IDs (None
    for one the user may not see), and each client's open membership per group with its last version."""

    holders: dict[str, Client | None]
    memberships: dict[int, dict[str, tuple[GroupMembership, MembershipVersion]]]

    @classmethod
    def of(cls, citizen_ids: list[str | None], user) -> "_Known":
        wanted = sorted({c for c in citizen_ids if c})
        found = db.session.scalars(sa.select(Client).where(Client.citizen_id.in_(wanted))).all() if wanted else []
        visible = set(
            db.session.scalars(
                client_queries.visible_clients(user)
                .with_only_columns(Client.id)
                .where(Client.id.in_([c.id for c in found]))
            )
        )
        holders = {c.citizen_id: (c if c.id in visible else None) for c in found if c.citizen_id}
        return cls(holders=holders, memberships=_open_memberships_of([c.id for c in found if c.id in visible]))

    def open_membership(self, client_id: int, group: str | None) -> tuple[GroupMembership, MembershipVersion] | None:
        if client_id not in self.memberships:
            self.memberships.update(_open_memberships_of([client_id]))
        return self.memberships.get(client_id, {}).get(group or "")


def _open_memberships_of(client_ids: list[int]) -> dict[int, dict[str, tuple[GroupMembership, MembershipVersion]]]:
    """{client: {group: (membership, its last version)}} of the memberships not ended."""
    out: dict[int, dict[str, tuple[GroupMembership, MembershipVersion]]] = {client_id: {} for client_id in client_ids}
    if not client_ids:
        return out
    memberships = {
        m.id: m for m in db.session.scalars(sa.select(GroupMembership).where(GroupMembership.client_id.in_(client_ids)))
    }
    last: dict[int, MembershipVersion] = {}
    for version in db.session.scalars(register_queries.versions_of(memberships)):
        last[version.membership_id] = version  # ordered by effective date, then id: the last wins
    for membership_id, version in last.items():
        if version.status != MembershipStatus.ENDED:
            membership = memberships[membership_id]
            out[membership.client_id].setdefault(membership.group_code, (membership, version))
    return out


def _decide(row: ImportRow, read: rows.ReadRow, *, seen_ids: dict[str, int], known: _Known, similar: list) -> None:
    """The row's outcome; `similar`: the duplicate search's candidates for it (clients_queries.rank)."""
    row.values = {"client": _plain(read.client), "group": read.group, "membership": _plain(read.membership)}
    row.messages, row.options, row.client_id, row.choice = read.errors, [], None, None
    if read.errors:
        row.outcome = RowOutcome.REFUSED
        return
    citizen_id = read.client.get("citizen_id")
    client, refusal = _existing_client(read, known, similar)
    if refusal:
        row.outcome, row.messages = RowOutcome.REFUSED, [["citizen_id", refusal]]
        return
    if client is None and citizen_id in seen_ids:
        row.outcome = RowOutcome.LINK  # the same person on another row of the file (another group)
        row.messages = [["citizen_id", _("Same citizen ID as row %(row)s.", row=seen_ids[citizen_id])]]
    elif client is None:
        row.outcome = _new_or_probable(row, read, similar)
    else:
        row.client_id = client.id
        row.outcome = _against_membership(known.open_membership(client.id, read.group), read)
    if citizen_id:
        seen_ids.setdefault(citizen_id, row.row_number)
    if read.place.options and row.outcome in WRITES:
        row.outcome = RowOutcome.CHOOSE
        row.options = [[code, name] for code, name in read.place.options]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _jsonable(value) for key, value in data.items()}


def _needs_search(read: rows.ReadRow, known: _Known) -> bool:
    """A row whose person the register may hold without knowing it: not refused, and no client has
    its citizen ID."""
    return not read.errors and read.client.get("citizen_id") not in known.holders


def _similar(reads: list[rows.ReadRow], known: _Known, user) -> list[list[Any]]:
    """Each row's duplicate candidates, searched for the whole chunk in one query."""
    searched = [read for read in reads if _needs_search(read, known)]
    people = [
        client_queries.Identity(
            full_name=read.client.get("full_name"),
            birth_year=read.client.get("birth_year"),
            phone=read.client.get("phone"),
            commune_code=read.client.get("commune_code"),
        )
        for read in searched
    ]
    found = iter(client_queries.duplicates_of_many(user, people, limit=3))
    return [next(found) if _needs_search(read, known) else [] for read in reads]


def _existing_client(read: rows.ReadRow, known: _Known, similar: list) -> tuple[Client | None, str | None]:
    """The client the row is already (same citizen ID, or — without one — the same name spelt the
    same, birth year and commune), or a refusal when the citizen ID belongs to a client the user may
    not see."""
    citizen_id = read.client.get("citizen_id")
    if citizen_id:
        if citizen_id not in known.holders:
            return None, None
        holder = known.holders[citizen_id]
        if holder is None:
            return None, _("This citizen ID belongs to a client of another facility.")
        return holder, None
    name = (read.client.get("full_name") or "").casefold()  # the same spelling, tones included
    same = [
        c.client
        for c in similar
        if (c.client.full_name or "").casefold() == name
        and c.client.birth_year == read.client.get("birth_year")
        and c.client.commune_code == read.client.get("commune_code")
    ]
    return (same[0] if len(same) == 1 else None), None


def _new_or_probable(row: ImportRow, read: rows.ReadRow, similar: list) -> str:
    citizen_id = read.client.get("citizen_id")
    # a client holding another citizen ID is another person
    probable = [
        c for c in similar if c.score >= PROBABLE and not (citizen_id and c.client.citizen_id not in (None, citizen_id))
    ]
    if not probable:
        return RowOutcome.CREATE
    row.options = [[c.client.id, c.client.display_name, "; ".join(str(r) for r in c.reasons)] for c in probable]
    return RowOutcome.REVIEW


def _against_membership(current: tuple[GroupMembership, MembershipVersion] | None, read: rows.ReadRow) -> str:
    if current is None:
        return RowOutcome.LINK
    return RowOutcome.UNCHANGED if rows.same_version(read.membership, current[1]) else RowOutcome.UPDATE


def _count(batch: ImportBatch) -> None:
    counted = Counter(db.session.scalars(sa.select(ImportRow.outcome).where(ImportRow.batch_id == batch.id)))
    batch.counts = dict(counted)
    batch.rows_total = sum(counted.values())


# --- the user's decisions -----------------------------------------------------------------------------


def settle(batch: ImportBatch, row_id: int, choice: str, *, user) -> None:
    """A person's decision on a row: for a probable duplicate "new" or one of the clients offered;
    for a split commune one of the communes offered."""
    _ensure_previewed(batch)
    row = db.session.get(ImportRow, row_id)
    if row is None or row.batch_id != batch.id or row.outcome not in (RowOutcome.REVIEW, RowOutcome.CHOOSE):
        raise ServiceError(_("This row asks for no decision."))
    offered = {str(option[0]) for option in row.options} | ({"new"} if row.outcome == RowOutcome.REVIEW else set())
    if choice not in offered:
        raise ServiceError(_("Choose one of the options offered."))
    row.choice = choice
    record("register_import_row_settled", by=user, entity=batch, detail={"row": row.row_number, "kind": row.outcome})


# --- commit and undo ----------------------------------------------------------------------------------


def ready(batch: ImportBatch) -> bool:
    """Every row that asks for a decision has one."""
    return not db.session.scalar(
        sa.select(sa.func.count()).where(
            ImportRow.batch_id == batch.id,
            ImportRow.outcome.in_([RowOutcome.REVIEW, RowOutcome.CHOOSE]),
            ImportRow.choice.is_(None),
        )
    )


def commit(batch: ImportBatch, *, user) -> None:
    """Write every row that writes, as the user, with the batch as the versions' source: at once for
    a file of up to SYNC_ROWS rows, else queued for the scheduler (jobs.run_import_jobs), whose
    progress the batch's page shows."""
    _ensure_previewed(batch)
    if not ready(batch):
        raise ServiceError(_("Decide the rows marked “to decide” first."))
    batch.committed_by_id = user.id
    if batch.rows_total > SYNC_ROWS:
        batch.status = BatchStatus.QUEUED
        record("register_import_queued", by=user, entity=batch, detail={"rows": batch.rows_total})
        return
    write_rows(batch, user=user)
    finish(batch, user=user)


def write_rows(batch: ImportBatch, *, user, limit: int | None = None) -> int:
    """Write the batch's next rows (from rows_done; `limit` of them, or all): how many were done."""
    stmt = sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.id).offset(batch.rows_done)
    chunk = db.session.scalars(stmt.limit(limit) if limit else stmt).all()
    writing = [row for row in chunk if row.outcome in WRITES or row.choice]
    # No flush before each query: the writes flush what a later row reads (a client, a membership).
    with db.session.no_autoflush:
        _create_clients(batch, [row for row in writing if _new_client(row)], user=user)
        for row in writing:
            if not row.created_client:
                _write(batch, row, user=user)
    batch.rows_done += len(chunk)
    db.session.flush()
    return len(chunk)


def _new_client(row: ImportRow) -> bool:
    """Does the row make a new client (no existing one found, named or chosen)?"""
    if row.client_id:
        return False
    if row.outcome == RowOutcome.REVIEW:
        return row.choice == "new"
    return row.outcome in (RowOutcome.CREATE, RowOutcome.CHOOSE)


def _create_clients(batch: ImportBatch, new: list[ImportRow], *, user) -> None:
    """The rows' new clients and their first memberships, a few statements for all of them."""
    records = [_client_data(row) for row in new]
    client_ids = create_clients(records, facility=user.facility, by=user, kind="imported")
    items = [
        (client_id, row.values["group"], _dated(row.values["membership"]))
        for client_id, row in zip(client_ids, new, strict=True)
    ]
    started = register_services.start_memberships(items, by=user, source_batch_id=batch.id)
    for row, client_id, (membership_id, version_id) in zip(new, client_ids, started, strict=True):
        row.client_id, row.created_client, row.membership_id, row.version_id = (
            client_id,
            True,
            membership_id,
            version_id,
        )


def _client_data(row: ImportRow) -> dict[str, Any]:
    data = dict(row.values["client"])
    if row.outcome == RowOutcome.CHOOSE:
        data["commune_code"] = row.choice
    return _dated(data)


def finish(batch: ImportBatch, *, user) -> None:
    batch.status, batch.committed_at = BatchStatus.COMMITTED, utcnow()
    record(
        "register_import_committed",
        by=user,
        entity=batch,
        detail={"sha256": batch.sha256, "counts": batch.counts, "file": batch.filename},
    )


def _write(batch, row, *, user) -> None:
    """A row of an existing client (found, chosen, or made by an earlier row with its citizen ID)."""
    data = row.values
    client = _client_of(row, data["client"].get("citizen_id"))
    if client is None:
        raise ServiceError(_("A client of this import is missing: read the file again."))
    row.client_id = client.id
    membership_data = _dated(data["membership"])
    membership = register_services.open_membership(client.id, data["group"])
    if membership is None:
        membership, version = register_services.start_membership(client, data["group"], membership_data, by=user)
    else:
        latest = register_services.latest_version(membership.id)
        if rows.same_version(membership_data, latest):
            return
        membership_data["effective_from"] = max(membership_data["effective_from"], local_today())
        version = register_services.change_membership(membership, membership_data, by=user, seen_version_id=latest.id)
    version.source_batch_id = batch.id
    row.membership_id, row.version_id = membership.id, version.id


def _client_of(row: ImportRow, citizen_id: str | None) -> Client | None:
    """The existing client a row writes to: found at the preview, chosen by the user, or created by
    an earlier row of the batch with the same citizen ID."""
    chosen = int(row.choice) if row.outcome == RowOutcome.REVIEW and row.choice not in (None, "new") else None
    client_id = row.client_id or chosen
    if client_id:
        return db.session.get(Client, client_id)
    if citizen_id and row.outcome == RowOutcome.LINK:  # "same citizen ID as row N": made by that row
        return db.session.scalar(sa.select(Client).where(Client.citizen_id == citizen_id))
    return None


def _dated(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON-stored values back as dates and numbers."""
    out = dict(data)
    for key in ("birth_date", "effective_from", "decision_date", "certificate_date"):
        if isinstance(out.get(key), str):
            out[key] = date.fromisoformat(out[key])
    if isinstance(out.get("allowance_coefficient"), str):
        out["allowance_coefficient"] = Decimal(out["allowance_coefficient"])
    return out


def undoable(batch: ImportBatch) -> bool:
    """Committed, and none of its memberships changed since (no later version than the batch's)."""
    if batch.status != BatchStatus.COMMITTED:
        return False
    later = (
        sa.select(MembershipVersion.id)
        .join(ImportRow, ImportRow.membership_id == MembershipVersion.membership_id)
        .where(ImportRow.batch_id == batch.id, MembershipVersion.id > ImportRow.version_id)
        .limit(1)
    )
    return db.session.scalar(later) is None


def undo(batch: ImportBatch, *, user) -> None:
    """Remove what the batch wrote: its versions, the memberships it began, the clients it created
    that hold nothing else."""
    if not undoable(batch):
        raise ServiceError(_("This import cannot be undone: its rows were changed since, or it is not committed."))
    written = db.session.scalars(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.version_id.is_not(None))
    ).all()
    for row in written:
        db.session.execute(sa.delete(MembershipVersion).where(MembershipVersion.id == row.version_id))
        remaining = db.session.scalar(
            sa.select(sa.func.count()).where(MembershipVersion.membership_id == row.membership_id)
        )
        if not remaining:
            db.session.execute(sa.delete(GroupMembership).where(GroupMembership.id == row.membership_id))
    for row in written:
        if row.created_client and row.client_id and not _holds_anything_else(row.client_id):
            db.session.execute(sa.delete(Client).where(Client.id == row.client_id))
    batch.status, batch.undone_at = BatchStatus.UNDONE, utcnow()
    record("register_import_undone", by=user, entity=batch, detail={"sha256": batch.sha256})


def _holds_anything_else(client_id: int) -> bool:
    for model in (GroupMembership, Case, Intake):
        if db.session.scalar(sa.select(sa.func.count()).where(model.client_id == client_id)):
            return True
    return False


def _ensure_previewed(batch: ImportBatch) -> None:
    if batch.status != BatchStatus.PREVIEWED:
        raise ServiceError(_("This import was already committed or undone."))
