"""A province's live statistics kept a short while (reports/rollups.py): the province view
says when its numbers were counted and counts again on request or once older than the setting; a
facility's own report is always counted live (its numbers open the drill-down lists); the one
statement that groups the served clients gives what the per-dimension definitions give."""

import re
from datetime import timedelta

import sqlalchemy as sa

from caseapp.core.timeutil import utcnow
from caseapp.reports import queries
from caseapp.reports.models import StatisticsRollup

from .. import factories
from .conftest import Q1, intake, local, q1_args


def kept(session):
    return session.scalars(sa.select(StatisticsRollup)).all()


def received_kept(session):
    (row,) = kept(session)
    return row.data["headline"]["received"]


def csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def new_intake(data):
    client = factories.make_client(data.other_facility, "Người Mới Đến", sex="female", birth_year=1985)
    intake(data.other_facility, client, local(2026, 2, 20))


def test_the_province_view_keeps_its_numbers_and_counts_again_on_request(data, signed_in, session):
    reporter = signed_in(data.reporter)
    page = reporter.get("/reports/", query_string=q1_args(scope="province")).get_data(as_text=True)
    assert 'id="counted-at"' in page and "Tính lại ngay" in page
    assert received_kept(session) == 5  # the facility's 4 and the other facility's 1

    new_intake(data)
    reporter.get("/reports/", query_string=q1_args(scope="province"))
    assert received_kept(session) == 5  # kept

    response = reporter.post("/reports/refresh", data={"csrf_token": csrf(page), **q1_args(scope="province")})
    assert response.status_code == 302
    assert "scope=province" in response.headers["Location"] and "year=2026" in response.headers["Location"]
    reporter.get(response.headers["Location"])
    assert received_kept(session) == 6


def test_the_province_numbers_are_counted_again_once_older_than_the_setting(app, data, signed_in, session):
    reporter = signed_in(data.reporter)
    reporter.get("/reports/", query_string=q1_args(scope="province"))
    new_intake(data)
    age = app.config["STATISTICS_ROLLUP_SECONDS"] + 1
    session.execute(sa.update(StatisticsRollup).values(computed_at=utcnow() - timedelta(seconds=age)))
    session.flush()
    reporter.get("/reports/", query_string=q1_args(scope="province"))
    assert received_kept(session) == 6


def test_a_facility_report_is_always_counted_live(data, signed_in, session):
    supervisor = signed_in(data.supervisor)
    page = supervisor.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    assert 'id="counted-at"' not in page and kept(session) == []


def test_refreshing_needs_the_province_permission(data, signed_in):
    supervisor = signed_in(data.supervisor)
    page = supervisor.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    response = supervisor.post("/reports/refresh", data={"csrf_token": csrf(page), **q1_args(scope="province")})
    assert response.status_code == 403


def test_the_served_clients_grouped_at_once_equal_each_definition(data):
    for scope in (
        queries.Scope("facility", facility_id=data.facility.id, province_code=data.facility.province_code),
        queries.Scope("province", province_code=data.facility.province_code),
    ):
        served = queries.served_clients(scope, Q1)
        assert served.total == queries.count(queries.served(scope, Q1))
        assert served.indicator_children == queries.count(queries.children_of_indicator_group(scope, Q1)) == 1
        for dimension in queries.CLIENT_DIMENSIONS:
            assert served.by_dimension[dimension] == queries.breakdown_clients(dimension, scope, Q1), dimension
