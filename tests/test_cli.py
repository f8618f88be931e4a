"""Command-line set-up: `flask seed-demo` (never in production, idempotent) and `flask create-admin`
(argon2id). The commands commit, so they run against an app on a database of its own."""

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from caseapp import create_app
from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User
from caseapp.demo import DEMO_FACILITIES, DEMO_PASSWORD
from caseapp.extensions import db
from caseapp.org.models import Facility, FacilityType
from caseapp.security.policy import Role

from . import factories
from .conftest import app_on_own_database, dispose

ADMIN_PASSWORD = "Quan-tri-vien-2026"


@pytest.fixture(scope="module")
def cli_app():
    app = app_on_own_database("cli")
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def empty_cli_app():
    """A database the demo was never seeded into, to prove a refused run creates nothing at all."""
    app = app_on_own_database("cli_empty")
    yield app
    dispose(app)


@pytest.fixture()
def run(cli_app):
    def invoke(*args, app=None, **kwargs):
        return (app or cli_app).test_cli_runner().invoke(args=list(args), **kwargs)

    return invoke


def row_counts(app):
    from caseapp.cases.models import Case
    from caseapp.clients.models import Client

    with app.app_context():
        try:
            return {
                model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Facility, User, AuditEvent, Client, Case)
            }
        finally:
            db.session.remove()


def demo_state(app):
    """Every demo facility and user as plain tuples, to compare two runs."""
    with app.app_context():
        try:
            codes = [spec["code"] for spec in DEMO_FACILITIES]
            facilities = db.session.execute(
                sa.select(
                    Facility.id,
                    Facility.code,
                    Facility.name,
                    Facility.type,
                    Facility.confidential_address,
                    Facility.version,
                )
                .where(Facility.code.in_(codes))
                .order_by(Facility.code)
            ).all()
            users = db.session.execute(
                sa.select(User.id, User.username, User.role, User.facility_id, User.password_hash, User.version)
                .join(Facility, Facility.id == User.facility_id)
                .where(Facility.code.in_(codes))
                .order_by(User.username)
            ).all()
            return facilities, users
        finally:
            db.session.remove()


# --- seed-demo -----------------------------------------------------------------------------------


def test_seed_demo_creates_three_facilities_with_one_user_per_role(cli_app, run):
    result = run("seed-demo")
    assert result.exit_code == 0, result.output
    facilities, users = demo_state(cli_app)

    assert len(facilities) == 3
    by_type = {f.type: f for f in facilities}
    assert set(by_type) == {
        FacilityType.SOCIAL_WORK_CENTER.value,
        FacilityType.SOCIAL_PROTECTION_CENTER.value,
        FacilityType.SHELTER.value,
    }
    assert by_type[FacilityType.SOCIAL_WORK_CENTER.value].name.startswith("Trung tâm Công tác xã hội")
    assert by_type[FacilityType.SOCIAL_PROTECTION_CENTER.value].name.startswith("Trung tâm Bảo trợ xã hội")
    assert by_type[FacilityType.SHELTER.value].confidential_address is True
    assert by_type[FacilityType.SOCIAL_WORK_CENTER.value].confidential_address is False
    assert by_type[FacilityType.SOCIAL_PROTECTION_CENTER.value].confidential_address is False

    for facility in facilities:
        roles = sorted(u.role for u in users if u.facility_id == facility.id)
        assert roles == sorted(role.value for role in Role), facility.code
    assert len(users) == 3 * len(Role)

    # The logins are printed, with the shared demo password, and that password works.
    assert DEMO_PASSWORD in result.output
    for user in users:
        assert user.username in result.output
        assert user.password_hash.startswith("$argon2id$")
    for password_hash in {user.password_hash for user in users}:  # one shared hash: verify it once
        assert PasswordHasher().verify(password_hash, DEMO_PASSWORD)


def test_seed_demo_twice_creates_nothing_new(cli_app, run):
    assert run("seed-demo").exit_code == 0
    state, counts = demo_state(cli_app), row_counts(cli_app)
    second = run("seed-demo")
    assert second.exit_code == 0, second.output
    assert demo_state(cli_app) == state
    assert row_counts(cli_app) == counts
    for user in state[1]:
        assert user.username in second.output


def test_seed_demo_is_refused_when_env_name_is_production(empty_cli_app, run, monkeypatch):
    before = row_counts(empty_cli_app)
    monkeypatch.setitem(empty_cli_app.config, "ENV_NAME", "production")
    result = run("seed-demo", app=empty_cli_app)
    assert result.exit_code != 0
    assert "production" in result.output
    assert row_counts(empty_cli_app) == before
    assert demo_state(empty_cli_app) == ([], [])


