"""Case documents: PDF / JPEG / PNG up to 10 MB, type checked by content, stored outside static/
under a random key with its SHA-256, downloaded only through the access-checked, audited route."""

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.attachments import services as attachments
from caseapp.cases.attachments.models import Attachment
from caseapp.cases.models import CaseEvent
from caseapp.core.sealing import keyring, sealed_size
from caseapp.core.services import ServiceError
from caseapp.core.storage import CHUNK_BYTES, StoredFile, StoredFileChunk, read_all
from caseapp.extensions import db

from .. import factories
from ..security.conftest import sign_in

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture()
def case(staff):
    return factories.make_case(staff.facility, worker=staff.worker, status="implementation")


def upload(client, case, data, filename, description="", content_type="application/pdf"):
    return client.post(
        f"/cases/{case.id}/attachments/new",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), filename, content_type), "description": description},
    )


def stored(case):
    return db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id)).all()


@pytest.mark.parametrize(
    "data, filename, content_type",
    [
        (PDF, "biên bản tiếp nhận.pdf", "application/pdf"),
        (JPEG, "ảnh vết thương.jpg", "image/jpeg"),
        (PNG, "so-do.png", "image/png"),
    ],
)
def test_worker_uploads_each_allowed_type(staff, case, signed_in, app, data, filename, content_type):
    response = upload(signed_in(staff.worker), case, data, filename, "Giấy tờ", content_type="application/octet-stream")
    assert response.status_code == 302, response.get_data(as_text=True)
    [attachment] = stored(case)
    assert attachment.content_type == content_type  # from the content, not the browser's header
    assert attachment.filename == filename
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.description == "Giấy tờ"
    assert len(attachment.storage_key) == 64 and filename not in attachment.storage_key
    stored_bytes = read_all(attachments.store(), attachment.storage_key)
    assert data not in stored_bytes and stored_bytes[: len(data)] != data  # sealed (core.sealing)
    assert attachment.key_id == keyring().current_id
    assert b"".join(attachments.content_of(attachment)) == data
    assert "attachment_added" in db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "attachment_uploaded"))


def test_disk_store_keeps_the_file_outside_static_under_the_attachment_dir(staff, case, app, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORE", "disk")
    with app.test_request_context():
        attachment = attachments.add_attachment(case, data=PDF, filename="a.pdf", by=staff.worker)
        path = attachments.store().path(attachment.storage_key).resolve()
        attachment_dir = Path(app.config["ATTACHMENT_DIR"]).resolve()
    static = Path(app.static_folder).resolve()
    assert attachment_dir in path.parents
    assert static not in path.parents
    assert path.name == attachment.storage_key
    assert path.stat().st_mode & 0o077 == 0  # private to the service account
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


class ChunkedUpload(io.RawIOBase):
    """An upload of `size` bytes starting with a PDF header, which records the largest read asked of it."""

    def __init__(self, size):
        self.remaining, self.largest_read, self.head = size, 0, PDF

    def readable(self):
        return True

    def read(self, n=-1):
        if n is None or n < 0:
            raise AssertionError("the whole upload was read at once")
        self.largest_read = max(self.largest_read, n)
        n = min(n, self.remaining)
        data, self.head = (self.head + b"\x00" * n)[:n], b""
        self.remaining -= len(data)
        return data


def test_database_store_streams_a_large_document_in_chunks_and_keeps_nothing_on_disk(
    staff, case, app, signed_in, monkeypatch
):
    monkeypatch.setitem(app.config, "FILE_STORE", "database")
    size = 2 * CHUNK_BYTES + 12345
    upload_stream = ChunkedUpload(size)
    with app.test_request_context():
        attachment = attachments.add_attachment(case, data=upload_stream, filename="ho-so.pdf", by=staff.worker)
    expected = hashlib.sha256((PDF + b"\x00" * size)[:size]).hexdigest()
    assert upload_stream.largest_read <= CHUNK_BYTES
    assert attachment.size == size and attachment.sha256 == expected
    chunks = db.session.execute(
        sa.select(StoredFileChunk.seq, sa.func.length(StoredFileChunk.data))
        .where(StoredFileChunk.key == attachment.storage_key)
        .order_by(StoredFileChunk.seq)
    ).all()
    sealed = sealed_size(size)  # the sealed file, a row per CHUNK_BYTES
    assert chunks == [(0, CHUNK_BYTES), (1, CHUNK_BYTES), (2, sealed - 2 * CHUNK_BYTES)]
    assert not any(Path(app.config["ATTACHMENT_DIR"]).rglob(attachment.storage_key))
    response = signed_in(staff.worker).get(f"/cases/{case.id}/attachments/{attachment.id}")
    assert response.is_streamed and response.headers["Content-Length"] == str(size)
    body = response.get_data()
    assert len(body) == size and hashlib.sha256(body).hexdigest() == attachment.sha256


def test_database_store_keeps_no_bytes_of_a_refused_document(staff, case, app, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORE", "database")
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", CHUNK_BYTES + 10)
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        attachments.add_attachment(case, data=ChunkedUpload(3 * CHUNK_BYTES), filename="lon.pdf", by=staff.worker)
    assert refused.value.field == "file"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFileChunk)) == 0
    assert stored(case) == []


