"""A supervisor answers a person's requests about their data in a real browser (CSRF on), on a 360-px phone
and at 1280 px: records the written request of a parent, downloads the export, finds the record on the
list of records due for anonymisation and anonymises it — every page as wide as the screen, no wider."""

import json
from datetime import datetime, time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.cases.services import open_case
from caseapp.clients.services import create_client
from caseapp.core.timeutil import VN_TZ, local_today
from caseapp.extensions import db
from caseapp.org.models import Facility

from .test_layout import assert_header_fits, overflow

SUPERVISOR = "ctxh.giamsat"
# One person per viewport (the demo data is shared by every browser test).
NAMES = {"phone_page": "Quách Thị Điện Thoại", "page": "Quách Thị Màn Hình"}


def _closed_long_ago(live_server, name):
    """A client of the supervisor's facility whose only case closed six years ago: due for anonymisation."""
    with live_server.app.app_context():
        supervisor = db.session.scalar(sa.select(User).where(User.username == SUPERVISOR))
        facility = db.session.get(Facility, supervisor.facility_id)
        client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=supervisor)
        today = local_today()
        long_ago = datetime.combine(today.replace(year=today.year - 6), time(9), tzinfo=VN_TZ)
        case = open_case(
            facility=facility, client=client, case_type="center", urgency="low", by=supervisor, opened_at=long_ago
        )
        case.status, case.closed_at, case.closure_reason = "closed", long_ago, "goals_met"
        db.session.commit()
        client_id = client.id
        db.session.remove()
    return client_id


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_supervisor_records_a_request_exports_and_anonymises(request, viewport, live_server, login_as, shoot):
    page = request.getfixturevalue(viewport)
    name = NAMES[viewport]
    client_id = _closed_long_ago(live_server, name)
    login_as(page, SUPERVISOR)

    page.goto(f"/clients/{client_id}/data-requests")
    page.get_by_role("radio", name="Người đại diện").check()
    page.get_by_label("Họ tên người đại diện").fill("Quách Văn Cha")
    page.get_by_label("Quan hệ với người có dữ liệu").select_option("parent")
    page.get_by_label("Số, ký hiệu văn bản yêu cầu").fill("07/ĐN-2026")
    shoot(page, f"data-request-form-{viewport}")
    _fits(page)
    page.get_by_role("button", name="Ghi nhận yêu cầu").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã ghi nhận yêu cầu.")
    expect(page.locator("main")).to_contain_text("Quách Văn Cha (Cha, mẹ)")
    shoot(page, f"data-request-{viewport}")
    _fits(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải tệp JSON").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["client"]["full_name"] == name and exported["request"]["reference"] == "07/ĐN-2026"

    page.goto("/clients/anonymisation-due")
    expect(page.locator("main")).to_contain_text(name)
    shoot(page, f"anonymisation-due-{viewport}")
    _fits(page)

    page.goto(f"/clients/{client_id}/anonymise")
    expect(page.locator("main")).to_contain_text("Việc ẩn danh hóa không thể hoàn tác.")
    page.get_by_label("Lý do ẩn danh hóa").fill("Hết thời hạn lưu trữ sau khi kết thúc hồ sơ")
    shoot(page, f"anonymise-{viewport}")
    _fits(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ẩn danh hóa").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã ẩn danh hóa hồ sơ.")
    expect(page.locator("main h1")).to_contain_text("Đã ẩn danh")
    expect(page.locator("main")).not_to_contain_text(name)
    _fits(page)


def test_the_processing_register_fits_a_phone(phone_page, login_as, shoot):
    login_as(phone_page, "ctxh.quantri")
    phone_page.goto("/clients/processing-register")
    expect(phone_page.locator("main h1")).to_contain_text("Sổ đăng ký hoạt động xử lý dữ liệu cá nhân")
    expect(phone_page.locator("#retention")).to_contain_text("Bảo vệ trẻ em")
    shoot(phone_page, "processing-register-phone_page")
    _fits(phone_page)
