"""Every count of the statistics report against the hand-computed fixture (tests/reports/conftest.py),
and the drill-down lists that show the very same people."""

import pytest

from caseapp.reports import queries
from caseapp.reports.periods import make_period

from .conftest import EXPECTED, Q1, intake, local, q1_args


def _facility_scope(facility):
    return queries.Scope("facility", facility_id=facility.id, province_code=facility.province_code)


def test_headline_counts_match_the_hand_computed_fixture(data):
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["headline"] == EXPECTED["headline"]


@pytest.mark.parametrize(
    "dimension",
    ["sex", "age_group", "ethnicity", "group", "channel", "problem", "service", "referral_kind", "referral_status"],
)
def test_breakdowns_match_the_hand_computed_fixture(data, dimension):
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["breakdowns"][dimension] == EXPECTED[dimension]


def test_commune_breakdown_counts_residents_and_unrecorded(data):
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["breakdowns"]["commune"] == {data.commune.code: 2, "": 3}
    assert numbers["commune_names"] == {data.commune.code: data.commune.name}


def test_shelter_admissions_bed_nights_and_stays_ended(data):
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["shelter"] == EXPECTED["shelter"]


def test_indicator_numerators(data):
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["indicators"] == EXPECTED["indicators"]


def test_province_scope_adds_the_other_facility_of_the_province(data):
    scope = queries.Scope("province", province_code=data.facility.province_code)
    numbers = queries.statistics(scope, Q1)
    assert numbers["headline"]["received"] == EXPECTED["headline"]["received"] + 1
    assert numbers["headline"]["served"] == EXPECTED["headline"]["served"] + 1
    assert numbers["indicators"]["facilities_total"] == 2
    assert numbers["indicators"]["facilities_with_cases"] == 1  # the other facility has an intake, no case


def test_a_month_counts_only_its_own_days(data):
    march = make_period("month", 2026, 3)
    numbers = queries.statistics(_facility_scope(data.facility), march)
    # received in March: F only (23:30 on 31/03); G's intake at 00:10 on 01/04 belongs to April
    assert numbers["headline"]["received"] == 1
    assert numbers["headline"]["cases_closed"] == 1  # D on 15/03
    assert numbers["shelter"]["bed_nights"] == 4  # C from 28/03


@pytest.mark.parametrize("population", ["received", "counselled", "supported", "served"])
def test_drilldown_count_equals_the_report_number(data, population):
    scope = _facility_scope(data.facility)
    listed = queries.population_clients(population, scope, Q1, user=data.supervisor, limit=100)
    assert len(listed) == EXPECTED["headline"][population]
    assert queries.population_count(population, scope, Q1, user=data.supervisor) == EXPECTED["headline"][population]


def test_drilldown_of_a_breakdown_cell_lists_that_cell(data):
    scope = _facility_scope(data.facility)
    women = queries.population_clients("served", scope, Q1, user=data.supervisor, dimension="sex", value="female")
    assert sorted(c.full_name for c in women) == sorted(["Nguyễn Thị An", "Đỗ Thị Cúc", "Lý Thị Phương"])
    children = queries.population_clients("ind5", scope, Q1, user=data.supervisor)
    assert [c.full_name for c in children] == ["Nguyễn Thị An"]


def test_statistics_page_shows_the_counts_and_indicators(data, signed_in):
    page = signed_in(data.supervisor).get("/reports/", query_string=q1_args()).get_data(as_text=True)
    assert "Quý 1/2026" in page
    assert "Chỉ tiêu" in page
    assert 'href="/reports/clients?' in page  # the supervisor may drill down


