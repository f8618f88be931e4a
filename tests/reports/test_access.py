"""Aggregate-only access: the reporter sees statistics and indicators, never a person,
never a case list; the drill-down to people is for the facility's supervisors only."""

import pytest

from caseapp.security.policy import ROLE_PERMS, Perm, Role

from ..security.matrix import ROUTES_APP, guarded_rules
from .conftest import q1_args

# Permissions that open personal data or lists of people / cases.
PERSONAL_DATA_PERMS = {
    Perm.VIEW_CLIENTS,
    Perm.EDIT_CLIENTS,
    Perm.MERGE_CLIENTS,
    Perm.CREATE_INTAKE,
    Perm.VIEW_CASES,
    Perm.EDIT_CASES,
    Perm.VIEW_FACILITY_CASES,
    Perm.ADMIT_EMERGENCY,
    Perm.MANAGE_STAYS,
    Perm.APPROVE,
    Perm.REVIEW_CASELOAD,
    Perm.BREAK_GLASS,
    Perm.VIEW_AUDIT,
}


def test_reporter_holds_no_permission_that_opens_personal_data():
    assert not (ROLE_PERMS[Role.REPORTER] & PERSONAL_DATA_PERMS)
    assert {Perm.VIEW_STATISTICS, Perm.FREEZE_REPORTS, Perm.ENTER_REFERENCE_DATA} <= ROLE_PERMS[Role.REPORTER]


def test_drilldown_to_people_needs_a_permission_of_case_work():
    assert ROUTES_APP.view_functions["reports.drilldown"].required_perm is Perm.VIEW_FACILITY_CASES


PERSONAL_ROUTES = sorted(
    {
        rule.rule
        for rule, method, perm in guarded_rules()
        if method == "GET" and perm in PERSONAL_DATA_PERMS and not rule.arguments
    }
)


@pytest.mark.parametrize("path", PERSONAL_ROUTES)
def test_reporter_cannot_reach_a_personal_data_route(data, signed_in, path):
    assert signed_in(data.reporter).get(path).status_code == 403


def test_reporter_cannot_open_the_drilldown_list(data, signed_in):
    response = signed_in(data.reporter).get("/reports/clients", query_string=q1_args(population="served"))
    assert response.status_code == 403


def test_reporter_pages_show_no_name_of_a_person(data, signed_in):
    from caseapp.reports import services

    from .conftest import Q1

    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    client = signed_in(data.reporter)
    pages = [
        client.get("/reports/", query_string=q1_args()),
        client.get("/reports/", query_string=q1_args(scope="province")),
        client.get("/reports/province", query_string=q1_args()),
        client.get(f"/reports/periods/{snapshot.id}"),
        client.get("/reports/export.csv", query_string=q1_args()),
    ]
    names = [c.full_name for c in data.clients.values()] + [c.code for c in data.clients.values()]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert not [n for n in names if n in text]
        assert "/reports/clients" not in text and "/clients/" not in text and "/cases/" not in text


def test_worker_cannot_see_the_statistics(data, signed_in):
    assert signed_in(data.worker).get("/reports/").status_code == 403


def test_reporter_enters_reference_data_with_its_source_and_the_indicator_uses_it(data, signed_in, session):
    import sqlalchemy as sa

    from caseapp.audit.models import AuditEvent
    from caseapp.reports.models import ReferenceValue

    client = signed_in(data.reporter)
    response = client.post(
        "/reports/reference",
        data={"year": 2026, "key": "ind4_baseline", "value": "4", "source": "Báo cáo tổng kết năm 2025 của Sở Y tế"},
    )
    assert response.status_code == 302
    row = session.scalar(sa.select(ReferenceValue))
    assert (row.province_code, row.year, row.key, row.value) == (
        data.facility.province_code,
        2026,
        "ind4_baseline",
        4.0,
    )
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reference_value_set")) is not None
    from caseapp.reports import indicators, queries, services

    services.confirm_reference_value(row, by=data.supervisor, seen=services.entry_stamp(row))  # in force now

    from .conftest import Q1

    scope = queries.Scope("facility", facility_id=data.facility.id, province_code=data.facility.province_code)
    numbers = queries.statistics(scope, Q1)
    reference = queries.reference_for(scope, 2026)
    ind4 = indicators.compute(numbers, reference, 2026)[3]
    assert (ind4.numerator, ind4.denominator, ind4.value) == (5, 4.0, 25.0)  # 5 people vs 4: +25 %
    assert ind4.target == 30 and ind4.met is False  # national 2030 target: +30 %
    client.post(
        "/reports/reference", data={"year": 2026, "key": "target_4", "value": "20", "source": "Kế hoạch số 12/KH-UBND"}
    )
    target = queries.reference_values(data.facility.province_code, 2026)["target_4"]
    services.confirm_reference_value(target, by=data.supervisor, seen=services.entry_stamp(target))
    reference = queries.reference_for(scope, 2026)
    ind4 = indicators.compute(numbers, reference, 2026)[3]
    assert ind4.own_target == 20.0 and ind4.met is True


def test_reference_data_without_a_source_is_refused_keeping_what_was_typed(data, signed_in):
    response = signed_in(data.reporter).post(
        "/reports/reference", data={"year": 2026, "key": "ind2_staff_total", "value": "137", "source": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="137"' in page
