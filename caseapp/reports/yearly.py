"""The yearly implementation report ("Báo cáo kết quả thực hiện Kế hoạch … năm …") that the provincial
plans ask of each unit: the year's statistics and QĐ 112/QĐ-TTg indicators of the unit (or, for a reader
of the province's reports, of the province), and the sections the unit writes — results achieved,
shortcomings and their causes, direction and proposals.

A draft is edited any number of times (a stale edit is refused, the text kept) and shows the figures as
they are now. Issuing it — once — gives it the next number of the unit's outgoing reports of the year
(core.sequences, kind "report"), the date, the signer and the recipients, and stores the figures counted
up to the day the figures are taken to ("số liệu tính đến ngày", the year's end at the latest) and the
heading as it was: the issued report never changes again, whatever happens to the cases or the
settings. A report issued after the year closed, when the year's report is frozen, takes the frozen
figures. Who reads small counts is decided at reading, by reports.tables.hides_small_counts.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..core.docx import Heading, Paragraph, render_docx
from ..core.pdf import DocumentHeader, Signature, place_name
from ..core.sequences import next_value
from ..core.services import ServiceError
from ..core.text import nfc_text
from ..core.timeutil import local_today, utcnow
from ..extensions import db
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from ..security.scopes import own_facility
from . import deadlines, exports, indicators, periods, queries, scoping, tables
from .models import YearlyReport, YearlyReportStatus

SECTIONS = ("results", "shortcomings", "proposals")
SECTION_MAX = 20000
SCOPES = ("facility", "province")
STALE = _l("Someone else changed this report since you opened it. Your text is kept below: check it and save again.")
ALREADY_ISSUED = _l("This report has been issued: it can no longer be changed.")
REPORT_SEQUENCE = "report"  # core.sequences kind: the unit's outgoing reports of a year
NETWORK_HEADING = "3. Mạng lưới, năng lực và truyền thông"  # the official text, as the PDF's


def default_title(year):
    return f"Báo cáo kết quả thực hiện Kế hoạch công tác xã hội năm {year}"


# --- reads ------------------------------------------------------------------------------------------------


def reports_of(user, limit=200):
    """The user's facility's yearly reports, the latest year first."""
    return db.session.scalars(
        sa.select(YearlyReport)
        .where(own_facility(YearlyReport.facility_id, user))
        .order_by(YearlyReport.year.desc(), YearlyReport.id.desc())
        .limit(limit)
    ).all()


def report_in_reach(report_id, user):
    """A yearly report of the user's own facility (another facility's answers None: 404)."""
    report = db.session.get(YearlyReport, report_id)
    return report if report is not None and same_facility(user, report) else None


def _scope(report, user):
    """The scope the report is of, as `user` may read it (a province report needs the province reader)."""
    if report.scope == "province":
        try:
            return scoping.report_scope(user, "province")
        except ValueError:
            return None
    return scoping.report_scope(user, "facility")


def figures_period(year, until):
    """The period the figures cover: the year, or from 1 January to `until` when the year is not over."""
    end = min(until, date(year, 12, 31))
    if end == date(year, 12, 31):
        return periods.Period("year", date(year, 1, 1), end)
    return periods.Period("custom", date(year, 1, 1), end)


@dataclass
class Figures:
    tables: list
    results: list
    period: periods.Period
    scope_name: str
    suppressed: bool
    numbers: dict  # what the tables were built of (the workforce's agencies list for indicator 1)
    network: list  # the network and capacity in sentences (tables.network_lines)


def figures(report, user, today=None):
    """The report's tables and indicators as `user` may read them: the stored figures of an issued report,
    the live figures (to today, or the year's end) of a draft. None: a province report read by someone
    who does not read the province."""
    scope = _scope(report, user)
    if scope is None:
        return None
    if report.is_issued:
        data = report.data
        period = periods.Period.from_dict(data["period"])
        numbers, reference, scope_name = data, data.get("reference", {}), data.get("scope_name", scope.name)
    else:
        period = figures_period(report.year, today or local_today())
        numbers, scope_name = queries.statistics(scope, period), scope.name
        reference = queries.reference_for(scope, report.year)
    suppressed = tables.hides_small_counts(user, scope)
    report_tables = tables.build(numbers)
    results = indicators.compute(numbers, reference, report.year)
    if suppressed:
        tables.suppress(report_tables)
        tables.suppress_indicators(results)
    network = tables.network_lines(numbers.get("workforce"))
    return Figures(report_tables, results, period, scope_name, suppressed, numbers, network)


def heading(report, user):
    """How the report is headed and signed: as issued, or (a draft) as the facility's settings say now,
    its number left blank ("…/BC-TTCTXH") and the date of today."""
    if report.is_issued:
        h = report.heading or {}
        return DocumentHeader(
            issuing_body=h.get("issuer", ""),
            parent_body=h.get("parent_body", ""),
            doc_type="BÁO CÁO",
            number=report.number_symbol or "",
            place=h.get("place", ""),
            day=report.issued_on,
            title=report.title,
            recipients=h.get("recipients", []),
            signature=Signature(
                title=h.get("signer_title", ""), name=h.get("signer_name", ""), authority=h.get("signer_authority", "")
            ),
            pdf_title=report.title,
        )
    return DocumentHeader(
        **{**_heading_values(user, _draft_signer(user)), "title": report.title, "pdf_title": report.title}
    )


def _draft_signer(user):
    settings = queries.report_settings(user.facility_id)
    return {
        "signer_authority": (settings.signer_authority if settings else None) or "",
        "signer_title": (settings.signer_title if settings else None) or "",
        "signer_name": (settings.signer_name if settings else None) or "",
        "recipients": "\n".join(settings.recipient_lines) if settings else "",
    }


def _heading_values(user, signer, number=None, day=None):
    """The DocumentHeader arguments of the user's facility for the signer and recipients chosen."""
    settings = queries.report_settings(user.facility_id)
    abbreviation = settings.abbreviation if settings else None
    lines = [line.strip() for line in str(signer.get("recipients") or "").splitlines() if line.strip()]
    recipients = exports.recipient_lines(_Recipients(lines, abbreviation))
    return {
        "issuing_body": user.facility.name,
        "parent_body": (settings.parent_body if settings else None) or "",
        "doc_type": "BÁO CÁO",
        "number": f"{number if number else '…'}/BC" + (f"-{abbreviation}" if abbreviation else ""),
        "place": place_name(scoping.province_name(user.facility.province_code)),
        "day": day or local_today(),
        "recipients": recipients,
        "signature": Signature(
            title=signer.get("signer_title") or "NGƯỜI LẬP BÁO CÁO",
            name=signer.get("signer_name") or "",
            authority=signer.get("signer_authority") or "",
        ),
    }


@dataclass
class _Recipients:
    """What exports.recipient_lines reads of the settings: the recipients chosen and the abbreviation."""

    recipient_lines: list
    abbreviation: str | None


def signer_defaults(user):
    """The issue form's first values: the signer and recipients of the facility's settings."""
    return _draft_signer(user)


def docx_bytes(report, figures, doc):
    """The report as a Word document an office edits before it is signed: what
    templates/pdf/yearly_report.html prints, through core.docx."""
    blocks = [] if report.is_issued else [Paragraph("DỰ THẢO — CHƯA BAN HÀNH", bold=True)]
    blocks.append(
        Paragraph(
            f"Phạm vi số liệu: {figures.scope_name}. Số liệu từ ngày {figures.period.start:%d/%m/%Y} "
            f"đến ngày {figures.period.end:%d/%m/%Y}."
        )
    )
    if figures.suppressed:
        n = tables.small_count_threshold()
        blocks.append(Paragraph(f'Các ô dưới {n} người được ghi là "<{n}" để bảo vệ thông tin cá nhân.', italic=True))
    blocks.append(Heading("I. KẾT QUẢ ĐẠT ĐƯỢC"))
    if report.results:
        blocks.append(Paragraph(report.results))
    blocks += exports.indicator_blocks(figures.results, "1. Các chỉ tiêu theo Quyết định 112/QĐ-TTg")
    blocks += exports.statistics_blocks(figures.tables, "2. Số liệu thống kê", prefix="2.")
    blocks.append(Heading(NETWORK_HEADING))
    blocks += [Paragraph(line) for line in figures.network]
    blocks += [Heading("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"), Paragraph(report.shortcomings or "")]
    blocks += [Heading("III. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ, ĐỀ XUẤT"), Paragraph(report.proposals or "")]
    return render_docx(doc, blocks)


# --- writes -----------------------------------------------------------------------------------------------


def _clean(text, limit=SECTION_MAX, field=None):
    value = nfc_text(text)
    if len(value) > limit:
        raise ServiceError(_l("At most %(max)d characters.", max=limit), field=field)
    return value or None


def _checked_scope(scope, user):
    if scope not in SCOPES:
        raise ServiceError(_l("Choose what the report covers."), field="scope")
    if scope == "province" and not has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
        raise ServiceError(scoping.PROVINCE_REFUSED, field="scope")
    return scope


def _checked_year(year):
    if not isinstance(year, int) or not 2021 <= year <= local_today().year + 1:
        raise ServiceError(_l("Choose a year of the programme (2021 to next year)."), field="year")
    return year


def _apply(report, data):
    title = _clean(data.get("title"), 255, "title")
    if not title:
        raise ServiceError(_l("Give the report a title."), field="title")
    report.title = title
    for section in SECTIONS:
        setattr(report, section, _clean(data.get(section), field=section))


def create_draft(data, *, by):
    """A new draft of the user's facility, for a year and scope, with its sections as written so far."""
    report = YearlyReport(
        facility_id=by.facility_id,
        year=_checked_year(data.get("year")),
        scope=_checked_scope(data.get("scope") or "facility", by),
        status=YearlyReportStatus.DRAFT,
        created_by_id=by.id,
        updated_by_id=by.id,
    )
    _apply(report, {**data, "title": data.get("title") or default_title(report.year)})
    db.session.add(report)
    db.session.flush()
    record("yearly_report_drafted", by=by, entity=report, detail={"year": report.year, "scope": report.scope})
    return report


def _check_editable(report, by, seen_version):
    if not same_facility(by, report):
        raise ServiceError(_l("You can only change the reports of your own facility."))
    if report.is_issued:
        raise ServiceError(ALREADY_ISSUED)
    if report.version != seen_version:
        raise ServiceError(STALE)


def update_draft(report, data, *, by, seen_version):
    """The draft's title and sections as the form gives them; refused when saved by someone else since
    the form was opened, or issued meanwhile (the user's text stays on the form)."""
    _check_editable(report, by, seen_version)
    before = {section: getattr(report, section) for section in (*SECTIONS, "title")}
    _apply(report, data)
    report.updated_by_id, report.updated_at = by.id, utcnow()
    db.session.flush()
    changed = sorted(key for key, value in before.items() if getattr(report, key) != value)
    record("yearly_report_edited", by=by, entity=report, detail={"fields": changed})
    return report


def _stored_figures(report, scope, period):
    """The figures the issued report keeps: the year's frozen report when the year is over and frozen,
    else counted now up to the end of `period`."""
    frozen = None
    if scope.kind == "facility" and period.kind == "year":
        frozen = queries.frozen_snapshot(report.facility_id, period)
    if frozen is not None:
        return dict(frozen.data, scope_name=scope.name), frozen.id
    numbers = queries.statistics(scope, period)
    numbers["period"] = period.as_dict()
    numbers["reference"] = queries.reference_for(scope, report.year)
    numbers["scope_name"] = scope.name
    return numbers, None


def issue(report, signer, *, issued_on, figures_until, by, seen_version, now=None):
    """Issue the draft: the next number of the unit's outgoing reports of the issue year, the date, the
    signer and recipients chosen (`signer`: signer_authority, signer_title, signer_name, recipients), and
    the figures and heading stored for good."""
    _check_editable(report, by, seen_version)
    today = local_today()
    if issued_on is None or issued_on > today or issued_on.year < report.year:
        raise ServiceError(
            _l("The date of issue is today or a past day of the report's year or later."), field="issued_on"
        )
    if figures_until is None or figures_until.year != report.year or figures_until > today:
        raise ServiceError(
            _l("The figures are taken to a day of the report's year, today at the latest."), field="figures_until"
        )
    if not (signer.get("signer_title") or "").strip() or not (signer.get("signer_name") or "").strip():
        raise ServiceError(_l("Say who signs the report: title and full name."), field="signer_name")
    scope = _scope(report, by)
    if scope is None:
        raise ServiceError(scoping.PROVINCE_REFUSED)
    clean = {
        key: _clean(signer.get(key), 2000 if key == "recipients" else 128, key) or ""
        for key in ("signer_authority", "signer_title", "signer_name", "recipients")
    }
    period = figures_period(report.year, figures_until)
    report.data, report.snapshot_id = _stored_figures(report, scope, period)
    report.number = next_value(report.facility_id, REPORT_SEQUENCE, issued_on.year)
    values = _heading_values(by, clean, number=report.number, day=issued_on)
    report.number_symbol = values["number"]
    report.heading = {
        "issuer": values["issuing_body"],
        "parent_body": values["parent_body"],
        "place": values["place"],
        "recipients": values["recipients"],
        "signer_authority": values["signature"].authority,
        "signer_title": values["signature"].title,
        "signer_name": values["signature"].name,
    }
    report.issued_on, report.status = issued_on, YearlyReportStatus.ISSUED
    report.issued_by_id, report.issued_at = by.id, now or utcnow()
    report.updated_by_id, report.updated_at = by.id, report.issued_at
    db.session.flush()
    record(
        "yearly_report_issued",
        by=by,
        entity=report,
        detail={"year": report.year, "number": report.number_symbol, "issued_on": issued_on.isoformat()},
    )
    deadlines.mark_sent_from_report(report, by=by)  # the yearly report's deadline is met with it
    return report
