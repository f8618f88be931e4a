"""Pages of the reports. Thin: authorise → period form → queries / services →
commit → render. Aggregates only, except the drill-down list, which needs VIEW_FACILITY_CASES
(supervisors of the facility; never reporters) and lists only clients of the user's own facility."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..audit.services import record
from ..auth.models import User
from ..core import categories
from ..core.downloads import unreadable_file_page
from ..core.forms import seen_version
from ..core.sealing import UnreadableFile
from ..core.timeutil import as_utc, format_date, local_today, utcnow
from ..core.transaction import refusal_flashed, saving
from ..core.urls import db_id, int_between
from ..extensions import db
from ..org.models import Facility
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from ..security.web import requires
from ..workforce import categories as workforce_categories
from . import exports, indicators, periods, queries, rollups, scoping, services, tables
from .forms import (
    FreezeForm,
    PeriodForm,
    ReferenceForm,
    ReopenForm,
    ReportSettingsForm,
    parse_place,
    place_choices,
)
from .jobs import export_content, export_files
from .models import ExportStatus, ReportSnapshot
from .province import province_numbers

bp = Blueprint("reports", __name__, url_prefix="/reports")

DRILL_PAGE = 50
SCOPE_ARGS = ("scope", "commune", "group")  # what asks for a scope besides the period
REOPENED = _l("The report has been re-opened.")
SAVED = _l("Saved.")


POPULATION_LABELS = {
    "received": _l("Clients received (intake)"),
    "counselled": _l("Clients counselled (advice only)"),
    "supported": _l("Clients supported (a case active in the period)"),
    "served": _l("Clients served (received or supported)"),
    "ind4": _l("People counselled or supported (QĐ 112 indicator 4)"),
    "ind5": _l("Children of the indicator group served (QĐ 112 indicator 5)"),
    "managed": _l("People under management on the period's last day"),
}
DIMENSION_LABELS = {
    "sex": _l("Sex"),
    "age_group": _l("Age group"),
    "ethnicity": _l("Ethnicity"),
    "commune": _l("Commune"),
    "family": _l("Family of groups"),
    "group": _l("Beneficiary group"),
    "disability_type": _l("Type of disability"),
    "disability_degree": _l("Degree of disability"),
    "disability": _l("Disability"),
    "care_mode": _l("Care mode"),
}


@bp.app_template_global("period_label")
def _period_label(snapshot):
    return periods.Period(snapshot.period_kind, snapshot.period_start, snapshot.period_end).label


@bp.app_template_global("population_label")
def _population_label(key):
    return POPULATION_LABELS.get(key, key)


@bp.app_template_global("dimension_label")
def _dimension_label(key):
    return DIMENSION_LABELS.get(key, key)


@bp.app_template_global("small_count_threshold")
def _small_count_threshold():
    return tables.small_count_threshold()


@bp.app_template_global("agency_kind_label")
def _agency_kind_label(code):
    return categories.label(workforce_categories.AGENCY_KINDS, code)


@bp.app_template_global("iso_date")
def _iso_date(value):
    """A day kept in a report's numbers (ISO text), as dd/mm/yyyy."""
    return format_date(date.fromisoformat(value))


@bp.app_template_test("hidden")
def _is_hidden(value):
    """`{% if value is hidden %}`: a count hidden under the threshold (tables.HIDDEN)."""
    return value is tables.HIDDEN


# --- helpers ---------------------------------------------------------------------------------------


def _period_form(args=None):
    args = MultiDict(args if args is not None else request.args)
    if not any(k in args for k in ("kind", "year", "date_from")):  # first visit: the quarter in progress
        asked = {key: args[key] for key in SCOPE_ARGS if args.get(key)}
        args = MultiDict({**periods.default_period(local_today()).as_args(), **asked})
    form = PeriodForm(
        formdata=args,
        province_allowed=has_perm(current_user, Perm.VIEW_PROVINCE_REPORTS),
        kinds=periods.kinds_for(current_user),
        communes=queries.province_communes(current_user),
        groups=[group for group, _size in queries.commune_groups(current_user)],
    )
    period = form.period() if form.validate() else None
    return form, period


def _scope(form):
    """The scope the (valid) period form asks for; a commune or group out of reach answers 404."""
    try:
        return scoping.report_scope(current_user, form.scope.data, form.commune.data, form.group.data)
    except (LookupError, ValueError):
        abort(404)


def _report(numbers, reference, period, *, suppressed):
    report_tables = tables.build(numbers)
    if suppressed:
        tables.suppress(report_tables)
    results = indicators.compute(numbers, reference, period.year)
    if suppressed:
        tables.suppress_indicators(results)
    return report_tables, results


def _render_invalid(template, **context):
    return render_template(template, **context), 422


# --- the statistics of a period ------------------------------------------------------------------------


