"""Who sees which case: the lists, the case page and the searches all
follow security.case_scope, and a sealed (sensitive) case is seen only by its worker and the
facility's supervisors."""

import pytest
import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.cases.queries import CaseFilters, filtered_cases, visible_cases
from caseapp.clients.queries import search_statement
from caseapp.extensions import db

from .. import factories


def _ids(stmt):
    return set(db.session.scalars(stmt.with_only_columns(Case.id)))


def _listed(client, path):
    """Case numbers shown on a list page (all pages)."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.fixture()
def cases(staff):
    """One case of each kind, in `facility` unless said otherwise."""
    f = staff.facility
    return {
        "mine": factories.make_case(f, worker=staff.worker),
        "colleague": factories.make_case(f, worker=staff.colleague),
        "unassigned": factories.make_case(f),
        "sealed_mine": factories.make_case(f, worker=staff.worker, is_sensitive=True),
        "sealed_colleague": factories.make_case(f, worker=staff.colleague, is_sensitive=True),
        "sealed_shelter": factories.make_case(f, worker=staff.shelter, is_sensitive=True),
        "sealed_client": factories.make_case(
            f, worker=staff.colleague, client=factories.make_client(f, full_name="Đỗ Thị Kín", is_sensitive=True)
        ),
        "other_facility": factories.make_case(staff.other_facility, worker=staff.outsider),
    }


def test_worker_sees_only_cases_assigned_to_them(staff, cases, signed_in):
    assert _ids(visible_cases(staff.worker)) == {cases["mine"].id, cases["sealed_mine"].id}
    page = _listed(signed_in(staff.worker), "/cases/mine?status=all")
    for name, case in cases.items():
        assert (case.number in page) == (name in ("mine", "sealed_mine")), name


def test_supervisor_sees_every_case_of_the_facility_and_none_of_another(staff, cases, signed_in):
    expected = {c.id for name, c in cases.items() if name != "other_facility"}
    assert _ids(visible_cases(staff.supervisor)) == expected
    page = _listed(signed_in(staff.supervisor), "/cases/facility?status=all")
    for name, case in cases.items():
        assert (case.number in page) == (name != "other_facility"), name


def test_shelter_staff_see_the_facility_cases_except_sealed_ones(staff, cases, signed_in):
    expected = {cases[n].id for n in ("mine", "colleague", "unassigned", "sealed_shelter")}
    assert _ids(visible_cases(staff.shelter)) == expected
    assert _ids(filtered_cases(staff.shelter, CaseFilters(scope="facility"))) == expected
    client = signed_in(staff.shelter)
    for name, case in cases.items():
        # out of scope in their own facility: the restricted page (break the glass)
        out_of_scope = 404 if name == "other_facility" else 403
        assert client.get(f"/cases/{case.id}").status_code == (200 if case.id in expected else out_of_scope), name


def test_shelter_staff_cannot_see_a_case_whose_client_is_sealed(staff, cases, signed_in):
    """The case itself is not flagged, its client is: the client's seal covers the case."""
    case = cases["sealed_client"]
    assert case.is_sensitive is True  # open_case copies the client's seal …
    case.is_sensitive = False  # … but a client sealed after the case was opened has unflagged cases
    db.session.flush()
    assert case.id not in _ids(visible_cases(staff.shelter))
    response = signed_in(staff.shelter).get(f"/cases/{case.id}")  # the restricted page, no name on it
    assert response.status_code == 403 and "Đỗ Thị Kín" not in response.get_data(as_text=True)
    assert case.id in _ids(visible_cases(staff.supervisor))
    assert case.id in _ids(visible_cases(staff.colleague))  # the assigned worker still sees it


@pytest.mark.parametrize("role", ["admin", "reporter"])
def test_admin_and_reporter_are_refused_case_content(staff, cases, signed_in, role):
    user = getattr(staff, role)
    client = signed_in(user)
    assert client.get("/cases/mine").status_code == 403
    assert client.get("/cases/facility").status_code == 403
    assert client.get(f"/cases/{cases['mine'].id}").status_code == 403
    assert client.post(f"/cases/{cases['mine'].id}/notes", data={"text": "x"}).status_code == 403
    assert _ids(visible_cases(user)) == set()


