"""One test per finding of the malformed-input probe (OWASP ASVS 5.0 V1.2, V2.2.1): each answered with a
500 before. Ids beyond the database's INTEGER answer 404 in a URL and count as absent in a query string;
dates outside 1900–2100 are refused with a Vietnamese message; NUL is refused at the request boundary
(400) and the other control characters are removed; and the social worker who seals a new client goes on
to its intake."""

import re

import pytest
import sqlalchemy as sa
from flask import Blueprint

from caseapp.cases.models import Case, CaseEvent
from caseapp.clients.models import Client
from caseapp.core.urls import BIGINT_MAX, INT_MAX, db_id, parse_id
from caseapp.security.policy import Perm
from caseapp.security.web import requires

from .. import factories
from ..referrals import helpers as referral_helpers
from .conftest import sign_in

OVERFLOW = "99999999999999999999"
NOT_FOUND = "Không tìm thấy trang"
DATE_REFUSED = "Nhập ngày trong khoảng từ năm 1900 đến năm 2100."
NUL_REFUSED = "ký tự NUL"


def _client_of(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


@pytest.fixture()
def supervisor(app, world):
    return _client_of(app, world.users["supervisor"])


# --- ids in the URL -------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/cases/", "/clients/", "/referrals/"])
@pytest.mark.parametrize("ident", [OVERFLOW, str(INT_MAX + 1), str(2**63), "0"])
def test_case_client_and_referral_ids_beyond_the_database_answer_404(supervisor, prefix, ident):
    response = supervisor.get(prefix + ident)
    assert response.status_code == 404
    assert NOT_FOUND in response.get_data(as_text=True)


def test_a_route_still_declared_with_int_is_bounded_too(make_app, world):
    """Routes added with `<int:…>` (not `<id:…>`) take the same converter."""
    extra = Blueprint("extra_ids", __name__)

    @extra.get("/extra-ids/<int:record_id>")
    @requires(Perm.USE_APP)
    def show(record_id):
        return str(record_id)

    other = make_app(blueprints=[extra])
    client = other.test_client()
    sign_in(client, world.users["social_worker"])
    assert client.get(f"/extra-ids/{INT_MAX}").status_code == 200
    assert client.get(f"/extra-ids/{INT_MAX + 1}").status_code == 404
    assert client.get("/extra-ids/0").status_code == 404


def test_parse_id_takes_ascii_digits_within_the_columns_range():
    assert parse_id("1") == 1 and parse_id(str(INT_MAX)) == INT_MAX
    assert parse_id(str(INT_MAX + 1)) is None and parse_id(str(INT_MAX + 1), BIGINT_MAX) == INT_MAX + 1
    for wrong in ("0", "-1", " 1", "1.0", "²", "١٢", "9" * 400, "", None, True, 2**63):
        assert parse_id(wrong) is None, wrong
    with pytest.raises(ValueError):
        db_id(OVERFLOW)


# --- cursors and ids in the query string ----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/clients/", "/cases/facility", "/audit/", "/providers", "/cases/access-log", "/reports/clients"]
)
def test_huge_after_cursor_opens_the_first_page(supervisor, path):
    assert supervisor.get(f"{path}?after={OVERFLOW}").status_code == 200
    assert supervisor.get(f"{path}?after=-5").status_code == 200


@pytest.mark.parametrize("path", ["/admin/users", "/shelter/rooms"])
def test_huge_facility_filter_counts_as_absent(app, world, path):
    assert _client_of(app, world.users["admin"]).get(f"{path}?facility_id={OVERFLOW}").status_code == 200


def test_overflowing_snapshot_of_a_report_export_answers_404(supervisor):
    assert supervisor.get(f"/reports/export.csv?snapshot={OVERFLOW}").status_code == 404


def test_overflowing_document_item_id_answers_404(supervisor, world):
    case = factories.make_case(world.facility, worker=world.users["social_worker"])
    assert supervisor.get(f"/cases/{case.id}/documents/intake.pdf?id={OVERFLOW}").status_code == 404


def test_overflowing_client_of_the_intake_page_counts_as_absent(supervisor):
    response = supervisor.get(f"/intake/new?client_id={OVERFLOW}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/clients/new")


def test_overflowing_year_of_the_reference_numbers_counts_as_absent(app, world):
    reporter = _client_of(app, world.users["reporter"])
    assert reporter.get(f"/reports/reference?year={OVERFLOW}").status_code == 200
    response = reporter.post("/reports/reference", data={"year": OVERFLOW, "key": "", "value": "1", "source": "x"})
    assert response.status_code == 422


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_0001_and_9999_in_a_list_filter_are_refused_with_a_vietnamese_message(supervisor, day):
    for path in (f"/audit/?date_from={day}", f"/cases/facility?opened_from={day}"):
        response = supervisor.get(path)
        assert response.status_code == 200
        assert DATE_REFUSED in response.get_data(as_text=True), path


