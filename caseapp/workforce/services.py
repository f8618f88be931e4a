"""Writes of the workforce register: the agencies a facility keeps the records of, and the people doing
social work there (Nghị định 110/2024/NĐ-CP: civil servants, public employees, employees and the commune
social-work collaborators). Every write checks the acting user's reach (security.scopes.agency_scope),
validates, flushes and audits in the same transaction; the request (or the job) commits.

A facility of caseapp is an agency too (its own staff): its Agency row is made on first need by
`own_agency`, with the kind its facility type implies."""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.models import User
from ..core.categories import SEXES, Category
from ..core.services import ServiceError
from ..core.text import fold, nfc
from ..core.timeutil import format_date, local_today, utcnow
from ..extensions import db
from ..org.models import Commune, Facility, FacilityType
from ..security.policy import Perm, has_perm
from ..security.scopes import agency_scope
from . import categories
from .models import Agency, WorkforceMember

NAME_MAX = 255
FULL_NAME_MAX = 128
POSITION_MAX = 128
PHONE_MAX = 32
APPOINTMENT_MAX = 64
FIRST_BIRTH_YEAR = 1920
OWN_AGENCY = "own"  # the agency choice that stands for the user's facility before its row exists

STALE_MEMBER = _l(
    "Someone else changed this person's record since you opened it. Your text is kept below: check it and save again."
)
STALE_AGENCY = _l(
    "Someone else changed this agency since you opened it. Your text is kept below: check it and save again."
)

# The agency kind of a facility of caseapp, by its type (QĐ 112/QĐ-TTg counts each kind apart).
AGENCY_KIND_OF_FACILITY = {
    FacilityType.HOSPITAL.value: "hospital",
    FacilityType.SCHOOL.value: "school",
    FacilityType.COMMUNE_COMMITTEE.value: "commune",
    FacilityType.DRUG_REHAB.value: "drug_rehab",
}
_CITIZEN_ID = re.compile(r"^\d{12}$")


def _codes(values: tuple[Category, ...]) -> frozenset[str]:
    return frozenset(c.code for c in values)


AGENCY_KIND_CODES = _codes(categories.AGENCY_KINDS)
MEMBER_KIND_CODES = _codes(categories.MEMBER_KINDS)
QUALIFICATION_CODES = _codes(categories.QUALIFICATIONS)
TITLE_CODES = _codes(categories.PROFESSIONAL_TITLES)
SEX_CODES = _codes(SEXES)


# --- checks ----------------------------------------------------------------------------------------------


def _ensure_manager(by: User) -> None:
    if not has_perm(by, Perm.MANAGE_WORKFORCE):
        raise ServiceError(_l("Only an administrator or a supervisor keeps the workforce register."))


def _text(values: Mapping[str, Any], key: str, limit: int, *, missing: object = None) -> str | None:
    """A one-line text, NFC; None when blank (or refused with `missing` when it is required)."""
    text = nfc(values.get(key) or "") or None
    if text is None and missing is not None:
        raise ServiceError(missing, field=key)
    if text is not None and len(text) > limit:
        raise ServiceError(_l("At most %(max)d characters.", max=limit), field=key)
    return text


def _code(values: Mapping[str, Any], key: str, allowed: frozenset[str], *, missing: object = None) -> str | None:
    code = values.get(key) or None
    if code is None:
        if missing is not None:
            raise ServiceError(missing, field=key)
        return None
    if code not in allowed:
        raise ServiceError(_l("Choose a value from the list."), field=key)
    return str(code)


def _commune(code: str | None, province_code: str, field: str = "commune_code") -> str | None:
    """A commune of the province, or none."""
    if not code:
        return None
    commune = db.session.get(Commune, code)
    if commune is None or commune.province_code != province_code:
        raise ServiceError(_l("Choose a commune of the province."), field=field)
    return commune.code


def agency_in_reach(agency_id: object, by: User) -> Agency | None:
    """The agency, when the acting user keeps its register (security.scopes.agency_scope)."""
    if not isinstance(agency_id, int):
        return None
    return db.session.scalar(sa.select(Agency).where(Agency.id == agency_id, agency_scope(by)))


def _facility_of(by: User) -> Facility:
    facility = db.session.get(Facility, by.facility_id)
    if facility is None:  # a user always has a facility (NOT NULL)
        raise ServiceError(_l("This could not be saved."))
    return facility


# --- agencies ----------------------------------------------------------------------------------------------


def _audit_agency(action: str, agency: Agency, by: User | None, **detail: Any) -> None:
    record(
        action,
        by=by,
        entity=agency,
        facility_id=agency.owner_facility_id,
        detail={"name": agency.name, "kind": agency.kind, **detail},
    )


def agency_kind_of(facility: Facility) -> str:
    """The kind of agency a facility of caseapp is (a hospital's social-work unit counts as a hospital…)."""
    return AGENCY_KIND_OF_FACILITY.get(facility.type, "social_assistance")


def _own_agency_row(facility_id: int) -> Agency | None:
    return db.session.scalar(sa.select(Agency).where(Agency.facility_id == facility_id))


