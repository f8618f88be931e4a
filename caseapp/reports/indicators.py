"""The programme indicators of Quyết định 112/QĐ-TTg (22/01/2021), Chương trình phát triển công tác
xã hội giai đoạn 2021–2030, with the 2025 and 2030 targets as repeated in the
provincial plans. A province, a commune group (a former district whose plan set its own 2025 and
2030 targets) or a commune that set its own target (e.g. 60 % instead of 50 %) has it entered as
reference data with its source document; a report uses the target of the narrowest place of its
scope that has one (queries.reference_for: commune, commune group, province), else the national one,
and says which. A place whose plan gives its own 2025 and 2030 targets but none for a year in between
has the straight path between them that year, as QĐ 112's own targets (own_target_between).

What the system holds is computed from the case data (reports.queries) and, for indicators 1 and 2,
counted from the workforce register and its training records (workforce.counts, on the period's last
day); what it does not hold (the 2020 baseline, the children of the indicator group living in the area)
is entered by a reporter per place and year with its source (ReferenceValue), and used once a
supervisor confirmed it. A number of indicator 1 or 2 entered that way replaces the count (the register
may not list every agency of the area yet), and the result says which was used.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.timeutil import format_date

# Reference data a reporter enters: key → label. Keys are stored; labels translated at display.
REFERENCE_KEYS = {
    "ind1_units_total": _l(
        "Indicator 1 — agencies and facilities in the area (social assistance, drug "
        "rehabilitation, prisons, justice bodies, schools, hospitals, communes)"
    ),
    "ind1_units_with_staff": _l("Indicator 1 — of them, assigning staff to social work"),
    "ind2_staff_total": _l("Indicator 2 — social-work staff and collaborators"),
    "ind2_staff_trained": _l("Indicator 2 — of them, trained or retrained in social work"),
    "ind3_units_total": _l(
        "Indicator 3 — facilities in the area that are to provide social-work counselling and support "
        "(social assistance, health, education…); without it, the facilities using this system"
    ),
    "ind4_baseline": _l(
        "Indicator 4 — baseline: people counselled and supported in the base year (2020 for "
        "the 2025 target, 2025 for the 2030 target)"
    ),
    "ind5_children_in_area": _l("Indicator 5 — children of the indicator group living in the area"),
    "target_1": _l("Own target for indicator 1, in per cent"),
    "target_2": _l("Own target for indicator 2, in per cent"),
    "target_3": _l("Own target for indicator 3, in per cent"),
    "target_4": _l("Own target for indicator 4, growth in per cent"),
    "target_5": _l("Own target for indicator 5, in per cent"),
}


@dataclass(frozen=True)
class Definition:
    number: int
    title: object
    definition: object
    target_2025: float  # the lower bound where the plan gives a range (50–60 %)
    target_2030: float
    target_2025_text: str
    target_2030_text: str
    growth: bool = False  # indicator 4: growth over a baseline, not a share


DEFINITIONS = (
    Definition(
        1,
        _l("Agencies and facilities assigning staff to social work"),
        _l(
            "Share of agencies and facilities (social assistance, drug rehabilitation, prisons, justice "
            "bodies, schools, hospitals, communes) that assign 1–2 staff to social work: the active agencies "
            "of these kinds in the workforce register, and of them those with at least one person in post on "
            "the period's last day. A number entered as reference data replaces the count."
        ),
        50,
        90,
        "50–60 %",
        "90 %",
    ),
    Definition(
        2,
        _l("Social-work staff and collaborators trained"),
        _l(
            "Share of social-work staff and collaborators trained or retrained in social work: the people "
            "of the workforce register in post on the period's last day, and of them those who attended a "
            "training, retraining, refresher course or workshop ending from 01/01/2021 to that day (each "
            "person once). A number entered as reference data replaces the count."
        ),
        30,
        40,
        "≥ 30 %",
        "≥ 40 %",
    ),
    Definition(
        3,
        _l("Facilities providing social-work counselling and support"),
        _l(
            "Facilities with at least one case active in the period ÷ active facilities in scope "
            "(computed from the case data)."
        ),
        50,
        60,
        "≥ 50 %",
        "≥ 60 %",
    ),
    Definition(
        4,
        _l("People in difficult circumstances counselled and supported"),
        _l(
            "Distinct people counselled (intake: advice only) or supported (a case active) in the "
            "period, compared with the baseline entered: growth in %."
        ),
        20,
        30,
        "+20 % / 2020",
        "+30 % / 2025",
        growth=True,
    ),
    Definition(
        5,
        _l("Children of the indicator group receiving social assistance and social-work services"),
        _l(
            "Distinct children under 16 of the QĐ 112 indicator group served in the period ÷ children "
            "of that group living in the area (entered)."
        ),
        85,
        90,
        "≥ 85 %",
        "≥ 90 %",
    ),
)


@dataclass
class Result:
    definition: Definition
    numerator: float | None
    denominator: float | None
    value: float | None  # %, or growth % for indicator 4
    national_target: float
    own_target: float | None  # the narrowest place's own target (reference data), if any
    met: bool | None
    drill_key: str | None  # the drill-down population of the numerator (None: not case data)
    sources: dict  # reference key → where its number comes from
    target_source: str | None = None  # the own target's document, and the place it was set for
    target_place: str | None = None
    on_path: bool = False  # the national target is a point on the path from 2025 to 2030
    # the own target is not the place's own for the year but taken from its 2025 and 2030 targets:
    # "path" (the straight path between them), "2030" (indicator 4's 2030 target, in force from 2026)
    own_target_from: str | None = None

    @property
    def target(self):
        return self.own_target if self.own_target is not None else self.national_target

    @property
    def target_basis(self):
        """Which target decides met / not met, in words: the place and document of an own target, else QĐ 112."""
        if self.own_target is None and self.on_path:
            return _("National path from the 2025 to the 2030 target (QĐ 112/QĐ-TTg)")
        if self.own_target is None:
            return _("National target (QĐ 112/QĐ-TTg)")
        if self.own_target_from == "path":
            return _(
                "Straight path between the 2025 and 2030 targets of %(place)s (%(source)s)",
                place=self.target_place,
                source=self.target_source,
            )
        if self.own_target_from == "2030":
            return _(
                "The 2030 target of %(place)s, in force from 2026 (%(source)s)",
                place=self.target_place,
                source=self.target_source,
            )
        if self.target_place:
            return _("%(place)s: %(source)s", place=self.target_place, source=self.target_source)
        return self.target_source


def target_in_year(target_2025: float, target_2030: float, year: int, *, growth: bool = False) -> float:
    """A plan's target for a year from its 2025 and 2030 targets: the 2025 target up to 2025, the 2030
    target from 2030, and in between a straight path from one to the other, as the plans set no yearly
    steps. Indicator 4's targets are growths over different baselines (2020, then 2025): its 2030
    target applies from 2026."""
    if year <= 2025:
        return target_2025
    if year >= 2030 or growth:
        return target_2030
    step = (target_2030 - target_2025) * (year - 2025) / 5
    return round(target_2025 + step, 1)


def national_target(definition, year):
    """QĐ 112/QĐ-TTg's target for a year (target_in_year of its 2025 and 2030 targets)."""
    return target_in_year(definition.target_2025, definition.target_2030, year, growth=definition.growth)


