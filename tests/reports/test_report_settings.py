"""How a facility heads and signs its reports (Nghị định 30/2020/NĐ-CP, Phụ lục I): the settings page,
and the PDF that prints them — issued by the user's facility, never by a place's name."""

import io

import sqlalchemy as sa
from pypdf import PdfReader

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.reports.models import ReportSettings

from .conftest import q1_args

SETTINGS = {
    "parent_body": "Sở Y tế tỉnh Cần Thơ",
    "abbreviation": "TTCTXH",
    "signer_authority": "KT. GIÁM ĐỐC",
    "signer_title": "PHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Văn Ký",
    "recipients": "Sở Y tế tỉnh Cần Thơ\nUBND tỉnh Cần Thơ;",
    "version": "0",
}


def _pdf_text(response):
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages)


def test_a_supervisor_sets_the_heading_and_signature_and_the_pdf_prints_them(data, signed_in):
    http = signed_in(data.supervisor)
    assert http.get("/reports/settings").status_code == 200
    assert http.post("/reports/settings", data=SETTINGS).status_code == 302
    saved = db.session.scalar(sa.select(ReportSettings).where(ReportSettings.facility_id == data.facility.id))
    assert (saved.abbreviation, saved.signer_name, saved.recipient_lines[1]) == (
        "TTCTXH",
        "Nguyễn Văn Ký",
        "UBND tỉnh Cần Thơ;",
    )
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_settings_changed")) is not None

    text = _pdf_text(http.get("/reports/export.pdf", query_string=q1_args()))
    for expected in (
        "SỞ Y TẾ TỈNH CẦN THƠ",
        data.facility.name.upper(),
        "Số: …/BC-TTCTXH",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Ký",
        "- Sở Y tế tỉnh Cần Thơ;",
        "- UBND tỉnh Cần Thơ;",
        "- Lưu: VT, TTCTXH.",
    ):
        assert expected in text, expected


def test_without_settings_the_maker_signs_and_a_province_report_names_the_users_unit(data, signed_in):
    text = _pdf_text(signed_in(data.reporter).get("/reports/export.pdf", query_string=q1_args(scope="province")))
    assert "NGƯỜI LẬP BÁO CÁO" in text and "Số: …/BC" in text
    assert data.facility.name.upper() in text  # the issuing unit is the reporter's own, not the province
    assert "Phạm vi số liệu" in text


def test_a_stale_save_is_refused_and_keeps_what_was_typed(data, signed_in):
    http = signed_in(data.supervisor)
    http.post("/reports/settings", data=SETTINGS)
    again = http.post("/reports/settings", data={**SETTINGS, "signer_name": "Trần Thị Mới", "version": "0"})
    page = again.get_data(as_text=True)
    assert again.status_code == 422 and "Người khác đã sửa các thiết lập này" in page and "Trần Thị Mới" in page
    saved = db.session.scalar(sa.select(ReportSettings).where(ReportSettings.facility_id == data.facility.id))
    assert saved.signer_name == "Nguyễn Văn Ký"


def test_a_bad_abbreviation_is_refused_on_its_field(data, signed_in):
    response = signed_in(data.supervisor).post("/reports/settings", data={**SETTINGS, "abbreviation": "TT/CTXH"})
    assert response.status_code == 422 and "Chỉ dùng chữ, số và dấu gạch ngang" in response.get_data(as_text=True)
