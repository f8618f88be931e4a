"""`flask demo-data`: the synthetic data generator. Small N on databases of their own
(the command commits): deterministic for a seed, found by the registry's folded search, case numbers
in the real format and unique, the app's numbering continues after them, and every generated case is
in its facility supervisor's list."""

import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.cases.queries import CaseFilters, case_page
from caseapp.clients.models import Client
from caseapp.core.sequences import CodeSequence
from caseapp.core.text import fold
from caseapp.core.timeutil import VN_TZ
from caseapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from caseapp.extensions import db
from caseapp.org.models import Facility
from caseapp.plans.models import CarePlan

from .conftest import build_app, database_url
from .security.conftest import complete_second_step
from .test_cli import app_on_own_database, dispose

N = 200
SEED = 7


def generated(suffix, seed=SEED):
    app = app_on_own_database(suffix)
    result = app.test_cli_runner().invoke(args=["demo-data", "--clients", str(N), "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def demo_app():
    app = generated("demo_data_a")
    yield app
    dispose(app)


def snapshot(app):
    with app.app_context():
        try:
            clients = db.session.execute(
                sa.select(
                    Client.id, Client.code, Client.full_name, Client.sex, Client.birth_year, Client.search_name
                ).order_by(Client.id)
            ).all()
            cases = db.session.execute(
                sa.select(Case.id, Case.number, Case.status, Case.client_id, Case.assigned_worker_id).order_by(Case.id)
            ).all()
            return clients, cases
        finally:
            db.session.remove()


def test_same_seed_generates_the_same_names_and_case_numbers(demo_app):
    other = generated("demo_data_b")
    try:
        assert snapshot(other) == snapshot(demo_app)
    finally:
        dispose(other)
    clients, cases = snapshot(demo_app)
    assert len(clients) == N
    assert len(cases) > N // 2
    surnames = [row.full_name.split()[0] for row in clients]
    assert 0.25 < surnames.count("Nguyễn") / N < 0.52  # ≈ 38 % (with a 200-person sample's spread)
    assert {row.status for row in cases} >= {"assessment", "planning", "implementation", "review", "closed"}


def test_a_different_seed_generates_other_people(demo_app):
    other = generated("demo_data_c", seed=SEED + 1)
    try:
        assert [c.full_name for c in snapshot(other)[0]] != [c.full_name for c in snapshot(demo_app)[0]]
    finally:
        dispose(other)


def signed_in_as(demo_app, username):
    """A client signed in as a generated account: the demo password, and for a supervisor the demo
    authenticator's code."""
    http = demo_app.test_client()
    response = http.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    with demo_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        complete_second_step(http, user, response, DEMO_TOTP_SECRET)
        db.session.remove()
    return http


def test_folded_search_finds_a_generated_client_by_name_without_tones(demo_app):
    with demo_app.app_context():
        client = db.session.scalar(
            sa.select(Client).where(Client.full_name.like("% % %")).order_by(Client.id.desc()).limit(1)
        )
        assert client.search_name.startswith(fold(client.full_name))
        supervisor = db.session.scalar(
            sa.select(User).where(User.facility_id == client.facility_id, User.role == "supervisor").order_by(User.id)
        )
        name, username = client.full_name, supervisor.username
        db.session.remove()
    toneless = fold(name)
    assert toneless != name.lower()  # the query really is without tones (đ → d, no diacritics)
    http = signed_in_as(demo_app, username)
    response = http.get("/clients/", query_string={"q": toneless.upper()})
    assert response.status_code == 200
    assert name in response.get_data(as_text=True)


def test_case_numbers_are_in_the_real_format_unique_and_consecutive(demo_app):
    with demo_app.app_context():
        rows = db.session.execute(
            sa.select(Case.number, Case.opened_at, Facility.code)
            .join(Facility, Facility.id == Case.facility_id)
            .order_by(Case.id)
        ).all()
        db.session.remove()
    numbers = [row.number for row in rows]
    assert len(set(numbers)) == len(numbers)
    by_facility_year = defaultdict(list)
    for row in rows:
        year = row.opened_at.astimezone(VN_TZ).year
        match = re.fullmatch(rf"{re.escape(row.code)}-{year}-(\d{{6}})", row.number)
        assert match, row.number
        by_facility_year[(row.code, year)].append(int(match.group(1)))
    for sequence in by_facility_year.values():  # numbered in opening order, no gaps
        assert sequence == list(range(1, len(sequence) + 1))


def test_the_apps_next_case_number_continues_after_the_generated_ones(demo_app):
    from caseapp.cases.services import open_case

    with demo_app.app_context(), demo_app.test_request_context():
        last = db.session.scalar(sa.select(Case).order_by(Case.id.desc()).limit(1))
        facility = db.session.get(Facility, last.facility_id)
        year = last.opened_at.astimezone(VN_TZ).year
        counter = db.session.scalar(
            sa.select(CodeSequence.last_value).where(
                CodeSequence.facility_id == facility.id, CodeSequence.kind == "case", CodeSequence.year == year
            )
        )
        assert last.number.endswith(f"-{counter:06d}")
        client = db.session.get(Client, last.client_id)
        try:
            case = open_case(
                facility=facility,
                client=client,
                case_type="center",
                urgency="medium",
                by=None,
                opened_at=datetime(year, 12, 15, 3, 0, tzinfo=timezone.utc),
            )
            assert case.number == f"{facility.code}-{year}-{counter + 1:06d}"
        finally:
            db.session.rollback()
            db.session.remove()


def test_every_generated_case_is_in_its_facility_supervisors_list(demo_app):
    with demo_app.app_context():
        expected = defaultdict(set)
        for case_id, facility_id in db.session.execute(sa.select(Case.id, Case.facility_id)):
            expected[facility_id].add(case_id)
        for facility_id, case_ids in expected.items():
            supervisor = db.session.scalar(
                sa.select(User).where(User.facility_id == facility_id, User.role == "supervisor").order_by(User.id)
            )
            seen, after = set(), None
            while True:  # the facility list page by page, through its keyset cursor
                page = case_page(supervisor, CaseFilters(scope="facility"), after=after, per_page=10)
                seen.update(case.id for case in page.rows)
                if not page.has_next:
                    break
                after = page.next_cursor
            assert seen == case_ids, facility_id
        busiest = max(expected, key=lambda f: len(expected[f]))
        newest = db.session.scalar(
            sa.select(Case.number).where(Case.facility_id == busiest).order_by(Case.id.desc()).limit(1)
        )
        username = db.session.scalar(
            sa.select(User.username).where(User.facility_id == busiest, User.role == "supervisor").order_by(User.id)
        )
        db.session.remove()
    http = signed_in_as(demo_app, username)
    response = http.get("/cases/facility", query_string={"status": "all"})
    assert response.status_code == 200
    assert newest in response.get_data(as_text=True)


def test_demo_data_is_refused_in_production(demo_app, monkeypatch):
    before = snapshot(demo_app)
    monkeypatch.setitem(demo_app.config, "ENV_NAME", "production")
    result = demo_app.test_cli_runner().invoke(args=["demo-data", "--clients", "5"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert snapshot(demo_app) == before


def test_demo_data_refuses_a_database_it_already_filled(demo_app):
    before = snapshot(demo_app)
    result = demo_app.test_cli_runner().invoke(args=["demo-data", "--clients", "5"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert snapshot(demo_app) == before


def test_demo_data_needs_the_administrative_units():
    url = database_url("demo_data_no_units")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = build_app(url)
    try:
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
            db.session.remove()
        result = app.test_cli_runner().invoke(args=["demo-data", "--clients", "5"])
        assert result.exit_code != 0
        assert "flask load-units" in result.output
        assert snapshot(app) == ([], [])
    finally:
        dispose(app)


def test_a_plan_review_falls_on_vietnams_calendar_day(demo_app):
    """Due 14 or 30 days after the plan's approval, on the day that is in Vietnam — not UTC's date,
    a day earlier for an approval after 17:00 UTC."""
    with demo_app.app_context():
        try:
            plans = db.session.execute(
                sa.select(CarePlan.review_due_on, CarePlan.approved_at).where(CarePlan.approved_at.is_not(None))
            ).all()
        finally:
            db.session.remove()
    assert plans
    for review_on, approved_at in plans:
        local = approved_at.astimezone(VN_TZ)
        assert review_on in {(local + timedelta(days=days)).date() for days in (14, 30)}
