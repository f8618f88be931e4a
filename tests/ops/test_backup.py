"""`flask backup` and `flask restore`, run as an operator runs them (separate processes, configured by
their environment), on a source installation with committed data: the demo, documents uploaded through
the service, report files, audit rows.

On SQLite the documents live on disk (the single-machine default): they are part of the backup and
come back on the new machine; on PostgreSQL they are in the database (its dump holds them)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.cases.attachments.models import Attachment
from caseapp.cases.attachments.services import content_of
from caseapp.cases.models import Case
from caseapp.core.storage import DiskStore, files, read_all
from caseapp.extensions import db

from .. import factories
from ..conftest import build_app, is_postgres, reset_schema
from .processes import environment, fresh_database, run_flask, said, table_contents, table_counts, table_names

MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.dump" if is_postgres() else "database.sqlite"

# The documents of the source: a small PDF, a JPEG, and a PNG of more than two of the store's 1 MiB chunks.
DOCUMENTS = {
    "bien-ban-tiep-nhan.pdf": b"%PDF-1.4\n" + "Biên bản tiếp nhận đối tượng\n".encode() * 40 + b"%%EOF\n",
    "anh-thuong-tich.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64,
    "giay-khai-sinh.png": b"\x89PNG\r\n\x1a\n" + hashlib.sha512(b"seed").digest() * (2 * 16384 + 100),
}
EXPORT_KEY = "sao-luu-thu.csv"
# The documents are sealed (core.sealing): the installation's key is kept apart from its backups, and a
# machine that restores one needs it.
KEYS = {"ATTACHMENT_KEYS": "k2026:" + base64.b64encode(bytes(range(100, 132))).decode(), "ATTACHMENT_KEY_ID": "k2026"}
EXPORT_CONTENT = "Chỉ tiêu;Số lượng\nĐối tượng được phục vụ;42\n".encode()


@dataclass
class Installation:
    url: str
    instance: Path
    settings: dict = field(default_factory=dict)

    @property
    def env(self) -> dict:
        return environment(self.url, self.instance, **self.settings)

    def app(self):
        """An app of the test process on this installation (its disk store under its instance folder)."""
        return build_app(
            self.url,
            ATTACHMENT_DIR=str(self.instance / "attachments"),
            EXPORT_DIR=str(self.instance / "exports"),
            **self.settings,
        )

    def files_on_disk(self) -> dict[str, str]:
        """The instance folder's stored files (name → SHA-256), the generated secret key aside."""
        return {
            path.relative_to(self.instance).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.instance.rglob("*"))
            if path.is_file() and path.name != "secret_key"
        }


def dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def new_installation(tmp: Path, name: str, **settings) -> Installation:
    instance = tmp / name
    instance.mkdir()
    return Installation(url=fresh_database(name), instance=instance, settings={**KEYS, **settings})


def restored_documents(installation: Installation) -> dict[str, bytes]:
    """The documents of an installation (file name → content) read through its store, each checked
    against the SHA-256 its row recorded."""
    app = installation.app()
    try:
        with app.app_context():
            found = {}
            for row in db.session.scalars(sa.select(Attachment).order_by(Attachment.id)):
                content = b"".join(content_of(row))  # as the download route reads it: decrypted
                assert hashlib.sha256(content).hexdigest() == row.sha256, row.filename
                found[row.filename] = content
            found[EXPORT_KEY] = read_all(files("exports"), EXPORT_KEY)
            return found
    finally:
        dispose(app)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("backup")


@pytest.fixture(scope="module")
def source(tmp):
    """The installation that is backed up: migrated, the demo, three documents, a report file."""
    from caseapp.demo import seed_demo

    installation = new_installation(tmp, "backup_source")
    app = installation.app()
    reset_schema(app)
    with app.app_context():
        seed_demo(app)
        db.session.commit()
    with app.test_request_context("/cases/"):
        from caseapp.auth.models import User
        from caseapp.cases.attachments.services import add_attachment

        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        case = db.session.scalar(sa.select(Case).where(Case.facility_id == worker.facility_id).order_by(Case.id))
        for filename, content in DOCUMENTS.items():
            add_attachment(case, data=content, filename=filename, description=f"Giấy tờ {filename}", by=worker)
        files("exports").put(EXPORT_KEY, EXPORT_CONTENT)
        db.session.commit()
    dispose(app)
    counts = table_counts(installation.url)
    assert counts["attachments"] == len(DOCUMENTS) and counts["audit_events"] > 0 and counts["cases"] > 0
    return installation


