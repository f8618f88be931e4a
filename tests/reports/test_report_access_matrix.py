"""Every report format answers what the page answers, for every scope and role: refused with the page's
status and Vietnamese message, or the same figures with small counts hidden exactly where
tables.hides_small_counts says — only a supervisor reads exact figures, and only of their own facility's
people (the facility, or a commune or group of communes counted over it)."""

import csv
import io
import re

import pytest
from docx import Document
from flask_babel import force_locale
from openpyxl import load_workbook

from caseapp.reports import queries, scoping, services, tables

from .. import factories
from .conftest import Q1, communes_of, q1_args

# The files of /reports/export.<format>.
FILE_FORMATS = ["csv", "xlsx", "pdf", "docx"]
FORMATS = ["page", *FILE_FORMATS]
SCOPES = ["facility", "province", "commune", "commune_group"]
ROLES = ["supervisor", "reporter", "social_worker", "admin"]

NO_PERMISSION = (403, "Không có quyền truy cập")
PROVINCE_REFUSED = (422, "Chỉ người được xem báo cáo của tỉnh mới chọn được phạm vi toàn tỉnh.")
EXACT, HIDDEN = "exact", "hidden"
# What each role gets for each scope: a refusal (status, message), or the figures exact or hidden.
EXPECTED = {
    "supervisor": {"facility": EXACT, "province": PROVINCE_REFUSED, "commune": EXACT, "commune_group": EXACT},
    "reporter": dict.fromkeys(SCOPES, HIDDEN),  # aggregates only, their own facility's too
    "social_worker": dict.fromkeys(SCOPES, NO_PERMISSION),
    "admin": dict.fromkeys(SCOPES, NO_PERMISSION),
}
HEADLINE = ("received", "counselled", "supported", "served", "cases_opened", "cases_closed")


@pytest.fixture()
def readers(data):
    """The report fixture's users, an admin of the facility, and a group of two communes (the
    facility's commune, where A and C live, and another)."""
    second = communes_of(data.facility.province_code, 2)[1]
    group = services.create_commune_group("Huyện Thới Lai cũ", [data.commune.code, second.code], by=data.reporter)
    users = {
        "supervisor": data.supervisor,
        "reporter": data.reporter,
        "social_worker": data.worker,
        "admin": factories.make_user(role="admin", facility=data.facility),
    }
    scope_args = {
        "facility": {"scope": "facility"},
        "province": {"scope": "province"},
        "commune": {"scope": "commune", "commune": data.commune.code},
        "commune_group": {"scope": "commune_group", "group": group.id},
    }
    return users, scope_args


def _path(fmt):
    return "/reports/" if fmt == "page" else f"/reports/export.{fmt}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_every_format_answers_what_the_page_answers(readers, signed_in, role, kind, fmt):
    users, scope_args = readers
    user, args = users[role], q1_args(**scope_args[kind])
    http = signed_in(user)
    response = http.get(_path(fmt), query_string=args)
    expected = EXPECTED[role][kind]
    if isinstance(expected, tuple):
        status, message = expected
        page = http.get("/reports/", query_string=args)
        assert (response.status_code, page.status_code) == (status, status)
        assert message in response.get_data(as_text=True) and message in page.get_data(as_text=True)
        return
    assert response.status_code == 200
    scope = scoping.report_scope(user, kind, args.get("commune"), args.get("group"))
    assert tables.hides_small_counts(user, scope) is (expected == HIDDEN)
    shown = headline_in(fmt, response)
    assert shown == expected_headline(scope, hidden=expected == HIDDEN, fmt=fmt)
    small = [value for value in shown.values() if str(value) in {"1", "2", "3", "4"}]
    if expected == HIDDEN:
        assert not small and "<5" in map(str, shown.values())
    else:
        assert small  # each scope of the fixture has a count under 5: shown exact to its supervisor


def expected_headline(scope, *, hidden, fmt):
    """The headline as reports.tables gives it for the scope (its counts are tested elsewhere)."""
    with force_locale("vi"):
        built = tables.build(queries.statistics(scope, Q1))
        if hidden:
            tables.suppress(built)
        rows = {row.label: row.value for row in built[0].rows if row.code in HEADLINE}
    return {
        label: (value if fmt == "xlsx" and value is not tables.HIDDEN else str(value)) for label, value in rows.items()
    }


def headline_in(fmt, response):
    """{label: value} of the headline table as the page or the file shows it."""
    labels = _labels()
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data))["Tổng hợp"]
        return {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] in labels}
    if fmt == "csv":
        found = {}
        for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))):
            if len(row) > 1 and row[0] in labels:
                found.setdefault(row[0], row[1])
        return found
    if fmt == "docx":
        rows = [row.cells for table in Document(io.BytesIO(response.data)).tables for row in table.rows]
        return {cells[0].text: cells[1].text for cells in rows if len(cells) > 1 and cells[0].text in labels}
    if fmt == "pdf":
        text = _pdf_text(response.data)
        return {label: text.split(label, 1)[1].split()[0] for label in labels if label in text}
    page = response.get_data(as_text=True)
    cell = r"</td>\s*<td[^>]*class=\"num\">(?:<a [^>]*>)?([^<]*)<"
    return {label: re.search(re.escape(label) + cell, page).group(1).replace("&lt;", "<") for label in labels}


def _labels():
    """The Vietnamese labels of the headline's counts (every file is Vietnamese, and so is the page here)."""
    with force_locale("vi"):
        return [str(row.label) for row in tables.build(_empty_numbers())[0].rows if row.code in HEADLINE]


def _empty_numbers():
    breakdowns = {
        key: {}
        for key in (
            "group",
            "sex",
            "age_group",
            "ethnicity",
            "commune",
            "channel",
            "problem",
            "service",
            "referral_kind",
            "referral_status",
        )
    }
    return {
        "headline": dict.fromkeys(HEADLINE, 0),
        "breakdowns": breakdowns,
        "shelter": {"admissions": 0, "bed_nights": 0, "stays_ended": 0, "stay_nights_ended": 0},
    }


def _pdf_text(body):
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)
