"""The pages where users look after their own sign-in fit a 360 px phone: their sessions, and their
two-step sign-in with the forms for new recovery codes and a new phone."""

from playwright.sync_api import expect

from .test_layout import assert_header_fits, overflow


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


def test_the_sessions_and_two_step_pages_fit_a_phone(phone_page, login_as, shoot):
    login_as(phone_page, "ctxh.giamsat")
    phone_page.goto("/account/sessions")
    expect(phone_page.locator("main h1")).to_contain_text("Phiên đăng nhập")
    expect(phone_page.locator("main")).to_contain_text("Phiên này")
    _fits(phone_page)
    shoot(phone_page, "sessions-phone")
    phone_page.goto("/account/two-factor")
    expect(phone_page.locator("#recovery-codes")).to_contain_text("Mã khôi phục mới")
    expect(phone_page.locator("#replace")).to_contain_text("Điện thoại mới")
    _fits(phone_page)
    shoot(phone_page, "two-factor-phone")
