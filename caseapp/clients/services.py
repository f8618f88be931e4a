"""Writes of the client registry. Every change is kept in client_changes (history) and audited
(without personal data) in the same transaction."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.services import record
from ..core.categories import RELATIONSHIPS
from ..core.sequences import next_values
from ..core.services import ServiceError
from ..core.sql import copy_rows, insert_many
from ..core.text import fold, nfc
from ..core.timeutil import VN_TZ, local_today, utcnow
from ..extensions import db
from .identity.services import tell_holders
from .models import Client, ClientChange, Consent, FamilyMember
from .queries import digits
from .rights.models import ClientAnonymisation

# Fields of the client record that the registry forms edit, and that the history tracks.
CLIENT_FIELDS = (
    "full_name",
    "alias",
    "other_names",
    "sex",
    "birth_date",
    "birth_year",
    "birth_precision",
    "ethnicity",
    "nationality",
    "citizen_id",
    "phone",
    "province_code",
    "commune_code",
    "street_address",
    "hometown",
    "disabilities",
    "is_sensitive",
)
TEXT_FIELDS = (
    "full_name",
    "alias",
    "other_names",
    "nationality",
    "phone",
    "street_address",
    "hometown",
    "disabilities",
)


def client_codes(facility, full_names: list[str | None], year=None) -> list[str]:
    """Each person's code, from the facility's yearly sequence: DT-<facility>-<year>-<sequence> for a
    person whose full name is known, TAM-<facility>-<year>-<sequence> (temporary) for one known only by
    an alias or not at all."""
    year = year or utcnow().astimezone(VN_TZ).year
    numbers = next_values(facility.id, "client", year, len(full_names))
    return [
        f"{'DT' if full_name else 'TAM'}-{facility.code}-{year}-{n:05d}"
        for full_name, n in zip(full_names, numbers, strict=True)
    ]


def birth_fields(*, precision, birth_date=None, birth_year=None, estimated_age=None, today=None):
    """Normalise the three ways of knowing a birth date into (birth_date, birth_year, precision).
    Refuses dates in the future or before 1900."""
    today = today or local_today()
    if precision == "exact" and birth_date:
        if birth_date > today or birth_date.year < 1900:
            raise ServiceError(_("The date of birth must be between 1900 and today."), field="birth_date")
        return birth_date, birth_date.year, "exact"
    if precision == "year" and birth_year:
        if birth_year > today.year or birth_year < 1900:
            raise ServiceError(_("The year of birth must be between 1900 and this year."), field="birth_year")
        return None, birth_year, "year"
    if precision == "estimated" and estimated_age is not None:
        if estimated_age < 0 or estimated_age > 120:
            raise ServiceError(_("The estimated age must be between 0 and 120."), field="estimated_age")
        return None, today.year - estimated_age, "estimated"
    return None, None, None


def _clean(data):
    data = {key: data.get(key) for key in CLIENT_FIELDS if key in data}
    for key in TEXT_FIELDS:
        if key in data:
            data[key] = nfc(data[key]) or None
    if "citizen_id" in data:
        data["citizen_id"] = digits(data["citizen_id"]) or None
    for key in ("province_code", "commune_code", "ethnicity"):
        if key in data:
            data[key] = data[key] or None
    return data


def _validate(data, client_id=None, *, facility_id=None):
    today = local_today()
    if data.get("birth_date") and not date(1900, 1, 1) <= data["birth_date"] <= today:
        raise ServiceError(_("The date of birth must be between 1900 and today."), field="birth_date")
    if data.get("birth_year") and not 1900 <= data["birth_year"] <= today.year:
        raise ServiceError(_("The year of birth must be between 1900 and this year."), field="birth_year")
    citizen_id = data.get("citizen_id")
    if citizen_id:
        if len(citizen_id) != 12:
            raise ServiceError(_("A citizen ID has exactly 12 digits."), field="citizen_id")
        # Unique in the facility only: another facility's client with the number is neither refused nor
        # told of (clients.identity tells that facility instead).
        existing = db.session.scalar(
            sa.select(Client).where(Client.citizen_id == citizen_id, Client.facility_id == facility_id)
        )
        if existing is not None and existing.id != client_id:
            error = ServiceError(_("Another client already has this citizen ID."), field="citizen_id")
            error.existing_client_id = existing.id
            raise error
    if not data.get("full_name") and not data.get("alias") and client_id is None:
        raise ServiceError(_("Enter the full name, or an alias if the name is not known."), field="full_name")


def _search_name(client):
    return _search_name_of(client.full_name, client.alias, client.other_names, client.code)


def _search_name_of(full_name, alias, other_names, code):
    return " ".join(filter(None, (fold(full_name), fold(alias), fold(other_names), fold(code))))[:600]


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def create_client(data, *, facility, by, kind: str = "created"):
    data = _clean(data)
    _validate(data, facility_id=facility.id)
    client = Client(facility_id=facility.id, created_by_id=getattr(by, "id", None), **data)
    client.code = client_codes(facility, [client.full_name])[0]
    client.phone_digits = digits(client.phone) or None
    client.search_name = _search_name(client)
    db.session.add(client)
    db.session.flush()
    db.session.add(
        ClientChange(
            client_id=client.id,
            changed_by_id=getattr(by, "id", None),
            kind=kind,
            changes={k: [None, _jsonable(v)] for k, v in data.items() if v not in (None, "", False)},
        )
    )
    record("client_created", by=by, entity=client, detail={"identity_unknown": client.identity_unknown})
    tell_holders([client.id], by=by)
    return client


_BULK_DEFAULTS = {"sex": "unknown", "is_sensitive": False}


def create_clients(records, *, facility, by, kind: str) -> list[int]:
    """create_client for many people at once (a register's import): one INSERT of the clients and one
    of their history rows, a run of codes taken in one step, and one audit event for the lot; the
    citizen IDs were checked by the caller against the facility's clients (the unique index refuses a
    clash); another facility holding one is told (clients.identity). Their ids, in order."""
    cleaned = [_clean(data) for data in records]
    keys = {key for data in cleaned for key in data}  # one column list for every row
    rows = []
    for data, code in zip(cleaned, client_codes(facility, [data.get("full_name") for data in cleaned]), strict=True):
        _validate({**data, "citizen_id": None})  # dates and name; the citizen ID as said above
        row = {key: data.get(key, _BULK_DEFAULTS.get(key)) for key in keys}
        row.update(facility_id=facility.id, created_by_id=getattr(by, "id", None), code=code)
        row["phone_digits"] = digits(row.get("phone")) or None
        row["search_name"] = _search_name_of(row.get("full_name"), row.get("alias"), row.get("other_names"), code)
        rows.append(row)
    if not rows:
        return []
    ids = insert_many(Client, rows)
    copy_rows(
        ClientChange,
        [
            {
                "client_id": client_id,
                "changed_by_id": getattr(by, "id", None),
                "kind": kind,
                "changes": {k: [None, _jsonable(v)] for k, v in data.items() if v not in (None, "", False)},
            }
            for client_id, data in zip(ids, cleaned, strict=True)
        ],
    )
    record("clients_created", by=by, entity_type="facilities", entity_id=facility.id, detail={"count": len(ids)})
    tell_holders([client_id for client_id, data in zip(ids, cleaned, strict=True) if data.get("citizen_id")], by=by)
    return ids


# The fields that identify a person: changing one that held a value is a correction, and the edit form
# asks why (Nghị định 13/2023/NĐ-CP, Điều 15: corrections are recorded). A sex "unknown" held no value.
IDENTIFYING_FIELDS = ("full_name", "other_names", "sex", "birth_date", "birth_year", "citizen_id")
REASON_MAX_LENGTH = 255


def corrected_fields(client, data):
    """The identifying fields of `data` that would replace a value the record holds (sorted)."""
    data = _clean(data)
    held = {key: getattr(client, key) for key in IDENTIFYING_FIELDS}
    held["sex"] = None if held["sex"] == "unknown" else held["sex"]
    return sorted(k for k in IDENTIFYING_FIELDS if k in data and held[k] not in (None, "") and data[k] != held[k])


def is_anonymised(client_id: int) -> bool:
    return (
        db.session.scalar(sa.select(ClientAnonymisation.id).where(ClientAnonymisation.client_id == client_id))
        is not None
    )


def refuse_if_anonymised(client_id: int) -> None:
    """An anonymised record stays as the anonymisation left it: nothing identifying may come back
    (Nghị định 13/2023/NĐ-CP, Điều 16: erased data is not restored)."""
    if is_anonymised(client_id):
        raise ServiceError(_("This record was anonymised: it can no longer be changed."))


def update_client(client, data, *, by, reason=None, ask_reason=False):
    """Apply changed fields, keep the history of what changed (and why, when given), audit it. With
    `ask_reason` (the edit form), correcting an identifying field is refused without a reason.
    Returns the changed field names. An anonymised record is refused."""
    refuse_if_anonymised(client.id)
    reason = nfc(reason).strip() if reason else None
    if reason and len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(_("At most %(max)d characters.", max=REASON_MAX_LENGTH), field="change_reason")
    if ask_reason and not reason and corrected_fields(client, data):
        raise ServiceError(
            _("Give the reason for correcting the name, sex, date of birth or citizen ID."), field="change_reason"
        )
    data = _clean(data)
    _validate(
        {**{k: getattr(client, k) for k in ("full_name", "alias")}, **data},
        client_id=client.id,
        facility_id=client.facility_id,
    )
    changes = {}
    for key, value in data.items():
        old = getattr(client, key)
        if old != value:
            changes[key] = [_jsonable(old), _jsonable(value)]
            setattr(client, key, value)
    if not client.full_name and not client.alias:
        raise ServiceError(_("Enter the full name, or an alias if the name is not known."), field="full_name")
    if changes:
        client.phone_digits = digits(client.phone) or None
        client.search_name = _search_name(client)
        client.updated_at = utcnow()
        db.session.add(
            ClientChange(
                client_id=client.id,
                changed_by_id=getattr(by, "id", None),
                kind="updated",
                changes=changes,
                reason=reason,
            )
        )
        record("client_updated", by=by, entity=client, detail={"fields": sorted(changes)})
        db.session.flush()
        if changes.get("citizen_id", [None, None])[1]:
            tell_holders([client.id], by=by)
    return sorted(changes)


def record_consent(
    client, *, purpose, given_by, by, giver_name=None, recipient=None, child_assent=None, intake=None, given_at=None
):
    """Consent per purpose. For a child the guardian consents; from age 7 the child's own consent is
    required too (Nghị định 13/2023/NĐ-CP, Điều 20)."""
    if purpose == "share_provider" and not recipient:
        raise ServiceError(_("Name the provider the information may be shared with."), field="share_recipient")
    age = client.age
    if age is not None and age < 16 and given_by != "guardian":
        raise ServiceError(_("For a child the guardian gives consent."), field="consent_given_by")
    if age is not None and 7 <= age < 16 and child_assent is None:
        raise ServiceError(_("Record whether the child (7 or older) agrees."), field="child_assent")
    consent = Consent(
        client_id=client.id,
        intake_id=getattr(intake, "id", None),
        purpose=purpose,
        recipient=nfc(recipient) or None,
        given_by=given_by,
        giver_name=nfc(giver_name) or None,
        child_assent=child_assent,
        given_at=given_at or utcnow(),
        recorded_by_id=getattr(by, "id", None),
    )
    db.session.add(consent)
    db.session.flush()
    record("consent_recorded", by=by, entity=client, detail={"purpose": purpose, "consent_id": consent.id})
    return consent


def withdraw_consent(consent, *, reason, by):
    if consent.withdrawn_at is not None:
        raise ServiceError(_("This consent was already withdrawn."))
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = getattr(by, "id", None)
    consent.withdrawal_reason = nfc(reason) or None
    record(
        "consent_withdrawn",
        by=by,
        entity_type="clients",
        entity_id=consent.client_id,
        detail={"purpose": consent.purpose, "consent_id": consent.id},
    )
    db.session.flush()
    return consent


# --- family members and guardians ------------------------------------------------------------------
FAMILY_FIELDS = (
    "full_name",
    "relationship",
    "phone",
    "lives_with_client",
    "is_guardian",
    "is_alleged_perpetrator",
    "note",
)


def _family_data(data):
    data = {key: data.get(key) for key in FAMILY_FIELDS if key in data}
    for key in ("full_name", "phone", "note"):
        if key in data:
            data[key] = nfc(data[key]) or None
    for key in ("lives_with_client", "is_guardian", "is_alleged_perpetrator"):
        if key in data:
            data[key] = bool(data[key])
    if "full_name" in data and not data["full_name"]:
        raise ServiceError(_("Enter the family member's name."), field="full_name")
    if "relationship" in data and data["relationship"] not in {c.code for c in RELATIONSHIPS}:
        raise ServiceError(_("Choose the relationship."), field="relationship")
    return data


def add_family_member(client, data, *, by):
    """A relative, guardian or alleged perpetrator of the client; kept in the client's history."""
    refuse_if_anonymised(client.id)
    data = _family_data(data)
    member = FamilyMember(client_id=client.id, **data)
    db.session.add(member)
    db.session.flush()
    db.session.add(
        ClientChange(
            client_id=client.id,
            changed_by_id=getattr(by, "id", None),
            kind="family_added",
            changes={k: [None, v] for k, v in data.items() if v not in (None, "", False)},
        )
    )
    record("family_member_added", by=by, entity=client, detail={"member_id": member.id})
    return member


