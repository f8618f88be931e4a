"""Report scopes: a commune and a group of communes (the people living there), the targets of the
narrowest place, and who may read a report by them. Counts against the hand-made fixture
(tests/reports/conftest.py): A and C live in the facility's commune, the others have no commune."""

import pytest
import sqlalchemy as sa

from caseapp.clients.models import Client
from caseapp.extensions import db
from caseapp.org.models import Province
from caseapp.reports import indicators, queries, scoping, services
from caseapp.reports.models import ReferenceValue

from .conftest import EXPECTED, Q1, communes_of, q1_args

PLAN = "Kế hoạch số 45/KH-UBND của UBND huyện Thới Lai năm 2025"


@pytest.fixture()
def places(data):
    """The facility's commune (A, C live there) and two more of its province; D and the other
    facility's client move to the second one; a group of the first two communes."""
    first, second, third = communes_of(data.facility.province_code, 3)
    assert first.code == data.commune.code
    data.clients["D"].commune_code = second.code
    outsider = db.session.scalar(sa.select(Client).where(Client.facility_id == data.other_facility.id))
    outsider.commune_code = second.code
    db.session.flush()
    group = services.create_commune_group("Huyện Thới Lai cũ", [first.code, second.code], by=data.reporter)
    return {"first": first, "second": second, "third": third, "group": group}


def _headline(scope):
    return queries.statistics(scope, Q1)["headline"]


# --- counts ------------------------------------------------------------------------------------------


def test_commune_scope_counts_the_people_living_in_the_commune(data):
    scope = scoping.report_scope(data.supervisor, "commune", data.commune.code)
    assert (scope.facility_id, scope.communes) == (data.facility.id, (data.commune.code,))
    numbers = queries.statistics(scope, Q1)
    # A: received, case opened in Q1; C: case opened in 2025, still open — B, D, F have no commune
    assert numbers["headline"] == {
        "received": 1,
        "counselled": 0,
        "supported": 2,
        "served": 2,
        "cases_opened": 1,
        "cases_closed": 0,
    }
    assert numbers["breakdowns"]["commune"] == {data.commune.code: 2}
    assert numbers["breakdowns"]["channel"] == {"hotline_111": 1}
    assert numbers["breakdowns"]["referral_kind"] == {"hospital": 1}  # A's referral
    assert numbers["shelter"] == {"admissions": 1, "bed_nights": 4, "stays_ended": 0, "stay_nights_ended": 0}
    assert numbers["indicators"] == {
        "facilities_with_cases": 1,
        "facilities_total": 1,
        "ind4_people": 2,
        "ind5_children": 1,
    }


@pytest.mark.parametrize("population", sorted(queries.CLIENT_POPULATIONS))
def test_commune_scope_drilldown_lists_exactly_the_count(data, population):
    scope = scoping.report_scope(data.supervisor, "commune", data.commune.code)
    counted = queries.count(queries.CLIENT_POPULATIONS[population](scope, Q1))
    listed = queries.population_clients(population, scope, Q1, user=data.supervisor, limit=100)
    assert len(listed) == counted == queries.population_count(population, scope, Q1, user=data.supervisor)
    assert {c.commune_code for c in listed} <= {data.commune.code}


def test_a_group_of_two_communes_counts_the_people_of_both(data, places):
    facility = scoping.report_scope(data.supervisor, "commune_group", group=places["group"].id)
    assert set(facility.communes) == {places["first"].code, places["second"].code}
    assert _headline(facility) == {
        "received": 2,  # A, D
        "counselled": 0,
        "supported": 3,  # A, C, D
        "served": 3,
        "cases_opened": 2,
        "cases_closed": 1,  # D
    }
    listed = queries.population_clients("served", facility, Q1, user=data.supervisor, limit=100)
    assert sorted(c.full_name for c in listed) == sorted(data.clients[k].full_name for k in "ACD")
    # the province's reporter: every facility of the province — the other facility's client too
    province = scoping.report_scope(data.reporter, "commune_group", group=places["group"].id)
    assert province.across_facilities
    assert _headline(province)["received"] == 3 and _headline(province)["served"] == 4
    second = scoping.report_scope(data.reporter, "commune", places["second"].code)
    assert _headline(second)["received"] == 2  # D and the other facility's client
    assert _headline(scoping.report_scope(data.reporter, "commune", places["third"].code))["served"] == 0


