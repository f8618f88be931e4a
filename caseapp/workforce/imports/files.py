"""The workforce list's template (with a sheet of the allowed values) and the register exported in
its layout, so that export → import changes nothing."""

from typing import Any

import sqlalchemy as sa

from ...core.categories import Category
from ...core.text import person_sort_key, vn_sort_key
from ...core.timeutil import format_date
from ...extensions import db
from ...org.models import Commune
from ...register.imports import files
from ...security.scopes import own_facility, workforce_member_scope
from .. import categories
from ..models import Agency, WorkforceMember
from .columns import COLUMNS, SEX_LABELS, SHEET


def template(rows: list[list[Any]] | None = None) -> bytes:
    """The list's template: its headers (and `rows`), and the allowed values of each coded column."""
    allowed = {
        "Giới tính": ["Nam", "Nữ"],
        "Loại": [c.vi for c in categories.MEMBER_KINDS],
        "Loại cơ quan": [c.vi for c in categories.AGENCY_KINDS],
        "Trình độ CTXH": [c.vi for c in categories.QUALIFICATIONS],
        "Chức danh nghề nghiệp": [c.vi for c in categories.PROFESSIONAL_TITLES],
    }
    return files.spreadsheet(SHEET, [c.header for c in COLUMNS], rows or [], allowed)


def _exported(user: Any) -> list[tuple[WorkforceMember, Agency]]:
    """The people of the agencies the user's facility keeps, every post (in post or ended)."""
    stmt = (
        sa.select(WorkforceMember, Agency)
        .join(Agency, Agency.id == WorkforceMember.agency_id)
        .where(workforce_member_scope(user), own_facility(Agency.owner_facility_id, user))
    )
    return [(member, agency) for member, agency in db.session.execute(stmt).tuples()]


def export(user: Any) -> tuple[bytes, dict[str, Any]]:
    """The facility's workforce register in the template's layout, and the people it names (audited)."""
    rows = _exported(user)
    communes = dict(db.session.execute(sa.select(Commune.code, Commune.name)).tuples().all())
    rows.sort(key=lambda pair: (vn_sort_key(pair[1].name), person_sort_key(pair[0].full_name), pair[0].from_date))
    lines = [_line(member, agency, communes) for member, agency in rows]
    return template(lines), {"member_ids": sorted(member.id for member, _agency in rows)}


def _label(codes: tuple[Category, ...], code: str | None) -> str | None:
    return next((c.vi for c in codes if c.code == code), None) if code else None


def _line(member: WorkforceMember, agency: Agency, communes: dict[str, str]) -> list[Any]:
    values_ = {
        "full_name": member.full_name,
        "sex": SEX_LABELS.get(member.sex or ""),
        "birth_year": member.birth_year,
        "citizen_id": member.citizen_id,
        "phone": member.phone,
        "kind": _label(categories.MEMBER_KINDS, member.kind),
        "agency": agency.name,
        "agency_kind": _label(categories.AGENCY_KINDS, agency.kind),
        "commune": communes.get(member.commune_code or ""),
        "position": member.position,
        "qualification": _label(categories.QUALIFICATIONS, member.qualification),
        "professional_title": _label(categories.PROFESSIONAL_TITLES, member.professional_title),
        "appointment_number": member.appointment_number,
        "appointment_date": format_date(member.appointment_date) or None,
        "from_date": format_date(member.from_date),
        "to_date": format_date(member.to_date) or None,
    }
    return [values_[c.key] for c in COLUMNS]
