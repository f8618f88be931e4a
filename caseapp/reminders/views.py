"""The scheduler page: last sweep, reminders pending / sent / late, the mail outbox.
Admins and supervisors (VIEW_AUDIT: the people who answer for the system's running)."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..security.policy import Perm
from ..security.web import requires
from . import queries

bp = Blueprint("reminders", __name__, url_prefix="/scheduler")


@bp.get("/")
@requires(Perm.VIEW_AUDIT)
def status():
    expected = bool(current_app.config.get("SCHEDULER_EXPECTED"))
    return render_template(
        "reminders/status.html",
        state=queries.scheduler_state(expected),
        sweeps=queries.recent_sweeps(),
        counts=queries.reminder_counts(current_user),
        outbox=queries.outbox_counts(current_user),
        stale_minutes=int(queries.STALE_AFTER.total_seconds() // 60),
    )
