"""The first journey every user makes: sign in on the Vietnamese login page, reach the home page,
switch to English and back, sign out — on a desktop and on a 360-px phone."""

import re

import pytest
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD

GENERIC_ERROR_VI = "Sai tên đăng nhập hoặc mật khẩu, hoặc đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_social_worker_signs_in_switches_language_and_signs_out(request, viewport, live_server, shoot):
    page = request.getfixturevalue(viewport)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/?$"))  # login required, then back home
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("ctxh.nhanvien")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    shoot(page, f"login-{viewport}")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name=re.compile(r"^Xin chào, "))).to_be_visible()
    expect(page.get_by_text("Trung tâm Công tác xã hội tỉnh Quảng Ninh").first).to_be_visible()
    shoot(page, f"home-social-worker-{viewport}")

    page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name=re.compile(r"^Hello, "))).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.locator("header").get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name=re.compile(r"^Xin chào, "))).to_be_visible()

    sign_out = page.locator("header").get_by_role("button", name="Đăng xuất")
    expect(sign_out).to_be_visible()
    sign_out.click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").filter(has_text="Bạn đã đăng xuất.")).to_be_visible()
    shoot(page, f"signed-out-{viewport}")

    page.goto("/")  # the session really ended
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_wrong_password_shows_the_generic_vietnamese_error(phone_page, shoot):
    page = phone_page
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("ctxh.giamsat")
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("alert")).to_have_text(GENERIC_ERROR_VI)
    expect(page.get_by_label("Mật khẩu")).to_have_value("")  # the password is not sent back
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("ctxh.giamsat")
    expect(page).to_have_url(re.compile(r"/login$"))
    shoot(page, "login-wrong-password-phone_page")
