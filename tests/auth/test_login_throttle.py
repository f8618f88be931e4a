"""The login throttle: stored in the database, per account and per client IP over a sliding minute,
with one generic message for every refusal; every attempt is audited."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import LoginAttempt
from caseapp.auth.services import authenticate
from caseapp.core.timeutil import utcnow

from ..factories import PASSWORD

GENERIC = "Sai tên đăng nhập hoặc mật khẩu, hoặc đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."
WRONG = "not-the-password"


def post_login(client, username, password, ip="192.0.2.10"):
    return client.post("/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip})


def earlier_failures(session, username, count, ip="192.0.2.10", age_seconds=5):
    """Failures recorded a few seconds ago (what earlier failed logins leave behind)."""
    then = utcnow() - timedelta(seconds=age_seconds)
    session.add_all([LoginAttempt(username=username, ip=ip, attempted_at=then) for _ in range(count)])
    session.flush()


def signed_in(client):
    return client.get("/").status_code == 200


def actions_for(session, username):
    return session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.detail["username"].as_string() == username)
        .order_by(AuditEvent.id)
    ).all()


def test_account_is_refused_after_five_failures_even_with_the_right_password(client, session, make_user):
    user = make_user()
    for _ in range(5):
        response = post_login(client, user.username, WRONG)
        assert response.status_code == 200
        assert GENERIC in response.get_data(as_text=True)
    throttled = post_login(client, user.username, PASSWORD)
    assert throttled.status_code == 200
    assert GENERIC in throttled.get_data(as_text=True)
    assert not signed_in(client)


def page(response):
    """The page without its CSRF tokens (they carry a timestamp)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def test_throttled_refusal_looks_exactly_like_a_wrong_password(client, session, make_user):
    user = make_user()
    earlier_failures(session, user.username, 4)
    fifth_failure = page(post_login(client, user.username, WRONG))
    throttled = page(post_login(client, user.username, PASSWORD))
    unknown = page(post_login(client, "khong-co-ai", WRONG))
    assert throttled == fifth_failure
    assert unknown.replace("khong-co-ai", user.username) == fifth_failure


def test_every_login_attempt_is_audited(client, session, make_user):
    user = make_user()
    earlier_failures(session, user.username, 3)
    post_login(client, user.username, WRONG)
    post_login(client, user.username, WRONG)
    post_login(client, user.username, PASSWORD)
    assert actions_for(session, user.username) == ["login_failed", "login_failed", "login_throttled"]
    failed = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_failed")).first()
    assert failed.entity_id == str(user.id) and failed.facility_id == user.facility_id
    assert failed.ip == "192.0.2.10"
    assert WRONG not in str(failed.detail)

    other = make_user()
    post_login(client, other.username, PASSWORD, ip="192.0.2.99")
    ok = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "login_ok", AuditEvent.user_id == other.id)
    ).one()
    assert ok.entity_type == "users" and ok.entity_id == str(other.id)


def test_throttle_counts_the_account_whatever_the_letter_case(client, session, make_user):
    make_user(username="chi.lan")
    earlier_failures(session, "chi.lan", 3)
    for typed in ("CHI.LAN", "Chi.Lan"):
        post_login(client, typed, WRONG)
    assert GENERIC in post_login(client, "chi.lan", PASSWORD).get_data(as_text=True)
    assert not signed_in(client)


def test_throttle_is_per_account_not_per_ip_only(app, client, session, make_user):
    victim, colleague = make_user(), make_user()
    earlier_failures(session, victim.username, 5, ip="192.0.2.1")
    # the throttled account stays refused from any address …
    assert GENERIC in post_login(client, victim.username, PASSWORD, ip="198.51.100.7").get_data(as_text=True)
    # … while another account, from another address, still signs in
    other_client = app.test_client()
    assert post_login(other_client, colleague.username, PASSWORD, ip="198.51.100.8").status_code == 302
    assert signed_in(other_client)


