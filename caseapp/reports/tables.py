"""The report as tables: one list of rows per breakdown, labelled in the UI language, the same for
the page, the PDF, the XLSX and the CSV — and the small-cell suppression of what leaves a facility.

Small cells: a count of 1–4 people is shown as "<5" wherever the figures leave the
facility (the province view, every export, a facility's frozen report read by the province). Zero
stays 0 (it tells nothing about a person). Where a table is a partition of a total that is shown
(sex, age group, ethnicity, commune, channel, referrals by kind and by status), one hidden cell
could be recovered as total − the other cells; so when exactly one cell of such a table is hidden,
the next smallest non-zero cell is hidden too (complementary suppression). Tables where a person
counts in several rows (beneficiary groups, problems, services) have no total to subtract from,
and get no complementary cell. A total of 1–4 is hidden as well; the average stay is hidden when
fewer than 5 stays ended, since it would give away their lengths.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import categories
from ..core.timeutil import format_date
from ..referrals.labels import referral_status_label
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from . import queries

SMALL = 5
HIDDEN = "<5"


@dataclass
class Row:
    code: str
    label: str
    value: object  # int, float, or HIDDEN once suppressed
    drill: dict | None = None  # drill-down arguments (dimension/value) for the page


@dataclass
class Table:
    key: str
    title: str
    rows: list
    total: object = None
    partition: bool = False  # the rows add up to the total (complementary suppression applies)
    unit: str = field(default_factory=lambda: str(_l("People")))
    drill_key: str | None = None  # the client population behind the table (drill-down)


def age_label(code):
    if code == "unknown":
        return _("Age unknown")
    if code == "60+":
        return _("60 and over")
    low, high = code.split("-")
    return _("%(low)s–%(high)s years", low=low, high=high)


def _referral_status_label(code):
    return referral_status_label(code)


def _rows(counts, labeller, fixed_codes=None, drill_dimension=None):
    codes = list(fixed_codes or [])
    codes += sorted((c for c in counts if c not in codes), key=lambda c: (-counts[c], c))
    rows = []
    for code in codes:
        value = counts.get(code, 0)
        if fixed_codes is None and not value:
            continue
        drill = {"dimension": drill_dimension, "value": code} if drill_dimension else None
        rows.append(Row(code, labeller(code), value, drill))
    return rows


def build(numbers):
    """The tables of a report's numbers (live, frozen, or a province's sum)."""
    h, b, s = numbers["headline"], numbers["breakdowns"], numbers["shelter"]
    communes = numbers.get("commune_names", {})
    served = h["served"]
    tables = [
        Table(
            "headline",
            _("Clients and cases"),
            [
                Row("received", _("Clients received (intake)"), h["received"], {"population": "received"}),
                Row("counselled", _("Clients counselled (advice only)"), h["counselled"], {"population": "counselled"}),
                Row(
                    "supported",
                    _("Clients supported (a case active in the period)"),
                    h["supported"],
                    {"population": "supported"},
                ),
                Row("served", _("Clients served (received or supported)"), served, {"population": "served"}),
                Row("cases_opened", _("Cases opened"), h["cases_opened"]),
                Row("cases_closed", _("Cases closed"), h["cases_closed"]),
            ],
            unit=_("Number"),
        ),
        Table(
            "group",
            _("Clients served by beneficiary group"),
            _rows(b["group"], lambda c: categories.label(categories.BENEFICIARY_GROUPS, c)),
            drill_key="served",
        ),
        Table(
            "sex",
            _("Clients served by sex"),
            _rows(b["sex"], lambda c: categories.label(categories.SEXES, c), categories.codes(categories.SEXES), "sex"),
            served,
            partition=True,
            drill_key="served",
        ),
        Table(
            "age_group",
            _("Clients served by age group (age on the last day of the period)"),
            _rows(b["age_group"], age_label, [code for _low, code in queries.AGE_GROUPS] + ["unknown"], "age_group"),
            served,
            partition=True,
            drill_key="served",
        ),
        Table(
            "ethnicity",
            _("Clients served by ethnicity"),
            _rows(b["ethnicity"], lambda c: categories.label(categories.ETHNIC_GROUPS, c), None, "ethnicity"),
            served,
            partition=True,
            drill_key="served",
        ),
        Table(
            "commune",
            _("Clients served by commune of residence"),
            _rows(b["commune"], lambda c: communes.get(c) or _("Commune not recorded"), None, "commune"),
            served,
            partition=True,
            drill_key="served",
        ),
        Table(
            "channel",
            _("Clients received by intake channel"),
            _rows(b["channel"], lambda c: categories.label(categories.CHANNELS, c)),
            h["received"],
            partition=True,
        ),
        Table(
            "problem",
            _("Clients received by presenting problem"),
            _rows(b["problem"], lambda c: categories.label(categories.PROBLEMS, c)),
        ),
        Table(
            "service",
            _("Clients by service type (plan activities and referrals)"),
            _rows(b["service"], lambda c: categories.label(categories.SERVICE_TYPES, c)),
        ),
        Table(
            "referral_kind",
            _("Referrals sent by kind of destination"),
            _rows(b["referral_kind"], lambda c: categories.label(categories.PROVIDER_KINDS, c)),
            sum(b["referral_kind"].values()),
            partition=True,
            unit=_("Referrals"),
        ),
        Table(
            "referral_status",
            _("Referrals sent by outcome"),
            _rows(b["referral_status"], _referral_status_label),
            sum(b["referral_status"].values()),
            partition=True,
            unit=_("Referrals"),
        ),
    ]
    if "managed" in numbers:  # a report frozen before the register has none
        tables[1:1] = managed_tables(numbers["managed"], communes)
    ended = s["stays_ended"]
    average = round(s["stay_nights_ended"] / ended, 1) if ended else None
    tables.append(
        Table(
            "shelter",
            _("Shelter"),
            [
                Row("admissions", _("Shelter admissions"), s["admissions"]),
                Row("bed_nights", _("Bed-nights in the period"), s["bed_nights"]),
                Row("stays_ended", _("Stays ended in the period"), ended),
                Row("average_stay", _("Average stay of the stays ended (nights)"), average),
            ],
            unit=_("Number"),
        )
    )
    return tables


def _disability_label(code):
    kind, _sep, degree = code.partition("|")
    return f"{_label_or_not_recorded(categories.DISABILITY_TYPES, kind)} — {_label_or_not_recorded(categories.DISABILITY_DEGREES, degree)}"


def _label_or_not_recorded(codes, code):
    return _("Not recorded") if code == queries.NOT_RECORDED else categories.label(codes, code)


def membership_value_label(dimension, value):
    """The words for a row of a people-under-management table (the drill-down's heading)."""
    if dimension == "disability":
        return _disability_label(value)
    codes = {
        "family": categories.REGISTER_FAMILIES,
        "group": categories.BENEFICIARY_GROUPS,
        "disability_type": categories.DISABILITY_TYPES,
        "disability_degree": categories.DISABILITY_DEGREES,
        "care_mode": categories.CARE_MODES,
    }[dimension]
    return _label_or_not_recorded(codes, value)


def managed_tables(m, communes):
    """The people under management on the period's last day (đang quản lý tại ngày): distinct persons."""
    on = format_date(date.fromisoformat(m["on"]))
    total = m["total"]
    disabled = m["family"].get("disability", 0)

    def table(key, title, rows, total=None, partition=False):
        return Table(f"managed_{key}", title % {"date": on}, rows, total, partition, drill_key="managed")

    def rows(key, labeller, fixed=None):
        return _rows(m[key], labeller, fixed, key)

    families = categories.codes(categories.REGISTER_FAMILIES)
    return [
        table(
            "family",
            _("People under management on %(date)s, by family of groups (each person once in a family)"),
            rows("family", lambda c: categories.label(categories.REGISTER_FAMILIES, c), families),
            total,
        ),
        table(
            "group",
            _("People under management on %(date)s, by beneficiary group"),
            rows("group", lambda c: categories.label(categories.BENEFICIARY_GROUPS, c)),
        ),
        table(
            "disability_type",
            _("People with disabilities under management on %(date)s, by type of disability"),
            rows("disability_type", lambda c: _label_or_not_recorded(categories.DISABILITY_TYPES, c)),
            disabled,
            partition=True,
        ),
        table(
            "disability_degree",
            _("People with disabilities under management on %(date)s, by degree of disability"),
            rows("disability_degree", lambda c: _label_or_not_recorded(categories.DISABILITY_DEGREES, c)),
            disabled,
            partition=True,
        ),
        table(
            "disability",
            _("People with disabilities under management on %(date)s, by type and degree"),
            rows("disability", _disability_label),
            disabled,
            partition=True,
        ),
        table(
            "sex",
            _("People under management on %(date)s, by sex"),
            rows("sex", lambda c: categories.label(categories.SEXES, c), categories.codes(categories.SEXES)),
            total,
            partition=True,
        ),
        table(
            "age_group",
            _("People under management on %(date)s, by age group"),
            rows("age_group", age_label, [code for _low, code in queries.AGE_GROUPS] + ["unknown"]),
            total,
            partition=True,
        ),
        table(
            "ethnicity",
            _("People under management on %(date)s, by ethnicity"),
            rows("ethnicity", lambda c: categories.label(categories.ETHNIC_GROUPS, c)),
            total,
            partition=True,
        ),
        table(
            "commune",
            _("People under management on %(date)s, by commune of residence"),
            rows("commune", lambda c: communes.get(c) or _("Commune not recorded")),
            total,
            partition=True,
        ),
        table(
            "care_mode",
            _("People under management on %(date)s, by care mode"),
            rows("care_mode", lambda c: _label_or_not_recorded(categories.CARE_MODES, c)),
        ),
    ]


def _hide(value):
    return isinstance(value, int) and 0 < value < SMALL


def suppress(tables):
    """The tables with small cells hidden (in place; returns them)."""
    for table in tables:
        if table.key == "shelter":
            rows = {row.code: row for row in table.rows}
            stays_ended = rows["stays_ended"].value
            for row in table.rows:
                if row.code in ("admissions", "stays_ended") and _hide(row.value):
                    row.value = HIDDEN
            if isinstance(stays_ended, int) and stays_ended < SMALL and rows["average_stay"].value is not None:
                rows["average_stay"].value = HIDDEN
            continue
        hidden = [row for row in table.rows if _hide(row.value)]
        for row in hidden:
            row.value = HIDDEN
        total_shown = table.total is not None and not _hide(table.total)
        if table.partition and total_shown and len(hidden) == 1:
            others = [row for row in table.rows if isinstance(row.value, int) and row.value > 0]
            if others:
                min(others, key=lambda r: r.value).value = HIDDEN
        if _hide(table.total):
            table.total = HIDDEN
        for row in table.rows:
            if row.value == HIDDEN:
                row.drill = None
    return tables


def suppress_indicators(results):
    """Indicator numerators counted from people (4, 5) hidden under 5, like the table cells, and then
    their value and result too: over a known denominator (one a reporter typed, 1 say) the value
    would give the hidden count back."""
    for result in results:
        if result.definition.number in (4, 5) and _hide(result.numerator):
            result.numerator, result.value, result.met = HIDDEN, None, None
    return results


def hides_small_counts(user, scope=None, *, snapshot=None):
    """Whether `user` reads the figures of `scope` (or of a frozen `snapshot`) with counts under 5
    hidden — the one decision for every page and file. Figures of several facilities always; a frozen
    report of another facility (read by the province) always; and anyone who may not open the
    facility's cases (a reporter reads aggregates only), their own facility's too. A supervisor's own
    facility keeps its exact figures."""
    if not has_perm(user, Perm.VIEW_FACILITY_CASES):
        return True
    if snapshot is not None:
        return not same_facility(user, snapshot)
    return scope.across_facilities
