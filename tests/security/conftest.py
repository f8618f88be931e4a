"""Fixtures of the security and account tests (re-exported by tests/auth, tests/org, tests/audit).

`session` overrides the root fixture of the same name. The root one binds Flask-SQLAlchemy's
session to the test's connection, but Flask-SQLAlchemy's Session.get_bind() returns the app's
*engine* whatever the session is bound to, so every request took a fresh connection and its
commits were real: audit events and login attempts leaked from test to test (20 failed logins
anywhere in the run throttled 127.0.0.1 for a minute). Here the session is made to use the
connection it is bound to, so a test's commits really are savepoints rolled back at the end.
It also gives each request of the test client a `g` of its own (the fixture keeps one app context
pushed, so requests would otherwise share Flask-Login's cached user from one request to the next).
"""

import re
from urllib.parse import urlsplit

import pytest
from flask import g, request_started
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from caseapp.auth.two_factor.totp import code_at_step, step_at
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db

from ..conftest import build_app
from ..factories import PASSWORD, TOTP_SECRET, second_factor_code


class ConnectionBoundSession(FlaskSQLAlchemySession):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _fresh_g(sender, **_extra):
    vars(g._get_current_object()).clear()


@pytest.fixture()
def session(app):
    """A session whose every commit is a savepoint inside one transaction rolled back at the end."""
    request_started.connect(_fresh_g, app)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": ConnectionBoundSession}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            request_started.disconnect(_fresh_g, app)


@pytest.fixture()
def make_app(app, session):
    """Build another app (other config, extra routes) that runs inside the test's transaction."""

    def make(blueprints=(), **overrides):
        fixed_by_build_app = {"WTF_CSRF_ENABLED", "SERVER_NAME"}
        other = build_app(
            app.config["SQLALCHEMY_DATABASE_URI"], **{k: v for k, v in overrides.items() if k not in fixed_by_build_app}
        )
        other.config.update(overrides)  # CSRF and cookie flags are read per request
        for bp in blueprints:
            other.register_blueprint(bp)
        return other

    return make


def sign_in(client, user, password=PASSWORD, next=None):
    """Sign in through the login form — and its second step, with the code of the user's authenticator,
    when the user has one (factories.make_user gives one to admins and supervisors); returns the last
    response (a redirect)."""
    data = {"username": user.username, "password": password}
    if next is not None:
        data["next"] = next
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return complete_second_step(client, user, response)


def complete_second_step(client, user, response, secret=TOTP_SECRET):
    """After the password: the code of the user's authenticator (key `secret`), if the app asks for it.
    Needs an app context of the user's database (it reads the last code the account used)."""
    if urlsplit(response.headers["Location"]).path != "/login/code":
        return response
    response = client.post("/login/code", data={"code": second_factor_code(user, secret)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def set_up_second_factor(client):
    """The set-up of a signed-in user's authenticator through its pages: start it, read the key shown as
    text, confirm with its code. Returns (the key, the page with the recovery codes)."""
    started = client.post("/account/two-factor/start")
    assert urlsplit(started.headers["Location"]).path == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    confirmed = client.post("/account/two-factor/confirm", data={"code": code_at_step(secret, step_at(utcnow()))})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    return secret, confirmed.get_data(as_text=True)


@pytest.fixture()
def world(session, facility, other_facility):
    """Two facilities, one user of every role in each (see matrix.World)."""
    from .matrix import World

    return World.build(facility, other_facility)
