"""A stored file sent to the browser as a download, a chunk at a time; spreadsheet cells made safe."""

import logging
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, render_template, stream_with_context

from .transaction import keep_despite_error

log = logging.getLogger("caseapp.files")


def attachment_disposition(filename: str) -> str:
    """`attachment` with an ASCII name for old clients and the real name as RFC 6266 filename*."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c if c.isalnum() or c in " -_." else "_" for c in ascii_name).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(chunks: Iterable[bytes], *, filename: str, mimetype: str, size: int | None = None) -> Response:
    """The chunks are read while the response is sent (the request's database session stays open
    until the last one): a 10 MB document is never held whole in memory."""
    response = Response(stream_with_context(iter(chunks)), mimetype=mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = attachment_disposition(filename)
    if size is not None:
        response.headers["Content-Length"] = str(size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def unreadable_file_page(what: str, reason: object) -> tuple[str, int]:
    """The page for a stored file that fails its authentication (core.sealing.UnreadableFile): nothing
    of it is sent; the caller has audited the attempt, which the request keeps. 409: the stored file
    and its record no longer agree — asking again will not help, an administrator must look."""
    log.warning("stored file refused, %s: %s", what, reason)
    keep_despite_error()
    return render_template("errors/unreadable_file.html"), 409


def bytes_response(data: bytes, *, filename: str, mimetype: str) -> Response:
    """A file made in memory for this request (a spreadsheet of a few MB at most), sent whole."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None or isinstance(value, (int, float)):
        return value
    value = str(value)  # a lazy translation too
    if value.startswith(FORMULA_START):
        return "'" + value
    return value
