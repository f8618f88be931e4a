"""`flask files move-to-database`: the case documents and report files written to disk (FILE_STORE=disk)
are moved into the database store, identical, and their disk copies deleted. It can run again and
finish an interrupted run; a corrupt or missing file is reported (exit non-zero), a corrupt one kept on
disk; it refuses to run while the installation still reads files from disk."""

from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.auth.models import User
from caseapp.core.storage import DatabaseStore, StoredFile, disk_store, read_all
from caseapp.extensions import db

from .. import factories
from ..conftest import app_on_own_database, dispose
from ..security.conftest import sign_in
from .conftest import empty_database, query, run

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x01" * 32


@dataclass
class OnDisk:
    """What was written with FILE_STORE=disk: bucket → {key: content} (as downloaded) and {key: the bytes
    stored, sealed}, and where to download each."""

    files: dict
    stored: dict
    case_id: int
    attachment_ids: dict  # key → attachment id
    job_id: int
    worker: str
    supervisor: str

    def path(self, app, bucket, key) -> Path:
        return disk_store(bucket, app).path(key)

    def bucket_keys(self):
        return [(bucket, key) for bucket, by_key in self.files.items() for key in by_key]


@pytest.fixture(scope="module")
def files_app():
    app = app_on_own_database("files")
    yield app
    dispose(app)


