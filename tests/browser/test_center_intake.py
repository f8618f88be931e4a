"""The centre intake journey: a social worker searches the registry, goes through the duplicate check
(a namesake born the same year is shown with its reasons), creates the client, records the intake
that opens a case, and lands on the case page with its number — on a desktop and on a 360-px phone."""

import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.clients.services import create_client
from caseapp.extensions import db
from caseapp.org.models import Facility


def seed_namesake(app, full_name, birth_year):
    """An existing client of the same name and birth year, so the duplicate check has something to show."""
    with app.test_request_context("/"):
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        by = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
        client = create_client(
            {"full_name": full_name, "birth_year": birth_year, "birth_precision": "year", "phone": "0900000001"},
            facility=facility,
            by=by,
        )
        db.session.commit()
        code = client.code
        db.session.remove()
    return code


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_social_worker_records_an_intake_that_opens_a_case(request, viewport, live_server, login_as, shoot):
    page = request.getfixturevalue(viewport)
    tag = uuid.uuid4().hex[:4].upper()
    name = f"Trịnh Thị Duyên {tag}"
    namesake_code = seed_namesake(live_server.app, name, 1995)
    login_as(page, "ctxh.nhanvien")

    # 1. search the registry first: tones and capitals do not matter
    page.goto("/clients/")
    page.get_by_label("Họ tên, số định danh, điện thoại hoặc số hồ sơ").fill(f"trinh thi duyen {tag.lower()}")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    shoot(page, f"intake-1-search-{viewport}")

    # 2. a new intake starts with search-before-create
    page.goto("/intake/new")
    expect(page).to_have_url(re.compile(r"/clients/new\?next=intake$"))
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Thông tin ngày sinh").select_option("year")
    page.get_by_label("Năm sinh").fill("1995")
    page.get_by_label("Điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Tìm đối tượng tương tự").click()

    # 3. the namesake is shown ranked, with its reasons; the worker decides it is someone else
    candidate = page.locator(".candidate").filter(has_text=namesake_code)
    expect(candidate).to_be_visible()
    expect(candidate).to_contain_text("năm sinh 1995")
    expect(candidate).to_contain_text(re.compile(r"điểm \d+"))
    expect(candidate.get_by_role("link", name="Dùng đối tượng này")).to_be_visible()
    expect(page.get_by_label("Điện thoại")).to_have_value("0912 345 678")  # nothing typed is lost
    page.get_by_label("Quê quán").fill("Hải Dương")
    page.get_by_text("Đối tượng cần bảo vệ khẩn cấp").click()
    page.get_by_text("Nạn nhân bạo lực gia đình").click()
    shoot(page, f"intake-2-duplicate-check-{viewport}")
    page.get_by_role("button", name="Không phải ai trong số này: tạo đối tượng mới").click()

    # 4. the intake form for the new client
    expect(page).to_have_url(re.compile(r"/intake/new\?client_id=\d+$"))
    client_id = re.search(r"client_id=(\d+)", page.url).group(1)
    expect(page.get_by_role("status")).to_contain_text("Đã tạo đối tượng")
    expect(page.locator(".client-line")).to_contain_text(name)
    page.get_by_label("Nguồn tiếp nhận").select_option("hotline_dv")
    page.get_by_label("Người giới thiệu / báo tin").fill("Chị Lan, hàng xóm")
    page.get_by_text("Bạo lực gia đình", exact=True).click()
    page.get_by_label("Sự việc (theo lời người được tiếp nhận)").fill("Bị chồng đánh, đã bỏ nhà đi.")
    screening = page.locator("fieldset.section").filter(has_text="Sàng lọc ban đầu")
    screening.locator("fieldset").filter(has_text="nguy hiểm ngay lúc này").get_by_text("Không", exact=True).click()
    screening.locator("fieldset").filter(has_text="thương tích").get_by_text("Không", exact=True).click()
    screening.locator("fieldset").filter(has_text="có thể tiếp cận").get_by_text("Có", exact=True).click()
    page.get_by_text("Mở hồ sơ quản lý trường hợp").click()
    expect(page.get_by_label("Nhân viên phụ trách")).to_be_visible()  # the case section opens
    expect(page.get_by_label("Chuyển gửi đến")).to_be_hidden()  # the referral one stays shut
    page.get_by_label("Loại nhu cầu chăm sóc").select_option("emergency")
    page.get_by_text("Nhận dịch vụ trợ giúp").click()
    page.get_by_text("Sử dụng trong báo cáo thống kê").click()
    shoot(page, f"intake-3-form-{viewport}")
    page.get_by_role("button", name="Ghi nhận tiếp nhận").click()

    # 5. the case page with its number
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    year = date.today().year
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(rf"CTXHQN-{year}-\d{{6}}"))
    expect(page.get_by_role("status")).to_contain_text(re.compile(rf"mở hồ sơ CTXHQN-{year}-\d{{6}}"))
    shoot(page, f"intake-4-case-{viewport}")

    # 6. the client page shows the intake, the consents and the groups with their source
    page.goto(f"/clients/{client_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("#groups")).to_contain_text("Nạn nhân bạo lực gia đình")
    expect(page.locator("#consents")).to_contain_text("Nhận dịch vụ trợ giúp")
    expect(page.locator("#intakes")).to_contain_text("Tổng đài quốc gia về phòng, chống bạo lực gia đình")
    expect(page.locator("#cases")).to_contain_text(re.compile(rf"CTXHQN-{year}-\d{{6}}"))
    shoot(page, f"intake-5-client-{viewport}")
    if viewport == "phone_page":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the client page scrolls sideways at 360 px ({width} px)"
