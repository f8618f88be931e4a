"""The register's pages on a client: a membership's history and changes, and a new membership."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..clients.models import Client
from ..clients.reads import audit_client_read
from ..core.timeutil import local_today
from ..core.transaction import saving
from ..extensions import db
from ..security.policy import Perm, has_perm
from ..security.scopes import client_scope
from ..security.web import load_in_scope_or_404, requires
from . import queries, services
from .forms import MembershipChangeForm, MembershipForm
from .models import GroupMembership

bp = Blueprint("register", __name__)


def _client(client_id, perm):
    client = load_in_scope_or_404(Client, client_id, client_scope, perm)
    if client.merged_into_id:
        abort(404)  # a merged-away record's memberships are read on the kept record
    return client


def _membership(client, membership_id):
    membership = db.session.get(GroupMembership, membership_id)
    if membership is None or membership.client_id != client.id:
        abort(404)
    return membership


def _back(client):
    return redirect(url_for("clients.show", client_id=client.id, _anchor="groups"))


@bp.route("/clients/<id:client_id>/memberships/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CLIENTS)
def add_membership(client_id):
    client = _client(client_id, Perm.EDIT_CLIENTS)
    form = MembershipForm()
    if request.method == "GET":
        form.effective_from.data = local_today()
        form.group_code.data = request.args.get("group", "")
    elif form.validate():
        with saving(form) as saved:
            services.add_membership(client, form.group_code.data, form.version_data(), by=current_user)
        if saved:
            flash(_("The membership was recorded."), "success")
            return _back(client)
    status = 422 if request.method == "POST" else 200
    audit_client_read(client, by=current_user)  # the form names the client
    return render_template("register/membership_new.html", form=form, client=client), status


@bp.get("/clients/<id:client_id>/memberships/<id:membership_id>")
@requires(Perm.VIEW_CLIENTS)
def show_membership(client_id, membership_id):
    client = _client(client_id, Perm.VIEW_CLIENTS)
    membership = _membership(client, membership_id)
    return _render_membership(client, membership, _change_form(membership))


@bp.post("/clients/<id:client_id>/memberships/<id:membership_id>")
@requires(Perm.EDIT_CLIENTS)
def change_membership(client_id, membership_id):
    client = _client(client_id, Perm.EDIT_CLIENTS)
    membership = _membership(client, membership_id)
    form = MembershipChangeForm()
    if form.validate():
        seen = int(form.seen_version.data) if (form.seen_version.data or "").isdecimal() else None
        with saving(form) as saved:
            services.change_membership(membership, form.version_data(), by=current_user, seen_version_id=seen)
        if saved:
            flash(_("The change was recorded."), "success")
            return _back(client)
        # stale: arm the form with the version recorded meanwhile, keeping what the user typed
        form.seen_version.data = services.latest_version(membership.id).id
    return _render_membership(client, membership, form, status=422)


def _change_form(membership):
    """The change form opens with the version in force today and takes effect today."""
    timeline = _timeline(membership)
    form = MembershipChangeForm(obj=timeline.current)
    form.effective_from.data = local_today()
    form.seen_version.data = timeline.versions[-1].id
    if form.allowance_coefficient.data is not None:
        form.allowance_coefficient.data = str(form.allowance_coefficient.data).replace(".", ",")
    form.reason.data = None
    return form


def _timeline(membership):
    versions = db.session.scalars(queries.versions_of([membership.id])).all()
    return services.timelines([membership], versions, today=local_today())[0]


def _render_membership(client, membership, form, status=200):
    record("membership_viewed", by=current_user, entity=client)  # reads of personal data are audited
    timeline = _timeline(membership)
    return (
        render_template(
            "register/membership.html",
            client=client,
            timeline=timeline,
            form=form if has_perm(current_user, Perm.EDIT_CLIENTS) else None,
            people=services.recorder_names(timeline.versions),
        ),
        status,
    )
