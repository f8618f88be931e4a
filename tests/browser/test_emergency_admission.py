"""The emergency admission on a 360-px phone: shelter staff admit a woman with two
children on one screen, land on the case with its "intake incomplete" task, and find all three on
the bed board. Screenshots of the form and the board go to test-artifacts/ for a person to look at."""

import re
import uuid

from playwright.sync_api import expect


def overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_shelter_staff_admit_a_woman_with_two_children_on_a_phone(phone_page, login_as, artifacts_dir):
    page = phone_page
    alias = f"Chị Thử {uuid.uuid4().hex[:6]}"
    login_as(page, "ntl.tamlanh")
    page.goto("/shelter/admit")
    expect(page.get_by_role("heading", name="Tiếp nhận khẩn cấp")).to_be_visible()
    form = page.locator("form.admit-form")
    # arrival time defaults to now (Vietnam time), already filled in
    expect(form.locator("input[name=arrived_at]")).to_have_value(re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$"))

    form.get_by_label("Họ tên hoặc bí danh").fill(alias)
    form.locator("label.choice", has_text="Nữ").click()
    form.get_by_label("Tuổi ước tính").fill("29")
    form.get_by_label("Người/nơi đưa đến").select_option("police")
    form.get_by_label("Số trẻ đi cùng").fill("2")
    form.get_by_label("Tuổi của trẻ").fill("4, 9")
    form.locator("label.choice", has_text="Y tế").click()
    form.locator("label.choice", has_text="Ăn ở").click()
    form.locator("fieldset#immediate_danger label.choice", has_text="Có").click()

    # thumb-sized targets, nothing wider than the phone
    for target in form.locator("label.choice").all() + [form.get_by_role("button", name="Tiếp nhận")]:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert overflow(page) <= 0, f"the admission form is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "emergency_admission_360.png"), full_page=True)

    form.get_by_role("button", name="Tiếp nhận").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Hồ sơ [A-Z]"))).to_be_visible()
    expect(page.locator("main").get_by_text(alias).first).to_be_visible()
    task = page.locator("main a[href$='/complete-intake']")
    expect(task).to_be_visible()  # the "intake incomplete" task with its link
    assert overflow(page) <= 0
    page.screenshot(path=str(artifacts_dir / "emergency_admission_case_360.png"), full_page=True)

    page.goto("/shelter/board")
    expect(page.get_by_role("heading", name="Bảng giường")).to_be_visible()
    adult = page.locator("li.bed", has_text=alias)
    expect(adult).to_have_count(1)
    code = re.search(r"\((TAM-[A-Z0-9-]+)\)", adult.inner_text()).group(1)
    for number in (1, 2):
        child = page.locator("li.bed", has_text=f"Con {number} của {code}")
        expect(child).to_have_count(1)
        expect(child.locator(".bed-label")).to_be_visible()  # each child has a bed of their own
    expect(adult.get_by_text("Còn 30 ngày")).to_be_visible()
    assert overflow(page) <= 0, f"the bed board is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "emergency_admission_board_360.png"), full_page=True)
