"""Home, language switch and the health check."""
from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ..cases.queries import my_case_counts
from ..extensions import db
from ..security import Perm, has_perm, requires
from ..core.urls import safe_next
from . import bp


@bp.get("/")
@requires(Perm.USE_APP)
def home():
    case_counts = None
    if has_perm(current_user, Perm.VIEW_CASES):
        case_counts = my_case_counts(current_user)  # one small aggregate on the worker's index
    return render_template("main/home.html", case_counts=case_counts)


@bp.post("/language")
def set_language():
    """Switch between Vietnamese and English; remembered on the account when signed in."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.get("/healthz")
def healthz():
    """Public health check for load balancers: database reachable (and, later, scheduler fresh)."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 — any failure means unhealthy; the detail stays in the log
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "error"
    healthy = database == "ok"
    return jsonify(status="ok" if healthy else "error", database=database), (200 if healthy else 503)
