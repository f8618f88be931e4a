"""The columns of a workforce list: the template's Vietnamese headers and the wordings of real lists,
the member's field each column writes, and the usual spellings of the coded values."""

import functools
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...core.categories import Category
from ...core.text import fold
from ...register.imports import values
from ...register.imports.columns import Column, ColumnSet
from .. import categories

SHEET = "Danh sách nhân lực CTXH"
CITIZEN_ID_ALIASES = ("so cccd", "cccd", "so dinh danh", "so dinh danh ca nhan", "so cmnd/cccd", "cmnd/cccd", "so cmnd")

COLUMNS = ColumnSet(
    (
        Column(
            "full_name", "Họ và tên*", _l("Full name"), ("ho ten", "ho va ten", "ten can bo", "ho ten can bo"), True
        ),
        Column("sex", "Giới tính", _l("Sex"), ("gioi", "nam/nu", "gioi tinh (nam/nu)")),
        Column("birth_year", "Năm sinh", _l("Year of birth"), ("ngay sinh", "ngay thang nam sinh", "sinh nam")),
        Column("citizen_id", "Số CCCD/Số định danh", _l("Citizen ID"), CITIZEN_ID_ALIASES),
        Column("phone", "Số điện thoại", _l("Phone"), ("dien thoai", "sdt", "so dt", "dien thoai lien he")),
        Column(
            "kind",
            "Loại*",
            _l("Kind of post"),
            ("loai", "chuyen trach/kiem nhiem", "loai can bo", "phan loai", "doi tuong", "hinh thuc"),
            True,
        ),
        Column(
            "agency",
            "Cơ quan, đơn vị*",
            _l("Agency"),
            ("co quan", "don vi", "co quan, don vi", "don vi cong tac", "co quan cong tac", "noi cong tac"),
            True,
        ),
        Column("agency_kind", "Loại cơ quan", _l("Kind of agency"), ("loai don vi", "loai hinh co quan", "loai hinh")),
        Column("commune", "Xã/phường", _l("Commune / ward"), ("xa", "phuong", "xa/phuong/thi tran", "xa, phuong")),
        Column("position", "Chức vụ / vị trí", _l("Position"), ("chuc vu", "vi tri", "vi tri viec lam", "chuc danh")),
        Column(
            "qualification",
            "Trình độ CTXH",
            _l("Qualification in social work"),
            ("trinh do", "trinh do chuyen mon", "trinh do cong tac xa hoi", "trinh do dao tao", "chuyen mon"),
        ),
        Column(
            "professional_title",
            "Chức danh nghề nghiệp",
            _l("Professional title"),
            ("chuc danh nghe nghiep", "hang chuc danh", "ma chuc danh"),
        ),
        Column(
            "appointment_number",
            "Số quyết định / hợp đồng",
            _l("Decision or contract number"),
            ("so quyet dinh", "so qd", "quyet dinh so", "so hop dong", "so quyet dinh/hop dong", "so qd/hd"),
        ),
        Column(
            "appointment_date",
            "Ngày quyết định",
            _l("Decision or contract date"),
            ("ngay qd", "ngay ky", "ngay hop dong", "ngay quyet dinh/hop dong"),
        ),
        Column(
            "from_date",
            "Từ ngày*",
            _l("From"),
            ("tu ngay", "ngay bat dau", "ngay bat dau lam viec", "ngay nhan viec", "thoi gian bat dau"),
            True,
        ),
        Column("to_date", "Đến ngày", _l("To"), ("den ngay", "ngay ket thuc", "ngay nghi", "thoi gian ket thuc")),
    )
)

# The member's fields each column writes, compared with the register to decide unchanged or update.
FIELDS = {
    "full_name": "full_name",
    "sex": "sex",
    "birth_year": "birth_year",
    "citizen_id": "citizen_id",
    "phone": "phone",
    "kind": "kind",
    "agency": "agency_id",
    "commune": "commune_code",
    "position": "position",
    "qualification": "qualification",
    "professional_title": "professional_title",
    "appointment_number": "appointment_number",
    "appointment_date": "appointment_date",
    "from_date": "from_date",
    "to_date": "to_date",
}
COLUMN_OF = {name: key for key, name in FIELDS.items()}
DATES = ("appointment_date", "from_date", "to_date")
# restored by the undo of an update
KEPT = (*FIELDS.values(), "search_name", "updated_at", "source_batch_id")
SEX_LABELS = {"male": "Nam", "female": "Nữ", "other": "Khác"}


