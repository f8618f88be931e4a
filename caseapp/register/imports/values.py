"""A register's cells as values: dates as Excel keeps them or as people type them, sexes, ethnic
groups, groups, disability types and degrees by their usual spellings, Vietnamese numbers."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ...core import categories
from ...core.text import fold

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 01/01/1900 (Excel's 1900 date system, with its leap-year bug)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_MY = re.compile(r"^(?:thang\s*)?(\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR = re.compile(r"^(\d{4})$")


class CellError(ValueError):
    """A cell that cannot be read: the message says why, in the interface's language."""


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def day(value: object, *, year_only: bool = False) -> tuple[date | None, int | None]:
    """(date, None) of a cell, or (None, year) where `year_only` admits a year alone (a date of birth).
    Excel serials, dates, dd/mm/yyyy, dd/mm/yy, mm/yyyy (the 1st of that month), yyyy-mm-dd."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if year_only and 1900 <= value <= 2100 and float(value).is_integer():
            return None, int(value)
        if 1 <= value < 80_000:
            return EXCEL_EPOCH + timedelta(days=int(value)), None
        raise CellError(_("Not a date: write it as dd/mm/yyyy."))
    words = fold(str(value))
    try:
        if match := _DMY.match(words):
            d, m, y = (int(g) for g in match.groups())
            return date(y + (2000 if y < 50 else 1900) if y < 100 else y, m, d), None
        if match := _YMD.match(words):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d), None
        if match := _MY.match(words):
            m, y = (int(g) for g in match.groups())
            return date(y, m, 1), None
    except ValueError:
        raise CellError(_("Not a date: write it as dd/mm/yyyy.")) from None
    if year_only and (match := _YEAR.match(words)):
        return None, int(match.group(1))
    raise CellError(_("Not a date: write it as dd/mm/yyyy."))


def _lookup(table: dict[str, str], value: object) -> str | None:
    words = fold(text(value)).strip(" .")
    if not words:
        return None
    if words in table:
        return table[words]
    raise CellError(_("Not recognised: %(value)s.", value=text(value)))


def _by_label(codes, extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {fold(c.vi): c.code for c in codes}
    table.update({c.code: c.code for c in codes})
    table.update(extra or {})
    return table


SEX = {"nam": "male", "nu": "female", "male": "male", "female": "female", "m": "male", "f": "female", "x": "female"}


def _squeezed(words: str) -> str:
    """Ethnic names are spelt with or without hyphens, apostrophes and spaces ("HMông", "H'Mông",
    "Hmong"; "Khơ-me", "Khơ me", "Khmer")."""
    return re.sub(r"[\s'’\-]", "", words)


_ETHNIC = {_squeezed(fold(c.vi)): c.code for c in categories.ETHNIC_GROUPS} | {
    "khmer": next(c.code for c in categories.ETHNIC_GROUPS if c.vi == "Khơ-me"),
    "mong": next(c.code for c in categories.ETHNIC_GROUPS if c.vi == "HMông"),
}
_DISABILITY_TYPES = _by_label(
    categories.DISABILITY_TYPES,
    {
        "van dong": "mobility",
        "nghe noi": "hearing_speech",
        "nghe, noi": "hearing_speech",
        "nghe - noi": "hearing_speech",
        "nhin": "vision",
        "than kinh": "mental",
        "tam than": "mental",
        "than kinh, tam than": "mental",
        "than kinh - tam than": "mental",
        "tri tue": "intellectual",
        "khac": "other",
    },
)
_DEGREES = _by_label(
    categories.DISABILITY_DEGREES, {"dac biet nang": "very_severe", "dbn": "very_severe", "nang": "severe"}
)
_CARE_MODES = _by_label(
    categories.CARE_MODES,
    {
        "cong dong": "community",
        "tai cong dong": "community",
        "tai gia dinh": "community",
        "tap trung": "institution",
        "nuoi duong tap trung": "institution",
        "tai co so": "institution",
    },
)
_STATUSES = _by_label(
    categories.MEMBERSHIP_STATUSES,
    {"dang huong": "receiving", "tam dung": "suspended", "thoi huong": "ended", "cat giam": "ended"},
)
# How registers name the groups besides the catalogue's words: Nghị định 20/2021/NĐ-CP, Điều 5 by
# its clause ("khoản 1" … "khoản 8"), and the short names of the lists.
_GROUP_WORDS = {
    **{f"khoan {i} dieu 5": c.code for i, c in enumerate(categories.BENEFICIARY_GROUPS[:8], start=1)},
    "nguoi cao tuoi": "bt_elderly",
    "nct": "bt_elderly",
    "nguoi khuyet tat": "ot_disability",
    "nkt": "ot_disability",
    "nguoi khuyet tat nang": "bt_disability",
    "nguoi khuyet tat dac biet nang": "bt_disability",
    "tre em khuyet tat": "cs_disability",
    "tre em mo coi": "cs_orphan",
    "don than nuoi con": "bt_single_parent_poor",
    "nguoi don than nuoi con": "bt_single_parent_poor",
    "nguoi nhiem hiv": "bt_hiv_poor",
}
_GROUPS = _by_label(categories.BENEFICIARY_GROUPS, _GROUP_WORDS)


def sex(value: object) -> str | None:
    return _lookup(SEX, value)


def ethnicity(value: object) -> str | None:
    words = _squeezed(fold(text(value)).removeprefix("dan toc "))
    if not words:
        return None
    if words in _ETHNIC:
        return _ETHNIC[words]
    raise CellError(_("Not recognised: %(value)s.", value=text(value)))


def group(value: object) -> str | None:
    return _lookup(_GROUPS, value)


def disability_type(value: object) -> str | None:
    words = fold(text(value)).removeprefix("khuyet tat ").strip()
    return _lookup(_DISABILITY_TYPES, words) if words else None


def disability_degree(value: object) -> str | None:
    words = fold(text(value)).removeprefix("khuyet tat ").strip()
    return _lookup(_DEGREES, words) if words else None


def care_mode(value: object) -> str | None:
    return _lookup(_CARE_MODES, value)


def status(value: object) -> str | None:
    return _lookup(_STATUSES, value)


def coefficient(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None


def amount(value: object) -> int | None:
    """Đồng: 750000, "750.000" (Vietnamese thousands), "750,000" or "750 000"."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(value)
    digits = re.sub(r"[.,\s]|đ(ồng)?$", "", str(value).strip(), flags=re.IGNORECASE)
    if not digits.isdigit():
        raise CellError(_("Not a number."))
    return int(digits)


def citizen_id(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # a number cell lost the leading zero of the province code (CCCD numbers begin 001 … 096)
        digits = str(int(value)).zfill(12)
    else:
        digits = re.sub(r"\D", "", text(value))
    if not digits:
        return None
    if len(digits) != 12:
        raise CellError(_("A citizen ID has 12 digits."))
    return digits
