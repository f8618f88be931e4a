"""Browser-test infrastructure: a live server on a database of its own, Debian's Chromium through
Playwright, a desktop and a 360-px phone page, and a sign-in helper.

What a browser test gets:

- ``live_server``  (session scope) the real app, CSRF on, served by werkzeug on 127.0.0.1 and a free
  port in a background thread, on its own database — ``database_url("browser")``: a sibling
  PostgreSQL database when TEST_DATABASE_URL is set, else a SQLite file — built by the migrations,
  with the administrative units and the demo data (``caseapp.demo.seed_demo``) committed. The server
  runs in this process, on the tests' fixed clock (tests/conftest.py), but Chromium runs on the
  machine's: its cookies reach the browser without Expires/Max-Age (``without_cookie_expiry``), so
  a permanent session (12 h from the fixed instant) is never one that already expired for Chromium,
  whatever the two clocks say; the server's own idle timeout still ends it. (Chromium happens to read
  Expires relative to the response's Date header, which is on the fixed clock too: a correction for
  clock skew of its own, not something the tests should lean on.)
  ``live_server.url`` is the base URL, ``live_server.app`` the Flask app (for ``with
  live_server.app.app_context():`` set-up or checks). The data is shared by every browser test of
  the run: a test that creates records gives them names of its own and never relies on counts, nor
  on its records being newer than another test's — every test starts at the same instant (a failed
  sign-in, too, counts against the login throttle's minute for every later test).
- ``browser``  Chromium from /usr/bin/chromium (never a downloaded one). Missing: skip, but under
  CI=true a failure.
- ``page`` / ``phone_page``  a fresh context per test (vi-VN, Asia/Ho_Chi_Minh, base_url set, so
  ``page.goto("/login")`` works) at 1280x900 and at 360x740 (touch, mobile). At the end of the test
  they fail on a Content-Security-Policy violation, an uncaught JavaScript error or a server error
  (500) seen while it ran; a failed test leaves a screenshot in test-artifacts/.
- ``login_as(page, username)``  signs in through the login form with the demo password (and the demo
  authenticator's code, for the admins and supervisors: ``demo_code_now``).
- ``shoot(page, name)``  a full-page screenshot in test-artifacts/ (gitignored); returns its path.
"""

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import got_request_exception

from caseapp import create_app
from caseapp.auth.models import TotpCredential, User
from caseapp.auth.two_factor.totp import code_at_step, step_at
from caseapp.core.timeutil import utcnow
from caseapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from caseapp.extensions import db
from config import TestConfig

