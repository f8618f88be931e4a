"""The menu and the home tiles of the case work: by permission, only to pages that exist, and the
worker's counts from one small aggregate."""

import re
from datetime import timedelta

import pytest
from flask import render_template_string

from caseapp.cases.queries import my_case_counts
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.shelter.services import add_room

from .. import factories


def _nav(page):
    start = page.index('<nav class="mainnav"')
    return page[start : page.index("</nav>", start)]


def test_worker_home_counts_open_cases_and_incomplete_intakes(staff, signed_in):
    f, w = staff.facility, staff.worker
    factories.make_case(f, worker=w)
    factories.make_case(f, worker=w, intake_incomplete=True, intake_due_at=utcnow() - timedelta(hours=1))
    factories.make_case(f, worker=w, intake_incomplete=True, intake_due_at=utcnow() + timedelta(hours=9))
    factories.make_case(f, worker=w, status="closed", intake_incomplete=True)
    factories.make_case(f, worker=staff.colleague)
    assert my_case_counts(w) == {"open": 3, "intake_incomplete": 2, "intake_overdue": 1}
    page = signed_in(w).get("/").get_data(as_text=True)
    assert "Hồ sơ đang phụ trách: 3" in page
    assert "Cần hoàn thiện: 2" in page and "Quá hạn: 1" in page
    assert 'href="/cases/mine?status=open&amp;intake_incomplete=1"' in page
    assert "/cases/facility" not in page


def test_incomplete_intake_tile_is_hidden_when_there_is_nothing_to_complete(staff, signed_in):
    factories.make_case(staff.facility, worker=staff.worker)
    page = signed_in(staff.worker).get("/").get_data(as_text=True)
    assert "Hồ sơ đang phụ trách: 1" in page
    assert "Cần hoàn thiện" not in page


def test_home_counts_are_one_query(staff, signed_in, count_queries):
    client = signed_in(staff.worker)
    client.get("/")
    with count_queries() as small:
        client.get("/")
    for _ in range(10):
        factories.make_case(staff.facility, worker=staff.worker, intake_incomplete=True)
    client.get("/")
    with count_queries() as large:
        client.get("/")
    assert small.count == large.count
    assert sum("count(" in s.lower() for s in large.statements) == 1


def test_supervisor_menu_and_tiles_offer_both_lists(staff, signed_in):
    page = signed_in(staff.supervisor).get("/").get_data(as_text=True)
    nav = _nav(page)
    assert 'href="/cases/mine"' in nav and "Hồ sơ của tôi" in nav
    assert 'href="/cases/facility"' in nav and "Hồ sơ của cơ sở" in nav
    assert "Toàn bộ hồ sơ của cơ sở, có bộ lọc" in page


def test_worker_menu_has_my_cases_but_not_the_facility_list(staff, signed_in):
    nav = _nav(signed_in(staff.worker).get("/").get_data(as_text=True))
    assert 'href="/cases/mine"' in nav
    assert "/cases/facility" not in nav


@pytest.mark.parametrize("role", ["admin", "reporter"])
def test_admin_and_reporter_get_no_case_links(staff, signed_in, role):
    page = signed_in(getattr(staff, role)).get("/").get_data(as_text=True)
    assert "/cases/" not in page
    # the register of processing activities (an admin's) describes the processing, not a client
    assert "/clients/" not in page.replace('href="/clients/processing-register"', "")


def test_menu_links_only_to_pages_that_exist(staff, signed_in, app):
    staff.facility.capacity = 10  # a facility that houses people: the shelter's pages too
    db.session.flush()
    nav = _nav(signed_in(staff.supervisor).get("/").get_data(as_text=True))
    for endpoint, path in (
        ("clients.search", 'href="/clients/"'),
        ("intake.new", 'href="/intake/'),
        ("shelter.board", 'href="/shelter/'),
        ("shelter.admit", "Tiếp nhận khẩn cấp"),
    ):
        assert (path in nav) == (endpoint in app.view_functions), endpoint


def test_has_endpoint_template_helper(app, session):
    with app.test_request_context():
        assert render_template_string("{{ has_endpoint('cases.mine') }} {{ has_endpoint('no.such') }}") == "True False"


def test_my_case_counts_of_a_user_without_cases(staff):
    assert my_case_counts(staff.admin) == {"open": 0, "intake_incomplete": 0, "intake_overdue": 0}


def _top_level_entries(nav):
    """The menu's entries a person sees before opening a group: its links and groups outside a group."""
    outside = re.sub(r"<div class=\"navgroup-items\">.*?</div>", "", nav, flags=re.S)
    return outside.count("<a ") + outside.count("<summary")


@pytest.mark.parametrize("role", ["supervisor", "worker", "shelter", "admin", "reporter"])
def test_menu_has_at_most_seven_entries_for_every_role(staff, signed_in, role):
    staff.facility.capacity = 10
    db.session.flush()
    nav = _nav(signed_in(getattr(staff, role)).get("/").get_data(as_text=True))
    assert 1 <= _top_level_entries(nav) <= 7


def test_supervisor_menu_groups_the_case_pages(staff, signed_in):
    nav = _nav(signed_in(staff.supervisor).get("/").get_data(as_text=True))
    cases = nav[nav.index('class="navgroup navgroup-cases"') :]
    cases = cases[: cases.index("</details>")]
    assert "<summary>Hồ sơ</summary>" in cases
    assert 'href="/cases/mine"' in cases and 'href="/cases/facility"' in cases and 'href="/cases/caseload"' in cases


def test_a_centre_without_beds_offers_no_shelter_pages(staff, signed_in):
    assert staff.facility.capacity is None
    for user in (staff.supervisor, staff.shelter):
        page = signed_in(user).get("/").get_data(as_text=True)
        assert "/shelter/" not in page, user.role
        assert "Tiếp nhận khẩn cấp" not in page and "giường" not in page.lower()


def test_a_facility_with_beds_offers_the_shelter_pages(staff, signed_in):
    add_room(staff.facility, name="P1", beds=2, by=staff.supervisor)  # no capacity set: the beds count
    page = signed_in(staff.shelter).get("/").get_data(as_text=True)
    assert 'href="/shelter/board"' in _nav(page) and 'href="/shelter/admit"' in _nav(page)
    staff.facility.capacity = 0  # a capacity of none: no shelter, whatever the beds
    db.session.flush()
    page = signed_in(staff.shelter).get("/").get_data(as_text=True)
    assert "/shelter/" not in page


def test_shelter_staff_home_starts_with_emergency_admission(staff, signed_in):
    staff.facility.capacity = 12
    db.session.flush()
    page = signed_in(staff.shelter).get("/").get_data(as_text=True)
    main = page[page.index('<main id="main"') :]
    button = main.index('id="home-emergency-admission"')
    assert 'href="/shelter/admit"' in main[button - 200 : button + 200]
    assert button < main.index("<h2")  # before the dashboard and the tiles
