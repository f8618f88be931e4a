"""Register files for the import tests, made here so each test shows what its file holds."""

import io
import unicodedata
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

HEADERS = ["Họ và tên", "Ngày tháng năm sinh", "Giới tính", "Dân tộc", "Số CCCD/Số định danh", "Xã/phường"]
HEADERS += ["Huyện (trước 01/07/2025)", "Tỉnh/thành phố", "Đối tượng", "Số Quyết định", "Ngày hưởng", "Hệ số"]
HEADERS += ["Dạng tật", "Mức độ khuyết tật"]


def xlsx(rows, headers=HEADERS, title=None):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the tone marks Windows-1258 writes after their letter


def windows_1258(text):
    """Text as a Vietnamese Windows saves it: letters precomposed with their vowel marks, tones apart."""
    out, letter, tones = [], "", ""
    for char in unicodedata.normalize("NFD", text) + " ":
        if unicodedata.combining(char):
            if char in TONES:
                tones += char
            else:
                letter += char
            continue
        out.append(unicodedata.normalize("NFC", letter) + tones)
        letter, tones = char, ""
    return "".join(out).encode("cp1258")


def csv_bytes(rows, headers=HEADERS, encoding="utf-8"):
    lines = [",".join(f'"{c}"' if c is not None else "" for c in row) for row in [headers, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    return windows_1258(text) if encoding == "cp1258" else text.encode(encoding)


def ods(rows, headers=HEADERS):
    """A minimal OpenDocument spreadsheet (what LibreOffice saves, without styles)."""

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in [headers, *rows])
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Danh sách">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()
