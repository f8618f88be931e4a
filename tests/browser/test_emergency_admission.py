"""The emergency admission on a 360-px phone: shelter staff admit a woman with two
children (sex and age of each) on one screen, land on the case with its "intake incomplete" task, find
all three on the bed board, and check them out with the safety check and the follow-up it schedules — at
360 and at 1280 px. Screenshots go to test-artifacts/ for a person to look at."""

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
    form.locator("#children-0-sex").select_option("male")
    form.locator("#children-0-age").fill("4")
    form.locator("#children-1-sex").select_option("female")
    form.locator("#children-1-age").fill("9")
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
    for number, facts in ((1, "Nam · 4 tuổi"), (2, "Nữ · 9 tuổi")):
        child = page.locator("li.bed", has_text=f"Con {number} của {code}")
        expect(child).to_have_count(1)
        expect(child.locator(".bed-label")).to_be_visible()  # each child has a bed of their own
        expect(child.locator(".child-facts")).to_have_text(facts)
    expect(adult.get_by_text("Còn 30 ngày")).to_be_visible()
    assert overflow(page) <= 0, f"the bed board is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "emergency_admission_board_360.png"), full_page=True)

    check_out_with_the_safety_check(page, adult, artifacts_dir / "emergency_checkout_360.png")


def test_shelter_staff_check_out_with_the_safety_check_on_a_desktop(page, login_as, artifacts_dir):
    alias = f"Chị Rời {uuid.uuid4().hex[:6]}"
    login_as(page, "ntl.tamlanh")
    page.goto("/shelter/admit")
    form = page.locator("form.admit-form")
    form.get_by_label("Họ tên hoặc bí danh").fill(alias)
    form.locator("label.choice", has_text="Nữ").click()
    form.get_by_label("Tuổi ước tính").fill("35")
    form.get_by_label("Người/nơi đưa đến").select_option("police")
    form.locator("#children-0-sex").select_option("female")
    form.locator("#children-0-age").fill("6")
    form.locator("fieldset#immediate_danger label.choice", has_text="Không").click()
    form.get_by_role("button", name="Tiếp nhận").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    page.goto("/shelter/board")
    check_out_with_the_safety_check(
        page, page.locator("li.bed", has_text=alias), artifacts_dir / "emergency_checkout_1280.png"
    )


def check_out_with_the_safety_check(page, adult, screenshot):
    """From the bed board: the adult leaves with her child to a place not known to be safe; what was agreed
    is required, then the follow-up is due within 2 days on the case."""
    adult.get_by_role("link", name="Rời nhà tạm lánh").click()
    expect(page).to_have_url(re.compile(r"/shelter/stays/\d+/check-out$"))
    form = page.locator("form:has(#safety-check)")
    expect(form.locator("fieldset#children label.choice")).to_have_count(
        form.locator("fieldset#children input").count()
    )
    form.get_by_label("Nơi đến").select_option("relatives")
    form.get_by_label("Lý do rời đi").fill("Về ở với mẹ đẻ")
    form.get_by_label("Nơi sẽ ở").fill("Nhà mẹ đẻ, xã bên")
    form.locator("fieldset#safety label.choice:has(input[value=at_risk])").click()
    form.locator("fieldset#contact_agreed label.choice:has(input[value=yes])").click()
    form.get_by_label("Liên lạc an toàn bằng cách nào, vào lúc nào").fill("Gọi số của mẹ đẻ sau 18 giờ")
    form.get_by_label("Hình thức theo dõi").select_option("home_visit")
    form_width = form.bounding_box()["width"]
    for label in form.locator("fieldset#children label.choice").all():  # the form's width: not a word a line
        assert label.bounding_box()["width"] >= form_width * 0.9, (label.bounding_box(), form_width)
    assert overflow(page) <= 0
    form.get_by_role("button", name="Ghi nhận rời đi").click()
    # not safe and nothing agreed yet: refused, everything typed is still there
    expect(page.get_by_text("Hãy ghi những gì đã thống nhất để bảo đảm an toàn")).to_be_visible()
    expect(form.get_by_label("Nơi sẽ ở")).to_have_value("Nhà mẹ đẻ, xã bên")
    form.get_by_label("Những gì đã thống nhất để bảo đảm an toàn").fill("Mẹ đẻ báo công an xã khi chồng tìm đến.")
    page.screenshot(path=str(screenshot), full_page=True)
    form.get_by_role("button", name="Ghi nhận rời đi").click()
    expect(page.get_by_text("Đã ghi nhận rời nhà tạm lánh.")).to_be_visible()
