"""Documents attached to a case (giấy tờ, biên bản, ảnh): PDF, JPEG or PNG up to 10 MB.

- The type is decided by the file's first bytes (magic numbers), never by its name or the browser's
  content type: a renamed program or text file is refused.
- Files live in the installation's file store (core.storage: the database on PostgreSQL, so every web
  machine serves them; on SQLite files under ATTACHMENT_DIR, private to the service account), named
  by a random storage key (never the user's file name), read and written a chunk at a time, sealed
  with AES-256-GCM under the current key of ATTACHMENT_KEYS (core.sealing), whose id the row keeps;
  the size and SHA-256 of the content (not of the sealed bytes) are recorded.
- They are served only by cases.download_attachment, which checks the case scope (404 outside it),
  audits every download and sends them as a download (Content-Disposition: attachment, nosniff). A
  file that fails its authentication (altered, another document's, an unknown key) is never sent:
  the refusal is audited and the user gets an error page.
- Uploading is a write: edit rights on an open case. It writes a timeline and an audit event.
"""

import io
import itertools
import secrets
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...core.sealing import SealedStore, UnreadableFile, sealed_files
from ...core.services import ServiceError
from ...core.sql import prebuilt
from ...core.storage import CHUNK_BYTES, files, read_in_chunks
from ...core.timeutil import utcnow
from ...extensions import db
from ...security.rules import can_edit_case
from ..services import add_event, ensure_editable
from .models import Attachment

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DESCRIPTION_MAX_LENGTH = 255
FILENAME_MAX_LENGTH = 200

# magic bytes → (content type, the extension a download gets)
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def detect_type(data):
    """(content type, extension) from the first bytes, or None for anything but PDF, JPEG, PNG."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def max_bytes():
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def store():
    """The documents' bucket of the file store, as stored (sealed bytes)."""
    return files("attachments")


def sealed_store() -> SealedStore:
    """The documents' bucket, sealing what it writes and opening what it reads."""
    return sealed_files("attachments")


def clean_filename(filename, content_type, extension):
    """The name shown and offered on download: no folders, no control characters, NFC, the extension
    of the real type (a PDF called 'scan.exe' downloads as 'scan.exe.pdf')."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".") or "tep"
    if not name.lower().endswith(EXTENSIONS[content_type]):
        name = f"{name}{extension}"
    if len(name) > FILENAME_MAX_LENGTH:
        name = name[: FILENAME_MAX_LENGTH - len(extension)] + extension
    return name


def _too_large(limit):
    return ServiceError(_("The file is larger than %(mb)d MB.", mb=max(1, round(limit / (1024 * 1024)))), field="file")


def _within(chunks, limit):
    """The chunks, refusing the file as soon as it passes the limit (the store then keeps nothing)."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        yield chunk


def add_attachment(case, *, data, filename, description=None, by):
    """Attach a document to the case. `data` is the file: its bytes, or a binary stream (an upload),
    read and stored a chunk at a time — at most ATTACHMENT_MAX_BYTES."""
    ensure_editable(case)
    description = unicodedata.normalize("NFC", description or "").strip() or None
    if description and len(description) > DESCRIPTION_MAX_LENGTH:
        raise ServiceError(_("At most %(max)d characters.", max=DESCRIPTION_MAX_LENGTH), field="description")
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    head = stream.read(CHUNK_BYTES) if stream is not None else b""
    if not head:
        raise ServiceError(_("Choose a file to attach."), field="file")
    detected = detect_type(head)
    if detected is None:
        raise ServiceError(_("Only PDF, JPEG or PNG files can be attached: this file is none of them."), field="file")
    content_type, extension = detected
    name = clean_filename(filename, content_type, extension)
    key = secrets.token_hex(32)
    sealed = sealed_store().put(key, _within(itertools.chain([head], read_in_chunks(stream)), max_bytes()))
    written = sealed.written
    attachment = Attachment(
        case_id=case.id,
        facility_id=case.facility_id,
        filename=name,
        content_type=content_type,
        size=written.size,
        sha256=written.sha256,
        storage_key=key,
        key_id=sealed.key_id,
        description=description,
        uploaded_by_id=getattr(by, "id", None),
        uploaded_at=utcnow(),
    )
    db.session.add(attachment)
    try:
        db.session.flush()
    except Exception:
        store().delete(key)  # no row, no file
        raise
    add_event(case, "attachment_added", by=by, text=f"{name}\n{description}" if description else name)
    record(
        "attachment_uploaded",
        by=by,
        entity=attachment,
        detail={"case_id": case.id, "content_type": content_type, "size": attachment.size, "sha256": attachment.sha256},
    )
    return attachment


def content_of(attachment):
    """The document's bytes as chunks (streamed to the browser), authenticated whole before the first
    one; None when the store has no such file. UnreadableFile when it fails its authentication."""
    files_ = sealed_store()
    if not files_.exists(attachment.storage_key):
        return None
    return files_.opened(attachment.storage_key, attachment.key_id)


def record_unreadable(attachment, error: UnreadableFile, *, by):
    """A document that fails its authentication was asked for: a security event, kept in the audit trail
    (what failed, never any content)."""
    return record(
        "attachment_unreadable",
        by=by,
        entity=attachment,
        detail={"case_id": attachment.case_id, "key_id": attachment.key_id, "reason": str(error)},
    )


def record_download(attachment, *, by):
    """Every download of a document is a read of personal data: audited."""
    return record(
        "attachment_downloaded",
        by=by,
        entity=attachment,
        detail={"case_id": attachment.case_id, "sha256": attachment.sha256},
    )


# --- reads ------------------------------------------------------------------------------------------------


def attachments_of_case(case_id):
    return (
        sa.select(Attachment)
        .where(Attachment.case_id == case_id)
        .options(joinedload(Attachment.uploaded_by))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )


def attachment_of_case(case_id, attachment_id):
    return sa.select(Attachment).where(Attachment.case_id == case_id, Attachment.id == attachment_id)


@dataclass
class AttachmentSection:
    """What templates/cases/_attachments.html shows (see its header)."""

    case: object
    attachments: list = field(default_factory=list)
    can_edit: bool = False
    max_mb: int = DEFAULT_MAX_BYTES // (1024 * 1024)
    form: object = None  # the upload form (set by the view)

    @property
    def can_upload(self):
        return self.can_edit and self.case.is_open


def case_section(case, user):
    rows = db.session.scalars(*prebuilt(attachments_of_case, case_id=case.id)).all()
    return AttachmentSection(
        case=case,
        attachments=list(rows),
        can_edit=can_edit_case(user, case),
        max_mb=max(1, round(max_bytes() / (1024 * 1024))),
    )


__all__ = [
    "detect_type",
    "add_attachment",
    "record_download",
    "content_of",
    "record_unreadable",
    "store",
    "sealed_store",
    "attachments_of_case",
    "attachment_of_case",
    "case_section",
    "AttachmentSection",
    "clean_filename",
]
