"""CSRF: with protection on (as in production), a POST without a valid token is refused with the
Vietnamese error page (400), never a 500, and changes nothing."""

import re

import pytest
import sqlalchemy as sa

from caseapp.auth.models import UserSession
from caseapp.org.models import Facility

from ..factories import PASSWORD

EXPIRED_FORM = "Biểu mẫu đã hết hạn hoặc không đầy đủ"


@pytest.fixture()
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def token_from(response):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def signed_in_with_csrf(csrf_app, user):
    client = csrf_app.test_client()
    token = token_from(client.get("/login"))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_without_csrf_token_is_refused_with_the_vietnamese_error_page(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED_FORM in page and '<html lang="vi">' in page
    assert client.get("/").status_code == 302  # not signed in


def test_login_with_a_forged_csrf_token_is_refused(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert EXPIRED_FORM in response.get_data(as_text=True)


def test_login_with_the_csrf_token_of_the_page_works(csrf_app, make_user):
    signed_in_with_csrf(csrf_app, make_user())


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(csrf_app, session, make_user):
    user = make_user()
    client = signed_in_with_csrf(csrf_app, user)
    response = client.post("/logout")
    assert response.status_code == 400
    assert EXPIRED_FORM in response.get_data(as_text=True)
    assert client.get("/").status_code == 200
    session.expire_all()
    assert session.scalar(sa.select(UserSession.ended_at).where(UserSession.user_id == user.id)) is None


def test_logout_with_the_token_of_the_page_works(csrf_app, make_user):
    client = signed_in_with_csrf(csrf_app, make_user())
    token = token_from(client.get("/"))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_admin_form_without_csrf_token_is_refused(csrf_app, session, make_user):
    client = signed_in_with_csrf(csrf_app, make_user("admin"))
    response = client.post(
        "/admin/facilities/new", data={"code": "CSRF01", "name": "x", "type": "other", "province_code": "01"}
    )
    assert response.status_code == 400
    assert session.scalar(sa.select(Facility).where(Facility.code == "CSRF01")) is None
