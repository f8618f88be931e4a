"""Changing one's own password: every refusal in Vietnamese, nothing changed on a refusal."""

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User

from ..factories import PASSWORD
from ..security.conftest import sign_in

NEW = "Mat-khau-moi-2026!"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


@pytest.mark.parametrize(
    "current,new,confirm,message",
    [
        ("sai-mat-khau-cu", NEW, NEW, "Mật khẩu hiện tại không đúng."),
        (PASSWORD, "ngan-qua", "ngan-qua", "Với vai trò này, mật khẩu phải có ít nhất 10 ký tự."),
        (PASSWORD, NEW, NEW + "x", "Hai mật khẩu không khớp nhau."),
        (PASSWORD, "", "", "Trường này là bắt buộc."),
    ],
    ids=["wrong current password", "too short", "mismatch", "empty"],
)
def test_refused_password_change_says_why_in_vietnamese_and_changes_nothing(
    app, client, session, make_user, current, new, confirm, message
):
    user = make_user()
    sign_in(client, user)
    before = user.password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).password_hash == before
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "password_changed")) == 0


def test_password_containing_the_username_is_refused(client, make_user):
    user = make_user(username="hoa.nguyen")
    sign_in(client, user)
    response = change(client, new="abc-hoa.nguyen-123")
    assert "Mật khẩu không được chứa tên đăng nhập." in response.get_data(as_text=True)


def test_changed_password_is_the_one_that_signs_in(app, client, session, make_user):
    user = make_user()
    sign_in(client, user)
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert session.scalar(sa.select(AuditEvent.user_id).where(AuditEvent.action == "password_changed")) == user.id

    browser = app.test_client()
    assert browser.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 200
    assert browser.post("/login", data={"username": user.username, "password": NEW}).status_code == 302
