"""A register's address as today's commune.

Registers made before 01/07/2025 name the 63 provinces, their districts and the old communes. Most
old communes became part of one new commune; several hundred were split between new ones, and
such a row is for a person to decide, never guessed. The mapping is vietnamadminunits' (a
maintained dataset of the 2025 reorganisation); only its parser and its mapping tables are used,
never its converter, which for a split commune looks the street address up with an online
geocoder — a person's address must not leave the server.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa

from ...core.text import fold
from ...extensions import db
from ...org.models import Commune, Province

_UNIT_WORDS = ("thanh pho ", "tinh ", "phuong ", "xa ", "thi tran ", "dac khu ", "tp. ", "tp ", "p. ", "x. ")


@dataclass
class Place:
    commune_code: str | None = None
    province_code: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, name): a split commune
    old: bool = False  # found through the units before 01/07/2025


def _bare(name: str) -> str:
    words = fold(name).strip()
    for prefix in _UNIT_WORDS:
        if words.startswith(prefix):
            return words[len(prefix) :].strip()
    return words


def _units() -> tuple[dict[str, str], dict[tuple[str, str], list[str]], dict[str, str]]:
    return _units_of(str(db.engine.url))


@cache
def _units_of(_database: str) -> tuple[dict[str, str], dict[tuple[str, str], list[str]], dict[str, str]]:
    """(bare province name → code, (province, bare commune name) → codes, commune code → name): read
    once per process and database (3,300 communes)."""
    provinces = {_bare(p.name): p.code for p in db.session.scalars(sa.select(Province))}
    communes: dict[tuple[str, str], list[str]] = {}
    names = {}
    for commune in db.session.scalars(sa.select(Commune)):
        communes.setdefault((commune.province_code, _bare(commune.name)), []).append(commune.code)
        names[commune.code] = commune.name
    return provinces, communes, names


def resolve(commune: str, district: str, province: str, address: str, default_province: str) -> Place:
    """Today's commune of a row: through the old units when the row names a district, else by today's
    names (within the row's province, else the facility's) and then through the old units; a Place
    without a commune when nothing was recognised."""
    provinces, communes, _names = _units()
    text = ", ".join(part for part in (commune, district, province) if part) or address
    if district:  # districts ended on 01/07/2025: the row is written in the old units
        place = _from_old_units(text)
        if place.commune_code or place.options:
            return place
    province_code = provinces.get(_bare(province)) if province else default_province
    if commune and province_code:
        codes = communes.get((province_code, _bare(commune)), [])
        if len(codes) == 1:
            return Place(commune_code=codes[0], province_code=province_code)
    return _from_old_units(text) if text and not district else Place(province_code=province_code)


def resolver() -> Callable[[str, str, str, str, str], Place]:
    """resolve(), remembering its answers for one file: a register names the same few communes on
    thousands of rows."""
    return lru_cache(maxsize=4096)(resolve)


def _from_old_units(text: str) -> Place:
    # Loaded here: 0.4 s and ~50 MB the first time, and only an import needs it.
    from vietnamadminunits.converter import converter_2025 as mapping
    from vietnamadminunits.parser import ParseMode, parse_address

    old = parse_address(text, mode=ParseMode.LEGACY, level=3)
    new_province = next((k for k, v in mapping.DICT_PROVINCE.items() if old.province_key in v), None)
    if not (new_province and old.ward_key):
        return Place()
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    whole = mapping.DICT_PROVINCE_WARD_NO_DIVIDED.get(new_province, {})
    new_ward = next((k for k, v in whole.items() if key in v), None)
    if new_ward:
        found = _today(new_ward, new_province, parse_address, ParseMode)
        return Place(commune_code=found[0], province_code=found[1], old=True) if found else Place()
    split: list[dict[str, Any]] = mapping.DICT_PROVINCE_WARD_DIVIDED.get(new_province, {}).get(key, [])
    options = [found for ward in split if (found := _today(ward["newWardKey"], new_province, parse_address, ParseMode))]
    if not options:
        return Place()
    names = _units()[2]
    return Place(province_code=options[0][1], options=[(code, names[code]) for code, _p in options], old=True)


def _today(ward_key: str, province_key: str, parse_address: Any, mode: Any) -> tuple[str, str] | None:
    """(commune code, province code) of a ward key of today's units, if our unit list has it."""
    unit = parse_address(f"{ward_key}, {province_key}", mode=mode.FROM_2025, level=2)
    names = _units()[2]
    return (unit.ward_code, unit.province_code) if unit.ward_code in names else None
