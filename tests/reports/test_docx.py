"""The statistics report as a Word document (core.docx): the administrative layout of Nghị định
30/2020/NĐ-CP, Phụ lục I, as the PDF prints it — head, headed and signed as the unit set it, tables
whose header repeats on every page, figures written the Vietnamese way, page numbers from page 2."""

import io

import docx
import sqlalchemy as sa
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from caseapp.audit.models import AuditEvent
from caseapp.core.docx import Heading, Paragraph, Table, render_docx
from caseapp.core.pdf import DocumentHeader, Signature, place_and_date, place_name
from caseapp.core.timeutil import local_today
from caseapp.reports import jobs, scoping
from caseapp.reports.models import ExportJob

from .conftest import q1_args
from .test_report_settings import SETTINGS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COUNSELLED = "Số đối tượng được tư vấn (chỉ tư vấn)"


def _open(body):
    return docx.Document(io.BytesIO(body))


def _lines(cell):
    return [p.text for p in cell.paragraphs if p.text]


def _paragraph(cell, text):
    return next(p for p in cell.paragraphs if p.text == text)


def _all_bold(paragraph):
    return all(run.bold for run in paragraph.runs if run.text)


def _repeats_as_header(row):
    properties = row._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def _figure(document, label):
    """The figure beside `label` in the report's tables."""
    for table in document.tables[1:-1]:
        for row in table.rows:
            cells = row.cells
            if cells[0].text == label:
                return cells[1].text
    raise AssertionError(label)


