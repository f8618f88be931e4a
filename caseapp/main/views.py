"""Home (the dashboard of the user's role, caseapp.main.dashboard), language switch and the health check."""

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text

from ..core import categories
from ..core.timeutil import format_date, utcnow
from ..core.urls import safe_next
from ..extensions import db
from ..i18n import catalogue_state
from ..reminders import queries as reminder_queries
from ..security.policy import Perm, has_perm
from ..security.web import requires
from ..shelter import queries as shelter_queries
from . import dashboard, rollups

bp = Blueprint("main", __name__)


@bp.app_context_processor
def _shelter_helper():
    def facility_runs_shelter() -> bool:
        """Does the signed-in user's facility house people (shelter_queries.runs_shelter)? The menu and
        the home page offer the shelter's pages only then; asked at most once per request (g)."""
        if "facility_runs_shelter" not in g:
            g.facility_runs_shelter = current_user.is_authenticated and shelter_queries.runs_shelter(
                current_user.facility
            )
        return g.facility_runs_shelter

    return {"facility_runs_shelter": facility_runs_shelter}


def _home_data(now):
    """(dashboard, the "My cases" steps, when counted or None for live numbers): a supervisor's from
    the roll-up (main.rollups), the others' counted now."""
    if has_perm(current_user, Perm.VIEW_FACILITY_CASES):
        home = rollups.supervisor_home(current_user, now)
        return home.dashboard, home.mine, home.computed_at
    data = dashboard.for_user(current_user, now)
    return data, (data.steps if data is not None else None), None


@bp.get("/")
@requires(Perm.USE_APP)
def home():
    data, mine, counted_at = _home_data(utcnow())
    case_counts = None
    if mine is not None:
        # the "My cases" tiles: the same counts as "Hồ sơ của tôi" (open; incomplete intake records)
        case_counts = {
            "open": mine.total.value,
            "intake_incomplete": mine.intake_incomplete.value,
            "intake_overdue": mine.intake_overdue,
        }
    return render_template(
        "main/home.html",
        case_counts=case_counts,
        dashboard=data,
        counted_at=counted_at,
        charts=_charts(data),
        count_url=_count_url,
        reports_url=_reports_url(),
        reports_due=dashboard.reports_due(current_user),
    )


@bp.post("/dashboard/refresh")
@requires(Perm.VIEW_FACILITY_CASES)
def refresh_dashboard():
    """Count the supervisor's dashboard again now (the roll-up is otherwise kept a short while)."""
    rollups.forget(current_user.id)
    return redirect(url_for("main.home", _anchor="dashboard"))


def _count_url(count):
    """The list a dashboard number opens (None while that page is not part of the app)."""
    if count.endpoint is None or count.endpoint not in current_app.view_functions:
        return None
    return url_for(count.endpoint, _anchor=count.anchor, **count.args)


STATISTICS_ENDPOINTS = ("reports.index", "reports.statistics")  # the statistics page (caseapp/reports)


def _reports_url():
    """The statistics (another part of the app) for whoever its endpoint admits, or None."""
    for endpoint in STATISTICS_ENDPOINTS:
        view = current_app.view_functions.get(endpoint)
        if view is not None:
            return url_for(endpoint) if has_perm(current_user, getattr(view, "required_perm", None)) else None
    return None


def _charts(data):
    """The charts' data, passed to static/js/dashboard.js as JSON (no inline script: CSP)."""
    if data is None:
        return None
    steps = data.steps.by_step
    charts = {
        "steps": {
            "type": "bar",
            "label": str(_l("Open cases")),
            "labels": [categories.label(categories.CASE_STATUSES, code) for code, _c in steps],
            "values": [c.value for _code, c in steps],
            "urls": [_count_url(c) for _code, c in steps],
        }
    }
    openings = getattr(data, "openings", None)
    if openings is not None:
        charts["weeks"] = {
            "type": "line",
            "label": str(_l("Cases opened")),
            "labels": [format_date(w.start)[:5] for w in openings.weeks],
            "values": [w.count.value for w in openings.weeks],
            "urls": [_count_url(w.count) for w in openings.weeks],
        }
    return charts


@bp.post("/language")
def set_language():
    """Switch between Vietnamese and English; remembered on the account when signed in."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.get("/healthz")
def healthz():
    """Public health check for load balancers: database reachable, the Vietnamese catalogue compiled from
    the installed sources, and the scheduler fresh when one is expected (SCHEDULER_EXPECTED, or sweeps
    ran before): "stale" after 5 minutes without a sweep."""
    scheduler = "unknown"
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
        scheduler = reminder_queries.scheduler_state(bool(current_app.config.get("SCHEDULER_EXPECTED")))
    except Exception:  # any failure means unhealthy; the detail stays in the log
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "error"
    catalogue = catalogue_state()
    healthy = database == "ok" and scheduler != "stale" and catalogue == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "catalogue": catalogue}
    if scheduler in ("ok", "stale"):  # no scheduler configured nor ever run: nothing to report
        body["scheduler"] = scheduler
    return jsonify(body), (200 if healthy else 503)


@bp.get("/status")
def status():
    """Public status page for people (what /healthz tells load balancers): the database answers and
    when the reminders last ran — nothing about cases or users. One indexed read and a small template:
    the benchmark's floor (bench/README.md)."""
    try:
        latest = reminder_queries.latest_sweep_at()
    except Exception:  # any failure means the database is not answering; the detail is logged
        current_app.logger.exception("status page: database unreachable")
        db.session.rollback()
        return render_template("main/status.html", database_ok=False, latest=None), 503
    return render_template("main/status.html", database_ok=True, latest=latest)