def test_twenty_failures_from_one_ip_across_accounts_refuse_that_ip(app, client, session, make_user):
    user = make_user()
    for n in range(19):  # spread over names so that no single account reaches five
        earlier_failures(session, f"ten-sai-{n % 5}", 1, ip="203.0.113.5")
    post_login(client, "ten-sai-moi", WRONG, ip="203.0.113.5")  # the twentieth, a real request
    assert GENERIC in post_login(client, user.username, PASSWORD, ip="203.0.113.5").get_data(as_text=True)
    assert not signed_in(client)
    elsewhere = app.test_client()
    assert post_login(elsewhere, user.username, PASSWORD, ip="203.0.113.6").status_code == 302


def test_nineteen_failures_from_one_ip_do_not_refuse_it(client, session, make_user):
    user = make_user()
    for n in range(19):
        earlier_failures(session, f"ten-sai-{n % 5}", 1, ip="203.0.113.9")
    assert post_login(client, user.username, PASSWORD, ip="203.0.113.9").status_code == 302


def test_throttle_is_stored_in_the_database(client, session, make_user):
    user = make_user()
    for _ in range(2):
        post_login(client, user.username, WRONG, ip="192.0.2.44")
    rows = session.scalars(sa.select(LoginAttempt).where(LoginAttempt.username == user.username)).all()
    assert [(r.username, r.ip) for r in rows] == [(user.username, "192.0.2.44")] * 2


@pytest.mark.parametrize("age_seconds,signs_in", [(59, False), (61, True)])
def test_right_password_works_again_once_the_minute_has_passed(client, session, make_user, age_seconds, signs_in):
    user = make_user()
    earlier_failures(session, user.username, 5, age_seconds=age_seconds)
    response = post_login(client, user.username, PASSWORD)
    assert (response.status_code == 302) is signs_in
    assert signed_in(client) is signs_in


def test_authenticate_refuses_within_the_window_and_accepts_after_it(app, session, make_user):
    user = make_user()
    t0 = utcnow()
    for _ in range(5):
        assert authenticate(user.username, WRONG, ip="192.0.2.20", config=app.config, now=t0) == (None, "failed")
    assert authenticate(
        user.username, PASSWORD, ip="192.0.2.20", config=app.config, now=t0 + timedelta(seconds=59)
    ) == (None, "throttled")
    assert authenticate(
        user.username, PASSWORD, ip="192.0.2.20", config=app.config, now=t0 + timedelta(seconds=61)
    ) == (user, "ok")


def test_deactivated_account_is_refused_with_the_generic_message(client, session, make_user):
    user = make_user(active=False)
    response = post_login(client, user.username, PASSWORD)
    assert GENERIC in response.get_data(as_text=True)
    assert not signed_in(client)
    assert actions_for(session, user.username) == ["login_failed"]


def test_behind_a_trusted_proxy_the_throttle_counts_each_client_not_the_proxy(make_app, session, make_user):
    """Behind nginx every request comes from 127.0.0.1: with TRUSTED_PROXIES the client's own
    address (X-Forwarded-For) is what the per-IP throttle counts and the audit trail records."""
    proxied = make_app(TRUSTED_PROXIES=1)
    user = make_user()
    earlier_failures(session, "ten-sai", 20, ip="198.51.100.1")

    def through_proxy(client_ip, password):
        return proxied.test_client().post(
            "/login",
            data={"username": user.username, "password": password},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": client_ip},
        )

    assert GENERIC in through_proxy("198.51.100.1", PASSWORD).get_data(as_text=True)
    through_proxy("198.51.100.2", WRONG)
    assert session.scalars(sa.select(LoginAttempt.ip).where(LoginAttempt.username == user.username)).all() == [
        "198.51.100.2"
    ]
    assert through_proxy("198.51.100.2", PASSWORD).status_code == 302


def test_forwarded_address_is_ignored_without_a_trusted_proxy(client, session, make_user):
    """Otherwise any client could dodge the per-IP throttle by sending its own X-Forwarded-For."""
    user = make_user()
    earlier_failures(session, "ten-sai", 20, ip="192.0.2.50")
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.50"},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert GENERIC in response.get_data(as_text=True)
