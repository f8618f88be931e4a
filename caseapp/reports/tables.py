"""The report as tables: one list of rows per breakdown, labelled in the UI language, the same for
the page, the PDF, the XLSX and the CSV — and the small-cell suppression of what leaves a facility.

Small cells: a count of people under the threshold (config SMALL_COUNT_THRESHOLD, 5: counts of 1–4)
is shown as "<5" to whoever may not read exact figures (hides_small_counts). Zero stays 0 (it tells
nothing about a person). A hidden cell must not come back by arithmetic, so suppression hides
secondary cells too, line by line. A line is a set of cells and the cell that is their sum, shown
somewhere in the report: each partition table (sex, age group, ethnicity, commune, channel, referrals
by kind and by status; the people under management by sex, age, ethnicity, commune, disability type,
degree, and type × degree) with its total; each type row of the type × degree table with the type's
cell of the type table; each degree column with the degree's cell. When exactly one cell of a line
(its total included) is hidden, it is the total less the others, or the others' sum: the line's
smallest other non-zero cell is hidden too (its total when none is left), and this is repeated until
no line has a lone hidden cell. Lines taken together can give a cell back as well (a column's hidden
cells less two of them whose sum the type table gives): each line is an equation, and a hidden cell
the equations solve for takes the smallest cell shown on one of its lines with it, until none is
solved. A figure the report shows in several places (the clients served: the headline and the total
of four tables) is hidden in all of them or in none. Tables where a person counts in several rows
(beneficiary groups, problems, services) have no total to subtract from. The average stay is hidden
when fewer stays ended than the threshold, since it would give their lengths.

The workforce in post (workforce.counts) is described the same way where it tells about persons: by
qualification, by sex, and by kind of post × qualification × sex (a cross table whose rows, and columns
of each margin, are lines). The posts themselves — people by kind of post and of agency, collaborators
by commune, which the plans publish ("53 chuyên trách, 52 kiêm nhiệm") — and the training and
communication activities are never hidden (Table.public).
"""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import categories
from ..core.text import place_sort_key, vn_number
from ..core.timeutil import format_date
from ..referrals.labels import referral_status_label
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from ..workforce import categories as wf
from . import queries

DEFAULT_THRESHOLD = 5  # config SMALL_COUNT_THRESHOLD's default


def small_count_threshold():
    """Counts of people from 1 to this less one are hidden: config SMALL_COUNT_THRESHOLD (outside an app,
    a unit test say, its default)."""
    if not has_app_context():
        return DEFAULT_THRESHOLD
    return int(current_app.config.get("SMALL_COUNT_THRESHOLD", DEFAULT_THRESHOLD))


class _Hidden:
    """The value of a hidden cell: one object that code compares against (`value is HIDDEN`), printed
    as "<5" with the threshold configured ("<10" with 10) — and equal to that text, as a file read back
    gives it."""

    __slots__ = ()

    def __str__(self):
        return f"<{small_count_threshold()}"

    def __repr__(self):
        return "HIDDEN"

    def __eq__(self, other):
        return other is self or (isinstance(other, str) and other == str(self))

    def __hash__(self):
        return hash(_Hidden)


HIDDEN = _Hidden()


@dataclass
class Row:
    code: str
    label: str
    value: object  # int, float, or HIDDEN once suppressed
    drill: dict | None = None  # drill-down arguments (dimension/value) for the page
    values: list | None = None  # a table of several columns: one figure a column (value None)


@dataclass
class Table:
    key: str
    title: str
    rows: list
    total: object = None
    partition: bool = False  # the rows add up to the total (complementary suppression applies)
    unit: str = field(default_factory=lambda: str(_l("People")))
    drill_key: str | None = None  # the client population behind the table (drill-down)
    columns: list | None = None  # the headers of a table of several columns (its rows' `values`)
    totals: list | None = None  # that table's total line, a figure a column
    note: str | None = None  # a line said above the table (the coverage of the communes…)
    public: bool = False  # counts of posts the plans publish (collaborators by kind): never hidden
    recorded: bool = True  # False: a report frozen before these figures were counted (the note says so)


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
    tables += workforce_tables(numbers.get("workforce"))
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


# --- the workforce, training and communication (workforce.counts) --------------------------------------------

NOT_RECORDED_AT_FREEZE = _l("Not recorded in this report: it was frozen before the workforce register was counted.")


def _workforce_margins(cells):
    """{margin: {code: people}} of the workforce cells "kind|qualification|sex|agency kind"."""
    margins = {"kind": {}, "qualification": {}, "sex": {}, "agency_kind": {}, "detail": {}}
    for code, n in cells.items():
        kind, qualification, sex, agency_kind = code.split("|")
        for name, key in (
            ("kind", kind),
            ("qualification", qualification),
            ("sex", sex),
            ("agency_kind", agency_kind),
            ("detail", f"{kind}|{qualification}|{sex}"),
        ):
            margins[name][key] = margins[name].get(key, 0) + n
    return margins


def _detail_label(code):
    kind, qualification, sex = code.split("|")
    return " — ".join(
        (
            categories.label(wf.MEMBER_KINDS, kind),
            categories.label(wf.QUALIFICATIONS, qualification),
            categories.label(categories.SEXES, sex),
        )
    )


def coverage_line(coverage):
    """ "105/111 communes have a collaborator; 53 full-time, 52 part-time", numbers written the Vietnamese way."""
    return _(
        "%(covered)s/%(communes)s communes have a social-work collaborator; %(full)s full-time, %(part)s part-time "
        "(communes with a full-time collaborator: %(covered_full)s; with a part-time one: %(covered_part)s).",
        covered=vn_number(coverage["covered"]),
        communes=vn_number(coverage["communes"]),
        full=vn_number(coverage["full_time"]),
        part=vn_number(coverage["part_time"]),
        covered_full=vn_number(coverage["covered_full_time"]),
        covered_part=vn_number(coverage["covered_part_time"]),
    )


def workforce_tables(w):
    """The workforce in post on the period's last day, the collaborators by commune, the training and the
    communication of the period; a report frozen before they were counted (`w` None) says so."""
    if w is None:
        titles = (
            ("workforce_kind", _("Social-work workforce")),
            ("collaborators", _("Social-work collaborators by commune")),
            ("training", _("Training and refresher training")),
            ("communication", _("Communication")),
        )
        return [Table(key, title, [], note=str(NOT_RECORDED_AT_FREEZE), recorded=False) for key, title in titles]
    on = format_date(date.fromisoformat(w["on"]))
    return [*_people_tables(w, on), _collaborators_table(w, on), _training_table(w), _communication_table(w)]


def _people_tables(w, on):
    margins = _workforce_margins(w["members"])
    total = sum(w["members"].values())

    def table(key, title, rows, public=False):
        return Table(f"workforce_{key}", title % {"date": on}, rows, total, partition=True, public=public)

    sexes = categories.codes(categories.SEXES)
    return [
        table(
            "kind",
            _("Social-work workforce in post on %(date)s, by kind of post"),
            _rows(margins["kind"], lambda c: categories.label(wf.MEMBER_KINDS, c), categories.codes(wf.MEMBER_KINDS)),
            public=True,
        ),
        table(
            "agency_kind",
            _("Social-work workforce in post on %(date)s, by kind of agency"),
            _rows(margins["agency_kind"], lambda c: categories.label(wf.AGENCY_KINDS, c)),
            public=True,
        ),
        table(
            "qualification",
            _("Social-work workforce in post on %(date)s, by qualification in social work"),
            _rows(
                margins["qualification"],
                lambda c: categories.label(wf.QUALIFICATIONS, c),
                categories.codes(wf.QUALIFICATIONS),
            ),
        ),
        table(
            "sex",
            _("Social-work workforce in post on %(date)s, by sex"),
            _rows(margins["sex"], lambda c: categories.label(categories.SEXES, c), sexes),
        ),
        table(
            "detail",
            _("Social-work workforce in post on %(date)s, by kind of post, qualification and sex"),
            _rows(margins["detail"], _detail_label),
        ),
    ]


def _collaborators_table(w, on):
    names = w.get("commune_names", {})
    by_commune = w["collaborators"]
    codes = sorted(by_commune, key=lambda c: (place_sort_key(names.get(c, c)), c))
    rows = [
        Row(code, names.get(code, code), None, values=[by_commune[code]["full_time"], by_commune[code]["part_time"]])
        for code in codes
    ]
    coverage = w["coverage"]
    return Table(
        "collaborators",
        _("Social-work collaborators by commune on %(date)s", date=on),
        rows,
        unit=_("People"),
        columns=[_("Full-time"), _("Part-time")],
        totals=[coverage["full_time"], coverage["part_time"]],
        note=coverage_line(coverage),
        public=True,
    )


def _training_table(w):
    by_kind, keys = w["training"]["by_kind"], ("courses", "hours", "attendances", "people", "certificates")
    codes = categories.codes(wf.TRAINING_KINDS)
    codes += sorted(c for c in by_kind if c not in codes)
    rows = []
    for code in codes:
        counts = by_kind.get(code, {})
        rows.append(Row(code, categories.label(wf.TRAINING_KINDS, code), None, values=[counts.get(k, 0) for k in keys]))
    totals = [sum(counts.get(k, 0) for counts in by_kind.values()) for k in keys]
    totals[3] = w["training"]["people"]  # each person once, whatever the kinds of course they attended
    return Table(
        "training",
        _("Training and refresher training ending in the period"),
        rows,
        columns=[_("Courses"), _("Hours"), _("Attendances"), _("People trained"), _("Certificates")],
        totals=totals,
        note=_(
            "Courses and hours: the courses recorded in scope. Attendances, people and certificates: the people "
            "of the register, at any course; a person counts once in the total."
        ),
        public=True,
    )


def _communication_table(w):
    activities, keys = w["communication"], ("activities", "participants", "copies")

    def label(code):
        kind, topic = code.split("|")
        return f"{categories.label(wf.COMMUNICATION_KINDS, kind)} — {categories.label(wf.COMMUNICATION_TOPICS, topic)}"

    codes = sorted(activities, key=lambda c: (-activities[c]["activities"], c))
    rows = [Row(code, label(code), None, values=[activities[code].get(k, 0) for k in keys]) for code in codes]
    return Table(
        "communication",
        _("Communication activities in the period"),
        rows,
        unit=_("Number"),
        columns=[_("Activities"), _("People reached"), _("Copies or broadcasts")],
        totals=[sum(counts.get(k, 0) for counts in activities.values()) for k in keys],
        public=True,
    )


def network_lines(w):
    """The network and capacity of a report in sentences (the yearly implementation report): the people
    in post, the collaborators and the communes they cover, indicators 1 and 2 as counted, the training
    and the communication of the period."""
    if w is None:
        return [str(NOT_RECORDED_AT_FREEZE)]
    on = format_date(date.fromisoformat(w["on"]))
    kinds = _workforce_margins(w["members"])["kind"]
    staff = sum(kinds.get(code, 0) for code in ("civil_servant", "employee"))
    training, communication = w["training"], w["communication"]
    events = sum(v["activities"] for k, v in communication.items() if k.startswith("event|"))
    n = vn_number
    return [
        _(
            "On %(date)s, %(people)s people did social work in the register: %(staff)s civil servants, public "
            "employees and employees, and %(collaborators)s social-work collaborators.",
            date=on,
            people=n(sum(kinds.values())),
            staff=n(staff),
            collaborators=n(sum(kinds.values()) - staff),
        ),
        coverage_line(w["coverage"]),
        _(
            "Agencies and facilities with social-work staff: %(staffed)s of %(agencies)s. People trained or "
            "retrained in social work since 01/01/2021: %(trained)s of %(people)s.",
            staffed=n(w["indicator_1"]["staffed"]),
            agencies=n(w["indicator_1"]["total"]),
            trained=n(w["indicator_2"]["trained"]),
            people=n(w["indicator_2"]["total"]),
        ),
        _(
            "Training in the period: %(courses)s courses (%(hours)s hours); %(attendances)s attendances of "
            "%(people)s people of the register, %(certificates)s certificates.",
            courses=n(sum(v.get("courses", 0) for v in training["by_kind"].values())),
            hours=n(sum(v.get("hours", 0) for v in training["by_kind"].values())),
            attendances=n(sum(v.get("attendances", 0) for v in training["by_kind"].values())),
            people=n(training["people"]),
            certificates=n(sum(v.get("certificates", 0) for v in training["by_kind"].values())),
        ),
        _(
            "Communication in the period: %(activities)s activities (%(events)s events), %(reached)s people "
            "reached, %(copies)s copies or broadcasts.",
            activities=n(sum(v["activities"] for v in communication.values())),
            events=n(events),
            reached=n(sum(v["participants"] for v in communication.values())),
            copies=n(sum(v["copies"] for v in communication.values())),
        ),
    ]


def _small(value, threshold):
    return isinstance(value, int) and 0 < value < threshold


@dataclass(eq=False)
class TotalCell:
    """A table's total held like a row, so that a line can hide it as it hides a cell."""

    table: Table

    @property
    def value(self):
        return self.table.total

    @value.setter
    def value(self, value):
        self.table.total = value


@dataclass(eq=False)
class Line:
    """Cells and the cell that is their sum: a partition table and its total, a row of the type × degree
    table and its type's cell, a column of it and its degree's cell."""

    cells: list  # Row objects
    total: Row | TotalCell

    @property
    def members(self):
        return [*self.cells, self.total]

    def is_open(self):
        """Exactly one of its cells (its total included) hidden: the others give it back."""
        return sum(1 for cell in self.members if cell.value is HIDDEN) == 1

    def close(self):
        """Hide the smallest other non-zero cell, else the total; False when nothing is left to hide."""
        shown = [cell for cell in self.cells if isinstance(cell.value, int) and cell.value > 0]
        if shown:
            min(shown, key=lambda cell: cell.value).value = HIDDEN
            return True
        if self.total.value is not HIDDEN:
            self.total.value = HIDDEN
            return True
        return False


# The figures a report shows in several places, as (table key, row code — None for the table's total):
# the clients served (the headline, and the total of the tables served by sex, age, ethnicity and
# commune), the clients received, the referrals sent, the people under management, and those of them
# with a disability (a row of the families table and the total of the three disability tables).
SAME_FIGURES = (
    (("headline", "served"), ("sex", None), ("age_group", None), ("ethnicity", None), ("commune", None)),
    (("headline", "received"), ("channel", None)),
    (("referral_kind", None), ("referral_status", None)),
    (
        ("managed_family", None),
        ("managed_sex", None),
        ("managed_age_group", None),
        ("managed_ethnicity", None),
        ("managed_commune", None),
    ),
    (
        ("managed_family", "disability"),
        ("managed_disability_type", None),
        ("managed_disability_degree", None),
        ("managed_disability", None),
    ),
    (("workforce_qualification", None), ("workforce_sex", None), ("workforce_detail", None)),
)
# Tables of crossed codes ("type|degree") and their margins: (table, part of the code) — a line per row
# of each margin. The workforce's margin by kind of post is public (Table.public): its line's total is
# known, but the line never hides it.
CROSS_TABLES = {
    "managed_disability": (("managed_disability_type", 0), ("managed_disability_degree", 1)),
    "workforce_detail": (("workforce_kind", 0), ("workforce_qualification", 1), ("workforce_sex", 2)),
}


def lines(tables):
    """Every line of the report (Line): the partition tables, and the rows and columns of the cross tables."""
    by_key = {table.key: table for table in tables}
    found = [
        Line(table.rows, TotalCell(table))
        for table in tables
        if table.partition and table.total is not None and not table.public
    ]
    for cross_key, margins in CROSS_TABLES.items():
        cross = by_key.get(cross_key)
        if cross is None:
            continue
        for margin_key, part in margins:
            margin = by_key[margin_key]
            for margin_row in margin.rows:
                cells = [row for row in cross.rows if row.code.split("|")[part] == margin_row.code]
                total = Row(margin_row.code, margin_row.label, margin_row.value) if margin.public else margin_row
                found.append(Line(cells, total))
    return found


def same_figures(tables):
    """The cells (rows or totals) of each figure shown in several places, for the tables present."""
    by_key = {table.key: table for table in tables}
    groups = []
    for places in SAME_FIGURES:
        cells = [_cell(by_key[key], code) for key, code in places if key in by_key]
        groups.append([cell for cell in cells if cell is not None])
    return groups


def _cell(table, code):
    if code is None:
        return TotalCell(table) if table.total is not None else None
    return next((row for row in table.rows if row.code == code), None)


def suppress(tables):
    """The tables with small cells hidden, and the secondary cells that would give them back (in
    place; returns them)."""
    threshold = small_count_threshold()
    for table in tables:
        if table.key == "shelter":
            _suppress_shelter(table, threshold)
            continue
        if table.public:
            continue
        for cell in (*table.rows, TotalCell(table)):
            if _small(cell.value, threshold):
                cell.value = HIDDEN
    _suppress_secondary(lines(tables), same_figures(tables))
    for table in tables:
        for row in table.rows:
            if row.value is HIDDEN:
                row.drill = None
    return tables


def _suppress_secondary(report_lines, figures):
    """Until nothing changes: a figure hidden in one place is hidden in all, a line with a lone hidden
    cell hides another, and a cell that several lines give back together hides one beside it."""
    while True:
        _close_lines(report_lines, figures)
        cell = _given_back_together(report_lines, figures)
        if cell is None or not _hide_beside(cell, report_lines, figures):
            return


def _close_lines(report_lines, figures):
    changed = True
    while changed:
        changed = False
        for cells in figures:
            if any(cell.value is HIDDEN for cell in cells):
                for cell in cells:
                    if cell.value is not HIDDEN:
                        cell.value, changed = HIDDEN, True
        for line in report_lines:
            if line.is_open() and line.close():
                changed = True


def _unknowns(figures):
    """cell → the unknown it is, for the equations: a figure shown in several places is one unknown."""
    same = {_key(cell): _key(cells[0]) for cells in figures for cell in cells}
    return lambda cell: same.get(_key(cell), _key(cell))


def _key(cell):
    return ("total", id(cell.table)) if isinstance(cell, TotalCell) else ("row", id(cell))


def _given_back_together(report_lines, figures):
    """A hidden cell that no line gives back alone but several do together (a column's hidden cells
    less those whose sum another table shows), or None. Each line is an equation — its cells add up to
    its total — over the hidden cells; a cell is given back when the equations combine into its value
    alone (Gauss–Jordan elimination over exact fractions)."""
    unknown_of = _unknowns(figures)
    cells, rows = {}, []
    for line in report_lines:
        row = {}
        for cell, sign in [*((cell, 1) for cell in line.cells), (line.total, -1)]:
            if cell.value is HIDDEN:
                unknown = unknown_of(cell)
                cells.setdefault(unknown, cell)
                row[unknown] = row.get(unknown, 0) + Fraction(sign)
        row = {unknown: c for unknown, c in row.items() if c}
        if row:
            rows.append(row)
    for pivot_row in _reduced(rows):
        if len(pivot_row) == 1:
            return cells[next(iter(pivot_row))]
    return None


def _reduced(rows):
    """The rows (sparse: {unknown: coefficient}) in reduced row echelon form."""
    done = []
    for row in rows:
        for pivot, pivot_row in done:
            if pivot in row:
                factor = row[pivot]
                for unknown, c in pivot_row.items():
                    row[unknown] = row.get(unknown, 0) - factor * c
                row = {unknown: c for unknown, c in row.items() if c}
        if not row:
            continue
        pivot = next(iter(row))
        row = {unknown: c / row[pivot] for unknown, c in row.items()}
        for n, (other, other_row) in enumerate(done):
            if pivot in other_row:
                factor = other_row[pivot]
                merged = {u: other_row.get(u, 0) - factor * row.get(u, 0) for u in other_row.keys() | row.keys()}
                done[n] = (other, {u: c for u, c in merged.items() if c})
        done.append((pivot, row))
    return [row for _pivot, row in done]


def _hide_beside(cell, report_lines, figures):
    """Hide the smallest non-zero cell shown on a line of `cell` (its total when none is left)."""
    unknown_of = _unknowns(figures)
    mine = [line for line in report_lines if unknown_of(cell) in {unknown_of(m) for m in line.members}]
    shown = [m for line in mine for m in line.cells if isinstance(m.value, int) and m.value > 0]
    shown = shown or [line.total for line in mine if isinstance(line.total.value, int) and line.total.value > 0]
    if not shown:
        return False
    min(shown, key=lambda m: m.value).value = HIDDEN
    return True


def _suppress_shelter(table, threshold):
    rows = {row.code: row for row in table.rows}
    stays_ended = rows["stays_ended"].value
    for code in ("admissions", "stays_ended"):
        if _small(rows[code].value, threshold):
            rows[code].value = HIDDEN
    if isinstance(stays_ended, int) and stays_ended < threshold and rows["average_stay"].value is not None:
        rows["average_stay"].value = HIDDEN


def suppress_indicators(results):
    """Indicator numerators counted from people (4, 5) hidden under the threshold, like the table
    cells, and then their value and result too: over a known denominator (one a reporter typed, 1 say)
    the value would give the hidden count back."""
    threshold = small_count_threshold()
    for result in results:
        if result.definition.number in (4, 5) and _small(result.numerator, threshold):
            result.numerator, result.value, result.met = HIDDEN, None, None
    return results


def hides_small_counts(user, scope=None, *, snapshot=None):
    """Whether `user` reads the figures of `scope` (or of a frozen `snapshot`) with counts under the
    threshold hidden — the one decision for every page and file. Figures of several facilities always;
    a frozen report of another facility (read by the province) always; and anyone who may not open the
    facility's cases (a reporter reads aggregates only), their own facility's too. A supervisor's own
    facility keeps its exact figures."""
    if not has_perm(user, Perm.VIEW_FACILITY_CASES):
        return True
    if snapshot is not None:
        return not same_facility(user, snapshot)
    return scope.across_facilities
