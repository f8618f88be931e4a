"""Reads of facilities and administrative units, scoped to the acting user."""

import sqlalchemy as sa

from ..core.text import place_sort_key
from ..extensions import db
from ..security.scopes import facility_scope
from .models import Commune, Facility, Province


def visible_facilities(user):
    """Facilities whose settings the user may see: all for admins, their own otherwise."""
    return sa.select(Facility).where(facility_scope(Facility.id, user))


def provinces() -> list[Province]:
    """Every province, in Vietnamese alphabetical order (core.text.place_sort_key)."""
    return sorted(db.session.scalars(sa.select(Province)), key=lambda p: place_sort_key(p.name))


def communes_of(province_code) -> list[Commune]:
    """The communes of a province, in Vietnamese alphabetical order (core.text.place_sort_key)."""
    rows = db.session.scalars(sa.select(Commune).where(Commune.province_code == province_code))
    return sorted(rows, key=lambda c: (place_sort_key(c.name), c.code))


# --- confidential addresses (perpetrators must never learn where a victim is) ------------------


def _loaded(obj, name):
    """A relationship's value if it is already loaded (never a query: relationships raise on SQL)."""
    state = sa.inspect(obj)
    return None if name in state.unloaded else getattr(obj, name)


def format_address(facility):
    """Street, commune, province — the parts that are known and loaded."""
    commune, province = _loaded(facility, "commune"), _loaded(facility, "province")
    parts = [facility.street_address, commune.name if commune else None, province.name if province else None]
    return ", ".join(p for p in parts if p) or None


def facility_address(facility, user):
    """The facility's address for this user's screen, or None when it is confidential to them:
    a confidential address is shown only to users of the facility itself (admins included —
    an admin of another facility does not see it)."""
    if facility is None or not facility.address_visible_to(user):
        return None
    return format_address(facility)


def printable_address(facility, leaving_facility=True):
    """The address for a document or export. A confidential address is never printed on anything
    that leaves the facility (the default); only a document kept inside the shelter itself
    (leaving_facility=False) may carry it. Pure: no user, no request, no query."""
    if facility is None or (facility.confidential_address and leaving_facility):
        return None
    return format_address(facility)
