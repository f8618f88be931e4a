"""Nothing typed is lost to the idle timeout: a form posted after its session expired leads to the
sign-in page and, after it, back to the page of the form (never to a URL that answers POST only); the
idle warning's "Keep working" renews the session by a POST with the CSRF token; the page tells the
warning how long the session has left."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from caseapp.auth.models import UserSession
from caseapp.core.timeutil import as_utc, utcnow

from ..factories import PASSWORD
from ..security.conftest import sign_in
from ..security.test_csrf import signed_in_with_csrf, token_from


def idle_for(session, user, minutes):
    session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
    )
    session.flush()


def next_of(response):
    """The `next` of a redirect to the sign-in page (None when it has none)."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    return parse_qs(location.query).get("next", [None])[0]


def live_row(session, user):
    session.expire_all()
    return session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).one_or_none()


@pytest.fixture()
def expired(client, session, make_user):
    """A signed-in client whose session sat idle past the timeout."""
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 31)
    return client


# --- after signing in again: the page of the form ------------------------------------------------


def test_expired_post_leads_back_to_the_page_that_showed_the_form(expired):
    response = expired.post("/dashboard/refresh", headers={"Referer": "http://localhost/cases/12?tab=notes"})
    assert next_of(response) == "/cases/12?tab=notes"


def test_expired_post_without_referer_returns_to_its_own_path_when_it_answers_get(expired):
    response = expired.post("/account/password", data={"current_password": "x"})
    assert next_of(response) == "/account/password"


def test_expired_post_never_returns_to_a_post_only_url(expired):
    response = expired.post("/dashboard/refresh")
    assert next_of(response) is None


def test_expired_post_ignores_a_referer_of_another_site(expired):
    response = expired.post("/dashboard/refresh", headers={"Referer": "https://evil.example/cases/12"})
    assert next_of(response) is None


def test_expired_post_ignores_a_referer_that_answers_post_only(expired):
    """A form shown again after an error has the POST URL as its address: the same path is tried next."""
    response = expired.post("/account/password", headers={"Referer": "http://localhost/dashboard/refresh"})
    assert next_of(response) == "/account/password"


def test_expired_get_still_returns_to_the_page_itself(expired):
    assert next_of(expired.get("/account/password?x=1")) == "/account/password?x=1"


def test_sign_in_after_an_expired_post_lands_on_the_form_page(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 31)
    target = next_of(client.post("/dashboard/refresh", headers={"Referer": "http://localhost/account/password"}))
    response = sign_in(client, user, next=target)
    assert response.headers["Location"] == "/account/password"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/x", "/\\evil.example"])
def test_sign_in_still_refuses_a_next_of_another_site(client, make_user, target):
    response = sign_in(client, make_user(), next=target)
    assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
    assert urlsplit(response.headers["Location"]).path == "/"


# --- "Keep working" -----------------------------------------------------------------------------


def test_keep_working_renews_the_sessions_last_activity(client, session, make_user, app):
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 29)
    response = client.post("/session/keep-alive")
    assert response.status_code == 200
    assert response.get_json() == {"seconds_left": app.config["SESSION_IDLE_MINUTES"] * 60}
    assert utcnow() - as_utc(live_row(session, user).last_seen_at) < timedelta(seconds=5)
    idle_for(session, user, 0)
    assert client.get("/").status_code == 200


def test_keep_working_cannot_revive_an_expired_session(expired, session):
    response = expired.post("/session/keep-alive")
    assert next_of(response) is None
    assert expired.get("/").status_code == 302


def test_keep_working_answers_post_only(client, make_user):
    sign_in(client, make_user())
    assert client.get("/session/keep-alive").status_code == 405


def test_keep_working_needs_the_csrf_token(make_app, session, make_user):
    user = make_user()
    client = signed_in_with_csrf(make_app(WTF_CSRF_ENABLED=True), user)
    idle_for(session, user, 20)
    assert client.post("/session/keep-alive").status_code == 400
    token = token_from(client.get("/"))
    response = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert utcnow() - as_utc(live_row(session, user).last_seen_at) < timedelta(seconds=5)


def test_page_tells_the_idle_warning_how_long_the_session_has_left(client, session, make_user, app):
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 0.5)  # less than the minute between two touches: the page keeps it
    page = client.get("/").get_data(as_text=True)
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert app.config["SESSION_IDLE_MINUTES"] * 60 - 35 <= left <= app.config["SESSION_IDLE_MINUTES"] * 60 - 30
    assert 'role="alertdialog"' in page and "Tiếp tục làm việc" in page


def test_sign_in_page_has_no_idle_warning(client):
    assert "session-guard" not in client.get("/login").get_data(as_text=True)


def test_password_page_after_a_reset_may_still_keep_the_session(client, session, make_user):
    user = make_user(must_change_password=True)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert client.post("/session/keep-alive").status_code == 200