from ..conftest import _check_database_reachable, database_url, is_postgres, reset_schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
LOCALE = "vi-VN"
TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass
class LiveServer:
    url: str
    app: object
    errors: list = field(default_factory=list)  # exceptions raised by requests (500s)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _build_live_app():
    from caseapp.i18n import compile_catalogues

    compile_catalogues()
    url = database_url("browser")
    if is_postgres():
        _check_database_reachable(url)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    # The real thing, as users get it: CSRF on, plain-http cookies, error pages rendered (not raised).
    app = create_app(
        TestConfig(),
        SQLALCHEMY_DATABASE_URI=url,
        SERVER_NAME=None,
        WTF_CSRF_ENABLED=True,
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    reset_schema(app)
    with app.app_context():
        seed_demo(app)
        db.session.commit()
        db.session.remove()
    return app


def _cookie_without_expiry(value):
    """A Set-Cookie value without its Expires and Max-Age attributes; a deletion (Max-Age=0) is kept
    whole, since it deletes on any clock."""
    name_value, *attributes = [part.strip() for part in value.split(";")]
    keys = [attribute.partition("=")[0].strip().lower() for attribute in attributes]
    if any(
        key == "max-age" and attribute.partition("=")[2].strip() == "0"
        for key, attribute in zip(keys, attributes, strict=True)
    ):
        return value
    kept = [attribute for key, attribute in zip(keys, attributes, strict=True) if key not in ("expires", "max-age")]
    return "; ".join([name_value, *kept])


def without_cookie_expiry(wsgi_app):
    """The WSGI app with every Set-Cookie stripped of Expires/Max-Age: session cookies for Chromium,
    whose clock is not the server's (see the module's docstring)."""

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            headers = [
                (name, _cookie_without_expiry(value) if name.lower() == "set-cookie" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


@pytest.fixture(scope="session")
def live_server():
    from werkzeug.serving import WSGIRequestHandler, make_server

    app = _build_live_app()

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # errors are still logged
            pass

    server = make_server("127.0.0.1", 0, without_cookie_expiry(app), threaded=True, request_handler=QuietHandler)
    live = LiveServer(url=f"http://127.0.0.1:{server.port}", app=app)

    def remember(_sender, exception, **_extra):
        live.errors.append(exception)

    got_request_exception.connect(remember, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(remember, app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _no_browser(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing browser is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium); "
            "browser tests never download a browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale=LOCALE, timezone_id=TIMEZONE, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    errors_before = len(live_server.errors)
    return context, page, problems, errors_before


def _close_page(request, context, page, problems, errors_before, live_server, artifacts_dir):
    report = getattr(request.node, "rep_call", None)
    try:
        if report is not None and report.failed and not page.is_closed():
            name = request.node.nodeid.split("::")[-1].replace("/", "_").replace("[", "-").rstrip("]")
            page.screenshot(path=str(artifacts_dir / f"FAILED-{name}.png"), full_page=True)
    finally:
        context.close()
    server_errors = live_server.errors[errors_before:]
    if report is not None and report.passed:
        assert not server_errors, f"server errors during the test: {server_errors!r}"
        assert not problems, "browser problems during the test:\n" + "\n".join(problems)


@pytest.fixture()
def page(request, browser, live_server, artifacts_dir):
    """A desktop-width page (1280x900) in a fresh context: no cookies from another test."""
    context, pg, problems, before = _open_page(browser, live_server, viewport=DESKTOP)
    yield pg
    _close_page(request, context, pg, problems, before, live_server, artifacts_dir)


@pytest.fixture()
def phone_page(request, browser, live_server, artifacts_dir):
    """A 360x740 phone page (touch, mobile viewport) in a fresh context."""
    context, pg, problems, before = _open_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    yield pg
    _close_page(request, context, pg, problems, before, live_server, artifacts_dir)


def sign_in(page, username, password=DEMO_PASSWORD, *, live_server):
    """Sign in through the login form — and, for a demo account with an authenticator (admins,
    supervisors), its second step with the demo authenticator's code; returns the page (on the home
    page, or wherever the app sent it)."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if urlsplit(page.url).path == "/login/code":
        page.locator("input[name=code]").fill(demo_code_now(live_server, username))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    return page


def demo_code_now(live_server, username, secret=DEMO_TOTP_SECRET):
    """The code an authenticator with `secret` shows now. Every browser test starts at the same instant
    of the fixed clock, so an earlier test may have used this very code for the account, and the app
    accepts a code once: the account's memory of its last code is cleared first, as if the tests ran
    minutes apart (test set-up only; the app's replay check is untouched)."""
    with live_server.app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == username))
        db.session.execute(sa.update(TotpCredential).where(TotpCredential.user_id == user_id).values(last_step=None))
        db.session.commit()
        db.session.remove()
    return code_at_step(secret, step_at(utcnow()))


@pytest.fixture()
def login_as(live_server):
    """``login_as(page, username, password=DEMO_PASSWORD)``: sign in as a demo user (e.g. ctxh.nhanvien)."""

    def login(page, username, password=DEMO_PASSWORD):
        return sign_in(page, username, password, live_server=live_server)

    return login


@pytest.fixture()
def shoot(artifacts_dir):
    """``shoot(page, name)``: a full-page PNG in test-artifacts/; returns its path."""

    def take(page, name):
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
