"""A supervisor records a training class in a real browser (CSRF on), at 1280 px and at 360 px: the
course form, then two people of the workforce register found by their name typed without tones and
ticked; the course page lists them and keeps a certificate, and nothing is wider than the screen."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.org.models import Facility

from ..workforce.training_matrix_targets import make_agency, make_member
from .test_layout import overflow

# Two people of the register per viewport (the demo data is shared by every browser test): names of
# their own, with a family name no demo person has, so a search by it finds exactly them.
PEOPLE = {
    "page": ("dinh", ["Đinh Thị Máy Tính", "Đinh Văn Bàn Phím"]),
    "phone_page": ("lac", ["Lạc Thị Điện Thoại", "Lạc Văn Màn Hình"]),
}


@pytest.fixture(scope="module")
def register_people(live_server):
    with live_server.app.app_context():
        centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        agency = make_agency(centre, name="Ủy ban nhân dân phường thử trình duyệt")
        for _query, names in PEOPLE.values():
            make_member(agency, full_name=names[0], kind="collaborator_full_time")
            make_member(agency, full_name=names[1], kind="collaborator_part_time")
        db.session.commit()
        db.session.remove()
    return PEOPLE


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_supervisor_records_a_class_with_two_people_of_the_register(
    request, viewport, register_people, login_as, tmp_path
):
    page = request.getfixturevalue(viewport)
    query, names = register_people[viewport]
    title = f"Tập huấn kỹ năng tham vấn ({'máy tính' if viewport == 'page' else 'điện thoại'})"
    start = local_today() - timedelta(days=7)
    login_as(page, "ctxh.giamsat")

    page.goto("/training/")
    expect(page.get_by_role("heading", name="Đào tạo, bồi dưỡng")).to_be_visible()
    page.get_by_role("link", name="Ghi nhận khóa học").click()
    page.locator("input[name=title]").fill(title)
    page.locator("select[name=kind]").select_option("workshop")
    page.locator("select[name=level]").select_option("province")
    page.locator("input[name=start_date]").fill(start.isoformat())
    page.locator("input[name=end_date]").fill((start + timedelta(days=1)).isoformat())
    page.locator("input[name=organiser]").fill("Trung tâm Công tác xã hội tỉnh")
    page.locator("input[name=hours]").fill("16")
    page.screenshot(path=str(tmp_path / f"training-course-form-{viewport}.png"), full_page=True)
    assert overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu khóa học").click()

    expect(page.get_by_role("heading", name="Thêm người tham gia")).to_be_visible()
    page.locator("input[name=q]").fill(query)
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm kiếm", exact=True).click()
    for name in names:
        page.locator("label.choice", has_text=name).locator("input[type=checkbox]").check()
    page.screenshot(path=str(tmp_path / f"training-participants-add-{viewport}.png"), full_page=True)
    assert overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Thêm những người đã chọn").click()

    expect(page.get_by_role("heading", name=title)).to_be_visible()
    participants = page.locator("#participants")
    for name in names:
        expect(participants.get_by_text(name, exact=True)).to_be_visible()
    expect(participants.get_by_role("heading", name="Người tham gia khóa học (2/2)")).to_be_visible()

    first = participants.locator("li", has_text=names[0])
    first.locator("input[name$='-certificate_number']").fill("CN-01/2026")
    first.locator("input[name$='-certificate_date']").fill((start + timedelta(days=1)).isoformat())
    with page.expect_navigation():
        first.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text(f"Đã lưu thông tin của {names[0]}.")).to_be_visible()
    expect(
        page.locator("#participants li", has_text=names[0]).locator("input[name$='-certificate_number']")
    ).to_have_value("CN-01/2026")
    shot = tmp_path / f"training-course-{viewport}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert overflow(page) <= 0


def test_supervisor_records_a_communication_product_on_a_phone(phone_page, login_as, tmp_path):
    page = phone_page
    login_as(page, "ctxh.giamsat")
    page.goto("/communication/")
    expect(page.get_by_role("heading", name="Hoạt động truyền thông")).to_be_visible()
    page.get_by_role("link", name="Ghi nhận hoạt động").click()
    page.locator("select[name=kind]").select_option("product")
    page.locator("input[name=title]").fill("Áp phích đường dây nóng 111 (thử trình duyệt)")
    page.locator("select[name=topic]").select_option("child_protection_month")
    page.locator("input[name=audience]").fill("Học sinh và phụ huynh")
    page.locator("input[name=copies]").fill("300")
    page.screenshot(path=str(tmp_path / "communication-form-phone.png"), full_page=True)
    assert overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu hoạt động").click()
    expect(page.get_by_text("Đã ghi nhận hoạt động.")).to_be_visible()
    row = page.locator("tr", has_text="Áp phích đường dây nóng 111 (thử trình duyệt)")
    expect(row).to_contain_text("300 bản hoặc lượt phát")
    page.screenshot(path=str(tmp_path / "communication-list-phone.png"), full_page=True)
    assert overflow(page) <= 0
    page.goto("/training/")
    page.screenshot(path=str(tmp_path / "training-list-phone.png"), full_page=True)
    assert overflow(page) <= 0
