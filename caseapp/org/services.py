"""Writes of facilities."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..core.services import ServiceError
from ..core.text import nfc
from ..extensions import db
from ..reports.deadlines import ensure_default
from .models import Commune, Facility

FACILITY_FIELDS = (
    "code",
    "name",
    "type",
    "province_code",
    "commune_code",
    "street_address",
    "phone",
    "capacity",
    "confidential_address",
    "max_stay_days",
    "is_active",
)


def _check(data, facility_id=None):
    clash = db.session.scalar(sa.select(Facility.id).where(Facility.code == data["code"]))
    if clash is not None and clash != facility_id:
        raise ServiceError(_("Another facility already uses this code."), field="code")
    if data.get("commune_code"):
        commune = db.session.get(Commune, data["commune_code"])
        if commune is None or commune.province_code != data["province_code"]:
            raise ServiceError(_("The commune does not belong to the chosen province."), field="commune_code")


def _clean(data):
    data = {key: data.get(key) for key in FACILITY_FIELDS}
    data["name"] = nfc(data["name"])
    data["street_address"] = nfc(data["street_address"]) or None
    data["commune_code"] = data["commune_code"] or None
    data["phone"] = data["phone"] or None
    if data["max_stay_days"] is None:  # not given: the model's default (create) or the stored value (update)
        del data["max_stay_days"]
    elif not 1 <= data["max_stay_days"] <= 730:
        raise ServiceError(_("The maximum stay is from 1 to 730 days."), field="max_stay_days")
    return data


def create_facility(data, *, by):
    data = _clean(data)
    _check(data)
    facility = Facility(**data)
    db.session.add(facility)
    db.session.flush()
    record("facility_created", by=by, entity=facility, detail={"type": facility.type})
    # Here, not in the reminders job: a new facility has its yearly report deadline from its first day
    # (its list, its home page). The import layering allows it: reports.deadlines reaches no org service.
    ensure_default(facility, by=by)
    return facility


def update_facility(facility, data, *, by):
    data = _clean(data)
    _check(data, facility.id)
    changed = sorted(key for key, value in data.items() if getattr(facility, key) != value)
    for key, value in data.items():
        setattr(facility, key, value)
    record("facility_updated", by=by, entity=facility, detail={"fields": changed})
    db.session.flush()
    return facility
