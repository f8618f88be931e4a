"""`flask attachments rotate-key`: every stored file not sealed with the current key (ATTACHMENT_KEY_ID) —
case documents stored in clear before encryption or sealed with an older key, and report files — is
sealed again with it (core.sealing), so that an old key can then be taken out of ATTACHMENT_KEYS.

A file is read with its old key (authenticated; a document also checked against its recorded SHA-256),
written under a new storage key with the current one, and its row pointed at it. In batches, each
committed: in the database store the old file's chunks go in the same transaction; on disk the old
files are deleted after the commit. Stopped at any point, the command is run again and takes up what is
left; on PostgreSQL two runs at once skip each other's rows. A file that cannot be read is reported,
left as it is, and makes the command exit non-zero. Each run writes one audit event with its counts."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from ..audit.services import record
from ..cases.attachments.models import Attachment
from ..core.sealing import Keyring, SealedStore, UnreadableFile, keyring
from ..core.storage import files
from ..extensions import db
from ..reports.jobs import new_file_key
from ..reports.models import ExportJob, ExportStatus

BATCH = 100


@dataclass
class RotationReport:
    key_id: str
    documents: int = 0
    from_clear: int = 0  # of the documents: stored in clear before
    report_files: int = 0
    batches: int = 0
    unreadable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unreadable

    def counts(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "documents": self.documents,
            "from_clear": self.from_clear,
            "report_files": self.report_files,
            "batches": self.batches,
            "unreadable": len(self.unreadable),
        }


def rotate_key(
    app: Flask, *, batch_size: int = BATCH, echo: Callable[[str], None] = lambda _line: None
) -> RotationReport:
    """Seal every stale file with the current key; KeyringError (nothing done) when the keys are wrong."""
    keys = keyring(app)
    report = RotationReport(key_id=keys.current_id)
    _documents(keys, report, batch_size, echo)
    _report_files(keys, report, batch_size, echo)
    record("stored_files_rekeyed", by=None, entity_type="attachments", detail=report.counts())
    db.session.commit()
    return report


def _stale(
    model: type[Attachment] | type[ExportJob], current_id: str, after: int, limit: int, *having: sa.ColumnElement[bool]
) -> sa.Select:
    query = (
        sa.select(model)
        .where(sa.or_(model.key_id.is_(None), model.key_id != current_id), model.id > after, *having)
        .order_by(model.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # a second run at once takes other rows
    return query


def _documents(keys: Keyring, report: RotationReport, batch_size: int, echo: Callable[[str], None]) -> None:
    store, last = SealedStore(files("attachments"), "attachments", keys), 0
    while rows := db.session.scalars(_stale(Attachment, keys.current_id, last, batch_size)).all():
        retired, done, last = [], 0, rows[-1].id
        for attachment in rows:
            new_key = secrets.token_hex(32)
            try:
                sealed = store.put(new_key, store.chunks(attachment.storage_key, attachment.key_id))
            except (UnreadableFile, OSError) as error:
                report.unreadable.append(f"giấy tờ số {attachment.id}: {error}")
                continue
            if sealed.written.sha256 != attachment.sha256:
                store.delete(new_key)
                report.unreadable.append(f"giấy tờ số {attachment.id}: SHA-256 không khớp bản đã ghi nhận")
                continue
            report.from_clear += attachment.key_id is None
            retired.append(attachment.storage_key)
            attachment.storage_key, attachment.key_id = new_key, sealed.key_id
            done += 1
        _commit(store, retired)
        report.documents += done
        report.batches += 1
        echo(f"  lô {report.batches}: {done} giấy tờ đã mã hóa lại (đến giấy tờ số {last})")


def _report_files(keys: Keyring, report: RotationReport, batch_size: int, echo: Callable[[str], None]) -> None:
    store, last = SealedStore(files("exports"), "exports", keys), 0
    with_a_file = (ExportJob.status == ExportStatus.DONE, ExportJob.file_path.is_not(None))
    while rows := db.session.scalars(_stale(ExportJob, keys.current_id, last, batch_size, *with_a_file)).all():
        retired, done, last = [], 0, rows[-1].id
        for job in rows:
            new_key = new_file_key(job)
            try:
                sealed = store.put(new_key, store.chunks(job.file_path, job.key_id))
            except (UnreadableFile, OSError) as error:
                report.unreadable.append(f"tệp báo cáo của yêu cầu số {job.id}: {error}")
                continue
            retired.append(job.file_path)
            job.file_path, job.key_id = new_key, sealed.key_id
            done += 1
        _commit(store, retired)
        report.report_files += done
        report.batches += 1
        if done:
            echo(f"  lô {report.batches}: {done} tệp báo cáo đã mã hóa lại")


def _commit(store: SealedStore, retired: list[str]) -> None:
    """The batch's rows point at their new files: commit, and the old files go (with the commit in the
    database store; just after it on disk, where a file cannot be part of a transaction)."""
    in_database = store.store.kind == "database"
    if in_database:
        for key in retired:
            store.delete(key)
    db.session.commit()
    if not in_database:
        for key in retired:
            store.delete(key)


__all__ = ["rotate_key", "RotationReport", "BATCH"]
