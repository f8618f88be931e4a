"""People under management on a date: distinct persons per family, group, disability type × degree and
client dimension; each count equals its drill-down list; a past period does not move."""

from datetime import date

import pytest

from caseapp.extensions import db
from caseapp.register import queries as register_queries
from caseapp.register import services
from caseapp.reports import queries, tables
from caseapp.reports.periods import Period

from .. import factories

YEAR_2025 = Period("year", date(2025, 1, 1), date(2025, 12, 31))


def _member(person, group, since=date(2025, 1, 1), **details):
    return factories.make_membership(person, group, since=since, **details)


@pytest.fixture()
def register(staff, new_client):
    child = new_client("Lò Thị Bé", sex="female", birth_date=date(2015, 3, 1), birth_year=2015, birth_precision="exact")
    _member(child, "cs_orphan")
    _member(child, "cs_violence")
    _member(child, "cs_disability", disability_type="intellectual", disability_degree="mild")
    adult = new_client("Vàng A Khuyết", sex="male", birth_year=1980, birth_precision="year")
    _member(adult, "bt_disability", disability_type="mental", disability_degree="severe", care_mode="community")
    older = new_client("Hà Thị Cao", sex="female", birth_year=1940, birth_precision="year")
    _member(older, "bt_elderly", care_mode="institution", status="suspended")
    ended = new_client("Đã Thôi")
    _member(ended, "bt_elderly", since=date(2024, 1, 1), status="ended")
    later = new_client("Sau Kỳ")
    _member(later, "bt_elderly", since=date(2026, 2, 1))
    outsider = new_client("Cơ Sở Khác", facility=staff.other_facility)
    _member(outsider, "bt_elderly")
    return {"child": child, "adult": adult, "older": older}


def _scope(staff):
    return queries.Scope("facility", facility_id=staff.facility.id, province_code=staff.facility.province_code)


def test_each_person_counts_once_in_a_family_and_in_the_total(staff, register):
    m = queries.managed_numbers(_scope(staff), YEAR_2025)
    assert m["total"] == 3
    assert m["family"] == {"child_special": 1, "disability": 2, "elderly": 1, "monthly": 2}
    assert m["group"] == {"cs_orphan": 1, "cs_violence": 1, "cs_disability": 1, "bt_disability": 1, "bt_elderly": 1}
    assert m["disability"] == {"intellectual|mild": 1, "mental|severe": 1}
    assert m["disability_type"] == {"intellectual": 1, "mental": 1}
    assert m["sex"] == {"female": 2, "male": 1}
    assert m["age_group"] == {"6-10": 1, "18-59": 1, "60+": 1}
    assert m["care_mode"] == {"community": 1, "institution": 1, "unknown": 1}


@pytest.mark.parametrize(
    "dimension, value, expected",
    [
        (None, None, 3),
        ("family", "child_special", 1),
        ("family", "disability", 2),
        ("group", "cs_violence", 1),
        ("disability", "mental|severe", 1),
        ("disability_degree", "mild", 1),
        ("care_mode", "unknown", 1),
        ("sex", "female", 2),
    ],
)
def test_each_count_is_its_drill_down_list(staff, register, dimension, value, expected):
    scope = _scope(staff)
    listed = queries.population_clients(
        "managed", scope, YEAR_2025, user=staff.supervisor, dimension=dimension, value=value
    )
    counted = queries.population_count(
        "managed", scope, YEAR_2025, user=staff.supervisor, dimension=dimension, value=value
    )
    assert len(listed) == counted == expected


def test_ending_a_membership_today_leaves_the_past_period_as_it_was(staff, register):
    scope = _scope(staff)
    before = queries.managed_numbers(scope, YEAR_2025)
    adult = register["adult"]
    membership = db.session.scalars(register_queries.memberships_of(adult.id)).one()
    services.change_membership(
        membership,
        {"effective_from": date(2026, 12, 8), "status": "ended", "reason": "Chuyển đi"},
        by=staff.worker,
        seen_version_id=services.latest_version(membership.id).id,
    )
    assert queries.managed_numbers(scope, YEAR_2025) == before
    this_year = Period("year", date(2026, 1, 1), date(2026, 12, 31))
    assert queries.managed_numbers(scope, this_year)["family"].get("disability") == 1


def test_the_report_tables_show_the_people_under_management_on_the_last_day(staff, register):
    numbers = queries.statistics(_scope(staff), YEAR_2025)
    built = {t.key: t for t in tables.build(numbers)}
    family = built["managed_family"]
    assert "31/12/2025" in family.title and family.total == 3
    assert {row.code: row.value for row in family.rows}["child_special"] == 1
    disability = built["managed_disability"]
    assert [row.label for row in disability.rows] == [
        "Khuyết tật trí tuệ — Nhẹ",
        "Khuyết tật thần kinh, tâm thần — Nặng",
    ] or sorted(row.label for row in disability.rows) == [
        "Khuyết tật thần kinh, tâm thần — Nặng",
        "Khuyết tật trí tuệ — Nhẹ",
    ]
    suppressed = {t.key: t for t in tables.suppress(tables.build(numbers))}
    assert suppressed["managed_family"].total == tables.HIDDEN


def test_a_frozen_report_keeps_its_people_under_management_whatever_changes_later(staff, register):
    from caseapp.reports.services import freeze_report

    snapshot = freeze_report(staff.facility, YEAR_2025, by=staff.supervisor)
    assert snapshot.data["managed"]["family"]["disability"] == 2
    adult = register["adult"]
    membership = db.session.scalars(register_queries.memberships_of(adult.id)).one()
    services.change_membership(
        membership,
        {"effective_from": date(2025, 6, 1), "status": "ended", "reason": "Đính chính: đã chuyển đi từ 01/6/2025"},
        by=staff.worker,
        seen_version_id=services.latest_version(membership.id).id,
    )
    assert queries.managed_numbers(_scope(staff), YEAR_2025)["family"]["disability"] == 1  # live: corrected
    db.session.refresh(snapshot)
    assert snapshot.data["managed"]["family"]["disability"] == 2  # frozen: as it was


def test_a_supervisor_opens_the_people_behind_a_count_on_the_report(staff, register, signed_in):
    http = signed_in(staff.supervisor)
    page = http.get("/reports/?kind=year&year=2025").get_data(as_text=True)
    assert "Đối tượng đang quản lý tại ngày 31/12/2025, theo nhóm đối tượng" in page
    listed = http.get(
        "/reports/clients?kind=year&year=2025&population=managed&dimension=disability&value=mental|severe"
    )
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert "Vàng A Khuyết" in text and "Lò Thị Bé" not in text
    assert "Khuyết tật thần kinh, tâm thần — Nặng" in text
