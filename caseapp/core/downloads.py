"""A stored file sent to the browser as a download, a chunk at a time."""

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, stream_with_context


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