@pytest.fixture(scope="module")
def backup_file(tmp, source):
    target = tmp / "backups" / "source.tar"
    done = run_flask("backup", target, env=source.env)
    assert done.returncode == 0, said(done)
    assert target.is_file(), said(done)
    return target


@pytest.fixture(scope="module")
def restored(tmp, source, backup_file):
    """A new machine: an empty database and an empty instance folder, the backup restored into them."""
    installation = new_installation(tmp, "backup_restored")
    done = run_flask("restore", backup_file, env=installation.env)
    assert done.returncode == 0, said(done)
    return installation


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as opened:
        return opened.getnames()


# --- a backup and its restore ------------------------------------------------------------------------------


def test_a_backup_is_one_file_readable_by_its_owner_only(backup_file):
    assert backup_file.stat().st_mode & 0o777 == 0o600
    names = members(backup_file)
    assert MANIFEST in names and DATABASE_MEMBER in names
    if not is_postgres():  # the disk store's files travel in the archive
        assert sum(name.startswith("files/attachments/") for name in names) == len(DOCUMENTS)
        assert f"files/exports/{EXPORT_KEY}" in names


def test_a_restore_into_an_empty_database_has_every_row_of_the_source(source, restored):
    expected = table_counts(source.url)
    assert table_counts(restored.url) == expected
    # Not only as many rows: the same rows.
    assert table_contents(restored.url) == table_contents(source.url)


def test_the_restored_documents_have_their_recorded_sha256(restored):
    assert restored_documents(restored) == {**DOCUMENTS, EXPORT_KEY: EXPORT_CONTENT}
    if not is_postgres():  # the files came back into the new machine's own folders
        on_disk = restored.files_on_disk()
        assert sum(name.startswith("attachments/") for name in on_disk) == len(DOCUMENTS)
        assert f"exports/{EXPORT_KEY}" in on_disk


def test_a_restore_without_the_documents_key_names_every_document_it_cannot_open(tmp, backup_file):
    """The backup holds the documents sealed, not their key: restored with another key, every row comes
    back but no document opens, and the restore says so."""
    other_key = "k2026:" + base64.b64encode(bytes(range(32))).decode()
    target = new_installation(tmp, "backup_other_key", ATTACHMENT_KEYS=other_key)

    done = run_flask("restore", backup_file, env=target.env)

    assert done.returncode != 0, said(done)
    assert done.stderr.count("không giải mã được: đoạn 0 không xác thực được") == len(DOCUMENTS), said(done)


@pytest.mark.skipif(not is_postgres(), reason="on SQLite the disk store is the default, proved above")
def test_with_the_disk_store_on_postgresql_the_documents_are_backed_up_and_restored_too(tmp, source):
    """A single machine on PostgreSQL may keep its documents on disk (FILE_STORE=disk): the backup
    holds them as well, and a restore puts them back on the new machine's disk."""
    on_disk = Installation(url=source.url, instance=tmp / "source_on_disk", settings={**KEYS, "FILE_STORE": "disk"})
    app = source.app()
    with app.app_context():  # the source's documents, where an installation with the disk store keeps them
        attachments = DiskStore(on_disk.instance / "attachments", sharded=True)
        for row in db.session.scalars(sa.select(Attachment)):
            attachments.put(row.storage_key, read_all(files("attachments"), row.storage_key))
        DiskStore(on_disk.instance / "exports", sharded=False).put(EXPORT_KEY, EXPORT_CONTENT)
        db.session.rollback()
    dispose(app)
    archive = tmp / "backups" / "disk-store.tar"
    made = run_flask("backup", archive, env=on_disk.env)
    assert made.returncode == 0, said(made)
    assert sum(name.startswith("files/attachments/") for name in members(archive)) == len(DOCUMENTS)

    target = new_installation(tmp, "backup_restored_disk", FILE_STORE="disk")
    done = run_flask("restore", archive, env=target.env)

    assert done.returncode == 0, said(done)
    assert restored_documents(target) == {**DOCUMENTS, EXPORT_KEY: EXPORT_CONTENT}
    assert sum(name.startswith("attachments/") for name in target.files_on_disk()) == len(DOCUMENTS)


@pytest.mark.skipif(not is_postgres(), reason="the audit trail's append-only trigger is PostgreSQL's")
def test_the_audit_trail_is_still_append_only_after_a_restore(restored):
    before = table_counts(restored.url)["audit_events"]
    engine = sa.create_engine(restored.url, poolclass=sa.pool.NullPool)
    try:
        for statement in (
            "UPDATE audit_events SET action = 'da_sua'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
        ):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(sa.text(statement))
        with engine.begin() as connection:  # appending still works
            connection.execute(
                sa.text("INSERT INTO audit_events (action, occurred_at) VALUES ('sau_khoi_phuc', now())")
            )
    finally:
        engine.dispose()
    assert table_counts(restored.url)["audit_events"] == before + 1


