"""The workforce in the reports: QĐ 112/QĐ-TTg indicators 1 and 2 counted from the register (an entered
number overriding the count, with its source), the tables of the workforce, the collaborators by commune,
training and communication — on the statistics page and in its files, frozen with the period, summed
for the province without counting a commune twice, in the yearly implementation report — and nothing
about a person for whoever reads aggregates only. The register: tests/workforce/fixtures_counts.py."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document
from flask_babel import force_locale
from openpyxl import load_workbook

from caseapp.core.text import vn_number
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.org.models import Commune
from caseapp.reports import indicators, queries, scoping, services, yearly
from caseapp.reports.province import province_numbers

from .. import factories
from ..workforce.fixtures_counts import PEOPLE_NAMES, build, member
from .conftest import Q1, q1_args

OVERRIDE_SOURCE = "Niên giám thống kê tỉnh 2026"
COUNTED = "Đếm từ danh sách nhân lực công tác xã hội ngày 31/03/2026"


@pytest.fixture()
def register(data):
    return build(data.facility, data.other_facility)


def _province_communes(data):
    return db.session.scalar(
        sa.select(sa.func.count(Commune.code)).where(Commune.province_code == data.facility.province_code)
    )


def _coverage_line(data, covered=2, full=1, part=2):
    return (
        f"{covered}/{vn_number(_province_communes(data))} xã có cộng tác viên; {full} chuyên trách, {part} kiêm nhiệm"
    )


def _facility_numbers(data):
    return queries.statistics(scoping.report_scope(data.supervisor, "facility"), Q1)


def _indicators(numbers, reference=None):
    return {r.definition.number: r for r in indicators.compute(numbers, reference or {}, 2026)}


def _page(http, **extra):
    return http.get("/reports/", query_string=q1_args(**extra)).get_data(as_text=True)


# --- indicators 1 and 2 ---------------------------------------------------------------------------------------


def test_indicators_1_and_2_are_counted_from_the_register_and_say_so(app, data, register):
    results = _indicators(_facility_numbers(data))
    assert (results[1].numerator, results[1].denominator, results[1].value) == (3, 5, 60.0)
    assert (results[2].numerator, results[2].denominator, results[2].value) == (3, 8, 37.5)
    with app.test_request_context(), force_locale("vi"):
        assert set(map(str, results[1].sources.values())) == {COUNTED}
        assert str(results[2].sources["ind2_staff_trained"]) == COUNTED


def test_an_entered_number_overrides_the_count_with_its_source_and_the_page_says_so(data, register, signed_in):
    province = data.facility.province_code
    services.set_reference_value(province, 2026, "ind1_units_total", 10, OVERRIDE_SOURCE, by=data.supervisor)
    numbers = _facility_numbers(data)
    first = _indicators(numbers, queries.reference_for(scoping.report_scope(data.supervisor, "facility"), 2026))[1]
    assert (first.numerator, first.denominator, first.value) == (3, 10, 30.0)  # counted ÷ entered
    page = _page(signed_in(data.supervisor))
    assert f"Số nhập: {OVERRIDE_SOURCE}" in page
    assert COUNTED in page  # the numerator, and indicator 2


def test_the_agencies_of_indicator_1_are_listed_with_or_without_staff(data, register, signed_in):
    page = _page(signed_in(data.supervisor))
    assert "Các cơ quan, đơn vị tính trong chỉ tiêu 1 (3/5" in page
    for name in ("Tòa án nhân dân khu vực", "Trại giam Số Bốn", "Trường THCS Lê Lợi"):
        assert name in page
    assert "Trường đã giải thể" not in page  # inactive


# --- the tables ----------------------------------------------------------------------------------------------


def test_the_statistics_page_shows_the_workforce_collaborators_training_and_communication(data, register, signed_in):
    page = _page(signed_in(data.supervisor))
    for title in (
        "Đội ngũ làm công tác xã hội ngày 31/03/2026, theo loại vị trí",
        "Cộng tác viên CTXH theo xã ngày 31/03/2026",
        "Đào tạo, bồi dưỡng trong kỳ",
        "Truyền thông trong kỳ",
    ):
        assert title in page
    assert _coverage_line(data) in page
    assert "Chuyên trách" in page and "Kiêm nhiệm" in page


def test_the_exports_carry_the_new_tables(data, register, signed_in):
    http = signed_in(data.supervisor)
    body = http.get("/reports/export.csv", query_string=q1_args()).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert ["Cộng tác viên CTXH theo xã ngày 31/03/2026"] in rows
    assert ["Nội dung", "Chuyên trách", "Kiêm nhiệm"] in rows
    assert ["Tổng số", "1", "2"] in rows
    assert any(row and row[0].startswith(_coverage_line(data)) for row in rows)
    training = rows.index(["Đào tạo, bồi dưỡng trong kỳ"])
    assert ["Tập huấn", "1", "16", "3", "3", "1"] in rows[training:]
    assert ["Tổng số", "1", "16", "4", "3", "2"] in rows[training:]  # m7 at two courses: one person

    workbook = load_workbook(io.BytesIO(http.get("/reports/export.xlsx", query_string=q1_args()).data))
    sheet = workbook["Cộng tác viên theo xã"]
    assert [cell.value for cell in sheet[3]] == ["Nội dung", "Chuyên trách", "Kiêm nhiệm"]
    assert "Truyền thông" in workbook.sheetnames

    pdf = http.get("/reports/export.pdf", query_string=q1_args())
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    document = Document(io.BytesIO(http.get("/reports/export.docx", query_string=q1_args()).data))
    words = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert _coverage_line(data) in words and "Đào tạo, bồi dưỡng trong kỳ" in words
    assert f"Nguồn số liệu: {COUNTED}" in words  # where indicators 1 and 2 come from


def test_small_counts_of_the_workforce_by_qualification_and_sex_are_hidden_from_a_reporter(data, register, signed_in):
    reporter = _page(signed_in(data.reporter))
    supervisor = _page(signed_in(data.supervisor))
    for key in ("workforce_detail", "workforce_qualification", "workforce_sex"):
        assert "&lt;5" in _section(reporter, key) and "&lt;5" not in _section(supervisor, key)
    # the posts the plans publish stay: by kind of post, and 1 full-time, 2 part-time collaborators
    assert "&lt;5" not in _section(reporter, "workforce_kind")
    assert _coverage_line(data) in reporter


def _section(page, key):
    start = page.index(f'id="h-{key}"')
    return page[start : page.index("</section>", start)]


def test_a_reporter_finds_no_name_of_a_person_in_anything_they_can_open(data, register, signed_in):
    http = signed_in(data.reporter)
    services.freeze_report(data.facility, Q1, by=data.supervisor)
    snapshot = queries.frozen_snapshot(data.facility.id, Q1)
    opened = [
        _page(http),
        _page(http, scope="province"),
        _page(http, scope="commune", commune=register.communes[0].code),
        http.get("/reports/province", query_string=q1_args()).get_data(as_text=True),
        http.get(f"/reports/periods/{snapshot.id}").get_data(as_text=True),
        http.get("/reports/export.csv", query_string=q1_args(scope="province")).data.decode("utf-8-sig"),
        http.get("/reports/export.csv", query_string={"snapshot": snapshot.id}).data.decode("utf-8-sig"),
        repr(snapshot.data),
    ]
    assert "Trường THCS Lê Lợi" in opened[0]  # agencies are named: they are not people
    for text in opened:
        for name in (*PEOPLE_NAMES, "Người Bên Kia Một"):
            assert name not in text


# --- freezing ------------------------------------------------------------------------------------------------


def test_a_frozen_period_keeps_its_workforce_figures_when_the_register_changes(data, register, signed_in):
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    member(register.agencies["A5"], "Người Mới Vào", "collaborator_full_time", since=date(2026, 3, 1))
    assert _indicators(_facility_numbers(data))[1].numerator == 4  # live: the justice body is staffed now
    frozen = _indicators(snapshot.data, snapshot.data["reference"])
    assert (frozen[1].numerator, frozen[1].denominator) == (3, 5)
    assert snapshot.data["workforce"]["coverage"]["full_time"] == 1
    page = signed_in(data.supervisor).get(f"/reports/periods/{snapshot.id}").get_data(as_text=True)
    assert _coverage_line(data) in page


def test_a_report_frozen_before_the_register_was_counted_still_renders(data, register, signed_in):
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    snapshot.data = {key: value for key, value in snapshot.data.items() if key != "workforce"}
    db.session.flush()
    http = signed_in(data.supervisor)
    response = http.get(f"/reports/periods/{snapshot.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đội ngũ làm công tác xã hội" in page and "Truyền thông" in page
    assert "báo cáo được chốt trước khi số liệu đội ngũ được đếm" in page
    assert _indicators(snapshot.data)[1].numerator is None  # no data, nor a count of today's register
    for fmt in ("csv", "xlsx", "pdf", "docx"):
        assert http.get(f"/reports/export.{fmt}", query_string={"snapshot": snapshot.id}).status_code == 200


# --- scopes and the province ---------------------------------------------------------------------------------


def test_a_commune_and_a_group_count_their_own_agencies_and_people(data, register):
    c1, c2, _c3 = register.communes
    commune = queries.statistics(scoping.report_scope(data.supervisor, "commune", c1.code), Q1)["workforce"]
    assert (commune["indicator_1"], commune["indicator_2"]) == ({"total": 2, "staffed": 2}, {"total": 4, "trained": 1})
    assert (commune["coverage"]["communes"], commune["coverage"]["covered"]) == (1, 1)
    group = services.create_commune_group("Huyện cũ", [c1.code, c2.code], by=data.reporter)
    grouped = queries.statistics(scoping.report_scope(data.supervisor, "commune_group", group=group.id), Q1)
    assert grouped["workforce"]["indicator_1"] == {"total": 4, "staffed": 3}
    assert grouped["workforce"]["coverage"]["covered"] == 2


def test_the_province_sum_counts_every_register_once_and_each_commune_once(data, register):
    other_supervisor = factories.make_user(role="supervisor", facility=data.other_facility)
    frozen = [
        services.freeze_report(data.facility, Q1, by=data.supervisor),
        services.freeze_report(data.other_facility, Q1, by=other_supervisor),
    ]
    total = province_numbers(frozen, 2)["workforce"]
    live = queries.statistics(scoping.report_scope(data.reporter, "province"), Q1)["workforce"]
    assert total["indicator_1"] == live["indicator_1"] == {"total": 7, "staffed": 5}
    assert total["indicator_2"] == live["indicator_2"] == {"total": 11, "trained": 3}
    # c1 has collaborators of both facilities: covered once
    assert total["coverage"] == live["coverage"]
    assert (total["coverage"]["covered"], total["coverage"]["full_time"], total["coverage"]["part_time"]) == (3, 3, 2)
    results = _indicators(province_numbers(frozen, 2))
    assert (results[1].numerator, results[1].denominator) == (5, 7)


def test_the_province_page_shows_the_summed_coverage(data, register, signed_in):
    services.freeze_report(data.facility, Q1, by=data.supervisor)
    page = signed_in(data.reporter).get("/reports/province", query_string=q1_args()).get_data(as_text=True)
    assert _coverage_line(data) in page


# --- the yearly implementation report ---------------------------------------------------------------------------


def test_the_yearly_report_tells_the_network_and_keeps_it_when_issued(data, register, signed_in):
    report = yearly.create_draft({"year": 2026, "scope": "facility", "title": "Báo cáo năm 2026"}, by=data.supervisor)
    signer = {"signer_title": "GIÁM ĐỐC", "signer_name": "Nguyễn Văn Ký", "recipients": "Sở Y tế"}
    yearly.issue(
        report,
        signer,
        issued_on=local_today(),
        figures_until=date(2026, 3, 31),
        by=data.supervisor,
        seen_version=report.version,
    )
    member(register.agencies["A5"], "Người Mới Vào", "collaborator_full_time", since=date(2026, 3, 1))
    http = signed_in(data.supervisor)
    page = http.get(f"/reports/yearly/{report.id}").get_data(as_text=True)
    assert "Mạng lưới, năng lực và truyền thông" in page
    assert _coverage_line(data) in page  # as issued: the newcomer is not there
    assert "Cơ quan, đơn vị có người làm công tác xã hội: 3/5" in page
    document = Document(io.BytesIO(http.get(f"/reports/yearly/{report.id}/report.docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "3. Mạng lưới, năng lực và truyền thông" in text and _coverage_line(data) in text
    assert http.get(f"/reports/yearly/{report.id}/report.pdf").status_code == 200
