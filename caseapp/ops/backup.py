"""`flask backup` and `flask restore`: the whole installation in one file, and back.

The file is a tar archive (mode 0600: it holds every person's data) of
- `manifest.json`: when and from what it was made, the migration revision, and per table its row
  count and a checksum of its rows, read in the same snapshot as the dump;
- PostgreSQL: `database.dump`, `pg_dump` in its custom format, taken in that snapshot (pg_export_snapshot),
  so the counts describe exactly what the dump holds while the application keeps running;
- SQLite: `database.sqlite`, a copy made by SQLite's online backup API;
- with the disk store (FILE_STORE=disk: the SQLite default, and a choice on PostgreSQL) its files under
  `files/<bucket>/`.
Every member's SHA-256 is in the manifest.

A restore goes into an empty database only (a non-empty one is refused, nothing touched), then counts and
checksums every table again and checks each stored document against its recorded SHA-256 (decrypted:
the archive holds the documents encrypted, never their key — ATTACHMENT_KEYS must be the source's)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from ..cases.attachments.models import Attachment
from ..core.sealing import KeyringError, UnreadableFile, sealed_files
from ..core.storage import BUCKETS, disk_store, store_kind
from ..core.timeutil import to_local, utcnow
from ..extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"
NAME_PREFIX = "caseapp-"

# PostgreSQL: a row's checksum is the md5 of its text form, summed over the table (order does not
# matter); the session's settings that shape that text are fixed so that the backup and the restore
# read the same text.
PG_TEXT_SETTINGS = (
    "SET TimeZone = 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET extra_float_digits = 3",
    "SET bytea_output = 'hex'",
    "SET IntervalStyle = 'postgres'",
)
PG_TABLE_SUM = (
    "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text FROM {table} AS t"
)


class BackupError(Exception):
    """Refused or failed; the message says why, in Vietnamese."""


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the database behind the app --------------------------------------------------------------------------


def _dialect() -> str:
    return db.engine.dialect.name


def _libpq(url: sa.engine.URL) -> tuple[str, dict]:
    """A libpq URI for pg_dump / pg_restore / psycopg, and the environment carrying the password (never
    on a command line, where `ps` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tables(connection) -> list[str]:
    return sorted(sa.inspect(connection).get_table_names())


def _quoted(connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _pg_census(connection) -> dict[str, dict]:
    for statement in PG_TEXT_SETTINGS:
        connection.exec_driver_sql(statement)
    census = {}
    for table in _tables(connection):
        rows, checksum = connection.exec_driver_sql(PG_TABLE_SUM.format(table=_quoted(connection, table))).one()
        census[table] = {"rows": rows, "checksum": checksum}
    return census


def _sqlite_census(path: Path) -> dict[str, dict]:
    census = {}
    with sqlite3.connect(path) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in names:
            total, rows = 0, 0
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                total += int(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()[:15], 16)
                rows += 1
            census[table] = {"rows": rows, "checksum": str(total)}
    return census


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


# --- backup ------------------------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _revision(connection) -> str | None:
    try:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:
        return None


def _dump_postgres(workdir: Path) -> dict:
    """pg_dump and the census in one snapshot: the counts are exactly what the dump holds."""
    uri, env = _libpq(db.engine.url)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        census = _pg_census(connection)
        revision = _revision(connection)
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={workdir / PG_DUMP}",
                f"--dbname={uri}",
            ],
            env,
        )
        connection.exec_driver_sql("COMMIT")
    return {"tables": census, "revision": revision, "members": [PG_DUMP]}


def _copy_sqlite(workdir: Path) -> dict:
    copy = workdir / SQLITE_COPY
    with sqlite3.connect(_sqlite_path()) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    census = _sqlite_census(copy)
    with sqlite3.connect(copy) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return {"tables": census, "revision": row[0] if row else None, "members": [SQLITE_COPY]}