TARGET_KEYS = {f"target_{d.number}": d for d in DEFINITIONS}  # the reference key of a place's own target


def own_target_between(
    key: str, year: int, target_2025: float | None, target_2030: float | None
) -> tuple[float, str] | None:
    """A place's target (reference `key` target_1…5) for a year between 2025 and 2030 it set none for,
    from its own 2025 and 2030 targets as QĐ 112's are (target_in_year): (value, "path") on the
    straight path between both; (value, "2030") for indicator 4, a growth, whose 2030 target applies
    from 2026; None when the place lacks what that needs."""
    definition = TARGET_KEYS.get(key)
    if definition is None or not 2025 < year < 2030:
        return None
    if definition.growth:
        return (target_2030, "2030") if target_2030 is not None else None
    if target_2025 is None or target_2030 is None:
        return None
    return target_in_year(target_2025, target_2030, year), "path"


def _on_path(definition, year):
    return 2025 < year < 2030 and not definition.growth


def _share(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


def _facilities_total(ind, reference):
    """Indicator 3's denominator and its source: the facilities of the area entered by a reporter, else
    the facilities using this system in the scope (what it can count itself), said as such."""
    entry = reference.get("ind3_units_total")
    if entry:
        return entry[0], {"ind3_units_total": _source_text(entry)}
    return ind["facilities_total"], {"ind3_units_total": str(_("facilities using this system (no number entered)"))}


def _source_text(entry):
    """A reference entry [value, source] or [value, source, place] (reports frozen before places had two)."""
    return f"{entry[1]} ({entry[2]})" if len(entry) > 2 and entry[2] else entry[1]


# What the workforce register counts for the reference keys of indicators 1 and 2 (workforce.counts).
COUNTED_KEYS = {
    "ind1_units_total": ("indicator_1", "total"),
    "ind1_units_with_staff": ("indicator_1", "staffed"),
    "ind2_staff_total": ("indicator_2", "total"),
    "ind2_staff_trained": ("indicator_2", "trained"),
}


def _counted(workforce):
    """{reference key: (count, day)} of the workforce register in a report's numbers (none in a report
    frozen before the register was counted)."""
    if not workforce:
        return {}
    day = date.fromisoformat(workforce["on"])
    return {key: (workforce[part][name], day) for key, (part, name) in COUNTED_KEYS.items()}


def counted_text(day):
    return _("Counted from the workforce register on %(date)s", date=format_date(day))


def entered_text(entry):
    return _("Entered: %(source)s", source=_source_text(entry))


def _entered_or_counted(keys, reference, counted):
    """(numerator, denominator) and {key: where it comes from}: each number entered as reference data
    (an override, with its source) where there is one, else the register's count, else None."""
    values, sources = [], {}
    for key in keys:
        if key in reference:
            values.append(reference[key][0])
            sources[key] = entered_text(reference[key])
        elif key in counted:
            value, day = counted[key]
            values.append(value)
            sources[key] = counted_text(day)
        else:
            values.append(None)
    return tuple(values), sources


def compute(numbers, reference, year):
    """Indicator results from a report's numbers (live or frozen) and reference values
    {key: [value, source, place]} — a target [value, sources, place, "path" | "2030"] when taken from
    the place's 2025 and 2030 targets (queries.reference_for)."""
    ind = numbers["indicators"]

    def ref(key):
        entry = reference.get(key)
        return entry[0] if entry else None

    def src(*keys):
        return {k: _source_text(reference[k]) for k in keys if k in reference}

    baseline = ref("ind4_baseline")
    facilities, facilities_source = _facilities_total(ind, reference)
    counted = _counted(numbers.get("workforce"))
    one, one_sources = _entered_or_counted(("ind1_units_with_staff", "ind1_units_total"), reference, counted)
    two, two_sources = _entered_or_counted(("ind2_staff_trained", "ind2_staff_total"), reference, counted)
    parts = {
        1: (*one, None, one_sources),
        2: (*two, None, two_sources),
        3: (ind["facilities_with_cases"], facilities, "supported", facilities_source),  # drill: the cases
        4: (ind["ind4_people"], baseline, "ind4", src("ind4_baseline")),
        5: (ind["ind5_children"], ref("ind5_children_in_area"), "ind5", src("ind5_children_in_area")),
    }
    results = []
    for definition in DEFINITIONS:
        numerator, denominator, drill, sources = parts[definition.number]
        value = _share(numerator, denominator)
        if definition.growth and value is not None:
            value = round(value - 100.0, 1)
        national = national_target(definition, year)
        own = reference.get(f"target_{definition.number}")
        result = Result(definition, numerator, denominator, value, national, None, None, drill, sources)
        result.on_path = _on_path(definition, year)
        if own:
            result.own_target, result.target_source = own[0], own[1]
            result.target_place = own[2] if len(own) > 2 else None
            result.own_target_from = own[3] if len(own) > 3 else None
        result.met = None if value is None else value >= result.target
        results.append(result)
    return results
