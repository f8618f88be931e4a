"""Two-step sign-in as a new supervisor makes it on a 360-px phone: the password, the set-up it cannot
skip (QR code and the key as text, read from the page), the first code, the recovery codes; then, signed
out and in again, the code after the password."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.auth.services import create_user
from caseapp.auth.two_factor.totp import code_at_step, step_at
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.org.models import Facility

USERNAME = "giamsat.haibuoc"
PASSWORD = "Hai-buoc-kiem-thu-2026-Quang-Ninh"


def new_supervisor(live_server):
    """A supervisor of the demo centre who has never signed in (so has no authenticator yet)."""
    with live_server.app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.username == USERNAME)) is None:
            centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
            create_user(
                username=USERNAME,
                full_name="Trần Thị Giám Sát",
                role="supervisor",
                facility_id=centre.id,
                password=PASSWORD,
                by=None,
                must_change_password=False,
            )
            db.session.commit()
        db.session.remove()


def fits_the_screen(page):
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_supervisor_sets_up_two_step_sign_in_and_signs_in_with_a_code_on_a_phone(phone_page, live_server, shoot):
    new_supervisor(live_server)
    page = phone_page
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(USERNAME)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # the set-up, and nothing else, until it is done
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    expect(page.get_by_role("status").filter(has_text="Vai trò của bạn bắt buộc đăng nhập hai bước")).to_be_visible()
    page.goto("/cases/facility")
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    page.get_by_role("button", name="Thiết lập đăng nhập hai bước").click()
    expect(page.locator("svg.qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    fits_the_screen(page)
    shoot(page, "two-factor-enrol-phone_page")

    first_step = step_at(utcnow())
    page.get_by_label("Mã hiển thị trong ứng dụng").fill(code_at_step(secret, first_step))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Đã bật đăng nhập hai bước")).to_be_visible()
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    fits_the_screen(page)
    shoot(page, "two-factor-recovery-codes-phone_page")
    page.get_by_role("link", name="Tôi đã lưu các mã — tiếp tục").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Xin chào, "))).to_be_visible()

    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Tên đăng nhập").fill(USERNAME)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_role("heading", name="Đăng nhập hai bước")).to_be_visible()
    fits_the_screen(page)
    shoot(page, "two-factor-code-phone_page")
    page.get_by_role("textbox", name=re.compile(r"^Mã")).fill(
        code_at_step(secret, first_step)
    )  # the code already used: refused
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Mã không đúng, hoặc đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."
    )
    next_step = max(first_step + 1, step_at(utcnow()) - 1)  # a later code the app shows, not used yet
    page.get_by_role("textbox", name=re.compile(r"^Mã")).fill(code_at_step(secret, next_step))
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name=re.compile(r"^Xin chào, "))).to_be_visible()
