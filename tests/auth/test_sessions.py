"""Server-side sessions: a new session id at each sign-in, logout by POST that ends the session,
a 30-minute idle timeout, and other sessions ended by deactivation, password change or reset."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User, UserSession
from caseapp.auth.services import _token_hash
from caseapp.auth.sessions import SESSION_TOKEN_KEY
from caseapp.core.timeutil import utcnow

from ..factories import PASSWORD
from ..security.conftest import sign_in

COOKIE = "caseapp_session"
SESSION_ENDED = "Phiên làm việc đã kết thúc do không hoạt động"


def sid_of(client):
    with client.session_transaction() as flask_session:
        return flask_session.get(SESSION_TOKEN_KEY)


def is_signed_in(client):
    return client.get("/").status_code == 200


def sends_to_login(response):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def session_rows(session, user):
    session.expire_all()
    return session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)).all()


# --- new session id at every sign-in ------------------------------------------------------------


def test_each_sign_in_gets_a_new_session_id(client, make_user):
    user = make_user()
    sign_in(client, user)
    first = sid_of(client)
    client.post("/logout")
    sign_in(client, user)
    second = sid_of(client)
    assert first and second and first != second


def test_sign_in_clears_what_the_session_held_before(client, make_user):
    """Session fixation: whatever a session carried before sign-in (an id planted by someone
    else included) is gone afterwards; only the chosen language survives."""
    user = make_user()
    with client.session_transaction() as flask_session:
        flask_session[SESSION_TOKEN_KEY] = "planted-by-someone-else"
        flask_session["note"] = "before sign-in"
        flask_session["lang"] = "vi"
    sign_in(client, user)
    with client.session_transaction() as flask_session:
        assert flask_session[SESSION_TOKEN_KEY] != "planted-by-someone-else"
        assert "note" not in flask_session
        assert flask_session["lang"] == "vi"


def test_only_a_hash_of_the_session_id_is_stored(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    sid = sid_of(client)
    [row] = session_rows(session, user)
    assert row.token_hash == _token_hash(sid) and sid not in row.token_hash


def test_two_browsers_get_two_sessions(app, client, session, make_user):
    user = make_user()
    other_browser = app.test_client()
    sign_in(client, user)
    sign_in(other_browser, user)
    assert sid_of(client) != sid_of(other_browser)
    assert is_signed_in(client) and is_signed_in(other_browser)
    assert len(session_rows(session, user)) == 2


# --- logout -------------------------------------------------------------------------------------


def test_logout_by_get_is_refused(client, make_user):
    sign_in(client, make_user())
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_logout_ends_the_server_side_session_so_a_replayed_cookie_is_anonymous(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    stolen = client.get_cookie(COOKIE).value
    response = client.post("/logout")
    assert sends_to_login(response)
    assert not is_signed_in(client)

    client.set_cookie(COOKIE, stolen)  # the cookie as it was before logout
    assert sends_to_login(client.get("/"))
    [row] = session_rows(session, user)
    assert row.ended_at is not None and row.end_reason == "logout"
    assert (
        session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "logout", AuditEvent.user_id == user.id)
        )
        == 1
    )


# --- idle timeout -------------------------------------------------------------------------------


def idle_for(session, user, minutes):
    session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
    )
    session.flush()


def test_session_idle_for_31_minutes_ends_and_login_page_says_so(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 31)
    response = client.get("/account/password")
    assert sends_to_login(response)
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/account/password"]
    login_page = client.get(response.headers["Location"])
    assert SESSION_ENDED in login_page.get_data(as_text=True)
    [row] = session_rows(session, user)
    assert row.end_reason == "idle"
    assert (
        session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "session_expired", AuditEvent.user_id == user.id
            )
        )
        == 1
    )
    idle_for(session, user, 0)  # an ended session stays ended
    assert not is_signed_in(client)


def test_session_idle_for_29_minutes_lives_on(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    idle_for(session, user, 29)
    assert is_signed_in(client)
    [row] = session_rows(session, user)
    assert row.ended_at is None
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # the request counted as activity


def test_login_page_does_not_claim_a_timeout_after_a_plain_logout(client, make_user):
    sign_in(client, make_user())
    client.post("/logout")
    assert SESSION_ENDED not in client.get("/login").get_data(as_text=True)


# --- other sessions ended by the account's changes ----------------------------------------------


def edit_form(user, **changes):
    data = {
        "full_name": user.full_name,
        "role": user.role,
        "facility_id": user.facility_id,
        "email": user.email or "",
        "phone": user.phone or "",
        "version": user.version,
    }
    if user.active:
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_a_user_signs_out_their_sessions(app, client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    worker_browser = app.test_client()
    sign_in(worker_browser, worker)
    sign_in(client, admin)
    response = client.post(f"/admin/users/{worker.id}", data=edit_form(worker, active=None))
    assert response.status_code == 302
    assert sends_to_login(worker_browser.get("/"))
    assert [r.end_reason for r in session_rows(session, worker)] == ["deactivated"]

    # reactivated later: the old session stays ended
    session.expire_all()
    worker = session.get(User, worker.id)
    assert client.post(f"/admin/users/{worker.id}", data=edit_form(worker, active="y")).status_code == 302
    assert sends_to_login(worker_browser.get("/"))


def test_changing_the_password_signs_out_the_users_other_sessions(app, client, session, make_user):
    user = make_user()
    other_browser = app.test_client()
    sign_in(other_browser, user)
    sign_in(client, user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Mat-khau-moi-2026!",
            "confirm_password": "Mat-khau-moi-2026!",
        },
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert sends_to_login(other_browser.get("/"))
    assert sorted(r.end_reason or "live" for r in session_rows(session, user)) == ["live", "password_changed"]


def test_password_reset_by_an_admin_signs_out_the_user(app, client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    worker_browser = app.test_client()
    sign_in(worker_browser, worker)
    sign_in(client, admin)
    response = client.post(f"/admin/users/{worker.id}/reset-password", data={"password": "Tam-thoi-2026-abc"})
    assert response.status_code == 302
    assert sends_to_login(worker_browser.get("/"))


# --- where sign-in leads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, make_user, target):
    user = make_user()
    response = client.post(
        "/login?next=" + target.replace("\t", "%09").replace("\\", "%5C"),
        data={"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_from_the_hidden_field_is_refused_too(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_local_page_asked_for(client, make_user):
    admin = make_user("admin")
    asked = client.get("/admin/users?q=an")
    assert sends_to_login(asked)
    login_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/admin/users?q=an"' in login_page
    response = sign_in(client, admin, next="/admin/users?q=an")  # through the second step, too
    assert response.headers["Location"] == "/admin/users?q=an"