@bp.get("/")
@requires(Perm.VIEW_STATISTICS)
def statistics():
    form, period = _period_form()
    if period is None:
        return _render_invalid("reports/statistics.html", form=form, period=None)
    scope = _scope(form)
    counted_at = None
    if scope.kind == "province":  # kept a short while (reports.rollups); a facility's is always live
        counted = rollups.province_statistics(scope, period)
        numbers, counted_at = counted.numbers, counted.computed_at
    else:
        numbers = queries.statistics(scope, period)
    suppressed = tables.hides_small_counts(current_user, scope)
    report_tables, results = _report(numbers, queries.reference_for(scope, period.year), period, suppressed=suppressed)
    frozen = queries.frozen_snapshot(current_user.facility_id, period) if scope.kind == "facility" else None
    may_freeze = scope.kind == "facility" and has_perm(current_user, Perm.FREEZE_REPORTS) and frozen is None
    may_drill = not scope.across_facilities and has_perm(current_user, Perm.VIEW_FACILITY_CASES)
    args = {**period.as_args(), **scoping.scope_args(scope)}
    return render_template(
        "reports/statistics.html",
        form=form,
        period=period,
        scope=scope,
        tables=report_tables,
        results=results,
        suppressed=suppressed,
        frozen=frozen,
        freeze_form=FreezeForm(formdata=None, data=period.as_args()) if may_freeze else None,
        drill_args=args if may_drill else None,
        export_args=args,
        counted_at=counted_at,
        numbers=numbers,
    )


@bp.post("/refresh")
@requires(Perm.VIEW_PROVINCE_REPORTS)
def refresh_statistics():
    """Count the province's statistics of the period again now (otherwise kept a short while)."""
    form, period = _period_form(request.form)
    if period is None:
        return _render_invalid("reports/statistics.html", form=form, period=None)
    rollups.forget(_scope(form), period)
    return redirect(url_for("reports.statistics", **period.as_args(), scope="province"))


# --- the drill-down: the clients behind a number ------------------------------------------------------


@bp.get("/clients")
@requires(Perm.VIEW_FACILITY_CASES)
def drilldown():
    form, period = _period_form()
    if period is None:
        return _render_invalid("reports/drilldown.html", form=form, period=None)
    population = request.args.get("population", "served")
    if population not in queries.CLIENT_POPULATIONS:
        abort(404)
    dimension = request.args.get("dimension") or None
    membership_dimension = population == "managed" and dimension in queries.MEMBERSHIP_DIMENSIONS
    if dimension is not None and dimension not in queries.CLIENT_DIMENSIONS and not membership_dimension:
        abort(404)
    value = request.args.get("value", "") if dimension else None
    after = request.args.get("after", type=db_id)
    scope = _scope(form)
    if scope.across_facilities:  # the people behind a number: of the user's own facility only
        abort(404)
    clients = queries.population_clients(
        population, scope, period, user=current_user, dimension=dimension, value=value, after=after, limit=DRILL_PAGE
    )
    has_more = len(clients) > DRILL_PAGE
    clients = clients[:DRILL_PAGE]
    total = queries.population_count(population, scope, period, user=current_user, dimension=dimension, value=value)
    cases = queries.cases_of_clients([c.id for c in clients], scope, period)
    record(
        "report_drilldown_viewed",
        by=current_user,
        entity_type="facilities",
        entity_id=current_user.facility_id,
        detail={
            "population": population,
            **scoping.scope_args(scope),
            "dimension": dimension,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "shown": len(clients),
            "client_ids": [c.id for c in clients],  # the people the page names
        },
    )
    value_label = _dimension_value_label(dimension, value) if dimension else None
    back = {**period.as_args(), **scoping.scope_args(scope)}
    keep = {**back, "population": population}
    if dimension:
        keep.update(dimension=dimension, value=value)
    return render_template(
        "reports/drilldown.html",
        form=form,
        period=period,
        clients=clients,
        cases=cases,
        total=total,
        population=population,
        dimension=dimension,
        value=value,
        value_label=value_label,
        has_more=has_more,
        keep=keep,
        back=back,
        scope=scope,
        age_on=period.end,
    )


def _dimension_value_label(dimension, value):
    if not value:
        return None
    if dimension == "sex":
        return categories.label(categories.SEXES, value)
    if dimension == "ethnicity":
        return categories.label(categories.ETHNIC_GROUPS, value)
    if dimension == "age_group":
        return tables.age_label(value)
    if dimension in queries.MEMBERSHIP_DIMENSIONS:
        return tables.membership_value_label(dimension, value)
    return queries.commune_names([value]).get(value, value)


# --- freezing and re-opening ----------------------------------------------------------------------------


@bp.get("/periods")
@requires(Perm.VIEW_STATISTICS)
def periods_list():
    snapshots = queries.snapshots_of_facility(current_user.facility_id)
    return render_template("reports/periods.html", snapshots=snapshots)


