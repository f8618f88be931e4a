"""Yearly targets of a place: a province, a commune group or a commune whose plan sets its own 2025 and
2030 targets but none for a year in between has the straight path between them that year, as QĐ 112's
national targets do; indicator 4 (a growth) is not interpolated: its 2030 target applies from 2026."""

import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.org.models import Province
from caseapp.reports import indicators, queries, scoping, services

from .conftest import Q1, communes_of, q1_args

PLAN = "Kế hoạch số 45/KH-UBND thực hiện Chương trình phát triển công tác xã hội giai đoạn 2021–2030"
GROUP_PLAN = "Kế hoạch của UBND huyện Thới Lai (cũ)"


def _enter(data, year, value, *, key="target_5", source=PLAN, by=None, **place):
    return services.set_reference_value(
        data.facility.province_code, year, key, value, source, by=by or data.supervisor, **place
    )


def _result(scope, number=5, year=2026):
    return indicators.compute(queries.statistics(scope, Q1), queries.reference_for(scope, year), year)[number - 1]


def _province(data):
    return scoping.report_scope(data.reporter, "province")


def _province_name(data):
    return db.session.get(Province, data.facility.province_code).name


def test_a_year_between_takes_the_straight_path_between_the_places_2025_and_2030_targets(data):
    _enter(data, 2025, 60)
    _enter(data, 2030, 80)
    result = _result(_province(data))
    assert result.own_target == 64.0  # 60 + (80 − 60) × 1/5 in 2026
    assert result.target == 64.0 and result.national_target == 86.0
    assert str(result.target_basis) == (
        f"Lộ trình tuyến tính giữa mục tiêu 2025 và 2030 của {_province_name(data)} ({PLAN})"
    )
    assert queries.reference_for(_province(data), 2028)["target_5"][:2] == [72.0, PLAN]  # 60 + 20 × 3/5


def test_the_places_own_target_of_the_year_comes_before_the_path(data):
    _enter(data, 2025, 60)
    _enter(data, 2030, 80)
    _enter(data, 2026, 70, source="Kế hoạch năm 2026")
    result = _result(_province(data))
    assert (result.own_target, result.target_source, result.own_target_from) == (70, "Kế hoạch năm 2026", None)


def test_two_documents_are_both_named_and_the_years_of_the_plan_are_its_own_targets(data):
    _enter(data, 2025, 60, source="Kế hoạch giai đoạn 2021–2025")
    _enter(data, 2030, 80, source="Kế hoạch giai đoạn 2026–2030")
    assert _result(_province(data)).target_source == "Kế hoạch giai đoạn 2021–2025; Kế hoạch giai đoạn 2026–2030"
    assert queries.reference_for(_province(data), 2025)["target_5"][:2] == [60.0, "Kế hoạch giai đoạn 2021–2025"]
    assert queries.reference_for(_province(data), 2030)["target_5"][:2] == [80.0, "Kế hoạch giai đoạn 2026–2030"]


def test_without_both_targets_there_is_no_path(data):
    _enter(data, 2030, 80)
    result = _result(_province(data))
    assert result.own_target is None and result.target == 86.0  # the national path: 85 → 90 %


def test_a_narrower_places_path_comes_before_a_wider_places_target(data):
    first, second = communes_of(data.facility.province_code, 2)
    group = services.create_commune_group("Huyện Thới Lai cũ", [first.code, second.code], by=data.reporter)
    _enter(data, 2026, 75, source="Kế hoạch năm 2026 của tỉnh")
    _enter(data, 2025, 50, source=GROUP_PLAN, group=group)
    _enter(data, 2030, 70, source=GROUP_PLAN, group=group)
    by_group = _result(scoping.report_scope(data.reporter, "commune_group", group=group.id))
    assert (by_group.own_target, by_group.target_place, by_group.own_target_from) == (54.0, group.name, "path")
    by_commune = _result(scoping.report_scope(data.reporter, "commune", first.code))
    assert by_commune.own_target == 54.0  # a commune of the group, with no target of its own
    assert _result(_province(data)).own_target == 75  # the province's own of 2026


def test_growth_is_not_interpolated_its_2030_target_applies_from_2026(data):
    _enter(data, 2025, 15, key="target_4")
    _enter(data, 2030, 25, key="target_4")
    result = _result(_province(data), number=4)
    assert (result.own_target, result.own_target_from) == (25, "2030")
    assert str(result.target_basis) == (f"Mục tiêu năm 2030 của {_province_name(data)}, áp dụng từ năm 2026 ({PLAN})")


def test_a_target_waiting_for_confirmation_draws_no_path(data):
    _enter(data, 2025, 60)
    _enter(data, 2030, 80, by=data.reporter)
    assert _result(_province(data)).own_target is None


def test_the_page_says_the_path_it_used(data, signed_in):
    _enter(data, 2025, 60)
    _enter(data, 2030, 80)
    page = signed_in(data.reporter).get("/reports/", query_string=q1_args(scope="province")).get_data(as_text=True)
    assert f"Lộ trình tuyến tính giữa mục tiêu 2025 và 2030 của {_province_name(data)}" in page
    assert "64,0 %" in page


def test_a_frozen_report_keeps_the_path_it_used(data):
    _enter(data, 2025, 60)
    _enter(data, 2030, 80)
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    _enter(data, 2030, 90)  # a later change does not touch the frozen report
    assert snapshot.data["reference"]["target_5"] == [64.0, PLAN, _province_name(data), "path"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("report_reference_values"))) == 2
