"""Two-step sign-in the user looks after (OWASP ASVS 5.0 V6.4, V7.4.3, V7.5.1): ten new recovery codes, after a
code or the password again, the old ones then refused; a new phone set up beside the old one, which
works until a code of the new key confirms it; each change audited and ending the user's other
sessions."""

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import TotpCredential
from caseapp.auth.two_factor.totp import code_at_step, step_at
from caseapp.core.timeutil import utcnow

from ..factories import PASSWORD, TOTP_SECRET, second_factor_code
from ..security.conftest import set_up_second_factor, sign_in

RECOVERY_ON_PAGE = re.compile(r"<code>([A-Z2-7]{5}-[A-Z2-7]{5})</code>")
SECRET_ON_PAGE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
REAUTH_MISSING_VI = "Hãy nhập mã của ứng dụng xác thực, hoặc mật khẩu của bạn."
WRONG_PASSWORD_VI = "Mật khẩu không đúng."
WRONG_CODE_VI = "Mã không đúng. Hãy nhập mã ứng dụng xác thực đang hiển thị."


def goes_to(response, path):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == path


def actions(session, user, prefix):
    session.expire_all()
    return session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_id == str(user.id), AuditEvent.action.like(f"{prefix}%"))
        .order_by(AuditEvent.id)
    ).all()


def signs_in_with(app, user, code):
    """Does a fresh browser get in with the password and this code?"""
    http = app.test_client()
    http.post("/login", data={"username": user.username, "password": PASSWORD})
    return goes_to(http.post("/login/code", data={"code": code}), "/")


def new_codes(client, **reauth):
    response = client.post(
        "/account/two-factor/recovery-codes", data={f"codes-{key}": value for key, value in reauth.items()}
    )
    return response, RECOVERY_ON_PAGE.findall(response.get_data(as_text=True))


# --- recovery codes ---------------------------------------------------------------------------------


def test_new_recovery_codes_after_the_password_or_a_code_replace_the_old_ones(app, client, session, make_user):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    response, first = new_codes(client, password=PASSWORD)
    assert response.status_code == 200 and len(first) == 10
    assert "Các mã khôi phục cũ không còn dùng được nữa." in response.get_data(as_text=True)
    response, second = new_codes(client, code=second_factor_code(supervisor))
    assert response.status_code == 200 and len(second) == 10 and not set(first) & set(second)
    assert actions(session, supervisor, "recovery_codes_regenerated") == ["recovery_codes_regenerated"] * 2
    assert not signs_in_with(app, supervisor, first[0])
    assert signs_in_with(app, supervisor, second[0])
    # shown once: the account page never shows them again
    assert not RECOVERY_ON_PAGE.search(client.get("/account/two-factor").get_data(as_text=True))


@pytest.mark.parametrize(
    ("reauth", "message"),
    [
        ({}, REAUTH_MISSING_VI),
        ({"password": "not-the-password"}, WRONG_PASSWORD_VI),
        ({"code": "000000"}, WRONG_CODE_VI),
    ],
)
def test_new_recovery_codes_are_refused_without_proof_and_the_old_ones_stay(
    app, client, session, make_user, reauth, message
):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    _, kept = new_codes(client, password=PASSWORD)
    response, shown = new_codes(client, **reauth)
    assert response.status_code == 422 and shown == []
    assert message in response.get_data(as_text=True)
    assert signs_in_with(app, supervisor, kept[0])


# --- a new phone ------------------------------------------------------------------------------------


def start_replacement(client, **reauth):
    return client.post("/account/two-factor/replace", data={f"replace-{key}": value for key, value in reauth.items()})


def test_a_new_phone_is_confirmed_by_its_own_code_and_then_replaces_the_old_one(app, client, session, make_user):
    supervisor = make_user("supervisor")
    other_browser = app.test_client()
    sign_in(other_browser, supervisor)
    sign_in(client, supervisor)
    assert goes_to(start_replacement(client, code=second_factor_code(supervisor)), "/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    new_secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    assert new_secret != TOTP_SECRET and "Thiết lập điện thoại mới" in page
    # until confirmed, the old phone still signs in: two-step sign-in is never off
    assert signs_in_with(app, supervisor, second_factor_code(supervisor))
    wrong = client.post("/account/two-factor/replace/confirm", data={"code": second_factor_code(supervisor)})
    assert wrong.status_code == 422

    confirmed = client.post(
        "/account/two-factor/replace/confirm", data={"code": code_at_step(new_secret, step_at(utcnow()))}
    )
    assert goes_to(confirmed, "/account/two-factor")
    assert client.get("/").status_code == 200
    assert goes_to(other_browser.get("/"), "/login")  # a factor changed: the other sessions ended
    assert actions(session, supervisor, "two_factor_replace") == [
        "two_factor_replacement_started",
        "two_factor_replaced",
    ]
    session.expire_all()
    assert session.get(TotpCredential, supervisor.id).replacement_encrypted is None
    assert not signs_in_with(app, supervisor, second_factor_code(supervisor, TOTP_SECRET))
    assert signs_in_with(app, supervisor, second_factor_code(supervisor, new_secret))


def test_a_new_phone_needs_a_code_or_the_password_first(client, session, make_user):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    response = start_replacement(client, password="not-the-password")
    assert response.status_code == 422 and WRONG_PASSWORD_VI in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(TotpCredential, supervisor.id).replacement_encrypted is None


def test_a_cancelled_replacement_keeps_the_old_phone(app, client, session, make_user):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    start_replacement(client, password=PASSWORD)
    assert goes_to(client.post("/account/two-factor/replace/cancel"), "/account/two-factor")
    session.expire_all()
    assert session.get(TotpCredential, supervisor.id).replacement_encrypted is None
    assert "Thiết lập điện thoại mới" in client.get("/account/two-factor").get_data(as_text=True)  # the form again
    assert signs_in_with(app, supervisor, second_factor_code(supervisor))


def test_setting_up_a_second_factor_ends_the_users_other_sessions(app, client, session, make_user):
    worker = make_user()
    other_browser = app.test_client()
    sign_in(other_browser, worker)
    sign_in(client, worker)
    set_up_second_factor(client)
    assert client.get("/").status_code == 200
    assert goes_to(other_browser.get("/"), "/login")


def test_guessing_the_password_again_is_throttled_like_a_sign_in(client, session, make_user):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    for _ in range(5):
        assert new_codes(client, password="not-the-password")[0].status_code == 422
    response, shown = new_codes(client, password=PASSWORD)
    assert response.status_code == 422 and shown == []
    assert "Đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại." in response.get_data(as_text=True)
