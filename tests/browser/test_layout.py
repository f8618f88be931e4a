"""The main screens at 360 px and at 1280 px: nothing wider than the screen, the header's controls
all on screen, a screenshot of each in test-artifacts/ for a person to look at."""

import pytest
from playwright.sync_api import expect

# name → (demo user or None, path, what to do on the page before the screenshot)
SCREENS = {
    "login": (None, "/login", None),
    "home-social-worker": ("ctxh.nhanvien", "/", None),
    "home-admin": ("ctxh.quantri", "/", None),
    "admin-users": ("ctxh.quantri", "/admin/users", None),
    "admin-user-new-errors": ("ctxh.quantri", "/admin/users/new", "submit"),
    "admin-facilities": ("ctxh.quantri", "/admin/facilities", None),
    "admin-facility-new": ("ctxh.quantri", "/admin/facilities/new", None),
    "audit": ("ctxh.quantri", "/audit/", None),
    "not-found": ("ctxh.nhanvien", "/khong-co-trang-nay", None),
}


def overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def assert_header_fits(page):
    width = page.viewport_size["width"]
    for control in page.locator(
        "header.topbar a:visible, header.topbar button:visible, header.topbar label:visible"
    ).all():
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
            f"header control {control.inner_text()!r} is off screen: {box}"
        )


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_fits_the_viewport(request, screen, viewport, login_as, shoot):
    page = request.getfixturevalue(viewport)
    username, path, action = SCREENS[screen]
    if username:
        login_as(page, username)
    page.goto(path)
    if action == "submit":
        page.locator("main form button[type=submit]").click()
        expect(page.locator("main .error").first).to_be_visible()
    shoot(page, f"screen-{screen}-{viewport}")
    assert overflow(page) <= 0, f"{path} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


def test_phone_menu_opens_and_fits(phone_page, login_as, shoot):
    page = phone_page
    login_as(page, "ctxh.quantri")
    menu = page.locator("header nav.mainnav")
    expect(menu).to_be_hidden()
    page.locator("header label.nav-toggle-label").click()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Trang chủ")).to_be_visible()
    menu.locator("summary", has_text="Quản trị").click()  # a group unfolds in place
    for name in ("Người dùng", "Cơ sở", "Nhật ký truy cập"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    shoot(page, "screen-home-admin-menu-open-phone_page")
    assert overflow(page) <= 0
    assert_header_fits(page)


@pytest.mark.parametrize("username", ["ctxh.giamsat", "btxh.giamsat", "ntl.tamlanh", "ctxh.quantri"])
def test_desktop_menu_fits_one_line_and_its_groups_open(page, login_as, shoot, username):
    login_as(page, username)
    page.goto("/")
    entries = page.locator("header nav.mainnav > a, header nav.mainnav > details > summary")
    assert 1 <= entries.count() <= 7
    tops = {round(entries.nth(i).bounding_box()["y"]) for i in range(entries.count())}
    assert len(tops) == 1, f"the menu wraps: entries at {sorted(tops)}"
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 60, f"the header is {header['height']} px tall: something wraps"
    group = page.locator("header nav.mainnav details").first
    group.locator("summary").click()
    expect(group.locator(".navgroup-items a").first).to_be_visible()
    shoot(page, f"menu-desktop-{username}")
    page.keyboard.press("Escape")  # static/js/app.js: Escape closes the group
    expect(group.locator(".navgroup-items a").first).to_be_hidden()
    assert_header_fits(page)


def test_shelter_staff_home_starts_with_emergency_admission_on_a_phone(phone_page, login_as, shoot):
    login_as(phone_page, "ntl.tamlanh")
    phone_page.goto("/")
    button = phone_page.get_by_role("link", name="Tiếp nhận khẩn cấp").first
    expect(button).to_be_in_viewport(ratio=1)  # above the fold at 360 × 740
    shoot(phone_page, "home-shelter-staff-phone_page")


def test_a_centre_without_beds_has_no_shelter_menu(page, login_as):
    login_as(page, "ctxh.giamsat")
    page.goto("/")
    expect(page.locator("header nav.mainnav a[href^='/shelter/']")).to_have_count(0)
    expect(page.get_by_text("giường")).to_have_count(0)