def test_supervisor_drilldown_page_lists_the_clients_behind_the_number(data, signed_in):
    response = signed_in(data.supervisor).get("/reports/clients", query_string=q1_args(population="counselled"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Phạm Văn Bình" in page and "Lý Thị Phương" in page
    assert "Nguyễn Thị An" not in page


def test_invalid_period_is_refused_with_a_message(data, signed_in):
    response = signed_in(data.supervisor).get(
        "/reports/", query_string={"kind": "custom", "date_from": "2026-03-01", "date_to": "2026-02-01"}
    )
    assert response.status_code == 422
    assert "Ngày cuối trước ngày đầu" in response.get_data(as_text=True)


def test_new_data_changes_the_live_statistics(data):
    intake(data.facility, data.clients["E"], local(2026, 2, 2), decision="advice_only")
    numbers = queries.statistics(_facility_scope(data.facility), Q1)
    assert numbers["headline"]["received"] == EXPECTED["headline"]["received"] + 1


def test_drilldown_page_of_a_cell_names_the_cell_and_counts_its_clients(data, signed_in):
    response = signed_in(data.supervisor).get(
        "/reports/clients", query_string=q1_args(population="served", dimension="sex", value="female")
    )
    page = response.get_data(as_text=True)
    assert "Giới tính: Nữ" in page and "3 đối tượng" in page
    assert "Phạm Văn Bình" not in page


def test_statistics_run_the_same_number_of_queries_whatever_the_amount_of_data(data, count_queries):
    """Grouped counts in SQL: more people means no more statements (no per-row work)."""
    scope = _facility_scope(data.facility)
    with count_queries() as before:
        queries.statistics(scope, Q1)
    from .. import factories

    for n in range(10):
        person = factories.make_client(data.facility, f"Người Thêm {n}", sex="female", birth_year=1990 + n)
        intake(data.facility, person, local(2026, 2, 1 + n), channel="walk_in", problems=("poverty", "other"))
    with count_queries() as after:
        numbers = queries.statistics(scope, Q1)
    assert numbers["headline"]["received"] == EXPECTED["headline"]["received"] + 10
    assert after.count == before.count


def test_between_2025_and_2030_the_national_target_follows_a_straight_path(app):
    from flask_babel import force_locale

    from caseapp.reports import indicators

    trained, growth = indicators.DEFINITIONS[1], indicators.DEFINITIONS[3]  # 30 → 40 %; +20 % → +30 %
    assert [indicators.national_target(trained, y) for y in (2024, 2025, 2026, 2027, 2029, 2030, 2031)] == [
        30, 30, 32.0, 34.0, 38.0, 40, 40
    ]  # fmt: skip
    assert indicators.national_target(growth, 2027) == 30  # growths over other baselines: no path
    numbers = {"indicators": {"facilities_with_cases": 1, "facilities_total": 2, "ind4_people": 0, "ind5_children": 0}}
    by_number = {r.definition.number: r for r in indicators.compute(numbers, {}, 2027)}
    assert by_number[3].target == 54.0 and by_number[3].met is False  # 50 % of facilities against 54 %
    with app.test_request_context(), force_locale("vi"):
        assert str(by_number[3].target_basis).startswith("Lộ trình quốc gia")
        assert str(indicators.compute(numbers, {}, 2025)[2].target_basis) == "Mục tiêu quốc gia (QĐ 112/QĐ-TTg)"


def test_indicator_3_uses_the_facilities_entered_with_their_source_else_says_it_counted_its_own(app):
    from flask_babel import force_locale

    from caseapp.reports import indicators

    numbers = {"indicators": {"facilities_with_cases": 3, "facilities_total": 4, "ind4_people": 0, "ind5_children": 0}}
    entered = {"ind3_units_total": [40, "Báo cáo của Sở Y tế và Sở Giáo dục 2026", "An Giang"]}
    with app.test_request_context(), force_locale("vi"):
        own = indicators.compute(numbers, {}, 2026)[2]
        assert (own.denominator, own.value) == (4, 75.0)
        assert own.sources == {"ind3_units_total": "số cơ sở dùng hệ thống này (chưa nhập số liệu)"}
        area = indicators.compute(numbers, entered, 2026)[2]
        assert (area.denominator, area.value) == (40, 7.5)
        assert area.sources == {"ind3_units_total": "Báo cáo của Sở Y tế và Sở Giáo dục 2026 (An Giang)"}
