"""QĐ 112/QĐ-TTg indicators 1 and 2, the collaborators' coverage of the communes and the workforce,
training and communication tables, counted from the register (workforce.counts) against the
hand-counted register of fixtures_counts."""

from datetime import date

import pytest

from caseapp.reports.queries import Scope
from caseapp.workforce import counts

from .fixtures_counts import FACILITY, Q1, D, build, member


@pytest.fixture()
def register(session, facility, other_facility):
    return build(facility, other_facility)


def _facility_scope(facility):
    return Scope("facility", facility_id=facility.id, province_code=facility.province_code)


def _province_scope(facility):
    return Scope("province", province_code=facility.province_code)


def test_indicator_1_counts_the_agencies_of_its_kinds_and_those_staffed_on_the_day(register, facility):
    scope = _facility_scope(facility)
    assert counts.indicator_1(scope, D) == FACILITY["indicator_1"]
    # before the prison's employee left (15/03) it was staffed too
    assert counts.indicator_1(scope, date(2026, 3, 1)) == {"total": 5, "staffed": 4}


def test_indicator_1_lists_the_agencies_without_staff_first_with_their_people_in_post(register, facility):
    listed = counts.indicator_1_agencies(_facility_scope(facility), D)
    assert [(name, people) for name, _kind, _commune, people in listed] == [
        ("Tòa án nhân dân khu vực", 0),
        ("Trại giam Số Bốn", 0),
        ("Bệnh viện đa khoa huyện", 2),
        ("Trường THCS Lê Lợi", 2),
        ("Ủy ban nhân dân xã Một", 3),
    ]
    assert "Trường đã giải thể" not in {row[0] for row in listed}  # inactive
    assert "Hội Liên hiệp Phụ nữ" not in {row[0] for row in listed}  # not a kind of indicator 1


def test_indicator_2_counts_each_person_in_post_once_trained_since_2021(register, facility):
    assert counts.indicator_2(_facility_scope(facility), D) == FACILITY["indicator_2"]


def test_a_person_whose_post_ended_before_the_day_is_not_counted(register, facility):
    scope = _facility_scope(facility)
    register.members["m3"].to_date = date(2026, 3, 30)
    assert counts.indicator_2(scope, D) == {"total": 7, "trained": 2}
    assert counts.indicator_1(scope, D) == {"total": 5, "staffed": 3}  # m10 still works at the hospital


def test_coverage_counts_communes_with_a_collaborator_full_time_and_part_time(register, facility):
    coverage = counts.coverage(_facility_scope(facility), D)
    province_communes = coverage["communes"]
    assert province_communes >= 3
    assert coverage == {
        "communes": province_communes,
        "covered": 2,
        "covered_full_time": 1,
        "covered_part_time": 2,
        "full_time": 1,
        "part_time": 2,
    }
    c1, c2, _c3 = register.communes
    assert counts.collaborators_by_commune(_facility_scope(facility), D) == {
        c1.code: {"full_time": 1, "part_time": 1},
        c2.code: {"full_time": 0, "part_time": 1},
    }


def test_the_province_counts_every_facility_register_and_each_commune_once(register, facility):
    scope = _province_scope(facility)
    assert counts.indicator_1(scope, D) == {"total": 7, "staffed": 5}  # + B1, B2
    assert counts.indicator_2(scope, D) == {"total": 11, "trained": 3}  # + n1, n2, n3
    coverage = counts.coverage(scope, D)
    # c1: m4, m5 and n3 (the other facility's, working in c1) — one commune; c3: n2
    assert (coverage["covered"], coverage["full_time"], coverage["part_time"]) == (3, 3, 2)
    assert coverage["covered_full_time"] == 2


def test_a_commune_counts_its_agencies_and_the_people_working_there(register, facility):
    c1, c2, _c3 = register.communes
    one = Scope("commune", facility_id=facility.id, province_code=facility.province_code, communes=(c1.code,))
    assert counts.indicator_1(one, D) == {"total": 2, "staffed": 2}  # A1, A3
    assert counts.indicator_2(one, D) == {"total": 4, "trained": 1}  # m1, m2, m4, m5 (m6 works in c2)
    assert counts.coverage(one, D) == {
        "communes": 1,
        "covered": 1,
        "covered_full_time": 1,
        "covered_part_time": 1,
        "full_time": 1,
        "part_time": 1,
    }
    group = Scope(
        "commune_group", facility_id=facility.id, province_code=facility.province_code, communes=(c1.code, c2.code)
    )
    assert counts.indicator_1(group, D) == {"total": 4, "staffed": 3}  # A1, A2, A3, A5
    assert counts.indicator_2(group, D) == {"total": 7, "trained": 3}  # all but m8 (c3)
    assert counts.coverage(group, D)["covered"] == 2


def test_the_workforce_cells_add_up_to_the_people_in_post(register, facility):
    cells = counts.workforce_cells(_facility_scope(facility), D)
    assert sum(cells.values()) == 8
    assert cells["civil_servant|university|female|school"] == 1
    assert cells["civil_servant|postgraduate|unknown|hospital"] == 1  # sex not recorded
    assert cells["collaborator_part_time|short_course|male|commune"] == 1


def test_training_counts_courses_of_the_scope_and_attendances_of_its_register(register, facility):
    training = counts.training(_facility_scope(facility), Q1)
    assert training["by_kind"] == FACILITY["training"]
    assert training["people"] == FACILITY["trained_people"]


def test_communication_counts_activities_of_the_period_by_kind_and_topic(register, facility):
    assert counts.communication(_facility_scope(facility), Q1) == FACILITY["communication"]


def test_a_person_added_later_counts_from_the_day_they_start(register, facility):
    member(register.agencies["A5"], "Người Mới", "civil_servant", since=date(2026, 3, 31))
    assert counts.indicator_1(_facility_scope(facility), D) == {"total": 5, "staffed": 4}


def test_the_numbers_hold_counts_and_agency_names_only(register, facility):
    numbers = counts.workforce_numbers(_facility_scope(facility), Q1)
    text = repr(numbers)
    for person in register.members.values():
        assert person.full_name not in text
    assert "Trường THCS Lê Lợi" in text
