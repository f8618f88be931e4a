"""A reporter freezes a quarter and downloads its XLSX and PDF, in a real browser (CSRF on), at 360 px
and at 1280 px: each screen fits, no script is needed."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .test_layout import assert_header_fits, overflow

QUARTERS = {"phone_page": "1", "page": "2"}  # one quarter per viewport: the demo data is shared


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_reporter_freezes_a_quarter_and_downloads_it(request, viewport, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.baocao")
    page.goto(f"/reports/?kind=quarter&year=2026&number={QUARTERS[viewport]}")
    expect(page.locator("h1")).to_contain_text(f"Quý {QUARTERS[viewport]}/2026")
    expect(page.get_by_role("heading", name="Các chỉ tiêu theo Quyết định 112/QĐ-TTg")).to_be_visible()
    _fits(page)
    shoot(page, f"reports-statistics-{viewport}")
    page.get_by_role("button", name=f"Chốt báo cáo Quý {QUARTERS[viewport]}/2026").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã chốt báo cáo")
    expect(page.locator("h1")).to_contain_text(f"Báo cáo Quý {QUARTERS[viewport]}/2026")
    _fits(page)
    shoot(page, f"reports-frozen-{viewport}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp XLSX").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "Chỉ tiêu QĐ 112" in workbook.sheetnames
    response = page.request.get(page.get_by_role("link", name="Tải tệp PDF").get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
