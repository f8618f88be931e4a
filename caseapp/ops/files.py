"""`flask files move-to-database`: the documents and report files written to disk before the database
store (core.storage) are moved into it, so every web machine serves them.

Idempotent and resumable: each file is copied as it is stored (sealed or, from before encryption, in
clear), read back from the database — decrypted (core.sealing) and checked against its recorded SHA-256
(report files: decrypted, which authenticates them) — and committed on its own; the disk copy is deleted only after its commit. A file already in the database is skipped (its disk
copy, left by an interrupted run, is deleted); an interrupted run is taken up by running it again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..cases.attachments.models import Attachment
from ..core.sealing import SealedStore, UnreadableFile, keyring
from ..core.storage import DatabaseStore, disk_store, read_in_chunks
from ..extensions import db
from ..reports.models import ExportJob, ExportStatus

BATCH = 500


@dataclass
class MoveReport:
    moved: int = 0
    already: int = 0
    missing: list[str] = field(default_factory=list)  # recorded, but neither on disk nor in the database
    corrupt: list[str] = field(default_factory=list)  # on disk, but not the bytes that were recorded

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def _attachments() -> Iterator[tuple[str, str | None, str | None]]:
    last = 0
    while True:
        rows = db.session.execute(
            sa.select(Attachment.id, Attachment.storage_key, Attachment.sha256, Attachment.key_id)
            .where(Attachment.id > last)
            .order_by(Attachment.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row.storage_key, row.sha256, row.key_id
        last = rows[-1].id


def _exports() -> Iterator[tuple[str, str | None, str | None]]:
    rows = db.session.execute(
        sa.select(ExportJob.file_path, ExportJob.key_id)
        .where(ExportJob.status == ExportStatus.DONE, ExportJob.file_path.is_not(None))
        .order_by(ExportJob.id)
    ).all()
    return ((row.file_path, None, row.key_id) for row in rows)  # report files have no recorded checksum


def move_to_database(app, echo=lambda _line: None) -> MoveReport:
    report = MoveReport()
    keys = keyring(app)  # KeyringError before anything moves
    for bucket, recorded in (("attachments", _attachments()), ("exports", _exports())):
        disk, database = disk_store(bucket, app), SealedStore(DatabaseStore(bucket), bucket, keys)
        for key, sha256, key_id in recorded:
            _move_one(key, sha256, key_id, disk, database, report, echo)
    return report


def _intact(database: SealedStore, key: str, sha256: str | None, key_id: str | None) -> bool:
    """The copy in the database opens, and has the SHA-256 its row recorded (when it did)."""
    try:
        found = database.sha256(key, key_id)
    except UnreadableFile:
        return False
    return sha256 is None or found == sha256


def _move_one(key, sha256, key_id, disk, database, report, echo) -> None:
    on_disk = disk.path(key)
    if database.exists(key):
        report.already += 1
        db.session.rollback()
        on_disk.unlink(missing_ok=True)
        return
    if not on_disk.is_file():
        report.missing.append(f"{disk.root.name}/{key}")
        db.session.rollback()
        return
    with on_disk.open("rb") as fh:
        database.store.put(key, read_in_chunks(fh))
    if not _intact(database, key, sha256, key_id):
        db.session.rollback()
        report.corrupt.append(f"{disk.root.name}/{key}")
        echo(f"  SHA-256 khác với bản đã ghi nhận, giữ nguyên trên đĩa: {on_disk}")
        return
    db.session.commit()
    on_disk.unlink()
    report.moved += 1


__all__ = ["move_to_database", "MoveReport"]
