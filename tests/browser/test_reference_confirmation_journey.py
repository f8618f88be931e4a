"""A reporter enters a reference number, which waits; a supervisor confirms it on a 360-px phone, and the
number is in force. In a real browser (CSRF on)."""

from playwright.sync_api import expect

from .test_layout import assert_header_fits, overflow

YEAR = "2029"  # a year no other browser test enters numbers for: the demo data is shared


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


def test_a_reporters_number_waits_until_a_supervisor_confirms_it(page, phone_page, login_as, shoot):
    login_as(page, "ctxh.baocao")
    page.goto(f"/reports/reference?year={YEAR}")
    form = page.locator("section[aria-labelledby=h-enter]")
    form.get_by_label("Năm").fill(YEAR)
    form.locator("select[name=key]").select_option("ind3_units_total")
    form.get_by_label("Giá trị").fill("42")
    form.get_by_label("Nguồn (văn bản").fill("Danh sách cơ sở của Sở Y tế năm 2029")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash-success")).to_be_visible()
    waiting = page.locator(".reference-waiting")
    expect(waiting).to_contain_text("Chờ xác nhận")
    expect(waiting).to_contain_text("Danh sách cơ sở của Sở Y tế năm 2029")

    login_as(phone_page, "ctxh.giamsat")
    phone_page.goto("/reports/reference/pending")
    entry = phone_page.locator("tr", has_text="Danh sách cơ sở của Sở Y tế năm 2029")
    expect(entry).to_contain_text("Cán bộ báo cáo")
    _fits(phone_page)
    shoot(phone_page, "reference-pending-phone_page")
    entry.get_by_role("button", name="Xác nhận").click()
    expect(phone_page.locator(".flash-success")).to_contain_text("Đã xác nhận số liệu")
    expect(phone_page.locator("tr", has_text="Danh sách cơ sở của Sở Y tế năm 2029")).to_have_count(0)

    phone_page.goto(f"/reports/reference?year={YEAR}")
    expect(phone_page.locator("td", has_text="Danh sách cơ sở của Sở Y tế năm 2029")).to_be_visible()
    _fits(phone_page)
    shoot(phone_page, "reference-confirmed-phone_page")
