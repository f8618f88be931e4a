"""The first run of an installation: its first facility and that facility's first administrator, in one
transaction, audited. Everything after — other facilities, users — the administrator does in the UI.

Refused: a second run once an administrator exists (`flask create-admin` adds more), a facility code
in use, a province or commune not among the administrative units, a weak password."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import process

from ..audit.services import record
from ..auth.models import User
from ..auth.services import create_user
from ..core.services import ServiceError
from ..core.text import fold, nfc
from ..extensions import db
from ..org.models import Commune, Facility, FacilityType, Province
from ..org.services import create_facility
from ..referrals.services import sync_facility_provider
from ..security.policy import Perm, Role
from ..security.scopes import users_with

FACILITY_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")


@dataclass
class FacilityAnswers:
    name: str
    type: str
    code: str
    province_code: str
    commune_code: str
    street_address: str | None = None
    confidential_address: bool = False


@dataclass
class AdminAnswers:
    username: str
    full_name: str
    password: str
    email: str | None = None


def installation_has_admin() -> bool:
    return db.session.scalar(sa.select(User.id).where(users_with(Perm.MANAGE_USERS)).limit(1)) is not None


def check_not_set_up() -> None:
    if installation_has_admin():
        raise ServiceError(
            "Hệ thống đã được cài đặt: đã có quản trị viên. Hãy đăng nhập bằng tài khoản đó, "
            "hoặc dùng `flask create-admin` để thêm quản trị viên cho một cơ sở đã có."
        )


def facility_code(value: str) -> str:
    code = (value or "").strip().upper()
    if not FACILITY_CODE.match(code):
        raise ServiceError("Mã cơ sở gồm 2–16 chữ cái in hoa hoặc chữ số (ví dụ TTCTXHHN).", field="code")
    if db.session.scalar(sa.select(Facility.id).where(Facility.code == code)) is not None:
        raise ServiceError(f"Mã cơ sở {code} đã được dùng.", field="code")
    return code


def text(value: str, *, longest: int, field: str, label: str) -> str:
    cleaned = nfc(value or "")
    if not cleaned:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(cleaned) > longest:
        raise ServiceError(f"{label.capitalize()} dài tối đa {longest} ký tự.", field=field)
    return cleaned


def username(value: str) -> str:
    if not USERNAME.match((value or "").strip()):
        raise ServiceError(
            "Tên đăng nhập gồm 3–64 chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.", field="username"
        )
    return value.strip()


def email(value: str | None) -> str | None:
    if not (value or "").strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized  # type: ignore[union-attr]  # empty or None returned above
    except EmailNotValidError as error:
        raise ServiceError(f"Địa chỉ e-mail không hợp lệ: {value}", field="email") from error


def facility_type(value: str) -> str:
    """A type's code, or its number in FacilityType's order (what the prompt lists)."""
    value = (value or "").strip()
    members = list(FacilityType)
    if value.isdigit() and 1 <= int(value) <= len(members):
        return members[int(value) - 1].value
    if value in {member.value for member in members}:
        return value
    raise ServiceError(f"Loại cơ sở không hợp lệ: {value!r}. Chọn số từ 1 đến {len(members)}.", field="type")


UNIT_PREFIXES = ("thanh pho", "tinh", "xa", "phuong", "dac khu", "thi tran")


def _bare(name: str) -> str:
    """A unit's name folded, without its kind: 'Thành phố Hà Nội' → 'ha noi', 'Phường Ba Đình' → 'ba dinh'."""
    folded = fold(name)
    for prefix in UNIT_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def _by_code_or_name(rows, value: str, what: str):
    """The unit whose code or name (tones, case and its kind — 'Tỉnh', 'Phường' … — ignored) is `value`."""
    wanted = _bare(value)
    for row in rows:
        if value.strip() == row.code or wanted == _bare(row.name):
            return row
    if not rows:
        raise ServiceError("Chưa có đơn vị hành chính: chạy `flask load-units` trước.", field=what)
    names = {_bare(row.name): row for row in rows}
    close = [names[name] for name, _score, _i in process.extract(wanted, list(names), limit=3)]
    hint = ", ".join(f"{row.name} ({row.code})" for row in close)
    label = "tỉnh/thành phố" if what == "province_code" else "xã/phường/đặc khu"
    raise ServiceError(f"Không có {label} «{value}». Có phải: {hint}?", field=what)


def province(value: str) -> Province:
    return _by_code_or_name(
        db.session.scalars(sa.select(Province).order_by(Province.code)).all(), value, "province_code"
    )


def commune(value: str, province_code: str) -> Commune:
    rows = db.session.scalars(
        sa.select(Commune).where(Commune.province_code == province_code).order_by(Commune.code)
    ).all()
    return _by_code_or_name(rows, value, "commune_code")


def set_up(facility: FacilityAnswers, admin: AdminAnswers) -> tuple[Facility, User]:
    """Create the first facility and its administrator (flushed, not committed: the caller commits
    both or neither)."""
    check_not_set_up()
    created = create_facility(
        {
            "code": facility_code(facility.code),
            "name": text(facility.name, longest=255, field="name", label="tên cơ sở"),
            "type": facility_type(facility.type),
            "province_code": province(facility.province_code).code,
            "commune_code": commune(facility.commune_code, province(facility.province_code).code).code,
            "street_address": facility.street_address,
            "phone": None,
            "capacity": None,
            "confidential_address": facility.confidential_address,
            "max_stay_days": None,
            "is_active": True,
        },
        by=None,
    )
    sync_facility_provider(created)
    user = create_user(
        username=username(admin.username),
        full_name=text(admin.full_name, longest=128, field="full_name", label="họ và tên"),
        role=Role.ADMIN.value,
        facility_id=created.id,
        password=admin.password,
        email=email(admin.email),
        by=None,
        must_change_password=False,
    )
    record("installation_set_up", by=None, entity=created, detail={"admin": user.username})
    return created, user


__all__ = [
    "FacilityAnswers",
    "AdminAnswers",
    "set_up",
    "check_not_set_up",
    "installation_has_admin",
    "facility_code",
    "facility_type",
    "province",
    "commune",
    "text",
    "username",
    "email",
]
