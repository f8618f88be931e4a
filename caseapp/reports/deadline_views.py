"""The reports the unit sends every year and their due days (reports.deadlines): listed with this year's
state, added, changed, stopped and restarted, and each year's report recorded as sent with its number
and date. For those who freeze and issue the facility's reports (Perm.FREEZE_REPORTS); another
facility's deadline answers 404."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.forms import seen_version
from ..core.timeutil import local_today
from ..core.transaction import refusal_flashed, saving
from ..security.policy import Perm
from ..security.web import requires
from . import deadlines
from .deadline_forms import DeadlineForm, SentForm
from .views import bp

FORM = "reports/deadline_form.html"
SENT_FORM = "reports/deadline_sent.html"


def _deadline_or_404(deadline_id):
    deadline = deadlines.deadline_for(deadline_id, current_user)
    if deadline is None:
        abort(404)
    return deadline


@bp.get("/deadlines")
@requires(Perm.FREEZE_REPORTS)
def report_deadlines():
    return render_template(
        "reports/deadlines.html", rows=deadlines.facility_deadlines(current_user), facility=current_user.facility
    )


@bp.route("/deadlines/new", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def new_deadline():
    form = DeadlineForm()
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                deadline = deadlines.create_deadline(form.data, by=current_user)
            if saved:
                flash(_("The deadline of %(title)s was saved.", title=deadline.title), "success")
                return redirect(url_for("reports.report_deadlines"))
        return render_template(FORM, form=form, deadline=None), 422
    return render_template(FORM, form=form, deadline=None)


@bp.route("/deadlines/<id:deadline_id>", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def edit_deadline(deadline_id):
    deadline = _deadline_or_404(deadline_id)
    form = DeadlineForm(obj=deadline if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(deadline.version)
        return render_template(FORM, form=form, deadline=deadline)
    if form.validate():
        with saving(form, stale_message=deadlines.STALE) as saved:
            deadlines.update_deadline(deadline, form.data, by=current_user, seen_version=seen_version(form))
        if saved:
            flash(_("The deadline of %(title)s was saved.", title=deadline.title), "success")
            return redirect(url_for("reports.report_deadlines"))
    return render_template(FORM, form=form, deadline=deadline), 422


def _switch(deadline_id, active):
    deadline = _deadline_or_404(deadline_id)
    with refusal_flashed(stale_message=deadlines.STALE) as saved:
        deadlines.set_active(deadline, active, by=current_user)
    if saved:
        message = _("The deadline was restarted.") if active else _("The deadline was stopped.")
        flash(message, "success")
    return redirect(url_for("reports.report_deadlines"))


@bp.post("/deadlines/<id:deadline_id>/stop")
@requires(Perm.FREEZE_REPORTS)
def stop_deadline(deadline_id):
    return _switch(deadline_id, False)


@bp.post("/deadlines/<id:deadline_id>/restart")
@requires(Perm.FREEZE_REPORTS)
def restart_deadline(deadline_id):
    return _switch(deadline_id, True)


@bp.route("/deadlines/<id:deadline_id>/sent", methods=["GET", "POST"])
@requires(Perm.FREEZE_REPORTS)
def mark_deadline_sent(deadline_id):
    deadline = _deadline_or_404(deadline_id)
    today = local_today()
    current = deadlines.current_occurrence(deadline, today, deadlines.sendings_of(deadline))
    form = SentForm(data={"year": current.year, "sent_on": today} if request.method == "GET" else None)
    if request.method == "GET":
        return render_template(SENT_FORM, form=form, deadline=deadline, current=current)
    if form.validate():
        with saving(form) as saved:
            sending = deadlines.mark_sent(
                deadline, form.year.data, form.number_symbol.data, form.sent_on.data, by=current_user, today=today
            )
        if saved:
            flash(
                _(
                    "The report of %(year)s was recorded as sent: %(number)s.",
                    year=sending.year,
                    number=sending.number_symbol,
                ),
                "success",
            )
            return redirect(url_for("reports.report_deadlines"))
    return render_template(SENT_FORM, form=form, deadline=deadline, current=current), 422
