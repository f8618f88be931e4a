"""Case documents are encrypted at rest (core.sealing, AES-256-GCM): the store holds no plaintext, the
download gives the document back, and a stored file that was altered, cut short, swapped for another
document's or sealed with a key the installation lacks is never sent — the user gets a Vietnamese page
(409, not 500) and the attempt is audited. Both stores: the database (PostgreSQL's default) and disk."""

import base64
import hashlib
import os

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.attachments import services as attachments
from caseapp.core.sealing import SEGMENT_BYTES, keyring
from caseapp.core.storage import read_all
from caseapp.extensions import db

from .. import factories

PDF = b"%PDF-1.7\n" + "Biên bản xác minh tình trạng bạo lực gia đình\n".encode() * 50 + b"%%EOF\n"
REFUSED_HEADING = "Không mở được tệp"
NEW_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(params=["database", "disk"])
def file_store(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORE", request.param)
    return request.param


@pytest.fixture()
def case(staff):
    return factories.make_case(staff.facility, worker=staff.worker, status="implementation")


def attach(app, case, user, data=PDF, filename="bien-ban.pdf"):
    with app.test_request_context():
        return attachments.add_attachment(case, data=data, filename=filename, by=user)


def stored_bytes(attachment):
    return read_all(attachments.store(), attachment.storage_key)


def replace_stored(attachment, content):
    """What someone with write access to the store (a disk, a database dump) would do."""
    store = attachments.store()
    store.delete(attachment.storage_key)
    store.put(attachment.storage_key, content)


def download(signed_in, user, attachment):
    return signed_in(user).get(f"/cases/{attachment.case_id}/attachments/{attachment.id}")


def refusals(attachment):
    return db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "attachment_unreadable", AuditEvent.entity_id == str(attachment.id)
        )
    ).all()


def assert_refused(response, attachment):
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert REFUSED_HEADING in page and "báo quản trị viên" in page
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert PDF[:40] not in response.get_data()
    assert len(refusals(attachment)) == 1


def test_the_stored_bytes_are_not_the_plaintext_and_the_download_is(app, staff, case, signed_in, file_store):
    attachment = attach(app, case, staff.worker)

    raw = stored_bytes(attachment)
    assert b"%PDF" not in raw and "Biên bản".encode() not in raw
    assert attachment.key_id == keyring().current_id
    assert attachment.size == len(PDF) and attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    response = download(signed_in, staff.worker, attachment)
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["Content-Length"] == str(len(PDF))


def test_a_document_of_several_segments_downloads_whole(app, staff, case, signed_in, file_store):
    data = PDF + os.urandom(2 * SEGMENT_BYTES + 777)
    attachment = attach(app, case, staff.worker, data=data)

    response = download(signed_in, staff.worker, attachment)

    assert response.status_code == 200 and response.is_streamed
    assert response.get_data() == data


def test_a_tampered_document_is_refused_with_a_vietnamese_page_and_audited(app, staff, case, signed_in, file_store):
    attachment = attach(app, case, staff.worker)
    raw = bytearray(stored_bytes(attachment))
    raw[len(raw) // 2] ^= 0x01
    replace_stored(attachment, bytes(raw))

    response = download(signed_in, staff.worker, attachment)

    assert_refused(response, attachment)
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "attachment_downloaded")).all()


def test_a_large_document_altered_near_its_end_is_refused_before_any_byte_is_sent(
    app, staff, case, signed_in, file_store
):
    data = PDF + os.urandom(2 * SEGMENT_BYTES)
    attachment = attach(app, case, staff.worker, data=data)
    raw = bytearray(stored_bytes(attachment))
    raw[-5] ^= 0x80  # in the last segment: the first two are authentic
    replace_stored(attachment, bytes(raw))

    assert_refused(download(signed_in, staff.worker, attachment), attachment)


def test_a_document_cut_short_at_a_segment_boundary_is_refused(app, staff, case, signed_in, file_store):
    data = PDF + os.urandom(2 * SEGMENT_BYTES)
    attachment = attach(app, case, staff.worker, data=data)
    header_and_two_segments = 16 + 2 * (SEGMENT_BYTES + 16)
    replace_stored(attachment, stored_bytes(attachment)[:header_and_two_segments])

    assert_refused(download(signed_in, staff.worker, attachment), attachment)


def test_a_file_moved_to_another_documents_key_is_refused(app, staff, case, signed_in, file_store):
    """Both files are authentic and sealed with the same key: the storage key in the associated data is
    what tells them apart."""
    report = attach(app, case, staff.worker, filename="bien-ban.pdf")
    other = attach(app, case, staff.worker, data=PDF.replace(b"gia", b"GIA"), filename="khac.pdf")
    replace_stored(report, stored_bytes(other))

    assert_refused(download(signed_in, staff.worker, report), report)
    assert download(signed_in, staff.worker, other).get_data() == PDF.replace(b"gia", b"GIA")


def test_a_file_read_under_another_key_id_is_refused(app, staff, case, signed_in, file_store, monkeypatch):
    """The same key bytes listed under a second id: a row that claims the other id does not open the file
    (the key id is part of the associated data)."""
    attachment = attach(app, case, staff.worker)
    current = keyring().current_id
    alias = f"{app.config['ATTACHMENT_KEYS']},alias:{base64.b64encode(keyring().keys[current]).decode()}"
    monkeypatch.setitem(app.config, "ATTACHMENT_KEYS", alias)
    monkeypatch.setitem(app.config, "ATTACHMENT_KEY_ID", current)
    attachment.key_id = "alias"
    db.session.flush()

    assert_refused(download(signed_in, staff.worker, attachment), attachment)


def test_a_document_whose_key_is_no_longer_configured_is_refused(app, staff, case, signed_in, monkeypatch):
    attachment = attach(app, case, staff.worker)
    monkeypatch.setitem(app.config, "ATTACHMENT_KEYS", f"k2027:{NEW_KEY}")
    monkeypatch.setitem(app.config, "ATTACHMENT_KEY_ID", "k2027")

    response = download(signed_in, staff.worker, attachment)

    assert_refused(response, attachment)
    assert "ATTACHMENT_KEYS" in refusals(attachment)[0].detail["reason"]


def test_documents_sealed_with_an_old_key_still_open_after_a_new_key_becomes_current(
    app, staff, case, signed_in, monkeypatch
):
    old = attach(app, case, staff.worker, filename="cu.pdf")
    monkeypatch.setitem(app.config, "ATTACHMENT_KEYS", f"{app.config['ATTACHMENT_KEYS']},k2027:{NEW_KEY}")
    monkeypatch.setitem(app.config, "ATTACHMENT_KEY_ID", "k2027")
    new = attach(app, case, staff.worker, filename="moi.pdf")

    assert new.key_id == "k2027" and old.key_id != "k2027"
    assert download(signed_in, staff.worker, old).get_data() == PDF
    assert download(signed_in, staff.worker, new).get_data() == PDF


def test_a_document_stored_in_clear_before_encryption_is_read_as_it_is(app, staff, case, signed_in, file_store):
    attachment = attach(app, case, staff.worker)
    replace_stored(attachment, PDF)  # what a document uploaded before encryption is
    attachment.key_id = None
    db.session.flush()

    response = download(signed_in, staff.worker, attachment)

    assert response.status_code == 200 and response.get_data() == PDF
