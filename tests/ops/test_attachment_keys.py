"""`flask attachments rotate-key` and the upgrade to encrypted files (revision 0023_attachment_keys).

A new key made current: files sealed with the old one still open; the command seals every document
(those stored in clear before encryption too) and every report file again with the current key, in
batches, each committed, and writes one audit event with its counts; afterwards the old key can go. A
file that cannot be read is reported and left as it is; running the command again takes up what is
left. Documents stored before the upgrade stay readable as they are. Both stores: database and disk."""

import base64
import hashlib
import os
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.cases.attachments.models import Attachment
from caseapp.core.storage import files, read_all
from caseapp.extensions import db
from caseapp.reports.models import ExportJob

from .. import factories
from ..conftest import app_on_own_database, dispose
from ..security.conftest import sign_in
from .conftest import empty_database, query, run

OLD = "k2026:" + base64.b64encode(os.urandom(32)).decode()
NEW = "k2027:" + base64.b64encode(os.urandom(32)).decode()
DOCUMENTS = {
    "bien-ban-tiep-nhan.pdf": b"%PDF-1.7\n" + "Biên bản tiếp nhận trẻ em bị xâm hại\n".encode() * 30 + b"%%EOF\n",
    "anh-thuong-tich.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8,
    "so-do-nha.png": b"\x89PNG\r\n\x1a\n" + hashlib.sha512(b"so do").digest() * 20,
}
IN_CLEAR = ("giay-cu.pdf", b"%PDF-1.4\nGiay to tai len truoc khi ma hoa\n%%EOF\n")


@dataclass
class Installed:
    case_id: int
    worker: str
    job_id: int


@pytest.fixture(scope="module")
def keys_app():
    app = app_on_own_database("crypt")
    yield app
    dispose(app)


@pytest.fixture(params=["database", "disk"])
def installed(request, keys_app, tmp_path, monkeypatch):
    """Three documents and a report file sealed with OLD, and one document stored in clear (as before
    the upgrade), committed."""
    from caseapp.cases.attachments.services import add_attachment
    from caseapp.reports.jobs import run_export_jobs
    from caseapp.reports.services import enqueue_export

    empty_database(keys_app)
    for name, value in {
        "FILE_STORE": request.param,
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "EXPORT_DIR": str(tmp_path / "exports"),
        "ATTACHMENT_KEYS": OLD,
        "ATTACHMENT_KEY_ID": "k2026",
    }.items():
        monkeypatch.setitem(keys_app.config, name, value)
    with keys_app.test_request_context():
        facility = factories.make_facility(code="CTXHKHOA")
        worker = factories.make_user(role="social_worker", facility=facility, username="nhanvien.khoa")
        supervisor = factories.make_user(role="supervisor", facility=facility, username="giamsat.khoa")
        case = factories.make_case(facility, worker=worker, status="implementation")
        for filename, data in DOCUMENTS.items():
            add_attachment(case, data=data, filename=filename, by=worker)
        in_clear = add_attachment(case, data=IN_CLEAR[1], filename=IN_CLEAR[0], by=worker)
        store_in_clear(in_clear, IN_CLEAR[1])
        enqueue_export("csv", {"kind": "quarter", "year": "2026", "number": "1"}, by=supervisor)
        db.session.commit()
        assert run_export_jobs() == 1
        job = db.session.scalar(sa.select(ExportJob))
        assert job.status == "done" and job.key_id == "k2026", job.error
        made = Installed(case_id=case.id, worker=worker.username, job_id=job.id)
        db.session.remove()
    return made


def store_in_clear(attachment, data):
    """What a document uploaded before encryption is: its bytes as they are, no key id."""
    store = files("attachments")
    store.delete(attachment.storage_key)
    store.put(attachment.storage_key, data)
    attachment.key_id = None


def use_keys(app, monkeypatch, keys, current):
    monkeypatch.setitem(app.config, "ATTACHMENT_KEYS", keys)
    monkeypatch.setitem(app.config, "ATTACHMENT_KEY_ID", current)


def rotate(app, *args):
    return run(app, "attachments", "rotate-key", *args)


def documents(app):
    return {
        row.filename: row
        for row in query(app, sa.select(Attachment.id, Attachment.filename, Attachment.storage_key, Attachment.key_id))
    }


def downloads(app, installed):
    """Every document as the download route gives it (file name → status, bytes)."""
    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.scalar(sa.select(User).where(User.username == installed.worker)))
        db.session.remove()
    got = {}
    for filename, row in documents(app).items():
        response = client.get(f"/cases/{installed.case_id}/attachments/{row.id}")
        got[filename] = (response.status_code, response.get_data())
    return got


def every_document():
    return {**{name: (200, data) for name, data in DOCUMENTS.items()}, IN_CLEAR[0]: (200, IN_CLEAR[1])}


def report_file(app, installed):
    from caseapp.reports.jobs import export_content

    with app.app_context():
        try:
            return export_content(db.session.get(ExportJob, installed.job_id)).decode("utf-8-sig")
        finally:
            db.session.remove()


def raw(app, bucket, key):
    with app.app_context():
        try:
            store = files(bucket)
            return read_all(store, key) if store.exists(key) else None
        finally:
            db.session.remove()


def rotations(app):
    return [
        detail
        for (detail,) in query(
            app, sa.select(AuditEvent.detail).where(AuditEvent.action == "stored_files_rekeyed").order_by(AuditEvent.id)
        )
    ]