def _copy_disk_files(workdir: Path) -> list[str]:
    members = []
    for bucket in BUCKETS:
        root = disk_store(bucket).root
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
            relative = Path("files") / bucket / path.relative_to(root)
            (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, workdir / relative)
            members.append(relative.as_posix())
    return members


def backup(target: Path) -> Path:
    """Write the backup file; `target` is a file name, or a folder to put caseapp-<date>-<time>.tar in."""
    target = Path(target)
    if target.is_dir():
        target = _new_name(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".caseapp-backup-") as tmp:
        workdir = Path(tmp)
        made = _dump_postgres(workdir) if _dialect() == "postgresql" else _copy_sqlite(workdir)
        if store_kind() == "disk":  # on either database: the documents are not in it
            made["members"] += _copy_disk_files(workdir)
        manifest = {
            "format": FORMAT,
            "made_at": datetime.now(timezone.utc).isoformat(),
            "database": _dialect(),
            "revision": made["revision"],
            "file_store": store_kind(),
            "tables": made["tables"],
            "members": {name: _sha256_of(workdir / name) for name in made["members"]},
        }
        (workdir / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = workdir / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            for name in [MANIFEST, *made["members"]]:
                archive.add(workdir / name, arcname=name)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return target


def _new_name(folder: Path) -> Path:
    """caseapp-<date>-<time>.tar in Vietnam time (the night's backup carries the night's date), made
    unique when two backups start within one second."""
    stamp = f"{NAME_PREFIX}{to_local(utcnow()):%Y%m%d-%H%M%S}"
    target, number = folder / f"{stamp}.tar", 1
    while target.exists():
        number += 1
        target = folder / f"{stamp}-{number}.tar"
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups made by `backup(folder)`."""
    made = sorted(Path(folder).glob(f"{NAME_PREFIX}*.tar"))
    old = made[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


# --- restore -----------------------------------------------------------------------------------------------


@contextmanager
def _unpacked(archive_path: Path) -> Iterator[tuple[Path, dict]]:
    try:
        # Opened apart from the `with` below, so that only its errors read as an unreadable backup.
        archive = tarfile.open(archive_path, "r")  # noqa: SIM115  (closed by the `with` below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Không đọc được tệp sao lưu {archive_path}: {error}") from error
    with archive, tempfile.TemporaryDirectory(prefix=".caseapp-restore-") as tmp:
        workdir = Path(tmp)
        archive.extractall(workdir, filter="data")
        try:
            manifest = json.loads((workdir / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise BackupError(f"{archive_path} không phải tệp sao lưu của caseapp (thiếu {MANIFEST}).") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Định dạng sao lưu {manifest.get('format')} không được hỗ trợ.")
        for name, sha256 in manifest["members"].items():
            if not _known_member(name):
                raise BackupError(f"Tệp sao lưu có thành phần lạ: {name!r}.")
            if _sha256_of(workdir / name) != sha256:
                raise BackupError(f"Tệp sao lưu bị hỏng: {name} không đúng SHA-256 trong manifest.")
        yield workdir, manifest


def _known_member(name: str) -> bool:
    """The dump, the SQLite copy, or a stored file under files/<bucket>/ — never a path that climbs out."""
    parts = Path(name).parts
    if name in (PG_DUMP, SQLITE_COPY):
        return True
    return (
        len(parts) >= 3
        and parts[0] == "files"
        and parts[1] in BUCKETS
        and ".." not in parts
        and not Path(name).is_absolute()
    )


def database_is_empty() -> bool:
    with db.engine.connect() as connection:
        if _dialect() == "postgresql":
            count = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            ).scalar()
            return count == 0
        return not _tables(connection)


def restore(archive_path: Path) -> Verification:
    with _unpacked(Path(archive_path)) as (workdir, manifest):
        if manifest["database"] != _dialect():
            raise BackupError(f"Bản sao lưu của {manifest['database']} không khôi phục được vào {_dialect()}.")
        if manifest["file_store"] != store_kind():
            raise BackupError(
                f"Bản sao lưu giữ tệp trong «{manifest['file_store']}», cấu hình này dùng «{store_kind()}»: "
                f"đặt FILE_STORE={manifest['file_store']} để khôi phục (sau đó có thể chạy "
                "`flask files move-to-database`). Không thay đổi gì."
            )
        if not database_is_empty():
            raise BackupError(
                "Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một cơ sở dữ liệu mới, trống "
                "(không có bảng nào). Không thay đổi gì."
            )
        if _dialect() == "postgresql":
            uri, env = _libpq(db.engine.url)
            _run(
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={uri}",
                    str(workdir / PG_DUMP),
                ],
                env,
            )
        else:
            _restore_sqlite(workdir)
        _restore_disk_files(workdir, manifest)
    db.engine.dispose()  # connections opened before the restore know none of its tables
    return verify(manifest)


def _restore_sqlite(workdir: Path) -> None:
    db.engine.dispose()
    with sqlite3.connect(workdir / SQLITE_COPY) as source, sqlite3.connect(_sqlite_path()) as target:
        source.backup(target)


def _restore_disk_files(workdir: Path, manifest: dict) -> None:
    for name in manifest["members"]:
        parts = Path(name).parts
        if parts[0] != "files":
            continue
        bucket, relative = parts[1], Path(*parts[2:])
        destination = disk_store(bucket).root / relative
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copy2(workdir / name, destination)
        os.chmod(destination, 0o600)


def verify(manifest: dict) -> Verification:
    """Count and checksum every table as the manifest did, and check each document's SHA-256."""
    result = Verification()
    if _dialect() == "postgresql":
        with db.engine.connect() as connection:
            census = _pg_census(connection)
    else:
        db.engine.dispose()
        census = _sqlite_census(_sqlite_path())
    for table, expected in manifest["tables"].items():
        found = census.get(table)
        if found is None:
            result.problems.append(f"thiếu bảng {table}")
        elif found != expected:
            result.problems.append(
                f"bảng {table}: {found['rows']} dòng (sao lưu có {expected['rows']}), "
                f"tổng kiểm {'khớp' if found['checksum'] == expected['checksum'] else 'khác'}"
            )
        result.rows += expected["rows"]
    result.tables = len(manifest["tables"])
    _verify_documents(result)
    return result


def _verify_documents(result: Verification) -> None:
    """Every document read back (and decrypted: the backup holds sealed files, ATTACHMENT_KEYS opens them)
    against its recorded SHA-256."""
    try:
        store = sealed_files("attachments")
    except KeyringError as error:
        result.problems.append(f"không kiểm được giấy tờ: {error}")
        return
    last = 0
    while True:
        rows = db.session.execute(
            sa.select(Attachment.id, Attachment.storage_key, Attachment.sha256, Attachment.key_id)
            .where(Attachment.id > last)
            .order_by(Attachment.id)
            .limit(500)
        ).all()
        if not rows:
            break
        for row in rows:
            try:
                sha256 = store.sha256(row.storage_key, row.key_id)
            except OSError:
                result.problems.append(f"thiếu tệp của giấy tờ số {row.id}")
                continue
            except UnreadableFile as error:
                result.problems.append(f"giấy tờ số {row.id} không giải mã được: {error}")
                continue
            if sha256 != row.sha256:
                result.problems.append(f"giấy tờ số {row.id}: SHA-256 không khớp")
            result.documents += 1
        last = rows[-1].id
    db.session.rollback()


# --- tools -------------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy {name}: cài gói postgresql-client cùng phiên bản với máy chủ.")
    return path


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} thất bại ({done.returncode}): {done.stderr.strip()[-800:]}")


def describe() -> str:
    """The database a command works on, without its password."""
    return f"{_dialect()} ({db.engine.url.render_as_string(hide_password=True)})"


__all__ = ["backup", "restore", "verify", "prune", "database_is_empty", "BackupError", "Verification", "describe"]
