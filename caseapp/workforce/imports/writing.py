"""The rows of a workforce list written — new people, changes in place, agencies not yet kept — with
what each row wrote kept on it, and undone while nobody changed them since."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.services import ServiceError
from ...core.text import fold
from ...core.timeutil import utcnow
from ...extensions import db
from ...org.models import Facility
from ...register.imports.models import ImportBatch, ImportRow, RowOutcome
from ..models import Agency, TrainingParticipant, WorkforceMember
from ..services import own_agency
from .columns import DATES, KEPT, agency_key
from .reading import dated, facility_agencies, jsonable


class _AgencyMaker:
    """The agency of a row: known at the preview, or found now (made by an earlier row or chunk of the
    same list), or made now, owned by the importing facility."""

    def __init__(self, batch: ImportBatch, user: Any) -> None:
        self.batch, self.user = batch, user
        self.facility = db.session.get_one(Facility, batch.facility_id)
        self.known = {agency_key(a.name): a for a in facility_agencies(batch, self.facility, user)}

    def of(self, row: ImportRow) -> tuple[Agency, bool]:
        wanted = row.values["agency"]
        if wanted.get("id") is not None:
            agency = db.session.get(Agency, wanted["id"])
            if agency is None or agency.owner_facility_id != self.batch.facility_id:
                raise ServiceError(_("An agency of this import is no longer in the register: read the file again."))
            return agency, False
        if wanted.get("own"):
            return own_agency(self.facility, by=self.user), False
        key = agency_key(wanted["name"])
        if key in self.known:
            return self.known[key], False
        agency = Agency(
            owner_facility_id=self.batch.facility_id,
            province_code=self.facility.province_code,
            commune_code=wanted.get("commune_code"),
            kind=wanted["kind"],
            name=wanted["name"],
            search_name=fold(wanted["name"]),
            active=True,
            created_by_id=self.user.id,
        )
        db.session.add(agency)
        db.session.flush()
        self.known[key] = agency
        return agency, True


def write(batch: ImportBatch, chunk: list[ImportRow], user: Any) -> None:
    """The chunk's new people and changes, with the batch as their source; what each row wrote is kept
    on it (the version it left, the values it replaced) for the undo."""
    agencies = _AgencyMaker(batch, user)
    for row in chunk:
        if row.outcome == RowOutcome.CREATE:
            _create(batch, row, agencies, user)
        elif row.outcome == RowOutcome.UPDATE:
            _update(batch, row, agencies)


def _create(batch: ImportBatch, row: ImportRow, agencies: _AgencyMaker, user: Any) -> None:
    agency, made = agencies.of(row)
    data = dated(row.values["member"])
    data["commune_code"] = data.get("commune_code") or agency.commune_code
    data["qualification"] = data.get("qualification") or "none"
    member = WorkforceMember(
        **data,
        agency_id=agency.id,
        search_name=fold(data["full_name"]),
        source_batch_id=batch.id,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    db.session.add(member)
    db.session.flush()
    row.member_id = member.id
    row.values = {**row.values, "version": member.version, "agency_created": agency.id if made else None}


def _update(batch: ImportBatch, row: ImportRow, agencies: _AgencyMaker) -> None:
    member = db.session.get(WorkforceMember, row.member_id) if row.member_id else None
    if member is None:
        raise ServiceError(_("A person of this import is no longer in the register: read the file again."))
    if member.version != row.values.get("seen_version"):
        raise ServiceError(_("A person of this import was changed since the preview: read the file again."))
    agency, made = agencies.of(row)
    before = jsonable({name: getattr(member, name) for name in KEPT})
    before["updated_at"] = member.updated_at.isoformat() if member.updated_at else None
    for name, value in dated(row.values["member"]).items():
        setattr(member, name, value)
    member.agency_id, member.search_name = agency.id, fold(member.full_name)
    member.updated_at, member.source_batch_id = utcnow(), batch.id
    db.session.flush()
    row.values = {
        **row.values,
        "version": member.version,
        "before": before,
        "agency_created": agency.id if made else None,
    }


def _written(batch: ImportBatch) -> list[ImportRow]:
    return list(
        db.session.scalars(
            sa.select(ImportRow)
            .where(
                ImportRow.batch_id == batch.id,
                ImportRow.outcome.in_([RowOutcome.CREATE, RowOutcome.UPDATE]),
                ImportRow.member_id.is_not(None),
            )
            .order_by(ImportRow.id)
        )
    )


def undoable(batch: ImportBatch) -> bool:
    """None of the people it wrote was changed since (each still at the version the batch left), and
    none of those it added was entered in a training course."""
    rows = _written(batch)
    member_ids = [row.member_id for row in rows if row.member_id is not None]
    versions: dict[int | None, int] = dict(
        db.session.execute(
            sa.select(WorkforceMember.id, WorkforceMember.version).where(WorkforceMember.id.in_(member_ids))
        )
        .tuples()
        .all()
    )
    if any(versions.get(row.member_id, row.values.get("version")) != row.values.get("version") for row in rows):
        return False
    added = [row.member_id for row in rows if row.outcome == RowOutcome.CREATE]
    trained = sa.select(TrainingParticipant.id).where(TrainingParticipant.member_id.in_(added)).limit(1)
    return not added or db.session.scalar(trained) is None


def undo(batch: ImportBatch, user: Any) -> None:
    """The people it added removed, the records it changed given back their values, then the agencies
    it added that nobody works at any more."""
    rows = _written(batch)
    for row in rows:
        member = db.session.get(WorkforceMember, row.member_id)
        if member is None:
            continue
        if row.outcome == RowOutcome.CREATE:
            db.session.delete(member)
        else:
            for name, value in row.values["before"].items():
                setattr(member, name, _restored(name, value))
    db.session.flush()
    made = {row.values["agency_created"] for row in rows if row.values.get("agency_created")}
    for agency_id in sorted(made):
        if not db.session.scalar(sa.select(sa.func.count()).where(WorkforceMember.agency_id == agency_id)):
            db.session.execute(sa.delete(Agency).where(Agency.id == agency_id))


def _restored(name: str, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if name in DATES:
        return date.fromisoformat(value)
    if name == "updated_at":
        return datetime.fromisoformat(value)
    return value