def own_agency(facility: Facility, *, by: User | None) -> Agency:
    """The facility's own agency (its staff are its people), made on first need from the facility's
    name, type and place; the same row whatever two requests do at once (Agency.facility_id is unique)."""
    existing = _own_agency_row(facility.id)
    if existing is not None:
        return existing
    agency = Agency(
        owner_facility_id=facility.id,
        facility_id=facility.id,
        province_code=facility.province_code,
        commune_code=facility.commune_code,
        kind=agency_kind_of(facility),
        name=facility.name,
        search_name=fold(facility.name),
        active=True,
        created_by_id=getattr(by, "id", None),
    )
    try:
        with db.session.begin_nested():  # a failed insert leaves the session clean
            db.session.add(agency)
            db.session.flush()
    except sa.exc.IntegrityError:  # made meanwhile by another request
        made = _own_agency_row(facility.id)
        if made is None:
            raise
        return made
    _audit_agency("workforce_agency_created", agency, by, own=True)
    return agency


def _agency_values(values: Mapping[str, Any], province_code: str) -> dict[str, Any]:
    name = _text(values, "name", NAME_MAX, missing=_l("Give the agency's name."))
    return {
        "kind": _code(values, "kind", AGENCY_KIND_CODES, missing=_l("Choose the kind of agency.")),
        "name": name,
        "search_name": fold(name),
        "commune_code": _commune(values.get("commune_code"), province_code),
    }


def create_agency(values: Mapping[str, Any], *, by: User) -> Agency:
    """An agency outside caseapp (a commune People's Committee, a school, a hospital…) whose people the
    acting user's facility keeps in its register; in the facility's province."""
    _ensure_manager(by)
    facility = _facility_of(by)
    agency = Agency(
        owner_facility_id=facility.id, province_code=facility.province_code, active=True, created_by_id=by.id
    )
    for key, value in _agency_values(values, facility.province_code).items():
        setattr(agency, key, value)
    db.session.add(agency)
    db.session.flush()
    _audit_agency("workforce_agency_created", agency, by)
    return agency


def update_agency(agency: Agency, values: Mapping[str, Any], *, by: User, seen_version: int) -> Agency:
    """Change an agency's kind, name or commune; refused when it changed since the form was opened."""
    _ensure_manager(by)
    if agency_in_reach(agency.id, by) is None:
        raise ServiceError(_l("This agency is not in your register."))
    if agency.version != seen_version:
        raise ServiceError(STALE_AGENCY)
    new = _agency_values(values, agency.province_code)
    changed = sorted(key for key, value in new.items() if key != "search_name" and getattr(agency, key) != value)
    for key, value in new.items():
        setattr(agency, key, value)
    db.session.flush()
    _audit_agency("workforce_agency_changed", agency, by, fields=changed)
    return agency


def _people_in_post(agency: Agency, on: date) -> int:
    in_post = sa.or_(WorkforceMember.to_date.is_(None), WorkforceMember.to_date >= on)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(WorkforceMember).where(WorkforceMember.agency_id == agency.id, in_post)
    )
    return count or 0


def set_agency_active(agency: Agency, active: bool, *, by: User) -> Agency:
    """Deactivate an agency (no new people are added to it; its records stay) or make it active again.
    An agency with people in post, or the facility itself, stays active."""
    _ensure_manager(by)
    if agency_in_reach(agency.id, by) is None:
        raise ServiceError(_l("This agency is not in your register."))
    if agency.active == active:
        raise ServiceError(_l("This agency is already active.") if active else _l("This agency is already inactive."))
    if not active:
        if agency.facility_id is not None:
            raise ServiceError(_l("A facility of the system stays in the register of its own staff."))
        if _people_in_post(agency, local_today()):
            raise ServiceError(_l("People are still in post at this agency: end their posts first."))
    agency.active = active
    db.session.flush()
    _audit_agency("workforce_agency_reactivated" if active else "workforce_agency_deactivated", agency, by)
    return agency


# --- people ---------------------------------------------------------------------------------------------------


def _member_agency(values: Mapping[str, Any], by: User, current: WorkforceMember | None) -> Agency:
    choice = values.get("agency_id")
    if choice == OWN_AGENCY:
        return own_agency(_facility_of(by), by=by)
    agency = agency_in_reach(choice, by)
    if agency is None:
        raise ServiceError(_l("Choose the agency."), field="agency_id")
    if not agency.active and (current is None or current.agency_id != agency.id):
        raise ServiceError(_l("This agency is inactive: choose another one."), field="agency_id")
    return agency


def _citizen_id(values: Mapping[str, Any]) -> str | None:
    value = (values.get("citizen_id") or "").strip() or None
    if value is not None and not _CITIZEN_ID.match(value):
        raise ServiceError(_l("A citizen ID has exactly 12 digits."), field="citizen_id")
    return value


def _birth_year(values: Mapping[str, Any]) -> int | None:
    year = values.get("birth_year")
    if year is None:
        return None
    if not FIRST_BIRTH_YEAR <= year <= local_today().year:
        raise ServiceError(
            _l("The year of birth must be between %(first)d and this year.", first=FIRST_BIRTH_YEAR),
            field="birth_year",
        )
    return int(year)


