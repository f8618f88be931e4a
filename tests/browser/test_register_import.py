"""A supervisor brings a register in through the import wizard in a real browser (CSRF on), at
1280 px and at 360 px: the template downloads, the file is read, the preview says what each row
does, a split commune is decided, and the import is committed."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ..register import files
from .test_layout import assert_header_fits, overflow

# One register per viewport (the demo data is shared by every browser test): distinct citizen IDs.
REGISTERS = {
    "page": [
        [
            "Hà Thị Nhập",
            1950,
            "Nữ",
            "Kinh",
            "001150099001",
            None,
            None,
            None,
            "Người cao tuổi",
            "21/QĐ-UBND",
            "01/01/2025",
            "1,5",
            None,
            None,
        ],
        [
            "Lò Văn Chia",
            1980,
            "Nam",
            "Thái",
            "002080099001",
            "Xã Tân Thạnh",
            "Huyện Thới Lai",
            "Thành phố Cần Thơ",
            "Người khuyết tật nặng",
            "22/QĐ-UBND",
            "01/02/2025",
            "2",
            "Vận động",
            "Nặng",
        ],
        ["", 1990, "Nam", "Kinh", None, None, None, None, "Người cao tuổi", None, "01/01/2025", None, None, None],
    ],
    "phone_page": [
        [
            "Hà Thị Điện",
            1951,
            "Nữ",
            "Kinh",
            "001151099002",
            None,
            None,
            None,
            "Người cao tuổi",
            "23/QĐ-UBND",
            "01/01/2025",
            "1,5",
            None,
            None,
        ],
    ],
}


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_a_supervisor_imports_a_register_through_the_preview(request, viewport, login_as, shoot, tmp_path):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto("/register/imports")
    expect(page.locator("h1")).to_have_text("Nhập danh sách đối tượng")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp mẫu").click()
    assert "Giá trị hợp lệ" in load_workbook(io.BytesIO(download.value.path().read_bytes())).sheetnames
    register = tmp_path / "danh-sach.xlsx"
    register.write_bytes(files.xlsx(REGISTERS[viewport], title="DANH SÁCH ĐỐI TƯỢNG"))
    page.get_by_label("Tệp danh sách (.xlsx, .xls, .ods hoặc .csv)").set_input_files(str(register))
    page.get_by_role("button", name="Đọc tệp").click()
    expect(page.locator("h1")).to_have_text("danh-sach.xlsx")
    assert overflow(page) <= 0, f"{overflow(page)} px wider than the screen"
    assert_header_fits(page)
    shoot(page, f"register-import-preview-{viewport}")
    if viewport == "page":
        expect(page.get_by_text("Xã cũ bị chia: cần quyết định").first).to_be_visible()
        expect(page.get_by_text("Họ và tên: Cần có họ và tên.")).to_be_visible()
        page.get_by_label("Xã Trường Thành").check()
        page.get_by_role("button", name="Lưu quyết định").click()
        expect(page.get_by_text("Đã quyết định")).to_be_visible()
        with page.expect_download() as errors:
            page.get_by_role("link", name="Tải tệp lỗi").click()
        sheet = load_workbook(io.BytesIO(errors.value.path().read_bytes())).active
        assert sheet.cell(row=1, column=sheet.max_column).value == "Lỗi cần sửa"
    page.get_by_role("button", name="Nhập danh sách").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã nhập danh sách")
    expect(page.get_by_role("button", name="Hủy lần nhập này")).to_be_visible()
    assert overflow(page) <= 0, f"{overflow(page)} px wider than the screen"
    shoot(page, f"register-import-done-{viewport}")
