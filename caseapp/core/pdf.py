"""PDF rendering: Jinja templates of templates/pdf/ rendered by WeasyPrint.

- `render_pdf(template, **context) -> bytes` renders a template (it extends templates/pdf/_layout.html,
  the Vietnamese administrative layout) and returns the PDF. Official documents are Vietnamese: the
  page is rendered with the vi locale whatever the user's UI language (category labels, dates).
- The URL fetcher serves only files under static/ (fonts, images) through a fixed pseudo-origin that
  never reaches the network; everything else — file:, http(s):, data:, ftp:, a path that climbs out
  of static/ — is refused. A document therefore cannot read the server's files or call out, whatever
  text a user typed into a record.
- Fonts are vendored in static/fonts (Liberation Serif, metric-compatible with Times New Roman, and
  DejaVu Sans as the fallback for any letter), declared by @font-face under names of our own, so the
  output never depends on the fonts installed on the server.
- `DocumentHeader` carries what the layout prints around the body (issuing body, number, place and
  date, document type and title, recipients, signature block); `place_and_date()` writes the dated
  line the way Nghị định 30/2020/NĐ-CP asks.

A document of more than ~20 pages should be rendered outside the request (rendering blocks the
request's worker), as reports.jobs does; the case forms are one to three pages.
"""

import mimetypes
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from .timeutil import to_local

# The origin static files are fetched from while rendering. ".invalid" never resolves (RFC 2606);
# the fetcher maps it to the static folder and never opens a connection.
STATIC_ORIGIN = "https://caseapp.invalid"
STATIC_BASE_URL = f"{STATIC_ORIGIN}/static/"


class RefusedURL(ValueError):
    """A resource outside static/ was asked for while rendering a PDF."""


def _static_fetcher_class() -> type[Any]:
    # WeasyPrint is imported only when a PDF is made: it loads Pango and HarfBuzz at import (slow, and
    # `flask doctor` reports their absence instead of every command failing).
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint has no type information
        """Serves files under `static_folder` for URLs of STATIC_ORIGIN/static/…; refuses the rest."""

        def __init__(self, static_folder: str | Path) -> None:
            super().__init__(allowed_protocols=())  # nothing goes through urllib's handlers
            self.static_folder = Path(static_folder).resolve()

        def resolve(self, url: str) -> Path:
            """The file a URL stands for, or RefusedURL."""
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}".lower() != STATIC_ORIGIN or not parts.path.startswith("/static/"):
                raise RefusedURL(f"refused: {url[:80]}")
            relative = unquote(parts.path[len("/static/") :])
            path = (self.static_folder / relative).resolve()
            if not path.is_relative_to(self.static_folder) or not path.is_file():
                raise RefusedURL(f"refused: {url[:80]}")
            return path

        def fetch(self, url: str, headers: object = None) -> Any:
            path = self.resolve(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher


def static_fetcher(static_folder: str | Path | None = None) -> Any:
    """The URL fetcher the PDFs use (exposed for tests and for other renderers)."""
    return _static_fetcher_class()(static_folder or current_app.static_folder)


def render_pdf(template: str, *, locale: str = "vi", **context: Any) -> bytes:
    """Render `template` (under templates/, normally pdf/…) with `context` and return the PDF bytes."""
    # WeasyPrint imported here, not at the top: see _static_fetcher_class
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    with force_locale(locale):
        html = render_template(template, **context)
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=static_fetcher())
    pdf: bytes = document.write_pdf(font_config=font_config)
    return pdf


# --- what the layout prints around the body ---------------------------------------------------------


# Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.6: a day below 10 and the months 1 and 2 take a leading 0.
def place_and_date(place: str | None, day: date | datetime) -> str:
    """ "Quảng Ninh, ngày 19 tháng 5 năm 2026" — `day` a date (or a datetime, taken in Vietnam time)."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text


_PROVINCE_PREFIXES = ("Thành phố ", "Tỉnh ", "TP. ")


def place_name(province_name: str | None) -> str:
    """The place name of the dated line (NĐ 30/2020, Phụ lục I, II.6: the province's name, without
    "Tỉnh" / "Thành phố"): "Tỉnh Quảng Ninh" → "Quảng Ninh"."""
    name = (province_name or "").strip()
    for prefix in _PROVINCE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass
class Signature:
    """The signature block (NĐ 30/2020, Phụ lục I, II.9): authority ("TM. …", "KT. GIÁM ĐỐC" or
    empty when the head signs), the signer's title, and their name."""

    title: str
    name: str = ""
    authority: str = ""


@dataclass
class DocumentHeader:
    """What templates/pdf/_layout.html prints around the body. Strings are printed as given except
    the issuing bodies, which the layout writes in upper case."""

    issuing_body: str  # tên cơ quan, tổ chức ban hành
    doc_type: str  # e.g. "PHIẾU TIẾP NHẬN ĐỐI TƯỢNG", "BÁO CÁO"
    number: str = ""  # "15/BC-TTCTXH" (printed after "Số: ")
    place: str = ""  # địa danh, e.g. "Quảng Ninh"
    day: date | None = None  # the date of the document
    title: str = ""  # trích yếu nội dung, under the document type
    parent_body: str = ""  # tên cơ quan chủ quản (optional)
    recipients: list[str] = field(default_factory=list)  # Nơi nhận: one line each
    signature: Signature | None = None
    pdf_title: str = ""  # the PDF's metadata title (defaults to doc_type)

    @property
    def dated_line(self) -> str:
        return place_and_date(self.place, self.day) if self.day else ""

    @property
    def issuer_lines(self) -> list[str]:
        return body_lines(self.issuing_body)

    @property
    def parent_lines(self) -> list[str]:
        return body_lines(self.parent_body)


# Where the name of a body may go to its next line: before the place it belongs to. "Xã hội" (social)
# is not a commune ("xã"): "Trung tâm Công tác xã hội tỉnh An Giang" breaks before "tỉnh" only.
_PLACE_WORD = re.compile(r" (?=(?:tỉnh|thành phố|huyện|quận|thị xã|phường|đặc khu|xã(?! hội)) )", re.IGNORECASE)
LINE_CHARS = 28  # about what the head's left column holds on one line at its size


def body_lines(name: str) -> list[str]:
    """The name of an issuing body in lines for the head of a document: one line when it fits, else
    broken before the place it belongs to (never inside a phrase such as "xã hội"); each line is
    printed unbroken when it fits."""
    if len(name) <= LINE_CHARS:
        return [name] if name else []
    cuts = [m.start() for m in _PLACE_WORD.finditer(name) if 0 < m.start() < len(name) - 1]
    if not cuts:  # no place in the name: word by word, so no line runs into the national motto beside it
        return textwrap.wrap(name, LINE_CHARS) or [name]
    cut = max(cuts)
    return [name[:cut], name[cut + 1 :]]


def content_disposition(filename: str) -> str:
    """An inline Content-Disposition for an ASCII file name (the browser shows the PDF)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    return f'inline; filename="{safe}"'


__all__ = [
    "render_pdf",
    "static_fetcher",
    "RefusedURL",
    "STATIC_ORIGIN",
    "STATIC_BASE_URL",
    "DocumentHeader",
    "Signature",
    "place_and_date",
    "place_name",
    "content_disposition",
]
