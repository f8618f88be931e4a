"""A row of a workforce list read (text in Unicode, values parsed, agency and commune recognised) and
decided against the register: a new person, the same person unchanged or changed, or refused."""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.legacy_text import to_unicode
from ...core.text import fold, nfc
from ...core.timeutil import local_today
from ...extensions import db
from ...org.models import Facility, Province
from ...register.imports import values
from ...register.imports.addresses import resolver
from ...register.imports.models import ImportBatch, RowOutcome
from ...security.scopes import agency_scope, workforce_member_scope
from ..models import Agency, WorkforceMember
from ..services import APPOINTMENT_MAX, FIRST_BIRTH_YEAR, FULL_NAME_MAX, NAME_MAX, PHONE_MAX, POSITION_MAX
from .columns import COLUMN_OF, COLUMNS, DATES, FIELDS, agency_key, coded, kind_of_new_agency

# --- reading a row ------------------------------------------------------------------------------------------


@dataclass
class _Read:
    member: dict[str, Any] = field(default_factory=dict)  # WorkforceMember's fields the list gives
    agency: dict[str, Any] = field(default_factory=dict)  # id (None: new), name, kind, commune_code
    errors: list[list[str]] = field(default_factory=list)

    def refuse(self, column: str, message: object) -> None:
        self.errors.append([column, str(message)])


