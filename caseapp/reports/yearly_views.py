"""The yearly implementation report's pages: the facility's reports, a draft written and edited, issued
once (number, date, signer), read, and downloaded as PDF — by the facility's report issuers
(Perm.FREEZE_REPORTS). Another facility's report answers 404."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..core.forms import seen_version
from ..core.pdf import render_pdf
from ..core.timeutil import local_today
from ..core.transaction import saving
from ..security.policy import Perm, has_perm
from ..security.web import requires
from . import exports, yearly
from .forms import IssueYearlyReportForm, YearlyReportForm
from .views import bp

FORM = "reports/yearly_form.html"


def _report_or_404(report_id):
    report = yearly.report_in_reach(report_id, current_user)
    if report is None:
        abort(404)
    return report


def _draft_form(report=None):
    form = YearlyReportForm(
        obj=report if request.method == "GET" else None,
        province_allowed=has_perm(current_user, Perm.VIEW_PROVINCE_REPORTS),
    )
    if request.method == "GET":
        form.version.data = str(report.version if report else 0)
        if report is None:
            form.year.data = local_today().year
            form.title.data = yearly.default_title(local_today().year)
    return form


@bp.get("/yearly")
@requires(Perm.FREEZE_REPORTS)
def yearly_reports():
    return render_template("reports/yearly_list.html", reports=yearly.reports_of(current_user))


@bp.route("/yearly/new", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def new_yearly_report():
    form = _draft_form()
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            report = yearly.create_draft(form.data, by=current_user)
        if saved:
            flash(_("The draft is saved."), "success")
            return redirect(url_for("reports.show_yearly_report", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render_template(FORM, form=form, report=None), status


@bp.route("/yearly/<id:report_id>/edit", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def edit_yearly_report(report_id):
    report = _report_or_404(report_id)
    if report.is_issued:
        flash(str(yearly.ALREADY_ISSUED), "error")
        return redirect(url_for("reports.show_yearly_report", report_id=report.id))
    form = _draft_form(report)
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            yearly.update_draft(report, form.data, by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_("The draft is saved."), "success")
            return redirect(url_for("reports.show_yearly_report", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render_template(FORM, form=form, report=report), status


@bp.get("/yearly/<id:report_id>")
@requires(Perm.FREEZE_REPORTS)
def show_yearly_report(report_id):
    report = _report_or_404(report_id)
    figures = yearly.figures(report, current_user)
    return render_template(
        "reports/yearly_show.html",
        report=report,
        figures=figures,
        doc=yearly.heading(report, current_user),
    )


@bp.route("/yearly/<id:report_id>/issue", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def issue_yearly_report(report_id):
    report = _report_or_404(report_id)
    if report.is_issued:
        flash(str(yearly.ALREADY_ISSUED), "error")
        return redirect(url_for("reports.show_yearly_report", report_id=report.id))
    today = local_today()
    defaults = {
        **yearly.signer_defaults(current_user),
        "issued_on": today,
        "figures_until": min(today, today.replace(month=12, day=31, year=report.year)),
        "version": str(report.version),
    }
    form = IssueYearlyReportForm(data=defaults if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            yearly.issue(
                report,
                form.data,
                issued_on=form.issued_on.data,
                figures_until=form.figures_until.data,
                by=current_user,
                seen_version=seen_version(form),
            )
        if saved:
            flash(_("Report %(number)s is issued.", number=report.number_symbol), "success")
            return redirect(url_for("reports.show_yearly_report", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render_template("reports/yearly_issue.html", form=form, report=report), status


def _file(report, fmt):
    figures = yearly.figures(report, current_user)
    if figures is None:
        abort(404)
    doc = yearly.heading(report, current_user)
    if fmt == "pdf":
        body = render_pdf("pdf/yearly_report.html", doc=doc, report=report, figures=figures, met_text=exports.met_text)
    else:
        body = yearly.docx_bytes(report, figures, doc)
    record(
        "report_exported",
        by=current_user,
        entity=report,
        detail={"format": fmt, "yearly": True, "issued": report.is_issued},
    )
    name = ("" if report.is_issued else "Dự thảo - ") + report.title
    return exports.response(body, exports.safe_file_name(name, fmt), exports.MIMETYPES[fmt])


@bp.get("/yearly/<id:report_id>/report.pdf")
@requires(Perm.FREEZE_REPORTS)
def yearly_report_pdf(report_id):
    return _file(_report_or_404(report_id), "pdf")


@bp.get("/yearly/<id:report_id>/report.docx")
@requires(Perm.FREEZE_REPORTS)
def yearly_report_docx(report_id):
    return _file(_report_or_404(report_id), "docx")