@pytest.fixture()
def written(files_app, tmp_path, monkeypatch):
    """Two case documents and one report file, made by the app's own services on disk."""
    from caseapp.cases.attachments.services import add_attachment
    from caseapp.reports.jobs import export_content, run_export_jobs
    from caseapp.reports.models import ExportJob
    from caseapp.reports.services import enqueue_export

    empty_database(files_app)
    monkeypatch.setitem(files_app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    monkeypatch.setitem(files_app.config, "EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setitem(files_app.config, "FILE_STORE", "disk")
    with files_app.test_request_context():
        facility = factories.make_facility(code="CTXHHN")
        worker = factories.make_user(role="social_worker", facility=facility, username="nhanvien")
        supervisor = factories.make_user(role="supervisor", facility=facility, username="truongphong")
        case = factories.make_case(facility, worker=worker, status="implementation")
        attachments = [
            add_attachment(case, data=data, filename=name, by=worker)
            for data, name in ((PDF, "bien-ban.pdf"), (PNG, "so-do.png"))
        ]
        enqueue_export("csv", {"kind": "quarter", "year": "2026", "number": "1"}, by=supervisor)
        db.session.commit()
        assert run_export_jobs() == 1
        job = db.session.scalar(sa.select(ExportJob))
        assert job.status == "done", job.error
        report_key = job.file_path
        on_disk = OnDisk(
            files={
                "attachments": {a.storage_key: data for a, data in zip(attachments, (PDF, PNG), strict=True)},
                "exports": {report_key: export_content(job)},
            },
            stored={},
            case_id=case.id,
            attachment_ids={a.storage_key: a.id for a in attachments},
            job_id=job.id,
            worker=worker.username,
            supervisor=supervisor.username,
        )
        db.session.remove()
    for bucket, key in on_disk.bucket_keys():
        assert on_disk.path(files_app, bucket, key).is_file()
        on_disk.stored.setdefault(bucket, {})[key] = on_disk.path(files_app, bucket, key).read_bytes()
    assert stored_keys(files_app) == []
    monkeypatch.setitem(files_app.config, "FILE_STORE", "database")
    return on_disk


def stored_keys(app):
    return sorted((bucket, key) for bucket, key in query(app, sa.select(StoredFile.bucket, StoredFile.key)))


def in_database(app, bucket, key):
    with app.app_context():
        try:
            return read_all(DatabaseStore(bucket), key)
        finally:
            db.session.remove()


def move(app):
    return run(app, "files", "move-to-database")


def downloads(app, written):
    """Each file as the download routes give it: bucket → {key: bytes}."""
    client = app.test_client()
    got = {"attachments": {}, "exports": {}}
    assert client.post("/login", data={"username": written.worker, "password": factories.PASSWORD}).status_code == 302
    for key, attachment_id in written.attachment_ids.items():
        response = client.get(f"/cases/{written.case_id}/attachments/{attachment_id}")
        assert response.status_code == 200
        got["attachments"][key] = response.get_data()
    client.post("/logout")
    client = app.test_client()
    with app.app_context():  # a supervisor signs in with a second factor too
        sign_in(client, db.session.scalar(sa.select(User).where(User.username == written.supervisor)))
        db.session.remove()
    response = client.get(f"/reports/jobs/{written.job_id}/download")
    assert response.status_code == 200
    [key] = written.files["exports"]
    got["exports"][key] = response.get_data()
    return got


def test_every_disk_file_is_moved_into_the_database_identical_and_its_disk_copy_deleted(files_app, written):
    result = move(files_app)
    assert result.exit_code == 0, result.output
    assert "Đã chuyển 3 tệp; 0 tệp đã có trong cơ sở dữ liệu." in result.output
    assert stored_keys(files_app) == sorted(written.bucket_keys())
    for bucket, key in written.bucket_keys():
        assert in_database(files_app, bucket, key) == written.stored[bucket][key]  # moved as stored: sealed
        assert written.stored[bucket][key] != written.files[bucket][key]
        assert not written.path(files_app, bucket, key).exists()
    assert downloads(files_app, written) == written.files


def test_a_second_run_moves_nothing_and_says_so(files_app, written):
    assert move(files_app).exit_code == 0
    again = move(files_app)
    assert again.exit_code == 0, again.output
    assert "Đã chuyển 0 tệp; 3 tệp đã có trong cơ sở dữ liệu." in again.output
    assert stored_keys(files_app) == sorted(written.bucket_keys())
    assert downloads(files_app, written) == written.files


def test_an_interrupted_run_is_finished_by_running_again(files_app, written):
    """Killed after one file's commit, before its disk copy was deleted: that file is in both places."""
    [(bucket, key), *_rest] = written.bucket_keys()
    with files_app.app_context():
        DatabaseStore(bucket).put(key, written.stored[bucket][key])
        db.session.commit()
        db.session.remove()
    assert written.path(files_app, bucket, key).is_file()
    result = move(files_app)
    assert result.exit_code == 0, result.output
    assert "Đã chuyển 2 tệp; 1 tệp đã có trong cơ sở dữ liệu." in result.output
    assert stored_keys(files_app) == sorted(written.bucket_keys())
    assert not any(written.path(files_app, b, k).exists() for b, k in written.bucket_keys())
    assert downloads(files_app, written) == written.files


def test_a_corrupt_disk_file_is_reported_kept_on_disk_and_not_moved(files_app, written):
    key = next(iter(written.files["attachments"]))
    path = written.path(files_app, "attachments", key)
    damaged = PDF.replace(b"Catalog", b"Katalog")
    path.write_bytes(damaged)
    result = move(files_app)
    assert result.exit_code != 0
    assert f"SHA-256 khác với bản đã ghi nhận, giữ nguyên trên đĩa: {path}" in result.output
    assert "0 tệp bị thiếu, 1 tệp sai SHA-256." in result.output
    assert path.read_bytes() == damaged
    assert ("attachments", key) not in stored_keys(files_app)
    assert len(stored_keys(files_app)) == 2  # the others are moved all the same


def test_a_missing_file_is_reported(files_app, written):
    key = next(iter(written.files["exports"]))
    written.path(files_app, "exports", key).unlink()
    result = move(files_app)
    assert result.exit_code != 0
    assert f"Không tìm thấy trên đĩa lẫn trong cơ sở dữ liệu: exports/{key}" in result.output
    assert "1 tệp bị thiếu, 0 tệp sai SHA-256." in result.output
    assert sorted(written.bucket_keys()) == sorted(stored_keys(files_app) + [("exports", key)])


def test_refused_while_the_file_store_is_disk(files_app, written, monkeypatch):
    monkeypatch.setitem(files_app.config, "FILE_STORE", "disk")
    result = move(files_app)
    assert result.exit_code != 0
    assert "FILE_STORE không phải «database»" in result.output
    assert stored_keys(files_app) == []
    assert all(written.path(files_app, bucket, key).is_file() for bucket, key in written.bucket_keys())