# --- refusals ----------------------------------------------------------------------------------------------


def test_a_restore_into_a_database_that_is_not_empty_is_refused_and_changes_nothing(source, backup_file):
    """Last night's backup restored over the installation in use (which has changed since): refused."""
    app = source.app()
    with app.app_context():
        facility = factories.make_facility(code="MOI01", name="Cơ sở tạo sau bản sao lưu")
        factories.make_user(role="admin", facility=facility, username="quantri.moi01")
        db.session.commit()
    dispose(app)
    before, files_before = table_contents(source.url), source.files_on_disk()

    done = run_flask("restore", backup_file, env=source.env)

    assert done.returncode != 0, said(done)
    assert "Cơ sở dữ liệu đích không trống" in done.stderr and "Không thay đổi gì" in done.stderr, said(done)
    assert table_contents(source.url) == before
    assert source.files_on_disk() == files_before


def corrupted_copy(archive: Path, member: str, destination: Path) -> Path:
    """The archive with one byte of `member`'s content changed in place (the manifest left as it was)."""
    shutil.copyfile(archive, destination)
    with tarfile.open(destination) as opened:
        info = opened.getmember(member)
    with destination.open("r+b") as fh:
        fh.seek(info.offset_data + info.size // 2)
        byte = fh.read(1)
        fh.seek(-1, io.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    return destination


def test_a_corrupted_backup_is_refused_before_anything_is_restored(tmp, backup_file):
    """One byte changed in the database's member, and (where the archive holds files) in a document's."""
    documents = [name for name in members(backup_file) if name.startswith("files/attachments/")]
    corruptible = [DATABASE_MEMBER, *documents[:1]]
    target = new_installation(tmp, "backup_corrupted")
    for n, member in enumerate(corruptible):
        broken = corrupted_copy(backup_file, member, tmp / f"corrupted-{n}.tar")

        done = run_flask("restore", broken, env=target.env)

        assert done.returncode != 0, said(done)
        assert "Tệp sao lưu bị hỏng" in done.stderr and member in done.stderr, said(done)
        assert table_names(target.url) == []
        assert target.files_on_disk() == {}


def test_a_restore_whose_tables_differ_from_the_manifest_exits_with_an_error(tmp, backup_file):
    """The census after the restore is compared with the manifest's: one table said to hold a row more
    than the dump has makes the restore fail, naming the table."""
    altered = tmp / "altered-manifest.tar"
    with tarfile.open(backup_file) as original, tarfile.open(altered, "w") as copy:
        for info in original.getmembers():
            content = original.extractfile(info).read()
            if info.name == MANIFEST:
                manifest = json.loads(content)
                manifest["tables"]["cases"]["rows"] += 1
                content = json.dumps(manifest).encode()
                info.size = len(content)
            copy.addfile(info, io.BytesIO(content))
    target = new_installation(tmp, "backup_altered")

    done = run_flask("restore", altered, env=target.env)

    assert done.returncode != 0, said(done)
    assert "bảng cases" in done.stderr and "không khớp" in done.stderr, said(done)


# --- keeping the newest ------------------------------------------------------------------------------------


def test_keep_n_keeps_the_n_newest_backups_of_the_folder(tmp, source, backup_file):
    folder = tmp / "nightly"
    folder.mkdir()
    older = ["caseapp-20010101-010000.tar", "caseapp-20010102-010000.tar", "caseapp-20010103-010000.tar"]
    for name in older:
        shutil.copyfile(backup_file, folder / name)
    (folder / "ghi-chu.txt").write_text("không phải bản sao lưu")
    shutil.copyfile(backup_file, folder / "ban-tay.tar")  # a file the operator named: not made by --keep's folder

    done = run_flask("backup", folder, "--keep", 2, env=source.env)

    assert done.returncode == 0, said(done)
    made = sorted(path.name for path in folder.glob("caseapp-*.tar"))
    assert len(made) == 2, (made, said(done))
    assert made[0] == older[-1]
    newest = folder / made[1]
    assert newest.name not in older and newest.stat().st_mode & 0o777 == 0o600
    assert (folder / "ghi-chu.txt").exists() and (folder / "ban-tay.tar").exists()