@pytest.mark.parametrize("due", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_dates_0001_and_9999_in_a_form_are_refused_with_a_vietnamese_message(app, world, session, due):
    worker = world.users["social_worker"]
    case = factories.make_case(world.facility, worker=worker)
    response = _client_of(app, worker).post(
        f"/cases/{case.id}/follow-ups/new", data={"kind": "home_visit", "due_at": due, "purpose": "Thăm nhà"}
    )
    assert response.status_code == 422
    assert DATE_REFUSED in response.get_data(as_text=True)


def test_dates_0001_and_9999_in_a_report_period_are_refused_with_a_vietnamese_message(supervisor):
    response = supervisor.get("/reports/export.csv?kind=custom&date_from=9999-01-01&date_to=9999-12-31")
    assert response.status_code == 422
    assert DATE_REFUSED in response.get_data(as_text=True)


def test_intake_received_in_the_year_1_is_refused(app, world, session):
    worker = world.users["social_worker"]
    person = factories.make_client(world.facility)
    response = _client_of(app, worker).post(
        f"/intake/new?client_id={person.id}", data={"received_at": "0001-01-01T00:00", "channel": "hotline_111"}
    )
    assert response.status_code == 200  # the form again, with its messages
    assert session.scalar(sa.select(Case).where(Case.client_id == person.id)) is None


# --- NUL and control characters -------------------------------------------------------------------


def test_query_with_nul_is_refused_with_400(supervisor):
    response = supervisor.get("/clients/?q=%00")
    assert response.status_code == 400
    assert NUL_REFUSED in response.get_data(as_text=True)


def test_note_containing_nul_is_refused_and_nothing_is_stored(app, world, session):
    worker = world.users["social_worker"]
    case = factories.make_case(world.facility, worker=worker)
    response = _client_of(app, worker).post(f"/cases/{case.id}/notes", data={"text": "Gặp em\x00 lúc 9 giờ"})
    assert response.status_code == 400
    assert NUL_REFUSED in response.get_data(as_text=True)
    notes = session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "note"))
    assert notes.all() == []


def test_note_keeps_its_line_breaks_and_loses_invisible_control_characters(app, world, session):
    worker = world.users["social_worker"]
    case = factories.make_case(world.facility, worker=worker)
    text = "Gặp em\x0b lúc 9 giờ.\r\nMẹ\tvắng\x1b[0m nhà\ufffe."
    response = _client_of(app, worker).post(f"/cases/{case.id}/notes", data={"text": text})
    assert response.status_code == 302
    note = session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "note"))
    assert note.text.replace("\r\n", "\n") == "Gặp em lúc 9 giờ.\nMẹ\tvắng[0m nhà."


def test_unauthenticated_login_with_nul_in_the_username_answers_400(client, world):
    response = client.post("/login", data={"username": world.users["admin"].username + "\x00", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert NUL_REFUSED in page and '<html lang="vi">' in page


def test_path_with_nul_answers_400(supervisor):
    assert supervisor.get("/admin/facilities/communes/0%001").status_code == 400


# --- the sealed client's intake -------------------------------------------------------------------


def _create_sealed_client(http, name):
    """Search before create, then create the person as a sealed record, on to the intake."""
    data = {"full_name": name, "sex": "female", "birth_precision": "estimated", "estimated_age": "30"}
    data.update(purpose="intake", is_sensitive="y")
    page = http.post("/clients/new", data={**data, "action": "check"}).get_data(as_text=True)
    key = re.search(r'name="checked_key" type="hidden" value="([0-9a-f]+)"', page).group(1)
    return http.post("/clients/new", data={**data, "action": "create", "checked_key": key})


def test_social_worker_who_seals_a_new_client_completes_the_intake(app, world, session):
    worker = world.users["social_worker"]
    http = _client_of(app, worker)
    response = _create_sealed_client(http, "Đỗ Thị Kín")
    person = session.scalar(sa.select(Client).where(Client.full_name == "Đỗ Thị Kín"))
    assert person.is_sensitive and response.headers["Location"] == f"/intake/new?client_id={person.id}"
    assert http.get(response.headers["Location"]).status_code == 200
    assert http.get(f"/clients/{person.id}").status_code == 200
    # a colleague of the same facility does not see the sealed person
    colleague = _client_of(app, factories.make_user(role="social_worker", facility=world.facility))
    assert colleague.get(f"/clients/{person.id}").status_code == 404
    assert colleague.get(f"/intake/new?client_id={person.id}").status_code == 404
    intake = {
        "received_at": "2026-03-10T21:30",
        "channel": "hotline_111",
        "problems": ["domestic_violence"],
        "danger_now": "no",
        "injured": "no",
        "child_involved": "no",
        "perpetrator_access": "no",
        "safe_place": "yes",
        "decision": "open_case",
        "case_type": "center",
        "care_kind": "continuous",
        "assigned_worker_id": str(worker.id),
        "consent_services": "y",
        "consent_given_by": "client",
    }
    response = http.post(f"/intake/new?client_id={person.id}", data=intake)
    case = session.scalar(sa.select(Case).where(Case.client_id == person.id))
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert case.is_sensitive


def test_once_a_case_is_opened_the_case_decides_who_sees_the_sealed_client(app, world, session):
    """The creator's view lasts until a case exists: a sealed case assigned to someone else hides the
    person from them again."""
    worker = world.users["social_worker"]
    http = _client_of(app, worker)
    _create_sealed_client(http, "Đỗ Thị Kín Hai")
    person = session.scalar(sa.select(Client).where(Client.full_name == "Đỗ Thị Kín Hai"))
    colleague = factories.make_user(role="social_worker", facility=world.facility)
    factories.make_case(world.facility, client=person, worker=colleague, is_sensitive=True)
    assert http.get(f"/clients/{person.id}").status_code == 404


def test_referral_of_an_overflowing_provider_counts_as_absent(app, world):
    worker = world.users["social_worker"]
    case = referral_helpers.open_client_case(world.facility, worker)
    response = _client_of(app, worker).get(f"/cases/{case.id}/referrals/new?provider_id={OVERFLOW}")
    assert response.status_code == 200


def test_unicode_digits_in_a_version_field_are_refused_not_a_server_error(supervisor):
    """A version of "²" passes str.isdigit() but not int(): the form is refused, not a 500."""
    assert supervisor.post("/reports/settings", data={"version": "²"}).status_code == 422
