"""The yearly implementation report: drafted and edited (a stale edit refused, the text kept), issued once
with the unit's outgoing number, date and signer, then frozen — its figures and heading no longer change —
and downloaded as the administrative document."""

import io
from datetime import timedelta

import sqlalchemy as sa
from docx import Document
from pypdf import PdfReader

from caseapp.audit.models import AuditEvent
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.reports import deadlines
from caseapp.reports.models import ReportSending, ReportSettings, YearlyReport

from .. import factories
from .conftest import intake, local

SECTIONS = {
    "results": "Tiếp nhận và hỗ trợ kịp thời các trường hợp trẻ em bị xâm hại.",
    "shortcomings": "Thiếu nhân viên công tác xã hội có chuyên môn.",
    "proposals": "Đề nghị bổ sung biên chế năm sau.",
}


def _text(response):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages)


def _docx_text(body):
    document = Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _settings(facility):
    deadlines.ensure_default(facility)  # a facility created by the admin pages has it
    db.session.add(
        ReportSettings(
            facility_id=facility.id,
            parent_body="Sở Y tế tỉnh Cần Thơ",
            abbreviation="TTCTXH",
            signer_authority="KT. GIÁM ĐỐC",
            signer_title="PHÓ GIÁM ĐỐC",
            signer_name="Nguyễn Văn Ký",
            recipients="Sở Y tế tỉnh Cần Thơ",
        )
    )
    db.session.flush()


def _draft(http, **extra):
    year = local_today().year
    form = {"year": year, "scope": "facility", "title": f"Báo cáo kết quả năm {year}", "version": "0"}
    response = http.post("/reports/yearly/new", data={**form, **SECTIONS, **extra})
    return response, db.session.scalars(sa.select(YearlyReport).order_by(YearlyReport.id.desc())).first()


def _issue(http, report, **extra):
    today = local_today()
    form = {
        "issued_on": today.isoformat(),
        "figures_until": today.isoformat(),
        "signer_authority": "KT. GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Ký",
        "recipients": "Sở Y tế tỉnh Cần Thơ\nUBND tỉnh Cần Thơ",
        "version": str(report.version),
    }
    return http.post(f"/reports/yearly/{report.id}/issue", data={**form, **extra})


