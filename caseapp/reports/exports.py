"""The report as files: CSV (UTF-8 with BOM for Excel, formula injection neutralised),
XLSX (openpyxl: real numbers, one sheet per table, Vietnamese headers), PDF (the administrative
layout of Nghị định 30/2020/NĐ-CP through core.pdf) and DOCX (the same layout through core.docx, for
offices that edit the report in Word before it is signed). Small counts are hidden as reports.tables
decides for the user and the scope, the same on the page and in every file."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.docx import Heading, Paragraph, Table, render_docx
from ..core.downloads import bytes_response, neutralise
from ..core.pdf import DocumentHeader, Signature, place_name, render_pdf
from ..core.text import vn_percent
from ..core.timeutil import format_datetime, local_today, utcnow
from ..core.urls import parse_id
from ..extensions import db
from ..org.models import Facility
from ..security.policy import Perm, has_perm
from . import indicators, periods, queries, scoping, tables
from .province import province_numbers
from .tables import small_count_threshold


def met_text(result):
    if result.numerator is tables.HIDDEN:
        return _("Hidden (under %(n)s people)", n=small_count_threshold())
    if result.met is None:
        return _("No data")
    return _("Met") if result.met else _("Not met")


def _number(value):
    """A figure as a number of its own kind: a count as an integer (359, not 359.0); a cell hidden as
    its text ("<5"); None an empty cell."""
    if value is None:
        return ""
    if value is tables.HIDDEN:
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def indicator_rows(results):
    """The indicator table: the header, then per indicator its cells; `user_text` marks the cells
    whose text people typed (the sources of entered numbers, a target's document), which a
    spreadsheet must not read as a formula."""
    header = [
        _("No."),
        _("Indicator"),
        _("Numerator"),
        _("Denominator"),
        _("Value") + " (%)",
        _("Target") + " (%)",
        _("National target 2025"),
        _("National target 2030"),
        _("Result"),
        _("Target used"),
        _("Source of the entered numbers"),
    ]
    rows = []
    for r in results:
        d = r.definition
        rows.append(
            [
                d.number,
                str(d.title),
                _number(r.numerator),
                _number(r.denominator),
                _number(r.value),
                _number(r.target),
                d.target_2025_text,
                d.target_2030_text,
                met_text(r),
                neutralise(str(r.target_basis)),
                neutralise("; ".join(sorted(set(r.sources.values())))),
            ]
        )
    return header, rows


PERCENT_COLUMNS = (4, 5)  # the indicator table's value and target, in %


def table_header(table):
    """A statistics table's header: the category, then its unit or (several columns) their headers."""
    return [_("Category"), *(table.columns or [table.unit])]


def _table_rows(table):
    """A statistics table's rows; a row's label may be a name from the data (a commune's, a
    provider's), neutralised (our categories never start like a formula). A table frozen before its
    figures were counted has its note as its only row."""
    if not table.recorded:
        return [[neutralise(table.note)]]
    rows = [[neutralise(row.label), *(_number(v) for v in _figures(row.values, row.value))] for row in table.rows]
    if table.totals is not None:
        rows.append([_("Total"), *(_number(v) for v in table.totals)])
    elif table.total is not None:
        rows.append([_("Total"), _number(table.total)])
    return rows


def _figures(values, value):
    return values if values is not None else [value]


def _title(period, scope_name):
    return _("Statistics report — %(scope)s — %(period)s", scope=scope_name, period=period.label)


def csv_bytes(tables, results, period, scope_name, *, suppressed=True):
    """For programs as much as for people: plain digits and a dot before decimals, as the note row
    says; only the text people typed (a facility's name, the sources) neutralised."""
    out = io.StringIO()
    write = csv.writer(out).writerow
    write([neutralise(_title(period, scope_name))])
    threshold = small_count_threshold()
    hidden_note = _("Cells under %(n)s people are shown as <%(n)s.", n=threshold) if suppressed else _("Exact figures.")
    write([hidden_note, _("Made on %(when)s", when=format_datetime(utcnow()))])
    write([_("Numbers are written in plain digits, with a dot before the decimals (e.g. 5526 and 30.1).")])
    for table in tables:
        write([])
        write([table.title])
        if table.note and table.recorded:
            write([neutralise(table.note)])
        write(table_header(table))
        for row in _table_rows(table):
            write(row)
    write([])
    write([_("QĐ 112/QĐ-TTg programme indicators")])
    header, rows = indicator_rows(results)
    write(header)
    for row in rows:
        write(row)
    return "\ufeff".encode("utf-8") + out.getvalue().encode("utf-8")


SHEET_NAMES = {
    "headline": "Tổng hợp",
    "group": "Nhóm đối tượng",
    "sex": "Giới tính",
    "age_group": "Nhóm tuổi",
    "ethnicity": "Dân tộc",
    "commune": "Xã phường",
    "channel": "Kênh tiếp nhận",
    "problem": "Vấn đề",
    "service": "Loại dịch vụ",
    "referral_kind": "Chuyển gửi - nơi nhận",
    "referral_status": "Chuyển gửi - kết quả",
    "shelter": "Nhà tạm lánh",
    "managed_family": "Đang quản lý - các nhóm",
    "managed_group": "Đang quản lý - diện",
    "managed_disability_type": "Đang quản lý - dạng tật",
    "managed_disability_degree": "Đang quản lý - mức độ KT",
    "managed_disability": "Đang quản lý - dạng và mức độ",
    "managed_sex": "Đang quản lý - giới tính",
    "managed_age_group": "Đang quản lý - nhóm tuổi",
    "managed_ethnicity": "Đang quản lý - dân tộc",
    "managed_commune": "Đang quản lý - xã phường",
    "managed_care_mode": "Đang quản lý - hình thức CS",
    "workforce_kind": "Đội ngũ - loại",
    "workforce_agency_kind": "Đội ngũ - loại cơ quan",
    "workforce_qualification": "Đội ngũ - trình độ",
    "workforce_sex": "Đội ngũ - giới tính",
    "workforce_detail": "Đội ngũ - loại, trình độ, giới",
    "collaborators": "Cộng tác viên theo xã",
    "training": "Đào tạo, bồi dưỡng",
    "communication": "Truyền thông",
}


def xlsx_bytes(tables, results, period, scope_name):
    """Real numbers with their formats (a count #,##0; a percentage 0.0 %), so that a Vietnamese
    Excel shows "5.526" and "30,1 %"; our own labels as they are, the text people typed neutralised."""
    # openpyxl loaded only when a workbook is made (it is slow to import, and no page needs it)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)

    def sheet(name, title, header, rows, percent_columns=()):
        ws = workbook.create_sheet(name[:31])
        ws.append([neutralise(title)])
        ws["A1"].font = bold
        ws.append([period.label])
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
        for row in rows:
            ws.append(
                [value / 100 if i in percent_columns and _is_number(value) else value for i, value in enumerate(row)]
            )
            for i, cell in enumerate(ws[ws.max_row]):
                if _is_number(cell.value) and i > 0:
                    cell.number_format = "0.0 %" if i in percent_columns else "#,##0"
        ws.column_dimensions["A"].width = 60
        ws.column_dimensions["B"].width = 16
        return ws

    header, rows = indicator_rows(results)
    title = _("QĐ 112/QĐ-TTg programme indicators") + " — " + scope_name
    sheet("Chỉ tiêu QĐ 112", title, header, rows, PERCENT_COLUMNS)
    for table in tables:
        sheet(
            SHEET_NAMES.get(table.key, table.key),
            table.title + " — " + scope_name,
            table_header(table),
            _table_rows(table),
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def pdf_bytes(
    tables,
    results,
    period,
    scope_name,
    *,
    issuer,
    settings=None,
    snapshot=None,
    receiving_body=None,
    place="",
    suppressed=True,
):
    """The report as the issuing unit (`issuer`: the user's facility, never a place's name) heads and
    signs it with its `settings` (models.ReportSettings; none saved: the person who made it signs)."""
    return render_pdf(
        "pdf/statistics_report.html",
        doc=report_header(
            period, scope_name, issuer=issuer, settings=settings, receiving_body=receiving_body, place=place
        ),
        tables=tables,
        results=results,
        period=period,
        scope_name=scope_name,
        snapshot=snapshot,
        met_text=met_text,
        suppressed=suppressed,
        threshold=small_count_threshold(),
    )


def report_header(period, scope_name, *, issuer, settings=None, receiving_body=None, place=""):
    """How the statistics report is headed and signed, the same in the PDF and the Word file."""
    return DocumentHeader(
        issuing_body=issuer,
        parent_body=(settings.parent_body if settings else None) or "",
        doc_type="BÁO CÁO",
        number=_number_symbol(settings),
        place=place,
        day=local_today(),
        signature=_signature(settings),
        title=_("Statistics of social-work services, %(period)s", period=period.label),
        recipients=recipient_lines(settings, receiving_body),
        pdf_title=_title(period, scope_name),
    )


def docx_bytes(
    tables,
    results,
    period,
    scope_name,
    *,
    issuer,
    settings=None,
    snapshot=None,
    receiving_body=None,
    place="",
    suppressed=True,
):
    """The report as pdf_bytes makes it, as a Word document an office edits before it is signed."""
    header = report_header(
        period, scope_name, issuer=issuer, settings=settings, receiving_body=receiving_body, place=place
    )
    return render_docx(header, _docx_blocks(tables, results, period, scope_name, snapshot, suppressed))


# The fixed text of the Word report is the PDF's (templates/pdf/statistics_report.html and _statistics.html),
# word for word: an official document is Vietnamese whatever the reader's language.
INDICATOR_WIDTHS_CM = [1.2, 5.9, 1.7, 1.7, 2.0, 2.0, 2.0]
TABLE_WIDTHS_CM = [13.5, 3.0]


def _docx_blocks(tables, results, period, scope_name, snapshot, suppressed):
    blocks = [
        Paragraph(
            f"Phạm vi số liệu: {scope_name}. Kỳ báo cáo: {period.label} "
            f"({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})."
        ),
        _frozen_line(snapshot),
    ]
    if suppressed:
        n = small_count_threshold()
        blocks.append(Paragraph(f'Các ô dưới {n} người được ghi là "<{n}" để bảo vệ thông tin cá nhân.', italic=True))
    return (
        blocks
        + indicator_blocks(results, "I. CÁC CHỈ TIÊU THEO QUYẾT ĐỊNH 112/QĐ-TTg")
        + statistics_blocks(tables, "II. SỐ LIỆU THỐNG KÊ")
    )


def _frozen_line(snapshot):
    if snapshot is None:
        return Paragraph("Số liệu tính từ dữ liệu hồ sơ tại thời điểm in, chưa chốt kỳ báo cáo.", italic=True)
    text = f"Số liệu đã chốt lúc {format_datetime(snapshot.frozen_at)}"
    if not snapshot.is_frozen:
        text += f"; báo cáo đã được mở lại lúc {format_datetime(snapshot.reopened_at)}"
    return Paragraph(text + ".")


def indicator_blocks(results, title):
    """The QĐ 112/QĐ-TTg indicator table of a Word report (core.docx), under its section `title`: what
    templates/pdf/_statistics.html's indicator_table prints."""
    header = ["STT", "Chỉ tiêu", "Tử số", "Mẫu số", "Kết quả", "Mục tiêu", "Đánh giá"]
    rows = [_indicator_row(r) for r in results]
    return [Heading(title), Table(header, rows, widths_cm=INDICATOR_WIDTHS_CM)]


def _indicator_row(result):
    d = result.definition
    return [
        d.number,
        [Paragraph(str(d.title)), Paragraph(f"Mục tiêu áp dụng: {result.target_basis}", italic=True)]
        + _sources_paragraph(result),
        result.numerator,
        result.denominator,
        vn_percent(result.value) if _is_number(result.value) else result.value,
        vn_percent(result.target),
        str(met_text(result)),
    ]


def _sources_paragraph(result):
    """Where the indicator's numbers come from (counted from the register, or entered with a source)."""
    sources = list(dict.fromkeys(str(source) for source in result.sources.values()))
    return [Paragraph("Nguồn số liệu: " + "; ".join(sources), italic=True)] if sources else []


def statistics_blocks(tables, title, prefix=""):
    """The statistics tables of a Word report (core.docx), numbered, under their section `title`: what
    templates/pdf/_statistics.html's statistics_tables prints."""
    blocks = [Heading(title)]
    for number, table in enumerate(tables, start=1):
        heading = f"{prefix}{number}. {table.title}"
        if not table.recorded:
            blocks += [Paragraph(heading, bold=True), Paragraph(str(table.note), italic=True)]
            continue
        if table.note:  # the heading, then the note, then the table
            blocks += [Paragraph(heading, bold=True), Paragraph(str(table.note), italic=True)]
            heading = ""
        if not table.rows:
            blocks += [Paragraph(heading, bold=True)] if heading else []
            blocks.append(Paragraph("Không có số liệu trong kỳ.", italic=True))
            continue
        blocks.append(_docx_table(table, heading))
    return blocks


def _docx_table(table, heading):
    rows = [[row.label, *_figures(row.values, row.value)] for row in table.rows]
    totals = table.totals if table.totals is not None else None if table.total is None else [table.total]
    if totals is not None:
        rows.append(["Tổng số", *totals])
    header = ["Nội dung", *(str(c) for c in table.columns or [table.unit])]
    widths = TABLE_WIDTHS_CM if not table.columns else _widths(len(table.columns))
    return Table(header, rows, title=heading, widths_cm=widths, total_last=totals is not None)


def _widths(columns):
    """The widths of a table of several figure columns on the page (16.5 cm): the label takes the rest."""
    figure = 2.2 if columns > 3 else 2.6
    return [round(16.5 - figure * columns, 1), *[figure] * columns]


def _number_symbol(settings):
    """ "…/BC-TTCTXH": the number is given when the report is issued; the symbol names the unit."""
    abbreviation = settings.abbreviation if settings else None
    return f"…/BC-{abbreviation}" if abbreviation else "…/BC"


def _signature(settings):
    if settings is None or not settings.signer_title:
        return Signature(title="NGƯỜI LẬP BÁO CÁO")
    return Signature(
        title=settings.signer_title, name=settings.signer_name or "", authority=settings.signer_authority or ""
    )


def recipient_lines(settings, receiving_body=None):
    """ "Nơi nhận" as Nghị định 30/2020/NĐ-CP writes it: each recipient followed by a semicolon, then
    "Lưu: VT, <abbreviation>." last."""
    recipients = settings.recipient_lines if settings else []
    if not recipients and receiving_body:
        recipients = [receiving_body]
    archive = "Lưu: VT" + (f", {settings.abbreviation}" if settings and settings.abbreviation else "") + "."
    return [f"{name.rstrip(';.')};" for name in recipients] + [archive]


MIMETYPES = {
    "csv": "text/csv",  # with its charset, added once by the response
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def response(body, filename, mimetype):
    """Every format as a download (the link says "download"), under its Vietnamese name."""
    return bytes_response(body, filename=filename, mimetype=mimetype)


# --- what to export -----------------------------------------------------------------------------------


@dataclass
class Source:
    """What a file is made of: the numbers, the reference data, the period, the scope's name, the frozen
    report (or None) and whether counts under the threshold are hidden (tables.hides_small_counts)."""

    numbers: dict
    reference: dict
    period: periods.Period
    scope_name: str
    snapshot: object
    suppressed: bool


def source(user, params):
    """What `params` ask to export, as `user` may see it (a Source).
    ?snapshot=id: a frozen report (LookupError when out of reach); scope=province_frozen: the sum of the
    province's frozen reports; otherwise the live numbers of the period for the scope asked for
    (reports.scoping: ValueError when invalid, LookupError for a commune or group out of reach)."""
    facility = user.facility
    snapshot_id = params.get("snapshot")
    if snapshot_id:
        snapshot_key = parse_id(snapshot_id)  # an id the database can hold, else no such report
        snapshot = queries.snapshot_in_reach(snapshot_key, user) if snapshot_key is not None else None
        if snapshot is None:
            raise LookupError(snapshot_id)
        period = periods.Period.from_dict(snapshot.data["period"])
        owner = db.session.get(Facility, snapshot.facility_id)
        suppressed = tables.hides_small_counts(user, snapshot=snapshot)
        return Source(snapshot.data, snapshot.data.get("reference", {}), period, owner.name, snapshot, suppressed)

    def number(key):
        value = params.get(key)
        return int(value) if value not in (None, "") and str(value).lstrip("-").isdigit() else None

    def day(key):
        try:
            return date.fromisoformat(params[key]) if params.get(key) else None
        except ValueError:
            return None

    if not any(params.get(k) for k in ("kind", "year", "date_from")):  # as the page: the quarter in progress
        period = periods.default_period(local_today())
    else:
        if params.get("kind") not in periods.kinds_for(user):
            raise ValueError(str(periods.STANDARD_PERIODS_ONLY))
        period = periods.make_period(
            params.get("kind", ""), number("year"), number("number"), day("date_from"), day("date_to")
        )
    if params.get("scope") == "province_frozen" and has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
        scope = scoping.report_scope(user, "province")
        facilities = queries.province_facilities(facility.province_code)
        frozen = queries.province_frozen_snapshots(facility.province_code, period)
        numbers = province_numbers(list(frozen.values()), len(facilities))
    else:
        scope = scoping.report_scope(user, params.get("scope"), params.get("commune"), params.get("group"))
        numbers = queries.statistics(scope, period)
    suppressed = tables.hides_small_counts(user, scope)
    return Source(numbers, queries.reference_for(scope, period.year), period, scope.name, None, suppressed)


def make_file(fmt, user, params, *, progress=None):
    """The export file: (bytes, file name, mimetype, snapshot, period). Official output: Vietnamese
    whatever the UI language; small counts hidden as the user reads them on the page (a supervisor's
    own facility keeps its exact figures: the receiving body adds them up). `progress(percent)` is told
    how far it got (the background jobs)."""

    with force_locale("vi"):
        src = source(user, params)
        if progress:
            progress(50)
        report_tables = tables.build(src.numbers)
        results = indicators.compute(src.numbers, src.reference, src.period.year)
        if src.suppressed:
            tables.suppress(report_tables)
            tables.suppress_indicators(results)
        if fmt == "csv":
            body = csv_bytes(report_tables, results, src.period, src.scope_name, suppressed=src.suppressed)
        elif fmt == "xlsx":
            body = xlsx_bytes(report_tables, results, src.period, src.scope_name)
        else:
            official = docx_bytes if fmt == "docx" else pdf_bytes
            body = official(
                report_tables,
                results,
                src.period,
                src.scope_name,
                issuer=user.facility.name,
                settings=queries.report_settings(user.facility_id),
                snapshot=src.snapshot,
                receiving_body=current_app.config.get("REPORT_RECEIVING_BODY"),
                place=place_name(scoping.province_name(user.facility.province_code)),
                suppressed=src.suppressed,
            )
    return body, file_name(src.period, src.scope_name, fmt), MIMETYPES[fmt], src.snapshot, src.period


def file_name(period, scope_name, fmt):
    """The report's Vietnamese file name: "Báo cáo thống kê Quý 4-2025 - Trung tâm ….xlsx"."""
    return safe_file_name(f"Báo cáo thống kê {period.label} - {scope_name}", fmt)


def safe_file_name(words, fmt):
    """`words` as a file name every system accepts (no / \\ : * ? " < > |), with its extension."""
    return "".join("-" if c in '/\\:*?"<>|' else c for c in words)[:150] + f".{fmt}"
