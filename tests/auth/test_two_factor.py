"""Two-step sign-in (TOTP, RFC 6238; OWASP ASVS 5.0 V6.3.3, V6.5): set-up with a QR code and a first
code, no session before the second step, a code accepted once, recovery codes used once, the second
step throttled like the password, users who must use it confined to its set-up, an administrator's
reset, and the roles each facility requires it of."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import LoginAttempt, RecoveryCode, TotpCredential, UserSession
from caseapp.auth.sessions import SESSION_TOKEN_KEY
from caseapp.auth.two_factor import services, totp
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.notifications.models import Notification
from caseapp.org.models import Facility

from ..factories import PASSWORD, TOTP_SECRET, second_factor_code
from ..security.conftest import set_up_second_factor, sign_in

WRONG_CODE_VI = "Mã không đúng, hoặc đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."
SECRET_ON_PAGE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
RECOVERY_ON_PAGE = re.compile(r"<code>([A-Z2-7]{5}-[A-Z2-7]{5})</code>")


def password_step(client, user, password=PASSWORD):
    return client.post("/login", data={"username": user.username, "password": password})


def code_step(client, code):
    return client.post("/login/code", data={"code": code})


def goes_to(response, path):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == path


def sid_of(client):
    with client.session_transaction() as flask_session:
        return flask_session.get(SESSION_TOKEN_KEY)


def actions(session, user, *names):
    session.expire_all()
    return session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == str(user.id), AuditEvent.action.in_(names))
        .order_by(AuditEvent.id)
    ).all()


def live_sessions(session, user):
    session.expire_all()
    return session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()


# --- set-up -----------------------------------------------------------------------------------------


def test_enrolment_shows_a_csp_safe_qr_code_and_the_key_and_is_confirmed_by_a_first_code(client, session, make_user):
    worker = make_user()
    sign_in(client, worker)
    assert "Thiết lập đăng nhập hai bước" in client.get("/account/two-factor").get_data(as_text=True)
    client.post("/account/two-factor/start")
    response = client.get("/account/two-factor")
    page = response.get_data(as_text=True)
    # inline SVG: no data: URI (the CSP's img-src), no script, no style attribute
    qr = re.search(r'<svg[^>]*class="qr".*?</svg>', page, re.S).group(0)
    assert "data:" not in page and "<script>" not in qr and "style=" not in qr
    assert "<path" in qr
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script anywhere on the page
    assert SECRET_ON_PAGE.search(page)

    secret, codes_page = set_up_second_factor(client)
    credential = session.get(TotpCredential, worker.id)
    assert credential.confirmed_at is not None
    assert actions(session, worker, "two_factor_enrolled") == ["two_factor_enrolled"]
    assert len(RECOVERY_ON_PAGE.findall(codes_page)) == 10
    # never shown again once confirmed
    assert secret not in client.get("/account/two-factor").get_data(as_text=True).replace(" ", "")


def test_a_wrong_first_code_does_not_confirm_the_enrolment(client, session, make_user):
    worker = make_user()
    sign_in(client, worker)
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    wrong = f"{(int(totp.code_at_step(secret, totp.step_at(utcnow()))) + 1) % 1_000_000:06d}"
    response = client.post("/account/two-factor/confirm", data={"code": wrong})
    assert response.status_code == 422
    assert "Mã không đúng. Hãy kiểm tra đồng hồ của điện thoại" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(TotpCredential, worker.id).confirmed_at is None


def test_the_secret_is_stored_encrypted_and_bound_to_its_account(client, session, make_user, app):
    worker = make_user()
    sign_in(client, worker)
    secret, _page = set_up_second_factor(client)
    stored = session.get(TotpCredential, worker.id).secret_encrypted
    assert secret not in stored
    key = app.config["SECRET_KEY"]
    assert totp.decrypt_secret(stored, user_id=worker.id, secret_key=key) == secret
    with pytest.raises(totp.SecretUnreadable):
        totp.decrypt_secret(stored, user_id=worker.id + 1, secret_key=key)  # copied onto another account
    with pytest.raises(totp.SecretUnreadable):
        totp.decrypt_secret(stored, user_id=worker.id, secret_key=key + "x")  # another installation's key


def test_recovery_codes_are_stored_as_argon2_hashes_only(client, session, make_user):
    worker = make_user()
    sign_in(client, worker)
    _secret, page = set_up_second_factor(client)
    shown = {code.replace("-", "") for code in RECOVERY_ON_PAGE.findall(page)}
    stored = session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == worker.id)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not shown & set(stored)


def test_enrolment_renews_the_session(client, session, make_user):
    worker = make_user()
    sign_in(client, worker)
    before = sid_of(client)
    set_up_second_factor(client)
    assert sid_of(client) not in (None, before)
    session.expire_all()
    ended = session.scalars(sa.select(UserSession.end_reason).where(UserSession.user_id == worker.id)).all()
    assert "renewed" in ended and len(live_sessions(session, worker)) == 1


# --- the second step ----------------------------------------------------------------------------------


def test_no_session_starts_before_the_second_step(client, session, make_user):
    supervisor = make_user("supervisor")
    response = password_step(client, supervisor)
    assert goes_to(response, "/login/code")
    assert sid_of(client) is None and live_sessions(session, supervisor) == []
    assert goes_to(client.get("/"), "/login")  # the half-signed state opens nothing
    assert goes_to(client.get("/cases/facility"), "/login")


def test_the_session_token_is_new_after_the_second_step(client, session, make_user):
    supervisor = make_user("supervisor")
    password_step(client, supervisor)
    cookie_before = client.get_cookie("caseapp_session").value
    response = code_step(client, second_factor_code(supervisor))
    assert goes_to(response, "/")
    assert client.get_cookie("caseapp_session").value != cookie_before
    with client.session_transaction() as flask_session:
        assert flask_session.get(SESSION_TOKEN_KEY) and "second_step" not in flask_session
    assert len(live_sessions(session, supervisor)) == 1
    assert client.get("/").status_code == 200
    assert actions(session, supervisor, "login_second_factor_ok") == ["login_second_factor_ok"]


def test_a_code_is_refused_when_used_again(client, session, make_user):
    supervisor = make_user("supervisor")
    code = second_factor_code(supervisor)
    password_step(client, supervisor)
    assert goes_to(code_step(client, code), "/")
    client.post("/logout")
    password_step(client, supervisor)
    again = code_step(client, code)
    assert again.status_code == 200 and WRONG_CODE_VI in again.get_data(as_text=True)
    assert goes_to(client.get("/"), "/login")
    assert actions(session, supervisor, "login_second_factor_failed") == ["login_second_factor_failed"]
    # the next code of the window still works
    assert goes_to(code_step(client, second_factor_code(supervisor)), "/")


def test_a_code_of_a_step_outside_the_window_is_refused(client, make_user):
    supervisor = make_user("supervisor")
    password_step(client, supervisor)
    too_old = totp.code_at_step(TOTP_SECRET, totp.step_at(utcnow()) - 3)
    assert code_step(client, too_old).status_code == 200
    assert goes_to(client.get("/"), "/login")


def test_a_recovery_code_signs_in_once(client, session, make_user):
    worker = make_user()
    sign_in(client, worker)
    _secret, page = set_up_second_factor(client)
    recovery = RECOVERY_ON_PAGE.findall(page)[3]
    client.post("/logout")

    password_step(client, worker)
    response = code_step(client, recovery.lower().replace("-", " "))  # typed loosely: still the code
    assert goes_to(response, "/")
    home = client.get("/").get_data(as_text=True)
    assert "còn lại 9 mã" in home
    assert actions(session, worker, "recovery_code_used") == ["recovery_code_used"]
    client.post("/logout")

    password_step(client, worker)
    assert code_step(client, recovery).status_code == 200
    assert goes_to(client.get("/"), "/login")


def test_wrong_codes_are_throttled_like_wrong_passwords(client, session, make_user, app):
    supervisor = make_user("supervisor")
    password_step(client, supervisor)
    for _ in range(app.config["LOGIN_MAX_PER_ACCOUNT"]):
        assert WRONG_CODE_VI in code_step(client, "000000").get_data(as_text=True)
    refused = code_step(client, second_factor_code(supervisor))  # the right code, once throttled
    assert refused.status_code == 200 and WRONG_CODE_VI in refused.get_data(as_text=True)
    assert goes_to(client.get("/"), "/login")
    attempts = session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.username == f"2fa:{supervisor.id}")
    )
    assert attempts == app.config["LOGIN_MAX_PER_ACCOUNT"]
    failed = session.scalars(
        sa.select(AuditEvent.detail).where(
            AuditEvent.action == "login_second_factor_failed", AuditEvent.entity_id == str(supervisor.id)
        )
    ).all()
    assert [d["reason"] for d in failed] == ["wrong_code"] * attempts + ["throttled"]


def test_the_second_step_waits_five_minutes_at_most(client, make_user):
    supervisor = make_user("supervisor")
    password_step(client, supervisor)
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        code = second_factor_code(supervisor)
        response = code_step(client, code)
    assert goes_to(response, "/login")
    assert goes_to(client.get("/"), "/login")


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert goes_to(client.get("/login/code"), "/login")
    assert goes_to(code_step(client, "123456"), "/login")


def test_a_password_reset_does_not_bypass_the_second_factor(client, make_user):
    admin, supervisor = make_user("admin"), make_user("supervisor")
    sign_in(client, admin)
    client.post(f"/admin/users/{supervisor.id}/reset-password", data={"password": "Tam-thoi-2026-xyz-abc"})
    client.post("/logout")
    response = password_step(client, supervisor, "Tam-thoi-2026-xyz-abc")
    assert goes_to(response, "/login/code")
    assert goes_to(code_step(client, second_factor_code(supervisor)), "/account/password")


# --- who must use it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_admins_and_supervisors_without_a_second_factor_can_only_set_one_up(client, session, make_user, role):
    user = make_user(role, second_factor=False)
    response = password_step(client, user)
    assert goes_to(response, "/account/two-factor")
    for path in ("/", "/admin/users", "/cases/facility", "/notifications/", "/audit/"):
        assert goes_to(client.get(path), "/account/two-factor"), path
    assert "Vai trò của bạn bắt buộc đăng nhập hai bước" in client.get("/account/two-factor").get_data(as_text=True)
    set_up_second_factor(client)
    assert client.get("/").status_code == 200


def test_a_user_who_must_set_it_up_can_sign_out(client, session, make_user):
    supervisor = make_user("supervisor", second_factor=False)
    password_step(client, supervisor)
    assert goes_to(client.post("/logout"), "/login")
    assert live_sessions(session, supervisor) == []


def test_other_roles_need_no_second_factor_unless_their_facility_says_so(client, make_user):
    worker = make_user()
    assert goes_to(password_step(client, worker), "/")


def test_the_admin_chooses_the_roles_of_a_facility_that_must_use_it(client, session, make_user, facility):
    admin = make_user("admin")
    worker, shelter_staff = make_user(), make_user("shelter_staff")
    sign_in(client, admin)
    page = client.get(f"/admin/facilities/{facility.id}/two-factor").get_data(as_text=True)
    assert 'value="social_worker"' in page and 'value="supervisor"' not in page  # supervisors always
    response = client.post(f"/admin/facilities/{facility.id}/two-factor", data={"roles": ["social_worker"]})
    assert goes_to(response, f"/admin/facilities/{facility.id}")
    session.expire_all()
    assert session.get(Facility, facility.id).second_factor_roles == "social_worker"
    changed = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "two_factor_roles_changed")).one()
    assert changed.detail == {"before": [], "after": ["social_worker"]}
    client.post("/logout")

    assert goes_to(password_step(client, worker), "/account/two-factor")  # now confined to its set-up
    assert goes_to(client.get("/"), "/account/two-factor")
    client.post("/logout")
    assert goes_to(password_step(client, shelter_staff), "/")  # a role the facility did not choose


def test_a_role_that_always_needs_it_cannot_be_chosen(client, session, make_user, facility):
    admin = make_user("admin")
    sign_in(client, admin)
    response = client.post(f"/admin/facilities/{facility.id}/two-factor", data={"roles": ["admin"]})
    assert response.status_code == 422
    assert "Vui lòng chọn trong các vai trò được liệt kê." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Facility, facility.id).second_factor_roles == ""
    with pytest.raises(ServiceError):
        services.set_second_factor_roles(facility, ["supervisor"], by=admin)


def test_any_user_may_set_it_up_and_is_then_asked_for_the_code(client, make_user):
    worker = make_user()
    sign_in(client, worker)
    secret, _page = set_up_second_factor(client)
    client.post("/logout")
    assert goes_to(password_step(client, worker), "/login/code")
    assert goes_to(code_step(client, second_factor_code(worker, secret)), "/")


# --- an administrator's reset ------------------------------------------------------------------------------


def test_an_admin_reset_is_audited_notified_and_forces_a_new_set_up(app, client, session, make_user):
    admin, supervisor = make_user("admin"), make_user("supervisor")
    theirs = app.test_client()
    sign_in(theirs, supervisor)
    sign_in(client, admin)
    page = client.get(f"/admin/users/{supervisor.id}").get_data(as_text=True)
    assert "Đặt lại đăng nhập hai bước" in page
    response = client.post(f"/admin/users/{supervisor.id}/reset-two-factor")
    assert goes_to(response, f"/admin/users/{supervisor.id}")

    session.expire_all()
    assert session.get(TotpCredential, supervisor.id) is None
    reset = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "two_factor_reset")).one()
    assert (reset.user_id, reset.entity_id) == (admin.id, str(supervisor.id))
    notice = session.scalars(sa.select(Notification).where(Notification.user_id == supervisor.id)).one()
    assert notice.kind == "two_factor_reset"
    assert goes_to(theirs.get("/"), "/login")  # their session ended
    assert goes_to(password_step(theirs, supervisor), "/account/two-factor")
    set_up_second_factor(theirs)
    assert "Quản trị viên đã đặt lại đăng nhập hai bước" in theirs.get("/notifications/").get_data(as_text=True)


def test_a_reset_of_a_user_without_a_second_factor_is_refused(client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    response = client.post(f"/admin/users/{worker.id}/reset-two-factor", follow_redirects=True)
    assert "chưa thiết lập đăng nhập hai bước" in response.get_data(as_text=True)
    assert actions(session, worker, "two_factor_reset") == []


def test_only_an_admin_resets_a_second_factor(client, session, make_user):
    supervisor, other = make_user("supervisor"), make_user("supervisor")
    sign_in(client, supervisor)
    assert client.post(f"/admin/users/{other.id}/reset-two-factor").status_code == 403
    assert session.get(TotpCredential, other.id) is not None
