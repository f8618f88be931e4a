"""A supervisor reads the audit log in Vietnamese: each event named in words with its details as a
sentence, filtered by kind — on a desktop and on a 360-px phone."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_supervisor_reads_the_audit_log_in_words(request, viewport, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto("/audit/")
    table = page.locator("table.table")
    expect(table).to_contain_text("Đăng nhập thành công")
    expect(table).not_to_contain_text("login_ok")  # raw codes only inside the folded technical details
    shoot(page, f"audit-log-{viewport}")
    page.get_by_label("Loại sự kiện").select_option(label="Đăng nhập thành công")
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    expect(table.locator("tbody tr").first).to_contain_text("Đăng nhập thành công")
    shoot(page, f"audit-log-filtered-{viewport}")
