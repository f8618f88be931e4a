"""Nothing typed is lost to the idle timeout: the page warns before the session ends and "Keep working"
keeps it; a note typed past the timeout and saved leads to the sign-in page, then back to the case page,
where the browser offers the note back; once saved, the draft is gone from the browser."""

import re
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.cases.models import Case
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from caseapp.security.rules import can_change_case
from caseapp.security.scopes import case_scope

WORKER = "ctxh.nhanvien"
IDLE_MINUTES = 0.25  # 15 s: the warning shows for its last 7 s
DRAFT_KEYS = "Object.keys(sessionStorage).filter(k => k.startsWith('caseapp.draft'))"


@contextmanager
def short_idle_timeout(live_server):
    config = live_server.app.config
    before = config["SESSION_IDLE_MINUTES"]
    config["SESSION_IDLE_MINUTES"] = IDLE_MINUTES
    try:
        yield
    finally:
        config["SESSION_IDLE_MINUTES"] = before


def open_case_of_worker(live_server):
    with live_server.app.app_context():
        worker = db.session.scalar(sa.select(User).where(User.username == WORKER))
        cases = db.session.scalars(sa.select(Case).where(case_scope(worker)).order_by(Case.id)).all()
        case_id = next(case.id for case in cases if can_change_case(worker, case))
        db.session.remove()
    return case_id


def test_note_typed_past_the_idle_timeout_is_offered_back_after_signing_in(live_server, page, login_as, shoot):
    case_id = open_case_of_worker(live_server)
    note = f"Đã gọi điện cho chị, hẹn gặp thứ Năm ({uuid.uuid4().hex[:6]})"
    with short_idle_timeout(live_server):
        login_as(page, WORKER)
        page.goto(f"/cases/{case_id}")
        page.locator("#new-note summary").click()
        page.locator("#new-note textarea[name=text]").fill(note)

        # the warning: a countdown, and the focus on "Keep working", which keeps the session
        warning = page.get_by_role("alertdialog")
        expect(warning).to_be_visible(timeout=15_000)
        keep = warning.get_by_role("button", name="Tiếp tục làm việc")
        expect(keep).to_be_focused()
        expect(warning).to_contain_text(re.compile(r"0:0\d"))
        shoot(page, "idle-1-warning")
        keep.click()
        expect(warning).to_be_hidden()

        # left alone again: the session ends, and the page says the text is kept
        expect(warning.get_by_text("Phiên làm việc đã kết thúc")).to_be_visible(timeout=30_000)
        expect(warning.get_by_role("link", name="Đăng nhập lại")).to_be_focused()
        shoot(page, "idle-2-ended")
        with page.expect_navigation():
            page.locator("#new-note button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/login\?next=/cases/{case_id}$"))

    page.get_by_label("Tên đăng nhập").fill(WORKER)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case_id}")
    textarea = page.locator("#new-note textarea[name=text]")
    expect(textarea).to_have_value("")
    restore = page.get_by_role("button", name="Khôi phục bản nháp")
    expect(restore).to_be_visible()
    shoot(page, "idle-3-draft-offered")
    restore.click()
    expect(textarea).to_have_value(note)

    with page.expect_navigation():
        page.locator("#new-note button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text(note)
    expect(page.get_by_role("button", name="Khôi phục bản nháp")).to_have_count(0)
    assert page.evaluate(DRAFT_KEYS) == []
    shoot(page, "idle-4-saved")


def test_signing_out_clears_the_drafts_of_the_tab(live_server, page, login_as):
    case_id = open_case_of_worker(live_server)
    login_as(page, WORKER)
    page.goto(f"/cases/{case_id}")
    page.locator("#new-note summary").click()
    page.locator("#new-note textarea[name=text]").fill("Bản nháp trên máy dùng chung")
    assert len(page.evaluate(DRAFT_KEYS)) == 1
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Đăng xuất").click()
    assert page.evaluate(DRAFT_KEYS) == []