def _actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_a_supervisor_drafts_edits_and_issues_the_yearly_report_with_its_number(data, signed_in):
    _settings(data.facility)
    http = signed_in(data.supervisor)
    assert http.get("/reports/yearly/new").status_code == 200
    response, report = _draft(http)
    assert response.status_code == 302 and report.status == "draft" and report.results == SECTIONS["results"]
    draft_pdf = _text(http.get(f"/reports/yearly/{report.id}/report.pdf"))
    assert "DỰ THẢO" in draft_pdf and "Số: …/BC-TTCTXH" in draft_pdf

    edited = http.post(
        f"/reports/yearly/{report.id}/edit",
        data={"title": report.title, **SECTIONS, "proposals": "Đề nghị tập huấn.", "version": str(report.version)},
    )
    assert edited.status_code == 302 and report.proposals == "Đề nghị tập huấn."

    assert _issue(http, report).status_code == 302
    assert (report.status, report.number, report.number_symbol) == ("issued", 1, "1/BC-TTCTXH")
    sent = db.session.scalars(sa.select(ReportSending).where(ReportSending.yearly_report_id == report.id)).one()
    assert (sent.year, sent.number_symbol, sent.sent_on) == (report.year, "1/BC-TTCTXH", local_today())
    pdf = http.get(f"/reports/yearly/{report.id}/report.pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    text = _text(pdf)
    for expected in (
        "SỞ Y TẾ TỈNH CẦN THƠ",
        data.facility.name.upper(),
        "Số: 1/BC-TTCTXH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Ký",
        "- UBND tỉnh Cần Thơ;",
        "- Lưu: VT, TTCTXH.",
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        SECTIONS["results"],
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "Đề nghị tập huấn.",
        "Các chỉ tiêu theo Quyết định 112/QĐ-TTg",
    ):
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    actions = [a for a in _actions() if a.startswith("yearly_report") or a == "report_exported"]
    assert actions[-5:] == [
        "yearly_report_drafted",
        "report_exported",  # the draft's PDF
        "yearly_report_edited",
        "yearly_report_issued",
        "report_exported",
    ]

    docx = http.get(f"/reports/yearly/{report.id}/report.docx")
    assert (
        docx.headers["Content-Disposition"].startswith("attachment") and ".docx" in docx.headers["Content-Disposition"]
    )
    words = _docx_text(docx.data)
    for expected in ("Số: 1/BC-TTCTXH", "KT. GIÁM ĐỐC", "Nguyễn Văn Ký", "- Lưu: VT, TTCTXH.", SECTIONS["results"]):
        assert expected in words, expected

    _response, second = _draft(http)
    _issue(http, second)
    assert second.number_symbol == "2/BC-TTCTXH"  # the unit's outgoing reports of the year, in order


def test_an_issued_report_is_frozen_its_figures_and_heading_do_not_change(data, signed_in):
    http = signed_in(data.supervisor)
    _response, report = _draft(http)
    _issue(http, report)
    received = report.data["headline"]["received"]
    intake(data.facility, factories.make_client(data.facility, "Người Mới"), local(2026, 6, 1))
    db.session.add(ReportSettings(facility_id=data.facility.id, signer_name="Người Khác", signer_title="GIÁM ĐỐC"))
    db.session.flush()

    refused = http.post(
        f"/reports/yearly/{report.id}/edit", data={"title": "Khác", **SECTIONS, "version": str(report.version)}
    )
    assert refused.status_code == 302 and report.title != "Khác"
    again = _issue(http, report)
    assert again.status_code == 302 and report.number == 1
    page = http.get(f"/reports/yearly/{report.id}").get_data(as_text=True)
    assert "Nguyễn Văn Ký" in page and "Người Khác" not in page
    assert report.data["headline"]["received"] == received


def test_a_stale_edit_is_refused_and_the_users_text_is_kept(data, signed_in):
    http = signed_in(data.supervisor)
    _response, report = _draft(http)
    seen = str(report.version)
    http.post(f"/reports/yearly/{report.id}/edit", data={"title": report.title, **SECTIONS, "version": seen})
    response = http.post(
        f"/reports/yearly/{report.id}/edit",
        data={"title": report.title, **SECTIONS, "results": "Văn bản của tôi chưa lưu", "version": seen},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Văn bản của tôi chưa lưu" in page and "Người khác đã sửa báo cáo này" in page


def test_bad_input_re_renders_the_form_with_what_was_typed_in_vietnamese(data, signed_in):
    http = signed_in(data.supervisor)
    response, _report = _draft(http, title="")
    assert response.status_code == 422 and SECTIONS["shortcomings"] in response.get_data(as_text=True)
    _response, report = _draft(http)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = _issue(http, report, signer_name="", issued_on=tomorrow)
    assert response.status_code == 422 and report.status == "draft"
    assert "Trường này là bắt buộc" in response.get_data(as_text=True)
    response = _issue(http, report, issued_on=tomorrow)
    assert response.status_code == 422 and "Ngày ban hành" in response.get_data(as_text=True)


def test_a_supervisor_cannot_draft_the_province_report(data, signed_in):
    response, _report = _draft(signed_in(data.supervisor), scope="province")
    assert response.status_code == 422


def test_only_the_facilitys_report_issuers_reach_its_yearly_reports(data, signed_in):
    _response, report = _draft(signed_in(data.supervisor))
    assert signed_in(data.worker).get("/reports/yearly").status_code == 403
    other = factories.make_user(role="supervisor", facility=data.other_facility)
    for path in ("", "/edit", "/issue", "/report.pdf"):
        assert signed_in(other).get(f"/reports/yearly/{report.id}{path}").status_code == 404


def test_a_reporter_reads_the_issued_report_with_small_counts_hidden(data, signed_in):
    _response, report = _draft(signed_in(data.supervisor))
    _issue(signed_in(data.supervisor), report)
    assert 0 < report.data["headline"]["counselled"] < 5
    supervisor_page = signed_in(data.supervisor).get(f"/reports/yearly/{report.id}").get_data(as_text=True)
    reporter_page = signed_in(data.reporter).get(f"/reports/yearly/{report.id}").get_data(as_text=True)
    assert "&lt;5" in reporter_page and "&lt;5" not in supervisor_page
