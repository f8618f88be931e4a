"""One row of a register file read into the values of a client and a membership, with what is wrong
with it said per column."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from ...core.legacy_text import to_unicode
from ...core.services import ServiceError
from ...core.timeutil import local_today
from .. import services as register_services
from . import values
from .addresses import Place, resolver
from .columns import BY_KEY

TEXT_COLUMNS = frozenset(
    {"full_name", "phone", "address", "commune", "district", "province", "decision_number", "decision_issuer"}
    | {"certificate_number", "reason", "group", "ethnicity", "disability_type", "disability_degree", "care_mode"}
    | {"status", "sex"}
)
MEMBERSHIP_FIELDS = register_services.DETAIL_FIELDS + ("effective_from", "status", "reason")
# Columns that differ from person to person: not remembered (a file's worth of entries, never reused).
PERSONAL_COLUMNS = frozenset({"full_name", "citizen_id", "phone", "address", "decision_number", "certificate_number"})


@dataclass
class ReadRow:
    client: dict[str, Any] = field(default_factory=dict)  # fields of clients.services.create_client
    group: str | None = None
    membership: dict[str, Any] = field(default_factory=dict)  # fields of register.services.clean
    place: Place = field(default_factory=Place)
    errors: list[list[str]] = field(default_factory=list)  # [column key, message]

    def refuse(self, column: str, message: object) -> None:
        self.errors.append([column, str(message)])


class RowReader:
    """Reads the rows of one file. A register repeats the same few values down a column (sexes,
    groups, communes, dates of decisions): each distinct cell of a column is converted once, and
    each distinct address resolved once."""

    def __init__(self, mapping: dict[str, int], encoding: str | None, default_province: str) -> None:
        self.mapping, self.encoding, self.default_province = mapping, encoding, default_province
        self.resolve = resolver()
        self._texts: dict[tuple[str, Any], str | None] = {}
        self._parsed: dict[tuple[str, Any], Any] = {}

    def read(self, cells: list[Any]) -> ReadRow:
        """The row's values; a cell that cannot be read is an error on its column."""
        row = ReadRow()
        cell = functools.partial(self.cell, cells)
        parsed = functools.partial(self.parsed, row, cells)
        _identity(row, cell, parsed)
        _membership(row, cell, parsed)
        row.place = self.resolve(
            cell("commune") or "", cell("district") or "", cell("province") or "", cell("address") or "",
            self.default_province,
        )  # fmt: skip
        row.client.update(province_code=row.place.province_code, commune_code=row.place.commune_code)
        if row.group and "effective_from" in row.membership and not row.errors:
            try:
                row.membership = register_services.clean(row.group, row.membership)
            except ServiceError as error:
                row.refuse(_column_of(error.field), error)
        return row

    def cell(self, cells: list[Any], key: str) -> Any:
        index = self.mapping.get(key)
        value = cells[index] if index is not None and index < len(cells) else None
        if key not in TEXT_COLUMNS or value is None:
            return value
        if key in PERSONAL_COLUMNS:
            return to_unicode(values.text(value), self.encoding) or None
        memo = (key, value)
        if memo not in self._texts:
            self._texts[memo] = to_unicode(values.text(value), self.encoding) or None
        return self._texts[memo]

    def parsed(self, row: ReadRow, cells: list[Any], key: str, parse: Callable[..., Any], **options: Any) -> Any:
        """parse(the cell), once per distinct cell of the column; None and an error on the column
        when it cannot be read."""
        value = self.cell(cells, key)
        if key in PERSONAL_COLUMNS:
            result = _attempt(parse, value, options)
        else:
            if (key, value) not in self._parsed:
                self._parsed[key, value] = _attempt(parse, value, options)
            result = self._parsed[key, value]
        if isinstance(result, values.CellError):
            row.refuse(key, result)
            return None
        return result


def _attempt(parse: Callable[..., Any], value: Any, options: dict[str, Any]) -> Any:
    """parse(value), or the CellError saying why it cannot be read."""
    try:
        return parse(value, **options)
    except values.CellError as error:
        return error


def _identity(row, cell, parsed):
    name = cell("full_name")
    if not name:
        row.refuse("full_name", _("The full name is required."))
    birth = parsed("birth", values.day, year_only=True) or (None, None)
    born, year = birth
    if (born and not date(1900, 1, 1) <= born <= local_today()) or (year and not 1900 <= year <= local_today().year):
        row.refuse("birth", _("The date of birth must be between 1900 and today."))
        born = year = None
    if born:
        row.client.update(birth_date=born, birth_year=born.year, birth_precision="exact")
    elif year:
        row.client.update(birth_year=year, birth_precision="year")
    row.client.update(
        full_name=name,
        sex=parsed("sex", values.sex) or "unknown",
        ethnicity=parsed("ethnicity", values.ethnicity),
        citizen_id=parsed("citizen_id", values.citizen_id),
        phone=cell("phone"),
    )


def _membership(row, cell, parsed):
    row.group = parsed("group", values.group)
    if not row.group and not any(e[0] == "group" for e in row.errors):
        row.refuse("group", _("The group is required."))
    effective = parsed("effective_from", values.day)
    if effective is not None:
        row.membership["effective_from"] = effective[0]
    else:
        row.refuse("effective_from", _("The date the allowance or management begins is required."))
    for key in ("decision_date", "certificate_date"):
        date_ = parsed(key, values.day)
        row.membership[key] = date_[0] if date_ else None
    for key in ("decision_number", "decision_issuer", "certificate_number", "reason"):
        row.membership[key] = cell(key)
    row.membership["allowance_coefficient"] = parsed("coefficient", values.coefficient)
    row.membership["allowance_amount"] = parsed("amount", values.amount)
    for key, parse in (
        ("care_mode", values.care_mode),
        ("disability_type", values.disability_type),
        ("disability_degree", values.disability_degree),
        ("status", values.status),
    ):
        row.membership[key] = parsed(key, parse)


def _column_of(field_name: str | None) -> str:
    """The file's column of a field the register's validation names."""
    return {"allowance_coefficient": "coefficient", "allowance_amount": "amount", "group_code": "group"}.get(
        field_name or "", field_name or "group"
    )


def column_header(key: str) -> str:
    column = BY_KEY.get(key)
    return column.header if column else key


def same_version(values_: dict[str, Any], version: Any) -> bool:
    """Does an existing version already say what the row says (its start date aside)?"""

    def plain(value: Any) -> Any:
        return None if value == "" else value

    return all(
        plain(values_.get(key)) == plain(getattr(version, key)) for key in MEMBERSHIP_FIELDS if key != "effective_from"
    )