def test_seed_demo_is_refused_with_flask_env_production(empty_cli_app, run, monkeypatch):
    """The real path: `FLASK_ENV=production flask seed-demo` builds the app from the environment."""
    monkeypatch.setenv("FLASK_ENV", "production")
    production_app = create_app(SQLALCHEMY_DATABASE_URI=empty_cli_app.config["SQLALCHEMY_DATABASE_URI"])
    assert production_app.config["ENV_NAME"] == "production"
    before = row_counts(empty_cli_app)
    try:
        result = run("seed-demo", app=production_app)
    finally:
        with production_app.app_context():
            db.engine.dispose()
    assert result.exit_code != 0
    assert "No such command" in result.output  # not even registered in production
    assert row_counts(empty_cli_app) == before
    assert demo_state(empty_cli_app) == ([], [])


def test_the_demo_commands_exist_outside_production_only(cli_app, monkeypatch):
    assert {"seed-demo", "demo-data"} <= set(cli_app.cli.list_commands(None))
    monkeypatch.setenv("FLASK_ENV", "production")
    production_app = create_app(SQLALCHEMY_DATABASE_URI=cli_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        assert not {"seed-demo", "demo-data"} & set(production_app.cli.list_commands(None))
    finally:
        with production_app.app_context():
            db.engine.dispose()


# --- create-admin ----------------------------------------------------------------------------------


@pytest.fixture()
def admin_facility(cli_app):
    with cli_app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "QTV01"))
        if facility is None:
            facility = factories.make_facility(code="QTV01", name="Sở Y tế - quản trị hệ thống")
            db.session.commit()
        code = facility.code
        db.session.remove()
    return code


def find_user(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        db.session.remove()
        return user


def test_create_admin_creates_an_administrator_with_an_argon2id_hash(cli_app, run, admin_facility):
    result = run(
        "create-admin",
        "--username",
        "QuanTri.Moi",
        "--full-name",
        "Nguyễn Văn Quản",
        "--facility-code",
        admin_facility,
        "--password",
        ADMIN_PASSWORD,
    )
    assert result.exit_code == 0, result.output
    user = find_user(cli_app, "quantri.moi")  # usernames are stored lower-case
    assert user is not None
    assert user.role == Role.ADMIN.value
    assert user.active is True
    assert user.password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, ADMIN_PASSWORD)
    with cli_app.app_context():
        audited = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user_created", AuditEvent.entity_id == str(user.id))
        )
        db.session.remove()
    assert audited == 1


def test_create_admin_prompts_for_the_password_twice(cli_app, run, admin_facility):
    result = run(
        "create-admin",
        "--username",
        "quantri.hoi",
        "--full-name",
        "Trần Thị Hỏi",
        "--facility-code",
        admin_facility,
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert ADMIN_PASSWORD not in result.output  # the prompt hides what is typed
    assert find_user(cli_app, "quantri.hoi").password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "username, facility_code, password",
    [
        ("quantri.khong.co.so", "KHONGCO", ADMIN_PASSWORD),  # unknown facility
        ("quantri.ngan", None, "ngan"),  # password too short
    ],
)
def test_create_admin_refuses_and_creates_nothing(cli_app, run, admin_facility, username, facility_code, password):
    before = row_counts(cli_app)
    result = run(
        "create-admin",
        "--username",
        username,
        "--full-name",
        "Không Tạo",
        "--facility-code",
        facility_code or admin_facility,
        "--password",
        password,
    )
    assert result.exit_code != 0
    assert find_user(cli_app, username) is None
    assert row_counts(cli_app) == before


def test_create_admin_refuses_a_taken_username(cli_app, run, admin_facility):
    args = (
        "create-admin",
        "--username",
        "quantri.trung",
        "--full-name",
        "Lê Văn Trùng",
        "--facility-code",
        admin_facility,
        "--password",
        ADMIN_PASSWORD,
    )
    assert run(*args).exit_code == 0
    before = row_counts(cli_app)
    result = run(*args)
    assert result.exit_code != 0
    assert row_counts(cli_app) == before


def test_seed_demo_opens_demo_cases_at_the_centre_and_an_admission_at_the_shelter(cli_app, run):
    from caseapp.cases.models import Case
    from caseapp.shelter.models import ShelterStay

    assert run("seed-demo").exit_code == 0
    with cli_app.app_context():
        cases = db.session.execute(sa.select(Case.number, Case.case_type, Case.status)).all()
        stays = db.session.scalar(sa.select(sa.func.count()).select_from(ShelterStay))
    numbers = sorted(number for number, _type, _status in cases)
    year = numbers[0][7:11]
    assert numbers == [f"CTXHQN-{year}-00000{n}" for n in (1, 2, 3)] + [f"NTLQN-{year}-000001"]
    assert {t for _n, t, _s in cases} == {"center", "child_protection", "emergency_shelter"}
    assert {s for _n, _t, s in cases} == {"intake"}
    assert stays == 2  # the woman and her child, each with a stay of their own
