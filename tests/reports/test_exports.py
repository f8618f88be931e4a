"""Small-cell suppression and the files: XLSX numbers are numbers, CSV is UTF-8 with a
BOM and neutralises formulas, the PDF is the Vietnamese administrative report."""

import csv
import io

import docx
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


def _pdf_text(body):
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)


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


def test_only_a_supervisor_reads_exact_small_numbers_and_only_of_their_own_facility(data, signed_in):
    supervisor = signed_in(data.supervisor).get("/reports/", query_string=q1_args()).get_data(as_text=True)
    reporter = signed_in(data.reporter)
    own = reporter.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    province = reporter.get("/reports/", query_string=q1_args(scope="province")).get_data(as_text=True)
    assert "&lt;5" not in supervisor
    assert "&lt;5" in own  # a reporter reads aggregates only, of their own facility too
    assert "&lt;5" in province


def test_an_indicator_whose_numerator_is_hidden_shows_no_value_beside_it(data, signed_in, session):
    from caseapp.reports import services

    # indicator 5: one child of the group over a denominator of 1 would print the hidden count as 100 %
    # (entered by a supervisor: in force at once)
    services.set_reference_value(
        data.facility.province_code, 2026, "ind5_children_in_area", 1, "Thử", by=data.supervisor
    )
    results = tables.suppress_indicators(
        exports.indicators.compute(
            {"indicators": {"facilities_with_cases": 1, "facilities_total": 1, "ind4_people": 5, "ind5_children": 1}},
            {"ind5_children_in_area": [1, "Thử"]},
            2026,
        )
    )
    fifth = results[4]
    assert (fifth.numerator, fifth.value, fifth.met) == ("<5", None, None)
    body = signed_in(data.reporter).get("/reports/export.csv", query_string=q1_args()).data.decode("utf-8-sig")
    fifth_row = next(row for row in csv.reader(io.StringIO(body)) if row[:1] == ["5"])
    assert (fifth_row[2], fifth_row[3], fifth_row[4]) == ("<5", "1", "")  # numerator hidden, no value
    page = signed_in(data.reporter).get("/reports/", query_string=q1_args()).get_data(as_text=True)
    fifth_row = page.split("Trẻ em thuộc nhóm chỉ tiêu", 1)[1].split("</tr>", 1)[0]
    assert "&lt;5" in fifth_row and "100,0 %" not in fifth_row and "Ẩn (dưới 5 người)" in fifth_row


@pytest.mark.parametrize("path", ["/reports/", "/reports/export.csv", "/reports/export.xlsx"])
def test_a_reporter_chooses_standard_periods_only_and_a_supervisor_any(data, signed_in, path):
    custom = {"kind": "custom", "date_from": "2026-01-01", "date_to": "2026-02-15"}
    refused = signed_in(data.reporter).get(path, query_string=custom)
    assert refused.status_code == 422
    assert "Chọn một tháng, một quý, sáu tháng hoặc một năm." in refused.get_data(as_text=True)
    assert signed_in(data.supervisor).get(path, query_string=custom).status_code == 200


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
    # the indicators, 12 tables served, 10 under management, 8 of the workforce, training and communication
    assert len(workbook.sheetnames) == 31
    assert "Đang quản lý - dạng và mức độ" in workbook.sheetnames
    summary = workbook["Tổng hợp"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    served = values["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"]
    assert served == EXPECTED["headline"]["served"] and isinstance(served, int)
    assert values["Số đối tượng được tư vấn (chỉ tư vấn)"] == 2  # the supervisor's own facility: exact
    assert summary["A3"].value == "Nội dung"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "docx"])
