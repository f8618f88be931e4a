"""The columns of a register file: the template's Vietnamese headers, the wordings of real registers
each is recognised by, and the user's own mapping for the rest."""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...core.text import fold


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header (Vietnamese: the file is an official register)
    label: object  # for the mapping form, in the interface's language
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("full_name", "Họ và tên", _l("Full name"), ("ho ten", "ho va ten doi tuong", "ten doi tuong"), True),
    Column(
        "birth",
        "Ngày tháng năm sinh",
        _l("Date of birth"),
        ("ngay sinh", "nam sinh", "ngay thang nam sinh", "sinh ngay"),
    ),
    Column("sex", "Giới tính", _l("Sex"), ("gioi", "nam/nu", "gioi tinh (nam/nu)")),
    Column("ethnicity", "Dân tộc", _l("Ethnicity"), ("dan toc",)),
    Column(
        "citizen_id",
        "Số CCCD/Số định danh",
        _l("Citizen ID"),
        ("so cccd", "cccd", "so dinh danh", "so dinh danh ca nhan", "so cmnd/cccd", "cmnd/cccd", "so cmnd"),
    ),
    Column("phone", "Số điện thoại", _l("Phone"), ("dien thoai", "sdt")),
    Column("address", "Nơi cư trú", _l("Address"), ("dia chi", "noi o", "noi o hien nay", "thuong tru", "cho o")),
    Column("commune", "Xã/phường", _l("Commune / ward"), ("xa", "phuong", "xa/phuong/thi tran", "xa, phuong")),
    Column("district", "Huyện (trước 01/07/2025)", _l("District (before 1 July 2025)"), ("huyen", "quan/huyen")),
    Column("province", "Tỉnh/thành phố", _l("Province / city"), ("tinh", "tinh/tp", "thanh pho")),
    Column(
        "group",
        "Đối tượng",
        _l("Beneficiary group"),
        ("doi tuong", "dien doi tuong", "nhom doi tuong", "loai doi tuong", "ma doi tuong"),
        True,
    ),
    Column("decision_number", "Số Quyết định", _l("Decision number"), ("so quyet dinh", "so qd", "quyet dinh so")),
    Column("decision_date", "Ngày quyết định", _l("Decision date"), ("ngay quyet dinh", "ngay qd", "ngay ky")),
    Column("decision_issuer", "Cơ quan ban hành", _l("Issued by"), ("co quan ban hanh", "noi ban hanh")),
    Column(
        "effective_from",
        "Ngày hưởng",
        _l("Takes effect on"),
        ("ngay huong", "huong tu ngay", "thoi diem huong", "ngay bat dau huong", "tu thang"),
        True,
    ),
    Column("coefficient", "Hệ số", _l("Allowance coefficient"), ("he so", "he so tro cap")),
    Column(
        "amount", "Mức trợ cấp (đồng/tháng)", _l("Monthly allowance (đồng)"), ("muc tro cap", "so tien", "muc huong")
    ),
    Column("care_mode", "Hình thức chăm sóc", _l("Care mode"), ("hinh thuc", "hinh thuc cham soc", "noi nuoi duong")),
    Column("disability_type", "Dạng tật", _l("Type of disability"), ("dang tat", "dang khuyet tat")),
    Column("disability_degree", "Mức độ khuyết tật", _l("Degree of disability"), ("muc do", "muc do khuyet tat")),
    Column(
        "certificate_number",
        "Số giấy xác nhận khuyết tật",
        _l("Disability certificate number"),
        ("so giay xac nhan", "giay xac nhan khuyet tat"),
    ),
    Column("certificate_date", "Ngày cấp giấy xác nhận", _l("Disability certificate date"), ("ngay cap",)),
    Column("status", "Tình trạng", _l("Status"), ("tinh trang", "trang thai", "tinh trang huong")),
    Column("reason", "Lý do tạm dừng/thôi hưởng", _l("Reason for a suspension or an end"), ("ly do",)),
)


def _words(text: object) -> str:
    return fold(str(text or "")).strip(" .:*")


class ColumnSet:
    """The columns of one kind of list (import kinds): recognised by their header or its usual
    wordings, the required ones checked, the header of a key for messages and files."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.by_key = {c.key: c for c in self.columns}
        self._recognised = {_words(word): c.key for c in self.columns for word in (c.header, *c.aliases)}

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def guess(self, headers: Sequence[object]) -> dict[str, int]:
        """column key → index of the header that says it, for the headers worded as the template or as
        real lists commonly word them; the first such header wins."""
        found: dict[str, int] = {}
        for index, header in enumerate(headers):
            key = self._recognised.get(_words(header))
            if key and key not in found:
                found[key] = index
        return found

    def missing(self, mapping: dict[str, int]) -> list[Column]:
        return [c for c in self.columns if c.required and c.key not in mapping]

    def header(self, key: str) -> str:
        column = self.by_key.get(key)
        return column.header if column else key


BENEFICIARY_COLUMNS = ColumnSet(COLUMNS)
BY_KEY = BENEFICIARY_COLUMNS.by_key


def layout(headers: Sequence[object]) -> str:
    """The fingerprint of a file layout: its folded headers, in order."""
    return hashlib.sha256("\x1f".join(_words(h) for h in headers).encode()).hexdigest()


guess = BENEFICIARY_COLUMNS.guess
missing = BENEFICIARY_COLUMNS.missing
