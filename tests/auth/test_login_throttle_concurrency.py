"""The login throttle is exact under concurrency: however many wrong passwords arrive at the same moment,
the password is checked (argon2) no more times than the throttle allows — 5 per account, 20 per address
in a minute — and the others are refused with the same generic message, each audited. A successful
sign-in does not count against the account.

The threads sign in through the login page on a database of their own (real commits, no test
transaction), each request in its own app context and session, as gunicorn's workers would; the
password checks are counted by a wrapper around argon2's PasswordHasher.verify. The users' hashes use
OWASP's minimum argon2id cost rather than the suite's cheapest, so that a check takes long enough for
the requests to overlap as they do in production."""

import threading

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import LoginAttempt
from caseapp.auth.services import hash_password
from caseapp.extensions import db

from .. import factories
from ..conftest import app_on_own_database, dispose
from .test_login_throttle import GENERIC, WRONG, actions_for, earlier_failures, post_login, signed_in

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 passes, 1 lane.
SLOW_ENOUGH = {"PASSWORD_HASH_TIME_COST": 2, "PASSWORD_HASH_MEMORY_COST": 19456, "PASSWORD_HASH_PARALLELISM": 1}


@pytest.fixture(scope="module")
def throttle_app():
    app = app_on_own_database("login_throttle", **SLOW_ENOUGH)
    yield app
    dispose(app)


@pytest.fixture()
def argon2_checks(monkeypatch):
    """How many passwords argon2 has checked since the test began (every thread's)."""
    checks = {"count": 0}
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(self, hash, password):
        with lock:
            checks["count"] += 1
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return checks


def make_account(app, username):
    with app.app_context():
        user = factories.make_user(facility=factories.make_facility(), username=username)
        user.password_hash = hash_password(factories.PASSWORD)  # with this app's (slower) argon2 cost
        db.session.commit()
        db.session.remove()


def sign_in_at_once(app, attempts):
    """Post every (username, password, address) to /login from its own thread, all released together;
    the status codes of the answers."""
    start = threading.Barrier(len(attempts))
    answers, errors = [], []
    lock = threading.Lock()

    def sign_in(username, password, ip):
        try:
            client = app.test_client()
            start.wait(timeout=30)
            response = post_login(client, username, password, ip=ip)
            with lock:
                answers.append((response.status_code, GENERIC in response.get_data(as_text=True)))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(repr(error))

    threads = [threading.Thread(target=sign_in, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


def audited(app, username):
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.detail["username"].as_string() == username)
        ).all()
        db.session.remove()
    return sorted(actions)


def test_twelve_parallel_wrong_passwords_for_one_account_reach_argon2_five_times(throttle_app, argon2_checks):
    make_account(throttle_app, "song.song")
    answers = sign_in_at_once(throttle_app, [("song.song", WRONG, f"198.51.100.{n}") for n in range(1, 13)])

    assert argon2_checks["count"] == 5
    assert answers == [(200, True)] * 12  # the same generic refusal for all, checked or not
    assert audited(throttle_app, "song.song") == ["login_failed"] * 5 + ["login_throttled"] * 7


def test_twenty_five_parallel_attempts_from_one_address_reach_argon2_twenty_times(throttle_app, argon2_checks):
    # Unknown usernames: each is checked against the dummy hash, so it costs argon2 the same.
    answers = sign_in_at_once(throttle_app, [(f"khong.co.{n}", WRONG, "203.0.113.77") for n in range(25)])

    assert argon2_checks["count"] == 20
    assert answers == [(200, True)] * 25
    with throttle_app.app_context():
        counted = db.session.scalar(sa.select(sa.func.count()).where(LoginAttempt.ip == "203.0.113.77"))
        db.session.remove()
    assert counted == 20  # the refused attempts are not kept: only checked ones count, as before


def test_parallel_right_passwords_sign_in_and_leave_no_attempt_behind(throttle_app, argon2_checks):
    make_account(throttle_app, "dong.thoi")
    answers = sign_in_at_once(throttle_app, [("dong.thoi", factories.PASSWORD, "192.0.2.99")] * 5)

    assert [status for status, _generic in answers] == [302] * 5
    with throttle_app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).where(LoginAttempt.username == "dong.thoi"))
        db.session.remove()
    assert left == 0


def test_successful_sign_ins_do_not_count_against_the_account(app, session, make_user):
    user = make_user()
    for _ in range(8):  # more than the five attempts a minute allows
        assert post_login(app.test_client(), user.username, factories.PASSWORD).status_code == 302
    earlier_failures(session, user.username, 3)
    assert GENERIC in post_login(app.test_client(), user.username, WRONG).get_data(as_text=True)
    browser = app.test_client()  # the fifth attempt of the minute: the eight sign-ins did not count
    assert post_login(browser, user.username, factories.PASSWORD).status_code == 302
    assert signed_in(browser)
    assert actions_for(session, user.username) == ["login_failed"]
    kept = session.scalar(sa.select(sa.func.count()).where(LoginAttempt.username == user.username))
    assert kept == 3 + 1  # the failures only
