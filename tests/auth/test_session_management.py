"""Sessions the user and administrators manage (OWASP ASVS 5.0 V7.3.2, V7.4.5, V7.5.2, V14.3.1): an absolute
lifetime whatever the activity, the user's own list of sessions with the browser and address they began
from, ending one or all of the others, an administrator ending every session of a user, and the browser
told to forget its cache and storage at sign-out."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.agents import describe_agent
from caseapp.auth.models import UserSession
from caseapp.core.timeutil import utcnow

from ..security.conftest import sign_in

ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
LIFETIME_ENDED_VI = "Phiên làm việc đã đạt thời hạn tối đa 12 giờ và đã kết thúc"
ENDED_ELSEWHERE_VI = "Phiên làm việc đã bị kết thúc từ một phiên khác hoặc bởi quản trị viên"


def browser(app, user_agent=ANDROID_CHROME, ip="203.0.113.7"):
    """A test client that sends every request with this User-Agent, from this address."""
    http = app.test_client()
    http.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    return http


def sends_to_login(response):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def rows_of(session, user):
    session.expire_all()
    return session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)).all()


def audited(session, action, user):
    session.expire_all()
    return session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == str(user.id))
    ).all()


def started(session, user, hours_ago):
    """The user's sessions began `hours_ago` hours ago and were used a moment ago."""
    session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(created_at=utcnow() - timedelta(hours=hours_ago), last_seen_at=utcnow() - timedelta(minutes=2))
    )
    session.flush()


# --- absolute lifetime ----------------------------------------------------------------------------


