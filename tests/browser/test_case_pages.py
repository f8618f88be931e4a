"""The case lists, the case page (with a note added through the form) and the client merge page in
a real browser, at 360 px and at 1280 px: nothing wider than the screen, a screenshot of each."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.org.models import Facility

from .. import factories
from .test_layout import assert_header_fits, overflow


@pytest.fixture(scope="module")
def records(live_server):
    """A few cases of the demo social worker at CTXHQN, and two records of one person to merge."""
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        made = {}
        client = factories.make_client(
            facility,
            full_name="Nguyễn Thị Phương Thảo Trình Duyệt",
            sex="female",
            birth_year=2012,
            birth_precision="year",
        )
        made["overdue"] = factories.make_case(
            facility,
            client=client,
            worker=worker,
            urgency="emergency",
            case_type="child_protection",
            care_kind="emergency",
            is_sensitive=True,
            intake_incomplete=True,
            intake_due_at=utcnow() - timedelta(hours=3),
        ).id
        for i, urgency in enumerate(("high", "medium", "low")):
            factories.make_case(
                facility,
                worker=worker,
                urgency=urgency,
                client=factories.make_client(facility, full_name=None, alias=f"Em bé số {i}"),
            )
        keep = factories.make_client(facility, full_name="Hà Thị Gộp Trình Duyệt", sex="female")
        away = factories.make_client(facility, full_name=None, alias="Chị Gộp", citizen_id="034190099999")
        factories.make_case(facility, client=away, worker=worker)
        made["keep"], made["away"] = keep.id, away.id
        db.session.commit()
        db.session.remove()
    return made


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_my_cases_and_the_case_page_fit_and_take_a_note(request, viewport, records, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.nhanvien")
    page.goto("/cases/mine")
    expect(page.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    expect(page.locator(".intake-overdue").first).to_be_visible()
    shoot(page, f"cases-mine-{viewport}")
    assert overflow(page) <= 0
    assert_header_fits(page)

    page.goto(f"/cases/{records['overdue']}")
    expect(page.locator(".case-summary .task-box.task-overdue")).to_be_visible()
    expect(page.get_by_text("Bảo mật").first).to_be_visible()
    # the summary first, and "Ghi chép mới" on screen without scrolling: one tap opens the note form
    note = page.locator("#new-note > summary")
    expect(note).to_have_text("Ghi chép mới")
    expect(note).to_be_in_viewport(ratio=1)
    expect(page.locator("nav.section-menu")).to_be_visible()
    shoot(page, f"case-page-summary-{viewport}")
    note.click()
    page.locator("textarea[name=text]").fill(f"Ghi chép thử trên {viewport}.\nDòng thứ hai.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu ghi chép").click()
    expect(page.get_by_text("Đã lưu ghi chép.")).to_be_visible()
    # found by its text, not as the last note: the other viewport's test wrote one on the same case, and
    # every test starts at the same instant (tests/conftest.py), so that one may be dated later
    expect(page.locator(".timeline .event-note").filter(has_text=f"Ghi chép thử trên {viewport}.")).to_have_count(1)
    shoot(page, f"case-page-{viewport}")
    assert overflow(page) <= 0
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_facility_cases_and_merge_page_fit(request, viewport, records, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto("/cases/facility?urgency=emergency")
    expect(page.get_by_role("heading", name="Hồ sơ của cơ sở")).to_be_visible()
    shoot(page, f"cases-facility-{viewport}")
    assert overflow(page) <= 0
    page.goto(f"/clients/merge?keep={records['keep']}&other={records['away']}")
    expect(page.get_by_role("heading", name="Gộp hai hồ sơ đối tượng")).to_be_visible()
    expect(page.get_by_text("Chị Gộp").first).to_be_visible()
    shoot(page, f"clients-merge-{viewport}")
    assert overflow(page) <= 0
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_case_page_shows_one_section_at_a_time_from_its_menu(request, viewport, records, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto(f"/cases/{records['overdue']}")
    menu = page.locator("nav.section-menu")
    expect(menu.get_by_role("link", name="Tổng quan")).to_have_attribute("aria-current", "page")
    expect(page.locator("#h-intake")).to_be_visible()
    expect(page.locator("#timeline")).to_have_count(0)  # not rendered: only the chosen section is
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 4000, f"the overview is {height} px tall"  # the whole page was about 9,400 px
    with page.expect_navigation():
        menu.get_by_role("link", name="Diễn biến hồ sơ").click()
    expect(page).to_have_url(re.compile(r"section=timeline"))
    expect(page.locator("#timeline")).to_be_visible()
    expect(page.locator("#h-intake")).to_have_count(0)
    expect(page.locator("#new-note > summary")).to_be_in_viewport(ratio=1)  # on every section
    shoot(page, f"case-page-timeline-{viewport}")
    for name in (
        "Các bước",
        "Đánh giá và kế hoạch",
        "Chuyển gửi và chuyển hồ sơ",
        "Theo dõi",
        "Tài liệu",
        "Quyền truy cập",
    ):
        with page.expect_navigation():
            page.locator("nav.section-menu").get_by_role("link", name=name, exact=True).click()
        expect(page.locator("nav.section-menu").get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        assert overflow(page) <= 0, f"section {name} is {overflow(page)} px wider than the screen"
    shoot(page, f"case-page-access-{viewport}")
