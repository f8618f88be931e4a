"""An import, step by step: the file is read into rows (stage), each row decided (evaluate: create,
link, update, unchanged, review, choose or refused, with the reasons), the user settles what only a
person may (a probable duplicate, a split commune), and the batch is committed as one audited unit
— or undone while none of its rows was edited since. Re-importing a file changes nothing: each row
finds what the earlier import wrote and is unchanged.

The steps are the same for every kind of list (kinds: the batch's kind says whose columns, decisions,
writes and undo apply); the beneficiary register's are here, the workforce register's in
workforce.imports."""

import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer

from ...audit.services import record
from ...cases.models import Case
from ...clients import queries as client_queries
from ...clients.models import Client
from ...clients.reads import audit_lookup
from ...clients.services import create_clients
from ...core import categories
from ...core.legacy_text import detect
from ...core.services import ServiceError
from ...core.sql import in_ids, update_many
from ...core.timeutil import local_today, utcnow
from ...extensions import db
from ...intake.models import Intake
from ...security.scopes import own_facility
from .. import queries as register_queries
from .. import services as register_services
from ..models import GroupMembership, MembershipVersion
from ..statuses import MembershipStatus
from . import columns, files, kinds, reader, rows, values
from .models import BatchStatus, ColumnMapping, ImportBatch, ImportRow, RowOutcome

MAX_BYTES = 30 * 1024 * 1024
CHUNK = 500  # rows read, decided and inserted together
SAMPLE_ROWS = 2000  # the rows whose text decides a legacy encoding
SYNC_ROWS = 2000  # a larger file is written by the scheduler, in chunks, with its progress shown
PROBABLE = 80  # the duplicate score (clients.queries.probable_duplicates) that asks the user
T = TypeVar("T")
WRITES = (RowOutcome.CREATE, RowOutcome.LINK, RowOutcome.UPDATE)


# --- stage: the file into rows ---------------------------------------------------------------------


