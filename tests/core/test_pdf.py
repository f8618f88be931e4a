"""core.pdf: the URL fetcher serves only files under static/ and refuses everything else (file:,
http:, data:, a path climbing out of static/); the layout's fonts are the vendored ones; the dated
line follows Nghị định 30/2020/NĐ-CP."""

import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from caseapp.core.pdf import (
    STATIC_BASE_URL,
    DocumentHeader,
    RefusedURL,
    Signature,
    place_and_date,
    place_name,
    render_pdf,
    static_fetcher,
)

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture()
def fetcher():
    return static_fetcher(STATIC)


def test_fetcher_serves_a_vendored_font(fetcher):
    response = fetcher.fetch(STATIC_BASE_URL + "fonts/LiberationSerif-Regular.ttf")
    assert response.read() == (STATIC / "fonts" / "LiberationSerif-Regular.ttf").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + str(STATIC / "fonts" / "DejaVuSans.ttf"),  # a file: URL even inside static/
        "http://127.0.0.1:5000/static/css/app.css",
        "https://example.com/static/css/app.css",
        "ftp://example.com/x",
        "data:text/plain;base64,SGVsbG8=",
        STATIC_BASE_URL + "../config.py",
        STATIC_BASE_URL + "..%2Fconfig.py",
        STATIC_BASE_URL + "%2e%2e/%2e%2e/etc/passwd",
        "https://caseapp.invalid/instance/secret_key",
        "https://caseapp.invalid.example.com/static/css/app.css",
        STATIC_BASE_URL + "fonts/no-such-font.ttf",
    ],
)
def test_fetcher_refuses_everything_outside_static(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_a_document_pointing_at_server_files_renders_without_them(app, tmp_path):
    """An <img>/stylesheet pointing at file: or http: is dropped, never read: the PDF has no image."""
    from pypdf import PdfReader

    secret = tmp_path / "secret.png"
    secret.write_bytes(_tiny_png())
    template = app.jinja_env.from_string(
        '{% extends "pdf/_layout.html" %}{% block body %}<p>Nội dung</p>'
        f'<img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="file:///etc/passwd">{% endblock %}'
    )
    with app.test_request_context():
        from weasyprint import HTML

        html = template.render(doc=DocumentHeader(issuing_body="Trung tâm thử", doc_type="BÁO CÁO"))
        pdf = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=static_fetcher(STATIC)).write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert "Nội dung" in page.extract_text()
    assert not list(page.images)


def _tiny_png():
    """A valid 1×1 PNG: were file: URLs fetched, it would be embedded as an image."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_render_pdf_embeds_the_vendored_fonts_and_the_layout(app):
    from pypdf import PdfReader

    doc = DocumentHeader(
        issuing_body="Trung tâm Công tác xã hội tỉnh",
        doc_type="BÁO CÁO",
        number="12/BC-TTCTXH",
        place="Quảng Ninh",
        day=date(2026, 5, 19),
        title="Kết quả công tác xã hội năm 2026",
        recipients=["Sở Y tế;", "Lưu: VT."],
        signature=Signature(authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC", name="Trần Thị Giám Sát"),
    )
    with app.test_request_context():
        pdf = render_pdf("pdf/_layout.html", doc=doc)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (
        "TRUNG TÂM CÔNG TÁC XÃ HỘI TỈNH",
        "Số: 12/BC-TTCTXH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Quảng Ninh, ngày 19 tháng 5 năm 2026",
        "BÁO CÁO",
        "Kết quả công tác xã hội năm 2026",
        "Nơi nhận:",
        "- Sở Y tế;",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Trần Thị Giám Sát",
    ):
        assert expected in text, expected
    fonts = {font["/BaseFont"].split("+")[-1] for font in _fonts(reader)}
    assert fonts and all(name.startswith("CaseappSerif") for name in fonts), fonts  # never a system font
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert reader.pages[0].mediabox.height == pytest.approx(841.89, abs=0.5)


def _fonts(reader):
    resources = reader.pages[0]["/Resources"]["/Font"]
    return [resources[key].get_object() for key in resources]


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2026, 5, 19), "Quảng Ninh, ngày 19 tháng 5 năm 2026"),
        (date(2026, 1, 5), "Quảng Ninh, ngày 05 tháng 01 năm 2026"),  # day < 10, months 1 and 2: a leading 0
        (date(2026, 2, 28), "Quảng Ninh, ngày 28 tháng 02 năm 2026"),
        (date(2026, 12, 1), "Quảng Ninh, ngày 01 tháng 12 năm 2026"),
        (datetime(2026, 3, 9, 18, 30, tzinfo=timezone.utc), "Quảng Ninh, ngày 10 tháng 3 năm 2026"),  # Vietnam time
    ],
)
def test_place_and_date_follow_decree_30(day, expected):
    assert place_and_date("Quảng Ninh", day) == expected


def test_place_name_drops_the_kind_of_unit():
    assert place_name("Tỉnh Quảng Ninh") == "Quảng Ninh"
    assert place_name("Thành phố Hà Nội") == "Hà Nội"
    assert place_name("Gia Lai") == "Gia Lai"


def test_a_bodys_long_name_breaks_before_its_place_never_inside_xa_hoi():
    from caseapp.core.pdf import body_lines

    assert body_lines("Trung tâm Công tác xã hội tỉnh An Giang") == ["Trung tâm Công tác xã hội", "tỉnh An Giang"]
    assert body_lines("Trung tâm Công tác xã hội") == ["Trung tâm Công tác xã hội"]  # fits one line
    assert body_lines("Ủy ban nhân dân xã Tân Hòa huyện Cũ") == ["Ủy ban nhân dân xã Tân Hòa", "huyện Cũ"]
    assert body_lines("Trung tâm Bảo trợ xã hội") == ["Trung tâm Bảo trợ xã hội"]
    assert body_lines("") == []


def test_a_long_name_without_a_place_is_broken_word_by_word_to_fit_beside_the_motto():
    from caseapp.core.pdf import LINE_CHARS, body_lines

    lines = body_lines("Trung tâm Công tác xã hội và Bảo trợ người cao tuổi khu vực phía Bắc")
    assert " ".join(lines) == "Trung tâm Công tác xã hội và Bảo trợ người cao tuổi khu vực phía Bắc"
    assert len(lines) > 1 and all(len(line) <= LINE_CHARS for line in lines)