def test_the_facility_and_province_scopes_are_unchanged_and_the_province_is_refused_to_others(data):
    assert _headline(scoping.report_scope(data.supervisor, "facility")) == EXPECTED["headline"]
    with pytest.raises(ValueError, match="toàn tỉnh"):
        scoping.report_scope(data.supervisor, "province")  # not a reader of the province
    assert _headline(scoping.report_scope(data.reporter, "province"))["served"] == EXPECTED["headline"]["served"] + 1


REFUSED = "Chỉ người được xem báo cáo của tỉnh mới chọn được phạm vi toàn tỉnh."


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/export.csv", "/reports/export.xlsx", "/reports/export.pdf", "/reports/export.docx"]
)
def test_what_the_page_refuses_every_file_refuses_with_the_same_message(data, signed_in, path):
    asked = q1_args(scope="province")
    refused = signed_in(data.supervisor).get(path, query_string=asked)
    assert refused.status_code == 422 and REFUSED in refused.get_data(as_text=True)
    assert signed_in(data.reporter).get(path, query_string=asked).status_code == 200  # a reader of the province
    assert signed_in(data.supervisor).get(path, query_string=q1_args()).status_code == 200


def test_the_queue_refuses_the_province_to_a_supervisor_with_the_same_message(data, signed_in):
    http = signed_in(data.supervisor)
    response = http.post("/reports/jobs", data={"fmt": "xlsx", **q1_args(scope="province")}, follow_redirects=True)
    assert REFUSED in response.get_data(as_text=True)


# --- targets of the narrowest place -----------------------------------------------------------------


def _target(scope, number=4):
    return indicators.compute(queries.statistics(scope, Q1), queries.reference_for(scope, 2026), 2026)[number - 1]


def _enter(data, value, source, *, key="target_4", group=None, commune_code=None, year=2026):
    """A number entered by a supervisor: in force at once."""
    services.set_reference_value(
        data.facility.province_code,
        year,
        key,
        value,
        source,
        by=data.supervisor,
        group=group,
        commune_code=commune_code,
    )


def test_the_narrowest_place_with_a_target_decides(data, places):
    province_name = db.session.get(Province, data.facility.province_code).name
    _enter(data, 20, "Kế hoạch số 12/KH-UBND của UBND tỉnh")
    _enter(data, 25, PLAN, group=places["group"])
    _enter(data, 30, "Nghị quyết của HĐND xã", commune_code=places["first"].code)
    group = {"group": places["group"].id}
    cases = [
        ("commune", {"commune": places["first"].code}, 30, places["first"].name),
        ("commune", {"commune": places["second"].code}, 25, "Huyện Thới Lai cũ"),  # in the group, none of its own
        ("commune", {"commune": places["third"].code}, 20, province_name),  # in no group
        ("commune_group", group, 25, "Huyện Thới Lai cũ"),
        ("province", {}, 20, province_name),
        ("facility", {}, 20, province_name),
    ]
    for kind, place, target, where in cases:
        result = _target(scoping.report_scope(data.reporter, kind, **place))
        assert (result.target, result.target_place) == (target, where), (kind, place)
    group_result = _target(scoping.report_scope(data.reporter, "commune_group", **group))
    assert group_result.target_source == PLAN and PLAN in group_result.target_basis
    national = _target(scoping.report_scope(data.reporter, "commune_group", **group), 5)
    assert (national.own_target, national.target) == (None, 86.0)  # QĐ 112: 2026 on the path from 85 to 90 %
    assert "112" in str(national.target_basis)


def test_of_two_groups_holding_a_commune_the_smaller_one_is_narrower(data, places):
    small = services.create_commune_group("Cụm xã ven sông", [places["second"].code], by=data.reporter)
    _enter(data, 25, PLAN, group=places["group"])
    _enter(data, 35, "Kế hoạch của cụm xã", group=small)
    result = _target(scoping.report_scope(data.reporter, "commune", places["second"].code))
    assert (result.target, result.target_place) == (35, "Cụm xã ven sông")


def test_a_reporter_enters_a_communes_target_with_its_source_on_the_reference_page(data, places, signed_in):
    code = places["first"].code
    client = signed_in(data.reporter)
    response = client.post(
        "/reports/reference",
        data={"year": 2026, "place": f"commune-{code}", "key": "target_5", "value": "95", "source": "Nghị quyết xã"},
    )
    assert response.status_code == 302
    row = db.session.scalar(sa.select(ReferenceValue))
    assert (row.commune_code, row.commune_group_id, row.province_code) == (code, None, data.facility.province_code)
    page = client.get("/reports/reference", query_string={"year": 2026, "place": f"commune-{code}"})
    assert "Nghị quyết xã" in page.get_data(as_text=True)
    assert "Nghị quyết xã" not in client.get("/reports/reference", query_string={"year": 2026}).get_data(as_text=True)
    services.confirm_reference_value(row, by=data.supervisor, seen=services.entry_stamp(row))
    result = _target(scoping.report_scope(data.reporter, "commune", commune=code), 5)
    assert (result.target, result.target_source) == (95, "Nghị quyết xã")