def stage(stream: IO[bytes], filename: str, *, user, kind: str = kinds.BENEFICIARIES) -> ImportBatch:
    """The file read into a batch of `kind` (kinds.PAGES), each row decided when its columns are known."""
    list_kind = kinds.get(kind)
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ServiceError(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 30 MB: split it."), field="file")
    sheet = reader.open_sheet(io.BytesIO(data), filename)
    headers = [values.text(h) for h in sheet.headers]
    # a layout remembered per kind of list: the same headers may mean other columns in another list
    layout = columns.layout(headers if kind == kinds.BENEFICIARIES else [kind, *headers])
    saved = db.session.scalar(
        sa.select(ColumnMapping).where(own_facility(ColumnMapping.facility_id, user), ColumnMapping.layout == layout)
    )
    batch = ImportBatch(
        facility_id=user.facility_id,
        created_by_id=user.id,
        kind=kind,
        filename=filename[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        mapping={
            "headers": headers,
            "layout": layout,
            "columns": saved.mapping if saved else list_kind.columns.guess(headers),
            "saved": saved is not None,
        },
    )
    db.session.add(batch)
    db.session.flush()
    filled = ((number, cells) for number, cells in sheet.rows if any(c not in (None, "") for c in cells))
    head = list(itertools.islice(filled, SAMPLE_ROWS))
    batch.encoding = detect([c for _number, cells in head for c in cells if isinstance(c, str)])
    # With the columns known, each chunk is decided as it is read and stored once, decided.
    evaluation = None if list_kind.columns.missing(batch.mapping["columns"]) else list_kind.evaluation(batch, user)
    for chunk in _chunks(itertools.chain(head, filled), CHUNK):
        read = [StagedRow(row_number=number, cells=[_jsonable(c) for c in cells]) for number, cells in chunk]
        if evaluation:
            evaluation.decide(read)
        _store(batch, read)
    if evaluation:
        _count(batch)
        evaluation.audit_lookup()
    record("register_import_read", by=user, entity=batch, detail={"sha256": batch.sha256, "file": batch.filename})
    return batch


def _store(batch: ImportBatch, read: list["StagedRow"]) -> None:
    """The chunk's rows in one executemany, never objects of the session."""
    db.session.execute(
        sa.insert(ImportRow).execution_options(render_nulls=True),
        [{"batch_id": batch.id, "row_number": r.row_number, **r.stored()} for r in read],
    )


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _jsonable(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def set_mapping(batch: ImportBatch, mapping: dict[str, int], *, user) -> None:
    """The user's columns for this layout: kept for the next file of the same layout, then every row
    decided again."""
    _ensure_previewed(batch)
    lacking = kinds.of(batch).columns.missing(mapping)
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


@dataclass
class StagedRow:
    """A row being decided: its cells as stored (JSON values), and the decision."""

    row_number: int
    cells: list[Any]
    id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    outcome: str = "new"
    messages: list[Any] = field(default_factory=list)
    options: list[Any] = field(default_factory=list)
    client_id: int | None = None
    choice: str | None = None
    member_id: int | None = None  # a workforce list: the person of the register the row is

    def stored(self) -> dict[str, Any]:
        return {
            "cells": self.cells,
            "values": self.values,
            "outcome": self.outcome,
            "messages": self.messages,
            "options": self.options,
            "client_id": self.client_id,
            "choice": self.choice,
            "member_id": self.member_id,
            "created_client": False,
        }


class _Evaluation:
    """Rows decided a chunk at a time: the clients and memberships a chunk's citizen IDs name are read
    in a few queries, and the duplicates of its new people searched in one."""

    def __init__(self, batch: ImportBatch, user) -> None:
        mapping = {key: int(index) for key, index in batch.mapping["columns"].items()}
        self.reader = rows.RowReader(mapping, batch.encoding, user.facility.province_code)
        self.user = user
        self.seen_ids: dict[str, int] = {}
        self._duplicates: client_queries.DuplicateIndex | None = None
        self.found = 0  # rows matched to clients of the facility (same citizen ID, or probable duplicates)

    @property
    def duplicates(self) -> client_queries.DuplicateIndex:
        """Read when a row first needs a duplicate search (none does in a file imported again)."""
        if self._duplicates is None:
            self._duplicates = client_queries.DuplicateIndex(self.user, floor=PROBABLE)
        return self._duplicates

    def decide(self, chunk: list[StagedRow]) -> None:
        reads = [self.reader.read(row.cells) for row in chunk]
        with db.session.no_autoflush:
            known = _Known.of([read.client.get("citizen_id") for read in reads], self.user)
            for row, read, similar in zip(chunk, reads, self._similar(reads, known), strict=True):
                _decide(row, read, seen_ids=self.seen_ids, known=known, similar=similar)
        self.found += sum(1 for row in chunk if row.client_id or row.outcome == RowOutcome.REVIEW)

    def audit_lookup(self) -> None:
        """The rows were looked up by citizen ID and phone among the facility's clients: audited once."""
        audit_lookup(("citizen_id", "phone"), found=self.found, by=self.user, page="register.batch")

    def _similar(self, reads: list[rows.ReadRow], known: "_Known") -> list[list[Any]]:
        """Each row's probable duplicates (none for a row that needs no search)."""
        searched = [read for read in reads if _needs_search(read, known)]
        people = [
            client_queries.Identity(
                full_name=read.client.get("full_name"),
                birth_year=read.client.get("birth_year"),
                citizen_id=read.client.get("citizen_id"),
                phone=read.client.get("phone"),
                commune_code=read.client.get("commune_code"),
            )
            for read in searched
        ]
        found = iter(
            client_queries.probable_duplicates(
                self.user,
                people,
                limit=3,
                floor=PROBABLE,
                index=self.duplicates,
                other_citizen_id_is_another_person=True,
            )
            if people
            else []
        )
        return [next(found) if _needs_search(read, known) else [] for read in reads]


def evaluate(batch: ImportBatch, *, user) -> None:
    """Every stored row decided again (a new mapping of the columns), CHUNK rows at a time, each
    chunk's decisions written in one statement."""
    evaluation = kinds.of(batch).evaluation(batch, user)
    last = 0
    while chunk := _stored_rows(batch, after=last):
        evaluation.decide(chunk)
        db.session.execute(sa.update(ImportRow), [{"id": row.id, **row.stored()} for row in chunk])
        last = chunk[-1].id or 0
    _count(batch)
    evaluation.audit_lookup()


def _stored_rows(batch: ImportBatch, *, after: int) -> list[StagedRow]:
    stmt = (
        sa.select(ImportRow.id, ImportRow.row_number, ImportRow.cells)
        .where(ImportRow.batch_id == batch.id, ImportRow.id > after)
        .order_by(ImportRow.id)
        .limit(CHUNK)
    )
    return [StagedRow(id=id_, row_number=number, cells=cells) for id_, number, cells in db.session.execute(stmt)]


@dataclass
class _Known:
    """What the facility's register already holds for a chunk of rows: the client id of each citizen ID
    held by a client of the user's facility (None for one the user may not see) — never another
    facility's: a number held there is a new client here, and that facility is told (clients.identity)
    — and each client's last version per group of the memberships not ended, read as plain rows, a
    re-imported file being mostly people already held."""

    holders: dict[str, int | None]
    open_versions: dict[int, dict[str, Any]]

    @classmethod
    def of(cls, citizen_ids: list[str | None], user) -> "_Known":
        wanted = sorted({c for c in citizen_ids if c})
        if not wanted:
            return cls(holders={}, open_versions={})
        holding = sa.select(Client.citizen_id, Client.id).where(
            in_ids(Client.citizen_id, wanted, of=sa.String), own_facility(Client.facility_id, user)
        )
        found: dict[str, int] = {citizen_id: id_ for citizen_id, id_ in db.session.execute(holding) if citizen_id}
        visible = set(
            db.session.scalars(
                client_queries.visible_clients(user)
                .with_only_columns(Client.id)
                .where(in_ids(Client.id, found.values()))
            )
        )
        holders = {citizen_id: (id_ if id_ in visible else None) for citizen_id, id_ in found.items()}
        return cls(holders=holders, open_versions=_open_versions_of(sorted(visible)))

    def open_version(self, client_id: int, group: str | None) -> Any:
        """The last version of the client's membership of the group not ended, if any."""
        if client_id not in self.open_versions:
            self.open_versions.update(_open_versions_of([client_id]))
        return self.open_versions.get(client_id, {}).get(group or "")


def _open_versions_of(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{client: {group: the last version}} of the memberships not ended."""
    out: dict[int, dict[str, Any]] = {client_id: {} for client_id in client_ids}
    last: dict[int, Any] = {}
    for version in db.session.execute(register_queries.versions_of_clients(client_ids)) if client_ids else ():
        last[version.membership_id] = version  # ordered by effective date, then id: the last wins
    for version in last.values():
        if version.status != MembershipStatus.ENDED:
            out[version.client_id].setdefault(version.group_code, version)
    return out


def _decide(row: StagedRow, read: rows.ReadRow, *, seen_ids: dict[str, int], known: _Known, similar: list) -> None:
    """The row's outcome; `similar`: its probable duplicates (clients.queries.probable_duplicates)."""
    row.values = {"client": _plain(read.client), "group": read.group, "membership": _plain(read.membership)}
    row.messages, row.options, row.client_id, row.choice = read.errors, [], None, None
    if read.errors:
        row.outcome = RowOutcome.REFUSED
        return
    citizen_id = read.client.get("citizen_id")
    client_id, refusal = _existing_client(read, known, similar)
    if refusal:
        row.outcome, row.messages = RowOutcome.REFUSED, [["citizen_id", refusal]]
        return
    if client_id is None and citizen_id in seen_ids:
        row.outcome = RowOutcome.LINK  # the same person on another row of the file (another group)
        row.messages = [["citizen_id", _("Same citizen ID as row %(row)s.", row=seen_ids[citizen_id])]]
    elif client_id is None:
        row.outcome = _new_or_probable(row, similar)
    else:
        row.client_id = client_id
        row.outcome = _against_membership(known.open_version(client_id, read.group), read)
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


def _existing_client(read: rows.ReadRow, known: _Known, similar: list) -> tuple[int | None, str | None]:
    """The client (id) the row is already (same citizen ID, or — without one — the same name spelt the
    same, birth year and commune), or a refusal when the citizen ID belongs to a client of the facility
    the user may not see (a sealed one)."""
    citizen_id = read.client.get("citizen_id")
    if citizen_id:
        if citizen_id not in known.holders:
            return None, None
        holder = known.holders[citizen_id]
        if holder is None:
            return None, _("Another client already has this citizen ID.")
        return holder, None
    name = (read.client.get("full_name") or "").casefold()  # the same spelling, tones included
    same = [
        c.client.id
        for c in similar
        if (c.client.full_name or "").casefold() == name
        and c.client.birth_year == read.client.get("birth_year")
        and c.client.commune_code == read.client.get("commune_code")
    ]
    return (same[0] if len(same) == 1 else None), None


def _new_or_probable(row: StagedRow, similar: list) -> str:
    if not similar:
        return RowOutcome.CREATE
    row.options = [[c.client.id, c.client.display_name, "; ".join(str(r) for r in c.reasons)] for c in similar]
    return RowOutcome.REVIEW


def _against_membership(current: Any, read: rows.ReadRow) -> str:
    """LINK (no open membership of the group), UNCHANGED or UPDATE against its last version."""
    if current is None:
        return RowOutcome.LINK
    return RowOutcome.UNCHANGED if rows.same_version(read.membership, current) else RowOutcome.UPDATE


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
    """Write the batch's next rows (after last_row_id; `limit` of them, or all): how many were done."""
    stmt = (
        sa.select(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.id > (batch.last_row_id or 0))
        .options(defer(ImportRow.cells), defer(ImportRow.messages))  # the file's cells: not needed to write
    )
    chunk = db.session.scalars(stmt.order_by(ImportRow.id).limit(limit) if limit else stmt.order_by(ImportRow.id)).all()
    kinds.of(batch).write(batch, list(chunk), user)
    batch.rows_done += len(chunk)
    if chunk:
        batch.last_row_id = chunk[-1].id
    db.session.flush()
    return len(chunk)


def _write_beneficiaries(batch: ImportBatch, chunk: list[ImportRow], user) -> None:
    """The chunk's rows that write: new clients together, then each row of an existing client."""
    writing = [row for row in chunk if row.outcome in WRITES or row.choice]
    new = [row for row in writing if _new_client(row)]
    created = {row.id for row in new}
    # No flush before each query: the writes flush what a later row reads (a client, a membership).
    with db.session.no_autoflush:
        _create_clients(batch, new, user=user)
        for row in writing:
            if row.id not in created:
                _write(batch, row, user=user)


def _new_client(row: ImportRow) -> bool:
    """Does the row make a new client (no existing one found, named or chosen)?"""
    if row.client_id:
        return False
    if row.outcome == RowOutcome.REVIEW:
        return row.choice == "new"
    return row.outcome in (RowOutcome.CREATE, RowOutcome.CHOOSE)


def _create_clients(batch: ImportBatch, new: list[ImportRow], *, user) -> None:
    """The rows' new clients and their first memberships, a few statements for all of them; the rows
    marked in one statement, not an UPDATE each."""
    if not new:
        return
    records = [_client_data(row) for row in new]
    client_ids = create_clients(records, facility=user.facility, by=user, kind="imported")
    items = [
        (client_id, row.values["group"], _dated(row.values["membership"]))
        for client_id, row in zip(client_ids, new, strict=True)
    ]
    started = register_services.start_memberships(items, by=user, source_batch_id=batch.id)
    marks = [
        {"id": row.id, "client_id": client_id, "created_client": True, "membership_id": m, "version_id": v}
        for row, client_id, (m, v) in zip(new, client_ids, started, strict=True)
    ]
    update_many(ImportRow, marks)
    for row in new:
        db.session.expunge(row)  # written above: the session's copy is out of date


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
        detail={"sha256": batch.sha256, "counts": batch.counts, "file": batch.filename, "kind": batch.kind},
    )


def _write(batch, row, *, user) -> None:
    """A row of an existing client (found, chosen, or made by an earlier row with its citizen ID)."""
    data = row.values
    client = _client_of(row, data["client"].get("citizen_id"), facility_id=batch.facility_id)
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


def _client_of(row: ImportRow, citizen_id: str | None, *, facility_id: int) -> Client | None:
    """The existing client a row writes to: found at the preview, chosen by the user, or created by
    an earlier row of the batch with the same citizen ID."""
    chosen = int(row.choice) if row.outcome == RowOutcome.REVIEW and row.choice not in (None, "new") else None
    client_id = row.client_id or chosen
    if client_id:
        return db.session.get(Client, client_id)
    if citizen_id and row.outcome == RowOutcome.LINK:  # "same citizen ID as row N": made by that row
        return db.session.scalar(
            sa.select(Client).where(Client.citizen_id == citizen_id, Client.facility_id == facility_id)
        )
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
    """Committed, and nothing it wrote changed since."""
    return batch.status == BatchStatus.COMMITTED and kinds.of(batch).undoable(batch)


def undo(batch: ImportBatch, *, user) -> None:
    """Remove what the batch wrote (each kind says how), as one audited change."""
    if not undoable(batch):
        raise ServiceError(_("This import cannot be undone: its rows were changed since, or it is not committed."))
    kinds.of(batch).undo(batch, user)
    batch.status, batch.undone_at = BatchStatus.UNDONE, utcnow()
    record("register_import_undone", by=user, entity=batch, detail={"sha256": batch.sha256, "kind": batch.kind})


def _undoable_beneficiaries(batch: ImportBatch) -> bool:
    """None of its memberships changed since (no later version than the batch's)."""
    later = (
        sa.select(MembershipVersion.id)
        .join(ImportRow, ImportRow.membership_id == MembershipVersion.membership_id)
        .where(ImportRow.batch_id == batch.id, MembershipVersion.id > ImportRow.version_id)
        .limit(1)
    )
    return db.session.scalar(later) is None


def _undo_beneficiaries(batch: ImportBatch, user) -> None:
    """Remove what the batch wrote: its versions, the memberships it began, the clients it created
    that hold nothing else."""
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
        elif row.membership_id is not None:
            register_services.chain_versions(row.membership_id)
    for row in written:
        if row.created_client and row.client_id and not _holds_anything_else(row.client_id):
            db.session.execute(sa.delete(Client).where(Client.id == row.client_id))


def _holds_anything_else(client_id: int) -> bool:
    for model in (GroupMembership, Case, Intake):
        if db.session.scalar(sa.select(sa.func.count()).where(model.client_id == client_id)):
            return True
    return False


def _ensure_previewed(batch: ImportBatch) -> None:
    if batch.status != BatchStatus.PREVIEWED:
        raise ServiceError(_("This import was already committed or undone."))


# --- the kind of list -----------------------------------------------------------------------------------


def _export_beneficiaries(user) -> tuple[bytes, dict[str, Any]]:
    """The facility's register of today, and the clients it names (for the audit)."""
    people = files.register_client_ids(user.facility_id, local_today())
    return files.register(user.facility_id, local_today()), {"client_ids": people}


def _clients_named(page: list[ImportRow]) -> dict[str, list[int]]:
    """The clients a page of rows names: each row's client, and the probable duplicates offered."""
    named = {row.client_id for row in page if row.client_id}
    named |= {option[0] for row in page if row.outcome == RowOutcome.REVIEW for option in row.options}
    return {"client_ids": sorted(named)}


BENEFICIARY_KIND = kinds.ImportKind(
    name=kinds.BENEFICIARIES,
    columns=columns.BENEFICIARY_COLUMNS,
    evaluation=_Evaluation,
    write=_write_beneficiaries,
    undoable=_undoable_beneficiaries,
    undo=_undo_beneficiaries,
    template=files.template,
    export=_export_beneficiaries,
    template_name="mau-danh-sach-doi-tuong.xlsx",
    export_name="danh-sach-doi-tuong-{day}.xlsx",
    preview=(
        (_l("Full name"), lambda values: values.get("client", {}).get("full_name")),
        (_l("Group"), lambda values: categories.label(categories.BENEFICIARY_GROUPS, values.get("group"))),
    ),
    named=_clients_named,
)