@pytest.mark.parametrize("role", ["worker", "shelter"])
def test_facility_cases_list_is_for_supervisors_only(staff, signed_in, role):
    assert signed_in(getattr(staff, role)).get("/cases/facility").status_code == 403


@pytest.mark.parametrize("role", ["worker", "supervisor", "shelter"])
def test_case_of_other_facility_answers_404(staff, cases, signed_in, role):
    client = signed_in(getattr(staff, role))
    case = cases["other_facility"]
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/notes", data={"text": "x"}).status_code == 404


def test_worker_cannot_open_a_colleagues_case(staff, cases, signed_in):
    # the restricted page asking for a reason (break the glass), not the case
    response = signed_in(staff.worker).get(f"/cases/{cases['colleague'].id}")
    assert response.status_code == 403 and "Hồ sơ hạn chế truy cập" in response.get_data(as_text=True)


def test_worker_cannot_see_sealed_case_of_colleague(staff, cases, signed_in):
    case = cases["sealed_colleague"]
    client = signed_in(staff.worker)
    # the page: the restricted page (the number only, no name: break the glass);
    # the note form: 404, as if it did not exist
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 403 and "Hồ sơ hạn chế truy cập" in response.get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/notes", data={"text": "tò mò"}).status_code == 404
    # the lists, with every filter that could reach it
    for path in ("/cases/mine?status=all", f"/cases/mine?status=all&worker={staff.colleague.id}"):
        assert case.number not in _listed(client, path)
    assert case.id not in _ids(filtered_cases(staff.worker, CaseFilters(scope="facility")))
    # the searches: neither its number nor its sealed client's name finds anything
    assert db.session.scalars(search_statement(staff.worker, case.number)).all() == []
    sealed_client_case = cases["sealed_client"]
    assert db.session.scalars(search_statement(staff.worker, sealed_client_case.number)).all() == []
    assert db.session.scalars(search_statement(staff.worker, "Đỗ Thị Kín")).all() == []
    assert db.session.scalars(search_statement(staff.worker, "do thi kin")).all() == []


def test_the_assigned_worker_and_supervisor_find_the_sealed_case(staff, cases, signed_in):
    case = cases["sealed_client"]
    for user in (staff.colleague, staff.supervisor):
        assert signed_in(user).get(f"/cases/{case.id}").status_code == 200
        assert [c.id for c in db.session.scalars(search_statement(user, case.number))] == [case.client_id]
        assert [c.id for c in db.session.scalars(search_statement(user, "do thi kin"))] == [case.client_id]


def test_deactivated_account_has_an_empty_case_scope(staff, cases):
    staff.worker.active = False
    db.session.flush()
    assert _ids(visible_cases(staff.worker)) == set()


def test_list_membership_and_page_access_agree_for_every_role(staff, cases, signed_in):
    """One scope for lists and pages: no case is listed that the page refuses, or the reverse. Out of
    scope, a case of the user's own facility answers the restricted page (403, break the glass), one
    of another facility a 404."""
    for name in ("supervisor", "worker", "colleague", "shelter", "outsider"):
        user = getattr(staff, name)
        visible = _ids(visible_cases(user))
        client = signed_in(user)
        for case_name, case in cases.items():
            status = client.get(f"/cases/{case.id}").status_code
            out_of_scope = 403 if case.facility_id == user.facility_id else 404
            assert status == (200 if case.id in visible else out_of_scope), (name, case_name)


def test_case_scope_is_a_sql_condition_usable_inside_client_scope(staff, cases):
    """client_scope embeds case_scope: the sealed client is visible to its worker only."""
    from caseapp.clients.models import Client
    from caseapp.security.scopes import client_scope

    sealed = cases["sealed_client"].client_id
    for name, expected in (("colleague", True), ("worker", False), ("shelter", False), ("supervisor", True)):
        user = getattr(staff, name)
        found = db.session.scalar(sa.select(Client.id).where(Client.id == sealed, client_scope(user)))
        assert (found == sealed) is expected, name