def test_rotation_seals_every_file_with_the_new_key_and_old_files_read_until_then(keys_app, installed, monkeypatch):
    before = documents(keys_app)
    use_keys(keys_app, monkeypatch, f"{OLD},{NEW}", "k2027")
    assert downloads(keys_app, installed) == every_document()  # the old key still opens its files
    assert "Quý 1/2026" in report_file(keys_app, installed)

    result = rotate(keys_app, "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert "lô 1: 2 giấy tờ" in result.output and "lô 2: 2 giấy tờ" in result.output
    assert (
        "Đã mã hóa lại bằng khóa «k2027» 4 giấy tờ (1 giấy tờ trước đây chưa mã hóa) và 1 tệp báo cáo." in result.output
    )
    after = documents(keys_app)
    assert {row.key_id for row in after.values()} == {"k2027"}
    for filename, row in after.items():
        assert row.storage_key != before[filename].storage_key
        assert raw(keys_app, "attachments", before[filename].storage_key) is None  # the old file is gone
        assert b"%PDF" not in raw(keys_app, "attachments", row.storage_key)
    [(job_key_id,)] = query(keys_app, sa.select(ExportJob.key_id))
    assert job_key_id == "k2027"
    assert rotations(keys_app) == [
        {"key_id": "k2027", "documents": 4, "from_clear": 1, "report_files": 1, "batches": 3, "unreadable": 0}
    ]

    use_keys(keys_app, monkeypatch, NEW, None)  # the old key retired
    assert downloads(keys_app, installed) == every_document()
    assert "Quý 1/2026" in report_file(keys_app, installed)


def test_a_second_run_finds_nothing_left_and_is_audited_too(keys_app, installed, monkeypatch):
    use_keys(keys_app, monkeypatch, f"{OLD},{NEW}", "k2027")
    assert rotate(keys_app).exit_code == 0

    again = rotate(keys_app)

    assert again.exit_code == 0, again.output
    assert "«k2027» 0 giấy tờ (0 giấy tờ trước đây chưa mã hóa) và 0 tệp báo cáo." in again.output
    assert [detail["documents"] for detail in rotations(keys_app)] == [4, 0]


def test_an_unreadable_document_is_reported_left_as_it_is_and_a_later_run_takes_up_only_what_is_left(
    keys_app, installed, monkeypatch
):
    damaged = documents(keys_app)["anh-thuong-tich.jpg"]
    with keys_app.app_context():
        store = files("attachments")
        content = bytearray(read_all(store, damaged.storage_key))
        content[40] ^= 0xFF
        store.delete(damaged.storage_key)
        store.put(damaged.storage_key, bytes(content))
        db.session.commit()
        db.session.remove()
    use_keys(keys_app, monkeypatch, f"{OLD},{NEW}", "k2027")

    result = rotate(keys_app)

    assert result.exit_code != 0
    assert f"Không đọc được, giữ nguyên: giấy tờ số {damaged.id}: đoạn 0 không xác thực được" in result.output
    assert "1 tệp không đọc được: chưa bỏ khóa cũ khỏi ATTACHMENT_KEYS." in result.output
    after = documents(keys_app)
    assert after["anh-thuong-tich.jpg"] == damaged  # untouched: its row, its key, its file
    assert {row.key_id for name, row in after.items() if name != "anh-thuong-tich.jpg"} == {"k2027"}

    again = rotate(keys_app)

    assert again.exit_code != 0
    assert "«k2027» 0 giấy tờ" in again.output  # only the damaged one was left, and it still is
    assert [detail["unreadable"] for detail in rotations(keys_app)] == [1, 1]


def test_rotation_with_a_current_key_that_is_not_listed_changes_nothing(keys_app, installed, monkeypatch):
    before = documents(keys_app)
    use_keys(keys_app, monkeypatch, OLD, "k2027")

    result = rotate(keys_app)

    assert result.exit_code != 0
    assert "ATTACHMENT_KEY_ID «k2027» không có trong ATTACHMENT_KEYS" in result.output
    assert documents(keys_app) == before and rotations(keys_app) == []


def test_documents_stored_before_the_upgrade_stay_readable_and_rotation_seals_them(keys_app, tmp_path, monkeypatch):
    """A database at the revision before encryption with a document in clear: after the upgrade its key id
    is NULL and it downloads as it is; `rotate-key` then seals it."""
    from flask_migrate import downgrade, upgrade

    empty_database(keys_app)
    monkeypatch.setitem(keys_app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    use_keys(keys_app, monkeypatch, NEW, None)
    filename, data = IN_CLEAR
    with keys_app.app_context():
        facility = factories.make_facility(code="CTXHCU")
        worker = factories.make_user(role="social_worker", facility=facility, username="nhanvien.cu")
        case = factories.make_case(facility, worker=worker, status="implementation")
        db.session.commit()
        installed = Installed(case_id=case.id, worker=worker.username, job_id=0)
        values = {"case_id": case.id, "facility_id": facility.id, "by": worker.id}
        db.session.remove()
        downgrade(revision="0022_client_identity")
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO attachments (case_id, facility_id, filename, content_type, size, sha256, "
                        "storage_key, uploaded_by_id, uploaded_at) VALUES (:case_id, :facility_id, :filename, "
                        "'application/pdf', :size, :sha256, :key, :by, :at)"
                    ),
                    {
                        **values,
                        "filename": filename,
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "key": "c" * 64,
                        "at": "2026-01-05 02:00:00+00:00",
                    },
                )
            files("attachments").put("c" * 64, data)
            db.session.commit()
        finally:
            db.session.remove()
            upgrade()

    [row] = documents(keys_app).values()
    assert row.key_id is None
    assert downloads(keys_app, installed) == {filename: (200, data)}

    result = rotate(keys_app)

    assert result.exit_code == 0, result.output
    [row] = documents(keys_app).values()
    assert row.key_id == "k2027" and data not in raw(keys_app, "attachments", row.storage_key)
    assert downloads(keys_app, installed) == {filename: (200, data)}