class _Reader:
    """Reads the rows of one list: text in Unicode NFC (legacy TCVN3/VNI converted), values parsed,
    the agency and the commune recognised (each distinct commune name resolved once)."""

    def __init__(self, batch: ImportBatch, facility: Facility, agencies: list[Agency]) -> None:
        self.mapping = {key: int(index) for key, index in batch.mapping["columns"].items()}
        self.encoding, self.facility = batch.encoding, facility
        self.province_name = db.session.scalar(sa.select(Province.name).where(Province.code == facility.province_code))
        self.resolve = resolver()
        self.agencies: dict[str, list[Agency]] = {}
        for agency in agencies:
            self.agencies.setdefault(agency_key(agency.name), []).append(agency)

    def cell(self, cells: list[Any], key: str) -> Any:
        index = self.mapping.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        if isinstance(value, str):
            return nfc(to_unicode(value, self.encoding)) or None
        return value

    def text(self, cells: list[Any], key: str) -> str | None:
        value = self.cell(cells, key)
        return nfc(values.text(value)) or None if value is not None else None

    def read(self, cells: list[Any]) -> _Read:
        row = _Read()
        self._person(row, cells)
        self._post(row, cells)
        self._agency(row, cells)
        return row

    def _parsed(self, row: _Read, key: str, parse: Callable[[Any], Any], value: Any) -> Any:
        try:
            return parse(value)
        except values.CellError as error:
            row.refuse(key, error)
            return None

    def _limited(self, row: _Read, key: str, limit: int, cells: list[Any]) -> str | None:
        text = self.text(cells, key)
        if text and len(text) > limit:
            row.refuse(key, _("At most %(max)d characters.", max=limit))
        return text

    def _put(self, row: _Read, key: str, value: Any) -> None:
        """A column's value, when the list has the column (a column it lacks changes nothing)."""
        if key in self.mapping:
            row.member[FIELDS[key]] = value

    def _person(self, row: _Read, cells: list[Any]) -> None:
        name = self._limited(row, "full_name", FULL_NAME_MAX, cells)
        if not name:
            row.refuse("full_name", _("The full name is required."))
        row.member["full_name"] = name
        self._put(row, "sex", self._parsed(row, "sex", lambda v: coded("sex", v), self.text(cells, "sex")))
        self._put(row, "birth_year", self._birth_year(row, cells))
        self._put(row, "citizen_id", self._parsed(row, "citizen_id", values.citizen_id, self.cell(cells, "citizen_id")))
        self._put(row, "phone", _phone(self._limited(row, "phone", PHONE_MAX, cells)))

    def _birth_year(self, row: _Read, cells: list[Any]) -> int | None:
        born = self._parsed(
            row, "birth_year", functools.partial(values.day, year_only=True), self.cell(cells, "birth_year")
        )
        year = (born[0].year if born[0] else born[1]) if born else None
        if year is not None and not FIRST_BIRTH_YEAR <= year <= local_today().year:
            row.refuse(
                "birth_year", _("The year of birth must be between %(first)d and this year.", first=FIRST_BIRTH_YEAR)
            )
            return None
        return year

    def _post(self, row: _Read, cells: list[Any]) -> None:
        kind = self._parsed(row, "kind", lambda v: coded("kind", v), self.text(cells, "kind"))
        if not kind and not any(e[0] == "kind" for e in row.errors):
            row.refuse("kind", _("The kind of post is required."))
        row.member["kind"] = kind
        self._put(row, "position", self._limited(row, "position", POSITION_MAX, cells))
        qualification = self._parsed(
            row, "qualification", lambda v: coded("qualification", v), self.text(cells, "qualification")
        )
        self._put(row, "qualification", qualification or "none")
        title = self._parsed(
            row, "professional_title", lambda v: coded("professional_title", v), self.text(cells, "professional_title")
        )
        self._put(row, "professional_title", title)
        self._put(row, "appointment_number", self._limited(row, "appointment_number", APPOINTMENT_MAX, cells))
        for key in DATES:
            day = self._parsed(row, key, values.day, self.cell(cells, key))
            self._put(row, key, day[0] if day else None)
        if row.member.get("from_date") is None and not any(e[0] == "from_date" for e in row.errors):
            row.refuse("from_date", _("The date the person took up the post is required."))
        start, end = row.member.get("from_date"), row.member.get("to_date")
        if start and end and end < start:
            row.refuse("to_date", _("The end of the post cannot be before its start."))

    def _agency(self, row: _Read, cells: list[Any]) -> None:
        commune = self._commune(row, self.text(cells, "commune"))
        name = self._limited(row, "agency", NAME_MAX, cells)
        if not name:
            row.refuse("agency", _("The agency is required."))
            return
        kind = self._parsed(row, "agency_kind", lambda v: coded("agency_kind", v), self.text(cells, "agency_kind"))
        found = self._known_agency(row, name, commune)
        if found is not None:
            row.agency = {
                "id": found.id,
                "name": found.name,
                "commune_code": found.commune_code,
                "active": found.active,
            }
        elif agency_key(name) == agency_key(self.facility.name):  # the facility itself: its own agency
            row.agency = {
                "id": None,
                "own": True,
                "name": self.facility.name,
                "commune_code": self.facility.commune_code,
            }
        else:
            kind = kind or kind_of_new_agency(name)
            place = commune or (self._commune_named(name) if kind == "commune" else None)
            row.agency = {"id": None, "name": name, "kind": kind, "commune_code": place}
        if "commune" in self.mapping:  # else a new person's is the agency's (write), a known one's kept
            row.member["commune_code"] = commune or row.agency.get("commune_code")

    def _known_agency(self, row: _Read, name: str, commune: str | None) -> Agency | None:
        same = self.agencies.get(agency_key(name), [])
        if len(same) > 1:  # two agencies of that name: the commune tells them apart
            same = [a for a in same if a.commune_code == commune] if commune else []
            if len(same) != 1:
                row.refuse("agency", _("Several agencies of the register have this name: give the commune too."))
                return None
        return same[0] if same else None

    def _commune(self, row: _Read, name: str | None) -> str | None:
        """Today's commune of that name in the facility's province (a name of before 01/07/2025 is
        converted when it became part of one commune)."""
        if not name:
            return None
        place = self.resolve(name, "", self.province_name or "", "", self.facility.province_code)
        if place.commune_code and place.province_code == self.facility.province_code:
            return place.commune_code
        if place.options:
            row.refuse("commune", _("This commune was split on 01/07/2025: write today's commune."))
        else:
            row.refuse("commune", _("Not a commune of the province: %(value)s.", value=name))
        return None

    def _commune_named(self, agency_name: str) -> str | None:
        """The commune a commune People's Committee is named after, when the province has it."""
        bare = re.sub(r"^(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", "", agency_name, flags=re.IGNORECASE)
        place = self.resolve(bare, "", self.province_name or "", "", self.facility.province_code)
        return place.commune_code if place.province_code == self.facility.province_code else None


def _phone(text: str | None) -> str | None:
    """A phone number typed in a number cell loses its leading 0 (912345678 → 0912345678)."""
    if text and text.isdigit() and len(text) == 9:
        return "0" + text
    return text


# --- deciding a row --------------------------------------------------------------------------------------------


def facility_agencies(batch: ImportBatch, facility: Facility, user: Any) -> list[Agency]:
    """The agencies the importing facility keeps, in its province, within the user's reach."""
    return list(
        db.session.scalars(
            sa.select(Agency).where(
                agency_scope(user),
                Agency.owner_facility_id == batch.facility_id,
                Agency.province_code == facility.province_code,
            )
        )
    )


