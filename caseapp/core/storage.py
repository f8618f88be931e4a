"""Stored files — case documents and report files made in the background — kept where every web and
scheduler process sees them, on whatever machine it runs.

Two stores, chosen by FILE_STORE (default: `database` on PostgreSQL, `disk` on SQLite):
- DatabaseStore: the bytes in `stored_file_chunks`, CHUNK_BYTES a row, under a `stored_files` row. Two
  web machines and a scheduler on a third serve each other's files, and a backup of the database
  holds them. The chunks are written in the caller's transaction: a document whose record is rolled
  back leaves no bytes behind.
- DiskStore: files under a folder of the instance (ATTACHMENT_DIR, EXPORT_DIR), private to the service
  account — the single-machine SQLite default.

Both take the content as an iterable of byte chunks and give it back the same way, so a 10 MB upload
or download is never held whole in memory. A file's key is chosen by the caller (a random token) and
is unique within its bucket. The stores keep the bytes they are given: documents and report files
reach them encrypted (core.sealing).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db
from .timeutil import UTCDateTime, utcnow

CHUNK_BYTES = 1024 * 1024
BUCKETS = ("attachments", "exports")


class StoredFile(Model):
    """One file of the database store; its bytes are its chunks, in order."""

    __tablename__ = "stored_files"
    __table_args__ = (sa.CheckConstraint("bucket IN ('attachments', 'exports')", name="bucket_known"),)

    bucket: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class StoredFileChunk(Model):
    __tablename__ = "stored_file_chunks"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["bucket", "key"],
            ["stored_files.bucket", "stored_files.key"],
            ondelete="CASCADE",
            name="fk_stored_file_chunks_file",
        ),
    )

    bucket: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)


@dataclass(frozen=True)
class Written:
    """What a store wrote: the content's size and SHA-256."""

    size: int
    sha256: str


class Digest:
    """Passes chunks through, counting their bytes and hashing them."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if chunk:
                self._hash.update(chunk)
                self.size += len(chunk)
                yield chunk

    def written(self) -> Written:
        return Written(size=self.size, sha256=self._hash.hexdigest())


def rechunk(chunks: Iterable[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The same bytes in pieces of `size` (the last one shorter): a database row per CHUNK_BYTES,
    whatever sizes the reader handed over."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


def read_in_chunks(stream: BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """A binary file object as chunks."""
    return iter(lambda: stream.read(size), b"")


def as_chunks(content: bytes | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(content, (bytes, bytearray)):
        return read_in_chunks(io.BytesIO(content))
    return content


class DatabaseStore:
    kind = "database"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def put(self, key: str, content: bytes | Iterable[bytes]) -> Written:
        """Write the file in the current transaction, chunk by chunk. If reading the content fails
        half-way (e.g. the caller's size limit), what was written of it is deleted again. (Not a
        savepoint: on SQLite, pysqlite starts no transaction before a SAVEPOINT, whose release would
        then commit.)"""
        digest = Digest(as_chunks(content))
        db.session.execute(sa.insert(StoredFile).values(bucket=self.bucket, key=key, size=0, sha256=""))
        try:
            for seq, chunk in enumerate(rechunk(digest)):
                db.session.execute(sa.insert(StoredFileChunk).values(bucket=self.bucket, key=key, seq=seq, data=chunk))
        except sa.exc.DBAPIError:
            raise  # the transaction is lost anyway: the caller rolls it back
        except BaseException:
            self.delete(key)
            raise
        written = digest.written()
        db.session.execute(sa.update(StoredFile).where(*self._is(key)).values(size=written.size, sha256=written.sha256))
        return written

    def chunks(self, key: str) -> Iterator[bytes]:
        """The file's bytes, one chunk (one query) at a time."""
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StoredFileChunk)
            .where(StoredFileChunk.bucket == self.bucket, StoredFileChunk.key == key)
        )
        for seq in range(count or 0):
            chunk = db.session.scalar(
                sa.select(StoredFileChunk.data).where(
                    StoredFileChunk.bucket == self.bucket, StoredFileChunk.key == key, StoredFileChunk.seq == seq
                )
            )
            if chunk is None:  # counted above in the same transaction: only a concurrent delete
                raise FileNotFoundError(f"{self.bucket}/{key}: chunk {seq} is gone")
            yield chunk

    def exists(self, key: str) -> bool:
        return db.session.scalar(sa.select(sa.literal(True)).where(*self._is(key))) is not None

    def delete(self, key: str) -> None:
        # The chunks first: SQLite runs without ON DELETE CASCADE when foreign keys are off.
        db.session.execute(
            sa.delete(StoredFileChunk).where(StoredFileChunk.bucket == self.bucket, StoredFileChunk.key == key)
        )
        db.session.execute(sa.delete(StoredFile).where(*self._is(key)))

    def _is(self, key: str) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
        return StoredFile.bucket == self.bucket, StoredFile.key == key


class DiskStore:
    """Files under `root`, each written whole to a private temporary file and renamed into place.
    `sharded` spreads them over sub-folders named by the key's first two characters."""

    kind = "disk"

    def __init__(self, root: Path, *, sharded: bool) -> None:
        self.root = Path(root)
        self.sharded = sharded

    def path(self, key: str) -> Path:
        if "/" in key or "\\" in key or key.startswith("."):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key if self.sharded else self.root / key

    def put(self, key: str, content: bytes | Iterable[bytes]) -> Written:
        target = self.path(key)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = Digest(as_chunks(content))
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload.")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in digest:
                    fh.write(chunk)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest.written()

    def chunks(self, key: str) -> Iterator[bytes]:
        with self.path(key).open("rb") as fh:
            yield from read_in_chunks(fh)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


Store = DatabaseStore | DiskStore


def store_kind(app: Flask | None = None) -> str:
    app = app or current_app
    configured = (app.config.get("FILE_STORE") or "").strip().lower()
    if configured:
        if configured not in ("database", "disk"):
            raise RuntimeError(f"FILE_STORE must be 'database' or 'disk', not {configured!r}")
        return configured
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    return "database" if url.startswith("postgresql") else "disk"


def disk_root(bucket: str, app: Flask | None = None) -> Path:
    app = app or current_app
    if bucket == "attachments":
        return Path(app.config.get("ATTACHMENT_DIR") or Path(app.instance_path) / "attachments")
    return Path(app.config.get("EXPORT_DIR") or Path(app.instance_path) / "exports")


def disk_store(bucket: str, app: Flask | None = None) -> DiskStore:
    # Case documents are spread over sub-folders (many files); report files are few and short-lived.
    return DiskStore(disk_root(bucket, app), sharded=bucket == "attachments")


def files(bucket: str) -> Store:
    """The store of this installation for one kind of file."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r}")
    return DatabaseStore(bucket) if store_kind() == "database" else disk_store(bucket)


def read_all(store: Store, key: str) -> bytes:
    """A whole file (tests, checks, small report files)."""
    return b"".join(store.chunks(key))


__all__ = [
    "CHUNK_BYTES",
    "BUCKETS",
    "StoredFile",
    "StoredFileChunk",
    "Written",
    "DatabaseStore",
    "DiskStore",
    "files",
    "store_kind",
    "disk_store",
    "disk_root",
    "read_all",
    "read_in_chunks",
    "rechunk",
]