def update_family_member(member, data, *, by):
    refuse_if_anonymised(member.client_id)
    data = _family_data(data)
    changes = {}
    for key, value in data.items():
        old = getattr(member, key)
        if old != value:
            changes[key] = [old, value]
            setattr(member, key, value)
    if changes:
        changes.setdefault("full_name", [member.full_name, member.full_name])  # whose row it was
        db.session.add(
            ClientChange(
                client_id=member.client_id,
                changed_by_id=getattr(by, "id", None),
                kind="family_updated",
                changes=changes,
            )
        )
        record(
            "family_member_updated",
            by=by,
            entity_type="clients",
            entity_id=member.client_id,
            detail={"member_id": member.id, "fields": sorted(k for k in changes if changes[k][0] != changes[k][1])},
        )
        db.session.flush()
    return sorted(k for k in changes if changes[k][0] != changes[k][1])


def remove_family_member(member, *, by) -> None:
    db.session.add(
        ClientChange(
            client_id=member.client_id,
            changed_by_id=getattr(by, "id", None),
            kind="family_removed",
            changes={"full_name": [member.full_name, None], "relationship": [member.relationship, None]},
        )
    )
    record(
        "family_member_removed",
        by=by,
        entity_type="clients",
        entity_id=member.client_id,
        detail={"member_id": member.id},
    )
    db.session.delete(member)
    db.session.flush()
