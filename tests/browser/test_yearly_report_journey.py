"""A supervisor writes the yearly implementation report, issues it in December with a number and a
signer, and downloads it as an editable Word document and as a PDF — at 360 px and at 1280 px."""

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from .test_layout import assert_header_fits, overflow

TITLES = {"phone_page": "Báo cáo kết quả năm (điện thoại)", "page": "Báo cáo kết quả năm (máy tính)"}


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_supervisor_issues_the_yearly_report_and_downloads_it(request, viewport, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto("/reports/yearly")
    page.get_by_role("link", name="Tạo báo cáo năm").click()
    page.get_by_label("Trích yếu").fill(TITLES[viewport])
    page.get_by_label("I. Kết quả đạt được").fill("Đã tiếp nhận, hỗ trợ kịp thời trẻ em có hoàn cảnh đặc biệt.")
    page.get_by_label("II. Tồn tại, hạn chế và nguyên nhân").fill("Thiếu cộng tác viên ở cấp xã.")
    _fits(page)
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu dự thảo")
    expect(page.locator("h1")).to_contain_text(TITLES[viewport])
    _fits(page)
    shoot(page, f"yearly-draft-{viewport}")

    page.get_by_role("link", name="Ban hành báo cáo").click()
    page.get_by_label("Quyền hạn ký (ví dụ KT. GIÁM ĐỐC; để trống khi người đứng đầu ký)").fill("KT. GIÁM ĐỐC")
    page.get_by_label("Chức vụ người ký (ví dụ PHÓ GIÁM ĐỐC)").fill("PHÓ GIÁM ĐỐC")
    page.get_by_label("Họ và tên người ký").fill("Nguyễn Văn Ký")
    _fits(page)
    page.get_by_role("button", name="Ban hành báo cáo").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã ban hành báo cáo số")
    number = re.search(r"số (\d+/BC\S*)", page.locator(".flash-success").inner_text()).group(1).rstrip(".")
    _fits(page)
    shoot(page, f"yearly-issued-{viewport}")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Word (DOCX)").click()
    assert download.value.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    words = " ".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    for expected in (f"Số: {number}", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Ký", "Nơi nhận", "Lưu: VT"):
        assert expected in words, expected
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp PDF").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