@bp.post("/periods/freeze")
@requires(Perm.FREEZE_REPORTS)
def freeze():
    form = FreezeForm()
    args = {k: v for k, v in form.data.items() if v not in (None, "") and k != "csrf_token"}
    period_form, period = _period_form(args)
    if "kind" not in args or period is None or not form.validate():
        flash(" ".join(period_form.form_errors) or _("Choose a period."), "error")
        return redirect(url_for("reports.statistics"))
    with refusal_flashed() as saved:
        snapshot = services.freeze_report(current_user.facility, period, by=current_user)
    if not saved:
        return redirect(url_for("reports.statistics", **period.as_args()))
    flash(_("The report of %(period)s is frozen.", period=period.label), "success")
    return redirect(url_for("reports.show_period", snapshot_id=snapshot.id))


def _snapshot_or_404(snapshot_id):
    snapshot = queries.snapshot_in_reach(snapshot_id, current_user)
    if snapshot is None:
        abort(404)
    return snapshot


def _snapshot_view(snapshot):
    period = periods.Period.from_dict(snapshot.data["period"])
    suppressed = tables.hides_small_counts(current_user, snapshot=snapshot)
    report_tables, results = _report(snapshot.data, snapshot.data.get("reference", {}), period, suppressed=suppressed)
    return period, report_tables, results, suppressed


@bp.get("/periods/<id:snapshot_id>")
@requires(Perm.VIEW_STATISTICS)
def show_period(snapshot_id):
    snapshot = _snapshot_or_404(snapshot_id)
    period, report_tables, results, suppressed = _snapshot_view(snapshot)
    facility = db.session.get(Facility, snapshot.facility_id)
    users = {u.id: u for u in _users(snapshot.frozen_by_id, snapshot.reopened_by_id)}
    may_reopen = (
        snapshot.is_frozen and same_facility(current_user, snapshot) and has_perm(current_user, Perm.FREEZE_REPORTS)
    )
    return render_template(
        "reports/period.html",
        snapshot=snapshot,
        period=period,
        tables=report_tables,
        results=results,
        suppressed=suppressed,
        facility=facility,
        users=users,
        may_reopen=may_reopen,
        numbers=snapshot.data,
    )


def _users(*ids):

    ids = [i for i in ids if i]
    return db.session.scalars(sa.select(User).where(User.id.in_(ids))).all() if ids else []