def test_renamed_executable_with_pdf_name_is_refused_and_description_kept(staff, case, signed_in):
    response = upload(signed_in(staff.worker), case, EXE, "hop-dong.pdf", "Hợp đồng thuê nhà")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chỉ được đính kèm tệp PDF, JPEG hoặc PNG" in page
    assert 'value="Hợp đồng thuê nhà"' in page
    assert stored(case) == []


def test_text_file_with_pdf_name_is_refused(staff, case, signed_in):
    response = upload(signed_in(staff.worker), case, b"Day la van ban thuong, khong phai PDF", "ghi-chu.pdf")
    assert response.status_code == 422
    assert stored(case) == []


def test_empty_upload_is_refused_with_a_message(staff, case, signed_in):
    response = signed_in(staff.worker).post(f"/cases/{case.id}/attachments/new", data={"description": "Không có tệp"})
    assert response.status_code == 422
    assert "Hãy chọn tệp cần đính kèm." in response.get_data(as_text=True)


def test_file_over_the_limit_is_refused_by_the_service(staff, case, signed_in, app):
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        attachments.add_attachment(case, data=PDF + b"\x00" * limit, filename="lon.pdf", by=staff.worker)
    assert refused.value.field == "file"
    assert stored(case) == []


def test_request_over_max_content_length_gets_the_vietnamese_413_page(staff, make_app):
    small = make_app(MAX_CONTENT_LENGTH=2048, ATTACHMENT_MAX_BYTES=1024)
    client = small.test_client()
    case = factories.make_case(staff.facility, worker=staff.worker, status="implementation")
    sign_in(client, staff.worker)
    response = upload(client, case, PDF + b"\x00" * 4096, "lon.pdf", "Quá lớn")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp quá lớn" in page
    assert stored(case) == []


def test_file_between_the_file_limit_and_the_request_limit_is_refused_with_a_message(staff, make_app):
    small = make_app(MAX_CONTENT_LENGTH=64 * 1024, ATTACHMENT_MAX_BYTES=2048)
    client = small.test_client()
    case = factories.make_case(staff.facility, worker=staff.worker, status="implementation")
    sign_in(client, staff.worker)
    response = upload(client, case, PDF + b"\x00" * 4096, "lon.pdf", "Hơi lớn")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp lớn hơn" in page and 'value="Hơi lớn"' in page


def test_closed_case_refuses_uploads(staff, case, signed_in, app):
    case.status = "closed"
    db.session.flush()
    response = upload(signed_in(staff.worker), case, PDF, "a.pdf")
    assert response.status_code == 302
    assert stored(case) == []


def test_download_sends_the_file_as_attachment_with_nosniff_and_is_audited(staff, case, signed_in):
    client = signed_in(staff.worker)
    upload(client, case, PNG, "sơ đồ.png")
    [attachment] = stored(case)
    response = client.get(f"/cases/{case.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''s%C6%A1%20%C4%91%E1%BB%93.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "attachment_downloaded")).all()
    assert len(audit) == 1 and audit[0].user_id == staff.worker.id and audit[0].entity_id == str(attachment.id)
    client.get(f"/cases/{case.id}/attachments/{attachment.id}")
    assert (
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "attachment_downloaded"))
        == 2
    )