def test_a_session_ends_12_hours_after_sign_in_however_active_and_the_login_page_says_so(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    started(session, user, 12)
    response = client.get("/account/password")
    assert sends_to_login(response)
    assert LIFETIME_ENDED_VI in client.get(response.headers["Location"]).get_data(as_text=True)
    [row] = rows_of(session, user)
    assert row.end_reason == "absolute"
    assert len(audited(session, "session_expired", user)) == 1


def test_an_active_session_of_11_hours_lives_on(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    started(session, user, 11)
    assert client.get("/").status_code == 200
    assert rows_of(session, user)[0].ended_at is None


def test_the_idle_timeout_still_ends_a_young_session(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert sends_to_login(client.get("/"))
    assert rows_of(session, user)[0].end_reason == "idle"


def test_the_absolute_lifetime_comes_from_the_config(app, client, session, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 2)
    user = make_user()
    sign_in(client, user)
    started(session, user, 2)
    assert sends_to_login(client.get("/"))
    assert rows_of(session, user)[0].end_reason == "absolute"


# --- the user's own sessions ------------------------------------------------------------------------


def test_the_user_sees_their_own_live_sessions_with_browser_address_and_times(app, session, make_user):
    user, colleague = make_user(), make_user()
    phone, laptop = browser(app), browser(app, WINDOWS_FIREFOX, "198.51.100.20")
    sign_in(phone, user)
    sign_in(laptop, user)
    sign_in(browser(app, ip="192.0.2.99"), colleague)
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Chrome trên Android" in page and "203.0.113.7" in page
    assert "Firefox trên Windows" in page and "198.51.100.20" in page
    assert "192.0.2.99" not in page  # another user's session is not listed
    assert page.count("Phiên này") == 1
    assert page.count("Kết thúc phiên</button>") == 1  # the current one ends by signing out
    assert "Kết thúc mọi phiên khác" in page


def test_ending_another_session_signs_that_browser_out_and_is_audited(app, session, make_user):
    user = make_user()
    phone, laptop = browser(app), browser(app, WINDOWS_FIREFOX)
    sign_in(phone, user)
    sign_in(laptop, user)
    phone_row = rows_of(session, user)[0]
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    refused = phone.get("/")
    assert sends_to_login(refused)
    assert ENDED_ELSEWHERE_VI in phone.get(refused.headers["Location"]).get_data(as_text=True)
    assert laptop.get("/").status_code == 200
    assert [r.end_reason for r in rows_of(session, user)] == ["ended_by_user", None]
    assert [e.detail for e in audited(session, "session_ended", user)] == [{"session": phone_row.id}]


def test_the_current_session_is_not_ended_from_the_list(app, session, make_user):
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user)
    [row] = rows_of(session, user)
    laptop.post(f"/account/sessions/{row.id}/end")
    assert laptop.get("/").status_code == 200
    assert rows_of(session, user)[0].ended_at is None


def test_ending_all_other_sessions_keeps_the_current_one(app, session, make_user):
    user = make_user()
    others = [browser(app), browser(app)]
    for other in others:
        sign_in(other, user)
    laptop = browser(app, WINDOWS_FIREFOX)
    sign_in(laptop, user)
    assert laptop.post("/account/sessions/end-others").status_code == 302
    assert all(sends_to_login(other.get("/")) for other in others)
    assert laptop.get("/").status_code == 200
    assert [r.end_reason for r in rows_of(session, user)] == ["ended_by_user", "ended_by_user", None]
    assert [e.detail for e in audited(session, "other_sessions_ended", user)] == [{"sessions": 2}]


def test_a_session_of_another_user_answers_404_and_lives_on(app, session, make_user):
    user, colleague = make_user(), make_user()
    colleagues_browser = browser(app)
    sign_in(colleagues_browser, colleague)
    [theirs] = rows_of(session, colleague)
    mine = browser(app)
    sign_in(mine, user)
    assert mine.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert colleagues_browser.get("/").status_code == 200


# --- administrators ---------------------------------------------------------------------------------


def test_an_admin_ends_every_session_of_a_user_audited(app, client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    worker_browsers = [browser(app), browser(app, WINDOWS_FIREFOX)]
    for worker_browser in worker_browsers:
        sign_in(worker_browser, worker)
    sign_in(client, admin)
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert "Số phiên đang mở: 2." in page
    response = client.post(f"/admin/users/{worker.id}/end-sessions")
    assert response.status_code == 302
    assert all(sends_to_login(b.get("/")) for b in worker_browsers)
    assert {r.end_reason for r in rows_of(session, worker)} == {"ended_by_admin"}
    [event] = audited(session, "user_sessions_ended", worker)
    assert event.user_id == admin.id and event.detail == {"sessions": 2}
    assert client.get("/").status_code == 200  # the admin's own session goes on
    sign_in(worker_browsers[0], worker)  # the user may sign in again
    assert worker_browsers[0].get("/").status_code == 200


@pytest.mark.parametrize("role", ["supervisor", "social_worker"])
def test_only_an_admin_ends_a_users_sessions(app, client, session, make_user, role):
    actor, worker = make_user(role), make_user()
    worker_browser = browser(app)
    sign_in(worker_browser, worker)
    sign_in(client, actor)
    assert client.post(f"/admin/users/{worker.id}/end-sessions").status_code == 403
    assert worker_browser.get("/").status_code == 200


# --- sign-out -----------------------------------------------------------------------------------------


def test_sign_out_tells_the_browser_to_clear_its_cache_and_storage(client, make_user):
    sign_in(client, make_user())
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


# --- the browser, in a few words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (WINDOWS_FIREFOX, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "coc_coc_browser/134.0.198 Chrome/128.0.6613.198 Safari/537.36",
            "Cốc Cốc on Windows",
        ),
        ("curl/8.5.0", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_the_browser_and_system_are_told_from_the_user_agent(app, user_agent, described):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            assert describe_agent(user_agent) == described


def test_the_operator_signs_every_user_out_everywhere_audited(app, session, make_user):
    users = [make_user(), make_user("admin")]
    browsers = [browser(app) for _ in users]
    for http, user in zip(browsers, users, strict=True):
        sign_in(http, user)
    result = app.test_cli_runner().invoke(args=["end-all-sessions", "--yes"])
    assert result.exit_code == 0, result.output
    assert all(sends_to_login(http.get("/")) for http in browsers)
    assert all(row.end_reason == "ended_by_admin" for user in users for row in rows_of(session, user))
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "all_sessions_ended")).all()
    assert event.detail["sessions"] >= 2


def test_every_page_links_to_the_users_sessions(client, make_user):
    sign_in(client, make_user())
    assert 'href="/account/sessions"' in client.get("/").get_data(as_text=True)