# --- values ---------------------------------------------------------------------------------------------


def _table(codes: tuple[Category, ...], extra: dict[str, str]) -> dict[str, str]:
    table = {fold(c.vi): c.code for c in codes} | {c.code: c.code for c in codes}
    return table | extra


@functools.cache
def _tables() -> dict[str, dict[str, str]]:
    """The usual spellings of each coded column (read once: the labels come from the catalogue)."""
    return {
        "sex": values.SEX | {"khac": "other"},
        "kind": _table(
            categories.MEMBER_KINDS,
            {
                "cong chuc": "civil_servant",
                "vien chuc": "civil_servant",
                "cong chuc vien chuc": "civil_servant",
                "cong chuc, vien chuc": "civil_servant",
                "ccvc": "civil_servant",
                "nguoi lao dong": "employee",
                "lao dong hop dong": "employee",
                "hop dong": "employee",
                "hop dong lao dong": "employee",
                "chuyen trach": "collaborator_full_time",
                "ctv chuyen trach": "collaborator_full_time",
                "cong tac vien chuyen trach": "collaborator_full_time",
                "kiem nhiem": "collaborator_part_time",
                "ctv kiem nhiem": "collaborator_part_time",
                "cong tac vien kiem nhiem": "collaborator_part_time",
            },
        ),
        "agency_kind": _table(
            categories.AGENCY_KINDS,
            {
                "ubnd xa": "commune",
                "ubnd xa, phuong": "commune",
                "xa, phuong": "commune",
                "uy ban nhan dan xa": "commune",
                "co so tro giup xa hoi": "social_assistance",
                "co so bao tro xa hoi": "social_assistance",
                "trung tam cong tac xa hoi": "social_assistance",
                "co so cai nghien": "drug_rehab",
                "trai giam": "prison",
                "toa an": "justice",
                "vien kiem sat": "justice",
                "thi hanh an": "justice",
                "truong": "school",
                "truong hoc": "school",
                "benh vien": "hospital",
                "trung tam y te": "hospital",
                "hoi, doan the": "mass_organisation",
                "doan the": "mass_organisation",
                "khac": "other",
            },
        ),
        "qualification": _table(
            categories.QUALIFICATIONS,
            {
                "chua qua dao tao": "none",
                "chua dao tao": "none",
                "khong": "none",
                "chua co": "none",
                "chung chi": "short_course",
                "boi duong ngan han": "short_course",
                "so cap": "short_course",
                "trung cap": "intermediate",
                "trung cap ctxh": "intermediate",
                "cao dang": "college",
                "cao dang ctxh": "college",
                "dai hoc": "university",
                "cu nhan": "university",
                "dai hoc ctxh": "university",
                "cu nhan ctxh": "university",
                "sau dai hoc": "postgraduate",
                "thac si": "postgraduate",
                "tien si": "postgraduate",
            },
        ),
        "professional_title": _table(
            categories.PROFESSIONAL_TITLES,
            {
                "ctxh vien chinh": "senior_social_worker",
                "cong tac xa hoi vien chinh (hang ii)": "senior_social_worker",
                "hang ii": "senior_social_worker",
                "ctxh vien": "social_worker",
                "cong tac xa hoi vien (hang iii)": "social_worker",
                "hang iii": "social_worker",
                "nhan vien ctxh": "assistant_social_worker",
                "nhan vien cong tac xa hoi (hang iv)": "assistant_social_worker",
                "hang iv": "assistant_social_worker",
            },
        ),
    }


def coded(key: str, text: str | None) -> str | None:
    words = re.sub(r"\s+", " ", fold(text or "")).strip(" .")
    if not words:
        return None
    if words in _tables()[key]:
        return _tables()[key][words]
    raise values.CellError(_("Not recognised: %(value)s.", value=text))


def agency_key(name: str | None) -> str:
    """An agency's name as lists spell it variously: folded, "Ủy ban nhân dân" as "UBND"."""
    words = re.sub(r"\s+", " ", fold(name or "")).strip(" .")
    return re.sub(r"^(uy ban nhan dan|ubnd) ", "ubnd ", words)


def kind_of_new_agency(name: str) -> str:
    return "commune" if re.match(r"ubnd (xa|phuong|dac khu) ", agency_key(name)) else "other"