def _dates(values: Mapping[str, Any]) -> tuple[date, date | None]:
    from_date, to_date = values.get("from_date"), values.get("to_date")
    if from_date is None:
        raise ServiceError(_l("Give the date the person took up the post."), field="from_date")
    if to_date is not None and to_date < from_date:
        raise ServiceError(_l("The end of the post cannot be before its start."), field="to_date")
    return from_date, to_date


def _linked_user(values: Mapping[str, Any], agency: Agency, member: WorkforceMember | None) -> int | None:
    """The caseapp account the person uses: an active user of the agency's facility, linked to no one
    else in the register."""
    user_id = values.get("user_id")
    if not user_id:
        return None
    linked = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if linked is None or not linked.active or linked.facility_id != agency.owner_facility_id:
        raise ServiceError(_l("Choose an active user of the facility."), field="user_id")
    other = db.session.scalar(
        sa.select(WorkforceMember).where(
            WorkforceMember.user_id == linked.id, WorkforceMember.id != (member.id if member else -1)
        )
    )
    if other is not None:
        raise ServiceError(
            _l("This user is already linked to %(name)s in the register.", name=other.full_name), field="user_id"
        )
    return linked.id


def _member_values(values: Mapping[str, Any], agency: Agency, member: WorkforceMember | None) -> dict[str, Any]:
    full_name = _text(values, "full_name", FULL_NAME_MAX, missing=_l("Give the person's full name."))
    from_date, to_date = _dates(values)
    commune = _commune(values.get("commune_code"), agency.province_code) or agency.commune_code
    return {
        "agency_id": agency.id,
        "full_name": full_name,
        "search_name": fold(full_name),
        "sex": _code(values, "sex", SEX_CODES),
        "birth_year": _birth_year(values),
        "citizen_id": _citizen_id(values),
        "phone": _text(values, "phone", PHONE_MAX),
        "kind": _code(values, "kind", MEMBER_KIND_CODES, missing=_l("Choose the kind of post.")),
        "position": _text(values, "position", POSITION_MAX),
        "qualification": _code(values, "qualification", QUALIFICATION_CODES) or "none",
        "professional_title": _code(values, "professional_title", TITLE_CODES),
        "appointment_number": _text(values, "appointment_number", APPOINTMENT_MAX),
        "appointment_date": values.get("appointment_date"),
        "commune_code": commune,
        "from_date": from_date,
        "to_date": to_date,
        "user_id": _linked_user(values, agency, member),
    }


def _audit_member(action: str, member: WorkforceMember, agency: Agency, by: User, **detail: Any) -> None:
    record(
        action,
        by=by,
        entity=member,
        facility_id=agency.owner_facility_id,
        detail={"agency_id": agency.id, **detail},
    )


def create_member(values: Mapping[str, Any], *, by: User) -> WorkforceMember:
    """Add a person to the register of an agency the acting user keeps."""
    _ensure_manager(by)
    agency = _member_agency(values, by, None)
    member = WorkforceMember(created_by_id=by.id, created_at=utcnow())
    for key, value in _member_values(values, agency, None).items():
        setattr(member, key, value)
    db.session.add(member)
    db.session.flush()
    _audit_member("workforce_member_created", member, agency, by, kind=member.kind, user_id=member.user_id)
    return member


def update_member(
    member: WorkforceMember, values: Mapping[str, Any], *, by: User, seen_version: int
) -> WorkforceMember:
    """Change a person's record; refused when someone changed it since the form was opened. Audited with
    the names of the fields changed, not their values."""
    _ensure_manager(by)
    if agency_in_reach(member.agency_id, by) is None:
        raise ServiceError(_l("This person is not in your register."))
    if member.version != seen_version:
        raise ServiceError(STALE_MEMBER)
    agency = _member_agency(values, by, member)
    new = _member_values(values, agency, member)
    changed = sorted(key for key, value in new.items() if key != "search_name" and getattr(member, key) != value)
    for key, value in new.items():
        setattr(member, key, value)
    member.updated_at = utcnow()
    db.session.flush()
    _audit_member("workforce_member_changed", member, agency, by, fields=changed)
    return member


def end_member(member: WorkforceMember, to_date: date | None, *, by: User) -> WorkforceMember:
    """End a person's post: `to_date` is their last day in it."""
    _ensure_manager(by)
    agency = agency_in_reach(member.agency_id, by)
    if agency is None:
        raise ServiceError(_l("This person is not in your register."))
    if member.to_date is not None:
        raise ServiceError(_l("This post has already ended."), field="to_date")
    if to_date is None:
        raise ServiceError(_l("Give the last day in the post."), field="to_date")
    if to_date < member.from_date:
        raise ServiceError(_l("The end of the post cannot be before its start."), field="to_date")
    member.to_date = to_date
    member.updated_at = utcnow()
    db.session.flush()
    _audit_member("workforce_member_ended", member, agency, by, to_date=format_date(to_date))
    return member
