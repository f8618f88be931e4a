"""Small-cell suppression and the files: XLSX numbers are numbers, CSV is UTF-8 with a
BOM and neutralises formulas, the PDF is the Vietnamese administrative report."""

import csv
import io

import pytest
from openpyxl import load_workbook

from caseapp.reports import exports, tables

from .conftest import EXPECTED, q1_args


def _numbers(**breakdowns):
    base = {
        "headline": {
            "received": 12,
            "counselled": 3,
            "supported": 9,
            "served": 14,
            "cases_opened": 6,
            "cases_closed": 0,
        },
        "breakdowns": {
            k: {}
            for k in (
                "group",
                "sex",
                "age_group",
                "ethnicity",
                "commune",
                "channel",
                "problem",
                "service",
                "referral_kind",
                "referral_status",
            )
        },
        "shelter": {"admissions": 2, "bed_nights": 40, "stays_ended": 2, "stay_nights_ended": 31},
        "indicators": {"facilities_with_cases": 1, "facilities_total": 1, "ind4_people": 12, "ind5_children": 3},
    }
    base["breakdowns"].update(breakdowns)
    return base


def _table(built, key):
    return next(t for t in built if t.key == key)


def test_cells_under_five_people_are_hidden():
    built = tables.suppress(tables.build(_numbers(group={"em_trafficking": 3, "cs_orphan": 7})))
    group = {row.code: row.value for row in _table(built, "group").rows}
    assert group == {"em_trafficking": "<5", "cs_orphan": 7}
    headline = {row.code: row.value for row in _table(built, "headline").rows}
    assert headline["counselled"] == "<5" and headline["received"] == 12 and headline["cases_closed"] == 0


def test_one_hidden_cell_of_a_partition_hides_a_complementary_cell():
    # served 14 = 9 women + 3 men + 2 unknown: hiding 3 and 2 is enough (two cells); with one hidden
    # cell (female 10, male 4) the male cell could be recovered as 14 − 10, so the female one goes too
    built = tables.suppress(tables.build(_numbers(sex={"female": 10, "male": 4})))
    sex = {row.code: row.value for row in _table(built, "sex").rows}
    assert sex["male"] == "<5" and sex["female"] == "<5"
    assert _table(built, "sex").total == 14


def test_two_hidden_cells_need_no_complementary_cell():
    built = tables.suppress(tables.build(_numbers(sex={"female": 9, "male": 3, "unknown": 2})))
    sex = {row.code: row.value for row in _table(built, "sex").rows}
    assert sex == {"female": 9, "male": "<5", "other": 0, "unknown": "<5"}


def test_average_stay_is_hidden_when_fewer_than_five_stays_ended():
    built = tables.suppress(tables.build(_numbers()))
    shelter = {row.code: row.value for row in _table(built, "shelter").rows}
    assert shelter["average_stay"] == "<5" and shelter["stays_ended"] == "<5" and shelter["bed_nights"] == 40


def test_facility_page_shows_exact_numbers_but_the_province_scope_hides_small_cells(data, signed_in):
    client = signed_in(data.reporter)
    own = client.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    province = client.get("/reports/", query_string=q1_args(scope="province")).get_data(as_text=True)
    assert "&lt;5" not in own
    assert "&lt;5" in province


def test_formula_cells_are_neutralised():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(dangerous) == "'" + dangerous
    assert exports.neutralise("Bình thường") == "Bình thường"
    assert exports.neutralise(-3) == -3


def test_csv_is_utf8_with_bom_and_neutralises_an_injected_commune_name(data, signed_in, session):
    data.commune.name = '=HYPERLINK("http://example.invalid","xem")'
    session.flush()
    response = signed_in(data.supervisor).get("/reports/export.csv", query_string=q1_args())
    assert response.status_code == 200
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + data.commune.name in cells
    assert data.commune.name not in cells
    assert "Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)" in cells


def test_xlsx_has_a_sheet_per_table_with_numeric_numbers(data, signed_in):
    response = signed_in(data.supervisor).get("/reports/export.xlsx", query_string=q1_args())
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert "Chỉ tiêu QĐ 112" in workbook.sheetnames and "Giới tính" in workbook.sheetnames
    assert len(workbook.sheetnames) == 23  # the indicators, 12 tables served, 10 under management
    assert "Đang quản lý - dạng và mức độ" in workbook.sheetnames
    summary = workbook["Tổng hợp"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    served = values["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"]
    assert served == EXPECTED["headline"]["served"] and isinstance(served, int)
    assert values["Số đối tượng được tư vấn (chỉ tư vấn)"] == "<5"  # 2 people: hidden in every export
    assert summary["A3"].value == "Nội dung"


def test_pdf_is_the_administrative_report_in_vietnamese(data, signed_in):
    from pypdf import PdfReader

    response = signed_in(data.reporter).get("/reports/export.pdf", query_string=q1_args())
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "CÁC CHỈ TIÊU THEO QUYẾT ĐỊNH 112/QĐ-TTg",
        "Sở Y tế",
        "Quý 1/2026",
    ):
        assert expected in text, expected


def test_export_of_a_frozen_report_uses_the_frozen_numbers(data, signed_in, session):
    from caseapp.reports import services

    from .conftest import Q1, intake, local

    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    for letter in "EG":
        intake(data.facility, data.clients[letter], local(2026, 2, 2))
    response = signed_in(data.supervisor).get("/reports/export.xlsx", query_string={"snapshot": snapshot.id})
    summary = load_workbook(io.BytesIO(response.data))["Tổng hợp"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    assert values["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"] == EXPECTED["headline"]["served"]


@pytest.mark.parametrize("path", ["/reports/export.csv", "/reports/export.xlsx"])
def test_exports_are_audited(data, signed_in, session, path):
    import sqlalchemy as sa

    from caseapp.audit.models import AuditEvent

    signed_in(data.reporter).get(path, query_string=q1_args())
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event is not None and event.user_id == data.reporter.id
