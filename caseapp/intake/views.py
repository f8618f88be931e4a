"""The centre intake page: /intake/new?client_id=… (without a client: search before create first)."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cases.models import Case
from ..clients.models import Client
from ..clients.reads import audit_client_read
from ..core.transaction import saving
from ..core.urls import db_id
from ..extensions import db
from ..security.policy import Perm
from ..security.scopes import case_scope, client_scope
from ..security.web import load_in_scope_or_404, requires
from . import queries, services
from .forms import SCREENING, IntakeForm

bp = Blueprint("intake", __name__, url_prefix="/intake")


def _visible(model, ident, scope):
    return db.session.scalar(sa.select(model.id).where(model.id == ident, scope(current_user))) is not None


@bp.route("/new", methods=["GET", "POST"])
@requires(Perm.CREATE_INTAKE)
def new():
    client_id = request.args.get("client_id", type=db_id)
    if client_id is None:
        return redirect(url_for("clients.new", next="intake"))
    client = load_in_scope_or_404(Client, client_id, client_scope, Perm.CREATE_INTAKE)
    if client.merged_into_id:
        return redirect(url_for("intake.new", client_id=client.merged_into_id))
    workers = db.session.scalars(queries.assignable_workers(current_user.facility_id)).all()
    form = IntakeForm(workers=workers)
    age = client.age
    if request.method == "GET":
        form.received_at.data = form.default_received_at()
        if any(w.id == current_user.id for w in workers):
            form.assigned_worker_id.data = current_user.id
        form.consent_given_by.data = "guardian" if client.is_child else "client"
        if client.is_child:
            form.child_involved.data = "yes"
    if form.validate_on_submit():
        with saving(form) as saved:
            intake, case = services.create_intake(
                client, form.intake_data(), facility=current_user.facility, by=current_user
            )
        if saved:
            return _after_intake(client, intake, case)
    # after a post, the level the answers given call for (the page itself runs no screening script)
    suggested = (
        services.suggest_urgency({k: getattr(form, k).data for k in SCREENING}, child=client.is_child)
        if request.method == "POST"
        else None
    )
    audit_client_read(client, by=current_user)  # the form shows who the person is
    return render_template(
        "intake/new.html",
        form=form,
        client=client,
        age=age,
        ask_assent=age is not None and 7 <= age < 16,
        suggested=suggested,
        screening=SCREENING,
    )


def _after_intake(client, intake, case):
    """To the case page when the user may open it; else to the client page (advice, referral, or a case
    assigned to someone else)."""
    if case is not None:
        flash(_("The intake was recorded and case %(number)s was opened.", number=case.number), "success")
        if _visible(Case, case.id, case_scope):
            return redirect(url_for("cases.show", case_id=case.id))
    elif intake.decision == "advice_only":
        flash(_("The intake was recorded as advice only (counselling)."), "success")
    else:
        flash(_("The intake was recorded with a referral to %(place)s.", place=intake.referred_to), "success")
    if _visible(Client, client.id, client_scope):
        return redirect(url_for("clients.show", client_id=client.id))
    return redirect(url_for("clients.search"))