def test_a_reporter_gets_small_counts_hidden_in_every_file_and_a_supervisor_exact_ones(data, signed_in, fmt):
    def counselled_in(user):
        body = signed_in(user).get(f"/reports/export.{fmt}", query_string=q1_args()).data
        if fmt == "xlsx":
            rows = load_workbook(io.BytesIO(body))["Tổng hợp"].iter_rows(min_row=4, values_only=True)
            return {row[0]: row[1] for row in rows}["Số đối tượng được tư vấn (chỉ tư vấn)"]
        if fmt == "csv":
            rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
            return {row[0]: row[1] for row in rows if len(row) > 1}["Số đối tượng được tư vấn (chỉ tư vấn)"]
        if fmt == "docx":
            rows = (row.cells for table in docx.Document(io.BytesIO(body)).tables for row in table.rows)
            return {cells[0].text: cells[-1].text for cells in rows}["Số đối tượng được tư vấn (chỉ tư vấn)"]
        return _pdf_text(body).split("Số đối tượng được tư vấn (chỉ tư vấn)")[1].split()[0]

    assert str(counselled_in(data.reporter)) == "<5"
    assert str(counselled_in(data.supervisor)) == "2"


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


@pytest.mark.parametrize("path", ["/reports/export.csv", "/reports/export.xlsx", "/reports/export.docx"])
def test_exports_are_audited(data, signed_in, session, path):
    import sqlalchemy as sa

    from caseapp.audit.models import AuditEvent

    signed_in(data.reporter).get(path, query_string=q1_args())
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event is not None and event.user_id == data.reporter.id


def test_numbers_are_written_the_vietnamese_way_for_people_and_plainly_for_programs(app):
    from caseapp.core.text import vn_number, vn_percent

    assert (vn_number(5526), vn_number(359.0), vn_number(1.5)) == ("5.526", "359", "1,5")
    assert (vn_percent(30.1), vn_percent(100.0), vn_percent(None)) == ("30,1 %", "100,0 %", "")
    assert exports._number(359.0) == 359 and isinstance(exports._number(359.0), int)
    assert exports._number(30.1) == 30.1 and exports._number("<5") == "<5"


def test_xlsx_cells_carry_number_formats_and_our_labels_no_apostrophe(data, signed_in):
    response = signed_in(data.supervisor).get("/reports/export.xlsx", query_string=q1_args())
    workbook = load_workbook(io.BytesIO(response.data))
    summary = workbook["Tổng hợp"]
    served = next(row for row in summary.iter_rows(min_row=4) if row[0].value.startswith("Số đối tượng được phục vụ"))
    assert served[1].number_format == "#,##0"
    indicators = workbook["Chỉ tiêu QĐ 112"]
    rows = list(indicators.iter_rows(min_row=4))
    third = next(row for row in rows if row[0].value == 3)  # facilities with cases ÷ facilities: 1 ÷ 1
    assert (third[4].value, third[4].number_format) == (1.0, "0.0 %")  # 100 % as Excel keeps it
    assert third[5].number_format == "0.0 %" and 0 < third[5].value <= 1
    labels = [cell.value for row in rows for cell in row if isinstance(cell.value, str)]
    assert not any(label.startswith("'") for label in labels)  # "+20 % / 2020" and "≥ 85 %" stay as written


def test_files_are_downloads_with_vietnamese_names_and_one_charset(data, signed_in):
    http = signed_in(data.supervisor)
    csv_response = http.get("/reports/export.csv", query_string=q1_args())
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert any(row and row[0].startswith("Số được ghi bằng chữ số liền") for row in rows)  # the note row
    for fmt in ("csv", "xlsx", "pdf", "docx"):
        disposition = http.get(f"/reports/export.{fmt}", query_string=q1_args()).headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%E1%BB%91ng%20k%C3%AA%20Qu%C3%BD%201-2026" in disposition


def test_the_pdf_and_the_page_print_percentages_the_vietnamese_way(data, signed_in):
    from pypdf import PdfReader

    http = signed_in(data.supervisor)
    page = http.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    assert "100,0 %" in page and "100.0" not in page  # indicator 3: one facility of one
    response = http.get("/reports/export.pdf", query_string=q1_args())
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "100,0 %" in text and "100.0" not in text


def test_the_report_page_opens_on_the_quarter_in_progress(data, signed_in):
    from datetime import date

    from caseapp.core.timeutil import local_today
    from caseapp.reports.periods import default_period

    assert default_period(date(2026, 12, 7)).label == "Quý 4/2026"
    assert default_period(date(2026, 1, 1)).label == "Quý 1/2026"
    page = signed_in(data.supervisor).get("/reports/").get_data(as_text=True)
    assert default_period(local_today()).label in page