def test_the_statistics_page_says_which_target_and_source_it_used(data, places, signed_in):
    _enter(data, 25, PLAN, group=places["group"])
    response = signed_in(data.reporter).get(
        "/reports/", query_string=q1_args(scope="commune_group", group=places["group"].id)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Huyện Thới Lai cũ: {PLAN}" in page
    assert "&lt;5" in page  # several facilities: small cells hidden
    assert "/reports/clients" not in page  # no drill-down for the province's figures


# --- the pages, the drill-down and the files of each scope ------------------------------------------


def test_a_supervisor_reads_a_commune_of_the_facility_and_drills_down(data, places, signed_in):
    client = signed_in(data.supervisor)
    args = q1_args(scope="commune", commune=data.commune.code)
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert "&lt;5" not in page  # the facility's own figures
    assert f"commune={data.commune.code}" in page and "/reports/clients?" in page
    response = client.get("/reports/clients", query_string={**args, "population": "served"})
    listed = response.get_data(as_text=True)
    assert response.status_code == 200
    assert data.clients["A"].full_name in listed and data.clients["C"].full_name in listed
    assert data.clients["B"].full_name not in listed and data.clients["D"].full_name not in listed
    group_args = q1_args(scope="commune_group", group=places["group"].id, population="served")
    listed = client.get("/reports/clients", query_string=group_args).get_data(as_text=True)
    assert data.clients["D"].full_name in listed and data.clients["B"].full_name not in listed


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "docx"])
def test_each_scope_exports_its_figures(data, places, signed_in, fmt):
    client = signed_in(data.reporter)
    for args in (
        q1_args(scope="commune", commune=places["second"].code),
        q1_args(scope="commune_group", group=places["group"].id),
    ):
        response = client.get(f"/reports/export.{fmt}", query_string=args)
        assert response.status_code == 200
    if fmt == "csv":
        text = response.get_data().decode("utf-8-sig")
        assert "Huyện Thới Lai cũ" in text and "<5" in text


def test_a_file_made_in_the_background_keeps_the_scope(data, places, stranger, signed_in, session):
    from caseapp.reports import jobs
    from caseapp.reports.models import ExportJob

    by_group = {"fmt": "csv", **q1_args(scope="commune_group", group=places["group"].id)}
    assert signed_in(data.reporter).post("/reports/jobs", data=by_group).status_code == 302
    assert jobs.run_export_jobs() == 1
    job = session.scalar(sa.select(ExportJob))
    assert job.params["group"] == str(places["group"].id)
    assert "Huyện Thới Lai cũ" in jobs.export_content(job).decode("utf-8-sig")
    signed_in(stranger).post("/reports/jobs", data=by_group)  # another province's group: refused
    assert session.scalar(sa.select(sa.func.count(ExportJob.id))) == 1


def test_a_commune_without_its_code_is_refused_on_the_form(data, signed_in):
    response = signed_in(data.supervisor).get("/reports/", query_string=q1_args(scope="commune"))
    assert response.status_code == 422


# --- access -------------------------------------------------------------------------------------------


def test_a_reporter_of_another_province_cannot_read_by_a_group_or_a_commune_of_it(
    data, places, stranger, signed_in, session
):
    group = places["group"]
    client = signed_in(stranger)
    response = client.get("/reports/", query_string=q1_args(scope="commune_group", group=group.id))
    assert response.status_code == 422 and "Huyện Thới Lai cũ" not in response.get_data(as_text=True)
    by_group = q1_args(scope="commune_group", group=group.id)
    assert client.get("/reports/export.csv", query_string=by_group).status_code == 404
    by_commune = q1_args(scope="commune", commune=data.commune.code)
    assert client.get("/reports/export.csv", query_string=by_commune).status_code == 404
    entered = client.post(
        "/reports/reference",
        data={"year": 2026, "place": f"group-{group.id}", "key": "target_4", "value": "50", "source": PLAN},
    )
    assert entered.status_code == 422
    assert session.scalar(sa.select(sa.func.count(ReferenceValue.id))) == 0
    with pytest.raises(LookupError):
        scoping.report_scope(stranger, "commune_group", group=group.id)
