"""Test fixtures.

The same suite runs on SQLite (default) and on PostgreSQL when TEST_DATABASE_URL is set; under
CI=true an unreachable PostgreSQL fails the run instead of skipping it. The schema is built by
running the Alembic migrations, never create_all(). Each test runs inside a transaction that is
rolled back at the end (services flush, views commit: the commits become savepoints).

Every test runs on a fixed clock (time-machine): the collection, the session, and then each test
again, starts at TEST_NOW — CASEAPP_TEST_NOW when set (ISO 8601 with its offset), else
DEFAULT_TEST_NOW — and time moves on from there (tick), so durations and orderings within a test
stay real. A test marked ``real_clock`` runs on the machine's clock instead (one that compares
times with another process).
"""

import gc
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import g, request_started
from sqlalchemy import event

os.environ.setdefault("FLASK_ENV", "testing")
TMP = Path(tempfile.mkdtemp(prefix="caseapp-tests-"))
os.environ.setdefault("CASEAPP_INSTANCE_DIR", str(TMP / "instance"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

from caseapp import create_app  # noqa: E402  (the environment above is set before the app reads it)
from caseapp.extensions import db  # noqa: E402  (the environment above is set before the app reads it)
from config import TestConfig  # noqa: E402  (the environment above is set before the app reads it)

from . import factories  # noqa: E402  (the environment above is set before the app reads it)

# Tuesday 8 December 2026, 10:00 in Vietnam (03:00 UTC, the same date in both): an ordinary working
# day, with working days on either side in the same week, three weeks from New Year's Day and two
# from the last public holiday (24/11), in office hours. A date the suite's deadlines, "in 7 days"
# windows and working-day counts were written for; `make test-dates` runs the date-dependent tests
# on the days that are not (weekends, holidays, the turn of the year, late evenings).
DEFAULT_TEST_NOW = "2026-12-08T10:00:00+07:00"


def _test_now():
    value = os.environ.get("CASEAPP_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"CASEAPP_TEST_NOW={value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"CASEAPP_TEST_NOW={value!r} has no UTC offset (e.g. +07:00)")
    return moment


TEST_NOW = _test_now()


def pytest_report_header(config):
    return f"caseapp: tests run at {TEST_NOW.isoformat()} (CASEAPP_TEST_NOW)"


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Collection at TEST_NOW too: what a test module computes when imported (a constant, a
    parametrize value) is of the same day as its tests."""
    with time_machine.travel(TEST_NOW, tick=True):
        return (yield)


class _SessionClock:
    """The session's travel to TEST_NOW. Each test's set-up rewinds it to TEST_NOW, so a session or
    module fixture first asked for by that test (the browser tests' live server and its demo data)
    is built at TEST_NOW too, not as many minutes later as the session has run (the next day, at
    23:50)."""

    def __init__(self):
        self.travel = time_machine.travel(TEST_NOW, tick=True)
        self.traveller = None

    def start(self):
        self.traveller = self.travel.start()

    def stop(self):
        self.travel.stop()
        self.traveller = None

    def rewind(self):
        if self.traveller is not None:
            self.traveller.move_to(TEST_NOW)


SESSION_CLOCK = _SessionClock()


def pytest_sessionfinish(session, exitstatus):
    """Close the connections the session's apps still hold (the shared app and the browser tests' live
    server live until the end): left to the garbage collector, psycopg warns that each was deleted while
    open, and the suite turns warnings into errors."""
    for engine in [obj for obj in gc.get_objects() if isinstance(obj, sa.engine.Engine)]:
        engine.dispose()
    gc.collect()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    SESSION_CLOCK.rewind()


@pytest.fixture(scope="session", autouse=True)
def fixed_clock_session():
    """The whole session at TEST_NOW, so session fixtures (the app, the browser tests' live server and
    its demo data) are built on that day."""
    SESSION_CLOCK.start()
    yield SESSION_CLOCK
    if SESSION_CLOCK.traveller is not None:
        SESSION_CLOCK.stop()


@pytest.fixture(autouse=True)
def fixed_clock(request, fixed_clock_session):
    """Each test starts at TEST_NOW again (a travel nested in the session's); a ``real_clock`` test
    gets no travel at all: the session's is stopped for it, and starts again at TEST_NOW after it."""
    if request.node.get_closest_marker("real_clock"):
        fixed_clock_session.stop()
        try:
            yield
        finally:
            fixed_clock_session.start()
        return
    with time_machine.travel(TEST_NOW, tick=True):
        yield


def database_url(suffix="main"):
    """A database for this test run: the PostgreSQL one given, or a fresh SQLite file."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        return pg if suffix == "main" else derived_pg_database(pg, suffix)
    return f"sqlite:///{TMP / f'{suffix}.db'}"


def derived_pg_database(url, suffix):
    """A sibling PostgreSQL database (for tests that need a schema of their own), created empty."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{suffix}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def is_postgres():
    return bool(os.environ.get("TEST_DATABASE_URL"))


def _check_database_reachable(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001  (any failure to connect ends the run, with its message)
        message = f"TEST_DATABASE_URL is set but the database is unreachable: {error}"
        pytest.exit(message, returncode=3)  # a failure, never a skip (CI requires PostgreSQL)
    finally:
        engine.dispose()


def _make_sqlite_savepoints_work(engine):
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself
    (the recipe in SQLAlchemy's SQLite dialect documentation)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def build_app(url, **overrides):
    app = create_app(TestConfig(), SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, SERVER_NAME=None, **overrides)
    return app


def reset_schema(app):
    """Drop everything and run the migrations from empty to head."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
        upgrade()
        from caseapp.org.units import load_units

        load_units()
        db.session.commit()
        db.session.remove()
    return downgrade


def forget_sqlite_file(url):
    """A SQLite database file (and its WAL files) removed, so the next connection starts empty."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)


def app_on_own_database(suffix, build=build_app, **overrides):
    """An app on a database of its own — for commands and threads whose commits must not reach the
    shared test database — migrated to head with the administrative units. `build(url, **overrides)`
    makes the app (default: the test configuration)."""
    url = database_url(suffix)
    forget_sqlite_file(url)
    app = build(url, **overrides)
    reset_schema(app)
    return app


def dispose(app):
    """Close an app's sessions and connections (at the end of a module that made it)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _fresh_g_per_request(sender, **_extra):
    """The session fixture keeps one app context pushed for the whole test, so the test client's
    requests would all share one `g` — and with it Flask-Login's cached user and Flask-Babel's
    cached locale, which a real request never inherits. Give each request a `g` of its own."""
    vars(g._get_current_object()).clear()


@pytest.fixture(scope="session")
def app():
    from caseapp.i18n import compile_catalogues

    compile_catalogues()
    url = database_url()
    if is_postgres():
        _check_database_reachable(url)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    application = build_app(url)
    request_started.connect(_fresh_g_per_request, application)
    reset_schema(application)
    with application.app_context():
        _make_sqlite_savepoints_work(db.engine)
    return application


@pytest.fixture()
def session(app):
    """A session whose every commit is a savepoint inside one transaction rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture()
def client(app, session):
    return app.test_client()


@pytest.fixture()
def facility(session):
    return factories.make_facility()


@pytest.fixture()
def other_facility(session):
    return factories.make_facility(code="KHAC01", name="Trung tâm khác")


@pytest.fixture()
def make_user(session, facility):
    def make(role="social_worker", fac=None, **kwargs):
        return factories.make_user(role=role, facility=fac or facility, **kwargs)

    return make


@pytest.fixture()
def login(client):
    def do_login(user, password=factories.PASSWORD, follow=False):
        response = client.post("/login", data={"username": user.username, "password": password})
        if response.status_code == 302 and response.headers["Location"] == "/login/code":  # the second step
            response = client.post("/login/code", data={"code": factories.second_factor_code(user)})
        if follow and response.status_code == 302:
            response = client.get(response.headers["Location"], follow_redirects=True)
        return response

    return do_login


@pytest.fixture()
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class QueryCounter:
    """The SQL statements run while counting (their text), for N+1 guards on list pages."""

    def __init__(self):
        self.statements = []
        self.parameters = []

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture()
def count_queries(app):
    """``with count_queries() as counted: client.get(...)`` then ``counted.count``: the number of
    statements the app's engine ran in the block (SAVEPOINT/RELEASE bookkeeping not included)."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.statements.append(statement)
                counter.parameters.append(parameters)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting
