"""Small counts stay hidden: no hidden cell comes back from a line of the report (a partition table and
its total, a row or a column of the disability type × degree table and its type's or degree's cell),
from several lines together, or from the same figure shown elsewhere — checked on numbers built by
hand and on a sweep of made-up reports; and the threshold is a setting every text follows."""

import csv
import io
import random
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from caseapp.reports import tables
from caseapp.reports.tables import HIDDEN

from .conftest import q1_args

BREAKDOWNS = ("group", "sex", "age_group", "ethnicity", "commune", "channel", "problem", "service")
# The tables whose rows add up to their total (each is a line of the report).
PARTITIONS = (
    "sex",
    "age_group",
    "ethnicity",
    "commune",
    "channel",
    "referral_kind",
    "referral_status",
    "managed_disability_type",
    "managed_disability_degree",
    "managed_disability",
    "managed_sex",
    "managed_age_group",
    "managed_ethnicity",
    "managed_commune",
)
# The same figure in several places: (table, row code or None for the table's total).
SAME = (
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
)


def report(served=None, received=None, cross=None, referrals=None):
    """A report's numbers built by hand: `served` {dimension: {code: people}} (each dimension adding
    up to the same total), `received` {channel: people}, `cross` {(type, degree): people with a
    disability under management} — the type and degree tables are its margins — and `referrals`
    {(kind, status): referrals}."""
    served, received, cross, referrals = served or {}, received or {}, cross or {}, referrals or {}
    breakdowns = {key: {} for key in (*BREAKDOWNS, "referral_kind", "referral_status")}
    served_total = sum(next(iter(served.values()), {}).values())
    breakdowns.update(_every_dimension(served_total))
    breakdowns.update(served)
    breakdowns["channel"] = received
    for (kind, status), n in referrals.items():
        breakdowns["referral_kind"][kind] = breakdowns["referral_kind"].get(kind, 0) + n
        breakdowns["referral_status"][status] = breakdowns["referral_status"].get(status, 0) + n
    return {
        "headline": {
            "received": sum(received.values()),
            "counselled": 0,
            "supported": served_total,
            "served": served_total,
            "cases_opened": 0,
            "cases_closed": 0,
        },
        "breakdowns": breakdowns,
        "shelter": {"admissions": 0, "bed_nights": 0, "stays_ended": 0, "stay_nights_ended": 0},
        "indicators": {"facilities_with_cases": 1, "facilities_total": 1, "ind4_people": 0, "ind5_children": 0},
        "managed": _managed(cross),
    }


def _every_dimension(total):
    """Each dimension of people all in its "not known" row (what a report leaves out is not known)."""
    return {
        "sex": {"unknown": total},
        "age_group": {"unknown": total},
        "ethnicity": {"unknown": total},
        "commune": {"": total},
    }


def _managed(cross):
    kinds, degrees = {}, {}
    for (kind, degree), n in cross.items():
        kinds[kind] = kinds.get(kind, 0) + n
        degrees[degree] = degrees.get(degree, 0) + n
    disabled = sum(cross.values())
    return {
        "on": "2026-03-31",
        "total": disabled,
        "family": {"disability": disabled},
        "group": {},
        "disability_type": {k: n for k, n in kinds.items() if n},
        "disability_degree": {d: n for d, n in degrees.items() if n},
        "disability": {f"{k}|{d}": n for (k, d), n in cross.items() if n},
        "care_mode": {},
        **_every_dimension(disabled),
    }


def suppressed(numbers):
    return {table.key: table for table in tables.suppress(tables.build(numbers))}


def shown(table):
    return {row.code: row.value for row in table.rows}


# --- the checker ---------------------------------------------------------------------------------------


def equations(built):
    """Every line of the report as (name, cells, total), values as shown; written from the tables'
    meaning, not from reports.tables."""
    found = [(key, [row.value for row in built[key].rows], built[key].total) for key in PARTITIONS if key in built]
    cross = built["managed_disability"].rows
    for margin, part in (("managed_disability_type", 0), ("managed_disability_degree", 1)):
        for row in built[margin].rows:
            cells = [cell.value for cell in cross if cell.code.split("|")[part] == row.code]
            found.append((f"{margin} {row.code}", cells, row.value))
    return found


def given_back(built):
    """How hidden counts could be recomputed: each line with exactly one hidden member (it is the total
    less the others, or their sum), and each figure hidden in one place but shown in another."""
    leaks = []
    for name, cells, total in equations(built):
        if [*cells, total].count(HIDDEN) == 1:
            leaks.append(f"line {name}")
    for places in SAME:
        values = [_value(built, key, code) for key, code in places if key in built]
        if HIDDEN in values and any(value is not HIDDEN for value in values):
            leaks.append(f"figure {places[0]}")
    return leaks + solved_together(built)


def _value(built, key, code):
    table = built[key]
    return table.total if code is None else shown(table).get(code, 0)


def solved_together(built):
    """The hidden cells of the disability tables that the lines solve for together: a cell is solved
    when dropping its unknown lowers the rank of the equations (its unit vector is in their span)."""
    unknowns = [
        (key, row.code)
        for key in ("managed_disability_type", "managed_disability_degree", "managed_disability")
        for row in built[key].rows
        if row.value is HIDDEN
    ]
    if built["managed_disability"].total is HIDDEN:
        unknowns.append(("disabled", None))
    matrix = []
    for _name, cells, total in _disability_equations(built):
        matrix.append([Fraction(cells.count(u) - (u == total)) for u in unknowns])
    full = _rank(matrix)
    return [
        f"solved {unknown}"
        for n, unknown in enumerate(unknowns)
        if _rank([row[:n] + row[n + 1 :] for row in matrix]) < full
    ]


def _disability_equations(built):
    """The lines of the disability tables over their hidden cells: (name, [unknowns], total unknown)."""
    cross, kinds, degrees = (
        built["managed_disability"],
        built["managed_disability_type"],
        built["managed_disability_degree"],
    )

    def unknown(key, row):
        return (key, row.code) if row.value is HIDDEN else None

    total = ("disabled", None) if cross.total is HIDDEN else None
    result = []
    for key, table in (("managed_disability", cross), ("managed_disability_type", kinds)):
        result.append((key, [unknown(key, row) for row in table.rows], total))
    result.append(("degrees", [unknown("managed_disability_degree", row) for row in degrees.rows], total))
    for margin, key, part in ((kinds, "managed_disability_type", 0), (degrees, "managed_disability_degree", 1)):
        for row in margin.rows:
            cells = [unknown("managed_disability", c) for c in cross.rows if c.code.split("|")[part] == row.code]
            result.append((row.code, cells, unknown(key, row)))
    return result


def _rank(matrix):
    rows = [row[:] for row in matrix if any(row)]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column]:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def assert_safe(numbers, built):
    """No leak, every count from 1 to 4 hidden, and every figure shown is the true one."""
    assert given_back(built) == []
    truth = {key: {row.code: row.value for row in table.rows} for key, table in suppressed_raw(numbers).items()}
    for key, table in built.items():
        for row in table.rows:
            true = truth[key][row.code]
            if isinstance(true, int) and 0 < true < 5:
                assert row.value is HIDDEN, (key, row.code)
            assert row.value is HIDDEN or row.value == true, (key, row.code)


def suppressed_raw(numbers):
    return {table.key: table for table in tables.build(numbers)}


# --- numbers built by hand -------------------------------------------------------------------------------


def test_a_small_cell_of_the_type_by_degree_table_is_not_given_back_by_its_row_or_column():
    # 30 people: mobility 12 = 2 severe + 10 mild, vision 18 = 13 severe + 5 mild; severe 15, mild 15.
    cross = {("mobility", "severe"): 2, ("mobility", "mild"): 10, ("vision", "severe"): 13, ("vision", "mild"): 5}
    built = suppressed(report(cross=cross))
    # the table alone would hide 2 and 5; but 2 = mobility 12 − 10 and = severe 15 − 13: all four go
    assert shown(built["managed_disability"]) == dict.fromkeys(
        ["vision|severe", "mobility|mild", "vision|mild", "mobility|severe"], HIDDEN
    )
    assert shown(built["managed_disability_type"]) == {"vision": 18, "mobility": 12}  # nothing small there
    assert shown(built["managed_disability_degree"]) == {"severe": 15, "mild": 15}
    assert_safe(report(cross=cross), built)


def test_the_checker_finds_what_hiding_table_by_table_leaves():
    cross = {("mobility", "severe"): 2, ("mobility", "mild"): 10, ("vision", "severe"): 13, ("vision", "mild"): 5}
    built = suppressed_raw(report(cross=cross))
    for row in built["managed_disability"].rows:  # the former rule: 2, and the smallest other cell of the table
        if row.code in ("mobility|severe", "vision|mild"):
            row.value = HIDDEN
    assert "line managed_disability_type mobility" in given_back(built)  # 12 − 10
    assert "line managed_disability_degree severe" in given_back(built)  # 15 − 13


def test_a_type_hidden_beside_a_small_one_takes_the_cells_of_its_row_with_it():
    # types: mobility 3 (small), vision 7, hearing 20 = 30; vision's 7 goes with mobility's 3 —
    # and then vision's only cell, 7 severe, would show it: it goes too
    cross = {
        ("mobility", "mild"): 3,
        ("vision", "severe"): 7,
        ("hearing_speech", "severe"): 3,
        ("hearing_speech", "mild"): 17,
    }
    built = suppressed(report(cross=cross))
    assert shown(built["managed_disability_type"]) == {"hearing_speech": 20, "vision": HIDDEN, "mobility": HIDDEN}
    assert shown(built["managed_disability"])["vision|severe"] is HIDDEN
    assert shown(built["managed_disability"])["hearing_speech|mild"] is HIDDEN  # mild 20 − 17 would give 3
    assert_safe(report(cross=cross), built)


def test_cells_that_several_lines_give_back_together_are_hidden_too():
    # very severe 17 = vision 9 + hearing 5 + mobility 2 + mental 1; hearing's and mobility's only cells
    # are very severe, so the type table's hearing + mobility (25 − 9 − 9 = 7) would give mental's 1 as
    # 17 − 9 − 7, though every line has two hidden cells at least
    cross = {
        ("mobility", "very_severe"): 2,
        ("vision", "very_severe"): 9,
        ("hearing_speech", "very_severe"): 5,
        ("mental", "very_severe"): 1,
        ("mental", "severe"): 3,
        ("mental", "mild"): 5,
    }
    built = suppressed(report(cross=cross))
    assert shown(built["managed_disability"])["mental|very_severe"] is HIDDEN
    assert solved_together(built) == []
    assert_safe(report(cross=cross), built)
    # what the lines one by one leave: no line has a lone hidden cell, yet mental's 1 is solved
    line_by_line = suppressed_raw(report(cross=cross))
    hide = {
        "managed_disability_type": ("hearing_speech", "mobility"),
        "managed_disability_degree": ("severe", "mild"),
        "managed_disability": (
            "hearing_speech|very_severe",
            "mobility|very_severe",
            "mental|very_severe",
            "mental|severe",
            "mental|mild",
        ),
    }
    for key, codes in hide.items():
        for row in line_by_line[key].rows:
            if row.code in codes:
                row.value = HIDDEN
    assert given_back(line_by_line) == ["solved ('managed_disability', 'mental|very_severe')"]


def test_a_partition_hides_a_complementary_cell_and_two_small_cells_are_enough():
    built = suppressed(report(served={"sex": {"female": 10, "male": 4}, "age_group": {"18-59": 14}}))
    assert shown(built["sex"]) == {"female": HIDDEN, "male": HIDDEN, "other": 0, "unknown": 0}
    assert built["sex"].total == 14 and shown(built["headline"])["served"] == 14
    built = suppressed(report(served={"sex": {"female": 9, "male": 3, "unknown": 2}}))
    assert shown(built["sex"]) == {"female": 9, "male": HIDDEN, "other": 0, "unknown": HIDDEN}


def test_a_total_hidden_in_one_table_is_hidden_wherever_the_figure_is_shown():
    numbers = report(served={"sex": {"female": 6, "male": 7}, "age_group": {"18-59": 13}})
    built = {table.key: table for table in tables.build(numbers)}
    built["sex"].total = HIDDEN  # as a line would hide it when no other cell is left
    tables.suppress(list(built.values()))
    assert shown(built["headline"])["served"] is HIDDEN
    assert built["age_group"].total is HIDDEN and built["ethnicity"].total is HIDDEN
    assert given_back(built) == []


def test_a_small_total_is_hidden_in_the_headline_and_in_every_table_of_it():
    built = suppressed(report(served={"sex": {"female": 3}, "commune": {"": 3}}, referrals={("hospital", "sent"): 2}))
    assert shown(built["headline"])["served"] is HIDDEN
    assert {built[key].total for key in ("sex", "age_group", "ethnicity", "commune")} == {HIDDEN}
    assert built["referral_kind"].total is HIDDEN and built["referral_status"].total is HIDDEN
    assert given_back(built) == []


def test_no_hidden_count_comes_back_from_any_line_of_made_up_reports():
    dice = random.Random(112)
    sizes = (0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 40)
    kinds = ("mobility", "hearing_speech", "vision", "mental", "intellectual", "other")
    degrees = ("very_severe", "severe", "mild")
    for _ in range(300):
        cross = {(k, d): dice.choice(sizes) for k in kinds[: dice.randint(1, 6)] for d in degrees[: dice.randint(1, 3)]}
        sexes = {"female": dice.choice(sizes), "male": dice.choice(sizes), "unknown": dice.choice(sizes)}
        total = sum(sexes.values())
        ages = {"0-5": min(total, dice.choice(sizes))}
        ages["18-59"] = total - ages["0-5"]
        received = {"walk_in": sexes["female"], "hotline_111": sexes["male"], "police": sexes["unknown"]}
        numbers = report(served={"sex": sexes, "age_group": ages}, cross=cross, received=received)
        assert_safe(numbers, suppressed(numbers))


def test_a_drill_down_link_never_points_at_a_hidden_cell():
    built = suppressed(report(served={"sex": {"female": 10, "male": 4}}))
    assert all(row.drill is None for row in built["sex"].rows if row.value is HIDDEN)


# --- the threshold --------------------------------------------------------------------------------------------


@pytest.fixture()
def threshold_10(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "SMALL_COUNT_THRESHOLD", 10)


def test_the_threshold_is_a_setting_and_the_hidden_mark_says_it(threshold_10):
    built = suppressed(report(served={"sex": {"female": 7, "male": 12}}))
    assert shown(built["sex"])["female"] is HIDDEN and shown(built["sex"])["male"] is HIDDEN  # 19 − 7
    assert str(HIDDEN) == "<10" and HIDDEN == "<10" and HIDDEN != "<5"
    assert tables.small_count_threshold() == 10


def test_the_default_threshold_is_five(app, session):
    assert app.config["SMALL_COUNT_THRESHOLD"] == 5 and str(HIDDEN) == "<5"


@pytest.mark.parametrize("fmt", ["page", "csv", "xlsx", "pdf"])
def test_no_page_or_file_says_five_when_the_threshold_is_ten(data, signed_in, threshold_10, fmt):
    """The served total 5 of the fixture is under 10: hidden as "<10"; every note says 10."""
    http = signed_in(data.reporter)
    path = "/reports/" if fmt == "page" else f"/reports/export.{fmt}"
    response = http.get(path, query_string=q1_args())
    assert response.status_code == 200
    if fmt == "xlsx":
        rows = load_workbook(io.BytesIO(response.data))["Tổng hợp"].iter_rows(min_row=4, values_only=True)
        served = {row[0]: row[1] for row in rows}["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"]
        assert served == "<10"
        return
    text = _text(fmt, response)
    assert "<10" in text and "<5" not in text and "dưới 5 " not in text
    if fmt == "csv":
        rows = {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) > 1}
        assert rows["Số đối tượng được phục vụ (tiếp nhận hoặc hỗ trợ)"] == "<10"
        assert "Các ô dưới 10 người được ghi là <10." in text
    if fmt == "page":
        assert "Các ô dưới 10 người được ghi là <10." in text
        assert "Ẩn (dưới 10 người)" in text  # indicator 4 (5 people) and 5 (1 child)
    if fmt == "pdf":
        assert 'Các ô dưới 10 người được ghi là "<10"' in text


def _text(fmt, response):
    if fmt == "csv":
        return response.data.decode("utf-8-sig")
    if fmt == "pdf":
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(response.data)).pages
        return " ".join(" ".join(page.extract_text().split()) for page in pages)
    return response.get_data(as_text=True).replace("&lt;", "<").replace("&#34;", '"')