@bp.route("/periods/<id:snapshot_id>/reopen", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def reopen(snapshot_id):
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None or not same_facility(current_user, snapshot):
        abort(404)
    period = periods.Period.from_dict(snapshot.data["period"])
    form = ReopenForm()
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                services.reopen_report(snapshot, form.reason.data, by=current_user)
            if saved:
                flash(REOPENED, "success")
                return redirect(url_for("reports.show_period", snapshot_id=snapshot.id))
        return _render_invalid("reports/reopen.html", form=form, snapshot=snapshot, period=period)
    return render_template("reports/reopen.html", form=form, snapshot=snapshot, period=period)


# --- the province -----------------------------------------------------------------------------------------


@bp.get("/province")
@requires(Perm.VIEW_PROVINCE_REPORTS)
def province():
    form, period = _period_form()
    if period is None:
        return _render_invalid("reports/province.html", form=form, period=None)
    province_code = current_user.facility.province_code
    facilities = queries.province_facilities(province_code)
    frozen = queries.province_frozen_snapshots(province_code, period)
    submitted = [f for f in facilities if f.id in frozen]
    missing = [f for f in facilities if f.id not in frozen]
    numbers = province_numbers([frozen[f.id] for f in submitted], len(facilities))
    reference = queries.reference_for(scoping.report_scope(current_user, "province"), period.year)
    report_tables, results = _report(numbers, reference, period, suppressed=True)
    return render_template(
        "reports/province.html",
        form=form,
        period=period,
        submitted=submitted,
        missing=missing,
        frozen=frozen,
        tables=report_tables,
        results=results,
        export_args={**period.as_args(), "scope": "province_frozen"},
        numbers=numbers,
    )


# --- reference data ----------------------------------------------------------------------------------------


def _reference_places():
    """The places of the user's province reference data is entered for: the form's choices."""
    return place_choices(
        scoping.province_name(current_user.facility.province_code),
        [group for group, _size in queries.commune_groups(current_user)],
        queries.province_communes(current_user),
    )


def _place_group(group_id):
    """The commune group a reference number is entered for (None: the province or a commune)."""
    if group_id is None:
        return None
    group = queries.commune_group(group_id, current_user)
    if group is None:  # deleted meanwhile: the form's choices had it
        abort(404)
    return group


def _enter_reference(form):
    """Save the number the (valid) reference form gives; a refusal goes onto the form."""
    group_id, commune_code = parse_place(form.place.data)
    with saving(form) as saved:
        services.set_reference_value(
            current_user.facility.province_code,
            form.year.data,
            form.key.data,
            form.value.data,
            form.source.data,
            by=current_user,
            group=_place_group(group_id),
            commune_code=commune_code,
        )
    return saved


@bp.route("/settings", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def report_settings():
    """How the user's facility heads and signs the reports it issues."""
    settings = queries.report_settings(current_user.facility_id)
    form = ReportSettingsForm(obj=settings if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(settings.version if settings else 0)
    if request.method == "POST" and form.validate():
        seen = seen_version(form)
        with saving(form) as saved:
            services.save_report_settings(current_user.facility, form.data, by=current_user, seen_version=seen)
        if saved:
            flash(SAVED, "success")
            return redirect(url_for("reports.report_settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("reports/settings.html", form=form, facility=current_user.facility), status


@bp.route("/reference", methods=["GET", "POST"])
@requires(Perm.ENTER_REFERENCE_DATA)
def reference():
    places = _reference_places()
    labels = dict(places)
    year = request.args.get("year", type=int_between(2000, 2100)) or local_today().year
    place = request.args.get("place", "")
    form = ReferenceForm(data={"year": year, "place": place} if request.method == "GET" else None, places=places)
    status = 200
    if request.method == "POST":
        if form.validate() and _enter_reference(form):
            flash(SAVED, "success")
            return redirect(url_for("reports.reference", year=form.year.data, place=form.place.data or None))
        status = 422
        year, place = (year if form.year.errors else form.year.data or year), form.place.data
    place = place if place in labels else ""
    group_id, commune_code = parse_place(place)
    values = queries.reference_values(
        current_user.facility.province_code, year, group_id=group_id, commune_code=commune_code
    )
    return render_template(
        "reports/reference.html",
        form=form,
        year=year,
        place=place,
        places=places,
        place_label=labels[place],
        values=values,
        keys=indicators.REFERENCE_KEYS,
    ), status


# --- exports -----------------------------------------------------------------------------------------------


def _export(fmt):
    try:
        body, filename, mimetype, snapshot, period = exports.make_file(fmt, current_user, request.args.to_dict())
    except LookupError:
        abort(404)
    except ValueError:  # refused as the page refuses it: the page's form, with its message
        form, _period = _period_form()
        return _render_invalid("reports/statistics.html", form=form, period=None)
    record(
        "report_exported",
        by=current_user,
        entity=snapshot,
        entity_type=None if snapshot else "facilities",
        entity_id=None if snapshot else current_user.facility_id,
        detail={"format": fmt, "period_start": period.start.isoformat(), "period_end": period.end.isoformat()},
    )
    return exports.response(body, filename, mimetype)


@bp.get("/export.csv")
@requires(Perm.VIEW_STATISTICS)
def export_csv():
    return _export("csv")


@bp.get("/export.xlsx")
@requires(Perm.VIEW_STATISTICS)
def export_xlsx():
    return _export("xlsx")


@bp.get("/export.pdf")
@requires(Perm.VIEW_STATISTICS)
def export_pdf():
    return _export("pdf")


@bp.get("/export.docx")
@requires(Perm.VIEW_STATISTICS)
def export_docx():
    return _export("docx")


# --- report files made in the background ------------------------------------------------------------------


@bp.post("/jobs")
@requires(Perm.VIEW_STATISTICS)
def queue_export():
    with refusal_flashed() as saved:
        services.enqueue_export(request.form.get("fmt", ""), request.form.to_dict(), by=current_user)
    if not saved:
        return redirect(url_for("reports.statistics"))
    flash(_("The file will be made in the background; you will be notified when it is ready."), "success")
    return redirect(url_for("reports.export_jobs"))


@bp.get("/jobs")
@requires(Perm.VIEW_STATISTICS)
def export_jobs():
    return render_template("reports/jobs.html", jobs=queries.export_jobs(current_user), now=utcnow())


@bp.get("/jobs/<id:job_id>/download")
@requires(Perm.VIEW_STATISTICS)
def download_export(job_id):
    job = queries.export_job_in_reach(job_id, current_user)
    if job is None or job.status != ExportStatus.DONE or not job.file_path or as_utc(job.expires_at) <= utcnow():
        abort(404)
    if not export_files().exists(job.file_path):
        abort(404)
    try:
        content = export_content(job)
    except UnreadableFile as error:
        record("report_export_unreadable", by=current_user, entity=job, detail={"reason": str(error)})
        return unreadable_file_page(f"report file of job {job.id}", error)
    record("report_exported", by=current_user, entity=job, detail={"format": job.fmt, "background": True})
    return exports.response(content, job.file_name, exports.MIMETYPES[job.fmt])