def test_the_word_report_is_headed_and_signed_as_the_unit_set_it(data, signed_in):
    http = signed_in(data.supervisor)
    assert http.post("/reports/settings", data=SETTINGS).status_code == 302
    response = http.get("/reports/export.docx", query_string=q1_args())
    assert response.status_code == 200 and response.mimetype == DOCX
    document = _open(response.data)

    issuer, nation = document.tables[0].rows[0].cells
    facility = data.facility.name.upper()
    assert _lines(issuer)[0] == "SỞ Y TẾ TỈNH CẦN THƠ"
    assert " ".join(_lines(issuer)[1:-1]) == facility  # the issuing body, on one line or broken before its place
    assert all(_all_bold(p) for p in issuer.paragraphs[1:-2] if p.text)
    assert not _all_bold(issuer.paragraphs[0])  # the managing body is not bold
    assert _lines(issuer)[-1] == "Số: …/BC-TTCTXH"
    place = place_name(scoping.province_name(data.facility.province_code))
    assert _lines(nation) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        place_and_date(place, local_today()),
    ]
    assert _all_bold(_paragraph(nation, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    motto = _paragraph(nation, "Độc lập - Tự do - Hạnh phúc")
    assert _all_bold(motto) and all(run.underline for run in motto.runs)
    assert all(run.italic for run in _paragraph(nation, place_and_date(place, local_today())).runs)

    body = [p for p in document.paragraphs if p.text]
    kind, title = body[0], body[1]
    assert kind.text == "BÁO CÁO" and kind.alignment == WD_ALIGN_PARAGRAPH.CENTER and _all_bold(kind)
    assert title.text == "Thống kê kết quả cung cấp dịch vụ công tác xã hội, Quý 1/2026" and _all_bold(title)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER

    recipients, signature = document.tables[-1].rows[0].cells
    assert _lines(recipients) == ["Nơi nhận:", "- Sở Y tế tỉnh Cần Thơ;", "- UBND tỉnh Cần Thơ;", "- Lưu: VT, TTCTXH."]
    label = recipients.paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size == Pt(12)
    assert recipients.paragraphs[1].runs[0].font.size == Pt(11)
    assert _lines(signature)[:2] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"] and _lines(signature)[-1] == "Nguyễn Văn Ký"
    for line in ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Ký"):
        assert _all_bold(_paragraph(signature, line)), line


def test_the_word_report_holds_what_the_pdf_prints(data, signed_in):
    document = _open(signed_in(data.supervisor).get("/reports/export.docx", query_string=q1_args()).data)
    text = [p.text for p in document.paragraphs]
    assert f"Phạm vi số liệu: {data.facility.name}. Kỳ báo cáo: Quý 1/2026 (01/01/2026 – 31/03/2026)." in text
    assert "Số liệu tính từ dữ liệu hồ sơ tại thời điểm in, chưa chốt kỳ báo cáo." in text
    assert not any("<5" in line for line in text)  # the supervisor's own facility: exact figures, no note
    assert "I. CÁC CHỈ TIÊU THEO QUYẾT ĐỊNH 112/QĐ-TTg" in text and "II. SỐ LIỆU THỐNG KÊ" in text

    indicators = document.tables[1]
    assert [c.text for c in indicators.rows[0].cells] == [
        "STT",
        "Chỉ tiêu",
        "Tử số",
        "Mẫu số",
        "Kết quả",
        "Mục tiêu",
        "Đánh giá",
    ]
    third = indicators.rows[3].cells  # facilities with cases ÷ facilities: 1 ÷ 1
    assert (third[0].text, third[2].text, third[3].text, third[4].text) == ("3", "1", "1", "100,0 %")
    assert third[4].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert third[5].text.endswith(" %") and third[6].text in ("Đạt", "Không đạt")
    basis = third[1].paragraphs[1]
    assert basis.text.startswith("Mục tiêu áp dụng: ") and basis.runs[0].italic
    assert round(indicators.columns[1].width.cm, 2) == 5.9  # the indicator's name gets the width

    for table in document.tables[1:-1]:
        assert table.style.name == "Table Grid"
        assert _repeats_as_header(table.rows[0]) and not _repeats_as_header(table.rows[1])
    summary = document.tables[2]
    assert [c.text for c in summary.rows[0].cells][0] == "Nội dung"
    title = summary._tbl.getprevious()
    assert title.xpath("string(.)").startswith("1. ")
    assert title.xpath("boolean(./w:pPr/w:keepNext)")  # the title never alone at a page's foot
    sexes = next(t for t in document.tables[1:-1] if t.rows[-1].cells[0].text == "Tổng số")
    total = sexes.rows[-1].cells
    assert all(run.bold for cell in total for run in cell.paragraphs[0].runs)
    assert total[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_a_reporter_reads_small_counts_hidden_and_a_supervisor_exact_ones(data, signed_in):
    reporter = _open(signed_in(data.reporter).get("/reports/export.docx", query_string=q1_args()).data)
    supervisor = _open(signed_in(data.supervisor).get("/reports/export.docx", query_string=q1_args()).data)
    assert _figure(reporter, COUNSELLED) == "<5" and _figure(supervisor, COUNSELLED) == "2"
    note = 'Các ô dưới 5 người được ghi là "<5" để bảo vệ thông tin cá nhân.'
    assert note in [p.text for p in reporter.paragraphs]
    hidden = reporter.tables[1].rows[5].cells  # indicator 5: one child, hidden, so no value beside it
    assert (hidden[2].text, hidden[4].text) == ("<5", "—") and hidden[6].text not in ("Đạt", "Không đạt")
    assert hidden[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_the_page_is_a4_with_the_decree_margins_times_new_roman_and_numbers_from_page_two(data, signed_in):
    document = _open(signed_in(data.reporter).get("/reports/export.docx", query_string=q1_args()).data)
    section = document.sections[0]
    page = [section.page_width, section.page_height]
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(length.mm) for length in page + margins] == [210, 297, 20, 20, 30, 15]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(13)
    fonts = normal.element.rPr.rFonts
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(script)) == "Times New Roman", script
    assert section.different_first_page_header_footer
    number = section.header.paragraphs[0]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number._p.xpath("string(.//w:instrText)").strip() == "PAGE"
    assert not section.first_page_header.is_linked_to_previous
    assert not section.first_page_header._element.xpath(".//w:instrText")
    properties = document.core_properties
    assert properties.title == f"Báo cáo thống kê — {data.facility.name} — Quý 1/2026"
    assert properties.author == data.facility.name and properties.last_modified_by == data.facility.name


def test_the_word_file_is_an_audited_download_with_a_vietnamese_name(data, signed_in, session):
    response = signed_in(data.reporter).get("/reports/export.docx", query_string=q1_args())
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%E1%BB%91ng%20k%C3%AA%20Qu%C3%BD%201-2026" in disposition
    assert disposition.endswith(".docx")
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event.user_id == data.reporter.id and event.detail["format"] == "docx"


def test_the_pages_offer_the_word_file_and_the_queue_makes_one(data, signed_in, session):
    http = signed_in(data.reporter)
    page = http.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    assert "/reports/export.docx?" in page and "Tải Word (DOCX)" in page
    assert '<option value="docx">' in page
    assert http.post("/reports/jobs", data={"fmt": "docx", **q1_args()}).status_code == 302
    assert jobs.run_export_jobs() == 1
    job = session.scalar(sa.select(ExportJob))
    assert (job.fmt, job.status) == ("docx", "done") and job.file_name.endswith(".docx")
    response = http.get(f"/reports/jobs/{job.id}/download")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert _figure(_open(response.data), COUNSELLED) == "<5"


# --- the renderer -------------------------------------------------------------------------------------------


def _header(**extra):
    return DocumentHeader(issuing_body="Trung tâm Công tác xã hội tỉnh Quảng Ninh", doc_type="BÁO CÁO", **extra)


def test_figures_are_written_the_vietnamese_way_and_right_aligned_and_text_as_given(app):
    table = Table(
        ["STT", "Đơn vị", "Số người", "Tỷ lệ", "Ghi chú"],
        [
            [1, "Phường Hồng Gai", 5526, "30,1 %", None],
            [2, "Xã Cô Tô", 1.5, "<5", "Đạt"],
            [None, "Tổng số", 5527.5, "", ""],
        ],
        title="Bảng 1",
        total_last=True,
    )
    document = _open(render_docx(_header(), [Heading("I. SỐ LIỆU"), table]))
    rows = document.tables[1].rows
    assert [c.text for c in rows[1].cells] == ["1", "Phường Hồng Gai", "5.526", "30,1 %", "—"]
    assert [c.text for c in rows[2].cells] == ["2", "Xã Cô Tô", "1,5", "<5", "Đạt"]
    assert rows[3].cells[2].text == "5.527,5"
    aligns = [c.paragraphs[0].alignment for c in rows[1].cells]
    assert aligns[0] == WD_ALIGN_PARAGRAPH.CENTER and aligns[1] == WD_ALIGN_PARAGRAPH.LEFT
    assert aligns[2] == aligns[3] == WD_ALIGN_PARAGRAPH.RIGHT and aligns[4] == WD_ALIGN_PARAGRAPH.LEFT
    assert all(run.bold for cell in rows[3].cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for cell in rows[2].cells for run in cell.paragraphs[0].runs)
    widths = [column.width for column in document.tables[1].columns]
    assert widths[1] == max(widths) and sum(widths) <= Cm(16.51)  # the name column is the widest


def test_a_paragraph_line_is_a_paragraph_and_a_heading_stays_with_what_follows(app):
    blocks = [Heading("II. KẾT QUẢ"), Paragraph("Dòng một.\nDòng hai.", italic=True)]
    document = _open(render_docx(_header(signature=Signature(title="GIÁM ĐỐC", name="Lê Văn A")), blocks))
    paragraphs = [p for p in document.paragraphs if p.text]
    heading = next(p for p in paragraphs if p.text == "II. KẾT QUẢ")
    assert heading.paragraph_format.keep_with_next and _all_bold(heading)
    lines = [p for p in paragraphs if p.text.startswith("Dòng")]
    assert [p.text for p in lines] == ["Dòng một.", "Dòng hai."] and all(p.runs[0].italic for p in lines)
    _recipients, signature = document.tables[-1].rows[0].cells
    assert _lines(signature)[0] == "GIÁM ĐỐC" and _lines(signature)[-1] == "Lê Văn A"
    assert document.core_properties.title == "BÁO CÁO"  # no title of its own: the document's type