def test_case_page_lists_documents_with_the_download_link(staff, case, signed_in):
    client = signed_in(staff.worker)
    upload(client, case, PDF, "giay-khai-sinh.pdf", "Bản sao giấy khai sinh")
    [attachment] = stored(case)
    page = client.get(f"/cases/{case.id}?section=documents").get_data(as_text=True)
    assert "giay-khai-sinh.pdf" in page and "Bản sao giấy khai sinh" in page
    assert f'href="/cases/{case.id}/attachments/{attachment.id}"' in page
    assert "/static/" not in page.split('id="documents"')[1].split("</section>")[0]


def test_attachment_of_other_facility_is_not_found(staff, signed_in, app):
    other_case = factories.make_case(staff.other_facility, worker=staff.outsider, status="implementation")
    with app.test_request_context():
        attachment = attachments.add_attachment(other_case, data=PDF, filename="x.pdf", by=staff.outsider)
    for user in (staff.supervisor, staff.worker):
        response = signed_in(user).get(f"/cases/{other_case.id}/attachments/{attachment.id}")
        assert response.status_code == 404
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "attachment_downloaded")) is None


def test_worker_cannot_download_attachment_of_case_outside_scope(staff, signed_in, app):
    colleague_case = factories.make_case(staff.facility, worker=staff.colleague, status="implementation")
    with app.test_request_context():
        attachment = attachments.add_attachment(colleague_case, data=PDF, filename="x.pdf", by=staff.colleague)
    assert signed_in(staff.worker).get(f"/cases/{colleague_case.id}/attachments/{attachment.id}").status_code == 404
    # the supervisor of the facility sees every case of it
    assert signed_in(staff.supervisor).get(f"/cases/{colleague_case.id}/attachments/{attachment.id}").status_code == 200


def test_attachment_is_not_found_through_another_case(staff, case, signed_in, app):
    other = factories.make_case(staff.facility, worker=staff.worker)
    with app.test_request_context():
        attachment = attachments.add_attachment(other, data=PDF, filename="x.pdf", by=staff.worker)
    assert signed_in(staff.worker).get(f"/cases/{case.id}/attachments/{attachment.id}").status_code == 404


def test_worker_cannot_upload_to_a_case_outside_scope(staff, signed_in):
    colleague_case = factories.make_case(staff.facility, worker=staff.colleague, status="implementation")
    assert upload(signed_in(staff.worker), colleague_case, PDF, "a.pdf").status_code == 404
    assert stored(colleague_case) == []


def test_reporter_cannot_download_or_upload(staff, case, signed_in, app):
    with app.test_request_context():
        attachment = attachments.add_attachment(case, data=PDF, filename="x.pdf", by=staff.worker)
    client = signed_in(staff.reporter)
    assert client.get(f"/cases/{case.id}/attachments/{attachment.id}").status_code == 403
    assert upload(client, case, PDF, "a.pdf").status_code == 403


def test_detect_type_by_magic_bytes_only():
    assert attachments.detect_type(PDF) == ("application/pdf", ".pdf")
    assert attachments.detect_type(JPEG) == ("image/jpeg", ".jpg")
    assert attachments.detect_type(PNG) == ("image/png", ".png")
    assert attachments.detect_type(EXE) is None
    assert attachments.detect_type(b"<html><script>alert(1)</script>") is None
    assert attachments.detect_type(b"%PD") is None


def test_download_name_gets_the_real_extension_and_no_folders():
    assert attachments.clean_filename("../../etc/scan.exe", "application/pdf", ".pdf") == "scan.exe.pdf"
    assert attachments.clean_filename("C:\\Users\\ảnh.JPEG", "image/jpeg", ".jpg") == "ảnh.JPEG"
    assert attachments.clean_filename("", "image/png", ".png") == "tep.png"