class WorkforceEvaluation:
    """Rows decided a chunk at a time: the people of the register a chunk names (by citizen ID or
    name) read in one query."""

    def __init__(self, batch: ImportBatch, user: Any) -> None:
        self.batch, self.user = batch, user
        self.facility = db.session.get_one(Facility, batch.facility_id)
        self.reader = _Reader(batch, self.facility, facility_agencies(batch, self.facility, user))
        self.seen: dict[Any, int] = {}  # a person's key → the first row that names them

    def decide(self, chunk: list[Any]) -> None:
        reads = [self.reader.read(row.cells) for row in chunk]
        people = self._people(reads)
        for row, read in zip(chunk, reads, strict=True):
            self._decide(row, read, people)

    def audit_lookup(self) -> None:
        """Nothing to add: the file's reading is audited (register_import_read), and the page that
        shows the rows audits the people it names."""

    def _people(self, reads: list[_Read]) -> list[WorkforceMember]:
        ids = sorted({r.member["citizen_id"] for r in reads if r.member.get("citizen_id")})
        names = sorted({fold(r.member["full_name"]) for r in reads if r.member.get("full_name")})
        if not ids and not names:
            return []
        return list(
            db.session.scalars(
                sa.select(WorkforceMember)
                .join(Agency, Agency.id == WorkforceMember.agency_id)
                .where(
                    workforce_member_scope(self.user),
                    Agency.owner_facility_id == self.batch.facility_id,
                    sa.or_(WorkforceMember.citizen_id.in_(ids), WorkforceMember.search_name.in_(names)),
                )
                .order_by(WorkforceMember.id)
            )
        )

    def _decide(self, row: Any, read: _Read, people: list[WorkforceMember]) -> None:
        row.values = {"member": jsonable(read.member), "agency": read.agency}
        row.messages, row.options, row.client_id, row.choice, row.member_id = read.errors, [], None, None, None
        if read.errors:
            row.outcome = RowOutcome.REFUSED
            return
        member, why = _same_person(read, people)
        key = ("member", member.id) if member else _new_person_key(read)
        if key in self.seen:
            row.outcome = RowOutcome.REFUSED
            row.messages = [["full_name", _("Same person as row %(row)s.", row=self.seen[key])]]
            return
        self.seen[key] = row.row_number
        if member is None and read.agency.get("active") is False:  # its people stay, nobody is added
            row.outcome = RowOutcome.REFUSED
            row.messages = [["agency", _("This agency is inactive: choose another one.")]]
            return
        if member is None:
            row.outcome = RowOutcome.CREATE
            row.messages = _new_agency_note(read)
            return
        row.member_id = member.id
        changed = [name for name, value in read.member.items() if getattr(member, name) != value]
        if read.agency.get("id") != member.agency_id:
            changed.append("agency_id")
        row.values["seen_version"] = member.version
        row.values["changed"] = changed
        row.outcome = RowOutcome.UPDATE if changed else RowOutcome.UNCHANGED
        if changed:
            headers = ", ".join(COLUMNS.header(COLUMN_OF[name]).rstrip("*") for name in changed)
            row.messages = [
                [why, _("Already in the register; changes: %(columns)s.", columns=headers)],
                *_new_agency_note(read),
            ]


def _same_person(read: _Read, people: list[WorkforceMember]) -> tuple[WorkforceMember | None, str]:
    """The person of the register the row is, and the column that says so: the same citizen ID; or
    the same name, year of birth and agency for a person the register holds without another ID. Of
    several (posts one after another), the one of the same start date, else the latest."""
    citizen_id = read.member.get("citizen_id")
    same_id = [p for p in people if citizen_id and p.citizen_id == citizen_id]
    if same_id:
        return _of_posts(same_id, read), "citizen_id"
    name = fold(read.member.get("full_name"))
    same = [
        p
        for p in people
        if read.agency.get("id") is not None
        and p.search_name == name
        and p.birth_year == read.member.get("birth_year")
        and p.agency_id == read.agency["id"]
        and (p.citizen_id is None or citizen_id is None)
    ]
    return (_of_posts(same, read), "full_name") if same else (None, "full_name")


def _of_posts(people: list[WorkforceMember], read: _Read) -> WorkforceMember:
    same_start = [p for p in people if p.from_date == read.member.get("from_date")]
    return same_start[0] if same_start else max(people, key=lambda p: (p.from_date, p.id))


def _new_person_key(read: _Read) -> tuple[Any, ...]:
    start = read.member.get("from_date")
    if read.member.get("citizen_id"):
        return ("id", read.member["citizen_id"], start)
    agency = read.agency.get("id") or agency_key(read.agency.get("name"))
    return ("name", fold(read.member.get("full_name")), read.member.get("birth_year"), agency, start)


def _new_agency_note(read: _Read) -> list[list[str]]:
    if read.agency.get("id") is not None or read.agency.get("own"):
        return []
    return [["agency", _("Not yet in the register: added with the list (%(name)s).", name=read.agency["name"])]]


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in data.items()}


def dated(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: date.fromisoformat(value) if key in DATES and isinstance(value, str) else value
        for key, value in data.items()
    }
