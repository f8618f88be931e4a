"""The supervisors' page of identity requests: clients of the facility whose citizen ID another facility
has registered since — with the cases a transfer would move — and "mark handled"."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.transaction import refusal_flashed
from ...core.urls import db_id
from ...extensions import db
from ...security.policy import Perm
from ...security.web import requires
from ..reads import audit_clients_listed
from ..views import bp
from . import queries, services

PER_PAGE = 30


@bp.get("/identity-matches")
@requires(Perm.HANDLE_IDENTITY_MATCHES)
def identity_matches():
    after = request.args.get("after", type=db_id)
    page = queries.requests_page(current_user, after=after, per_page=PER_PAGE)
    client_ids = [r.client_id for r in page.rows]
    audit_clients_listed(client_ids, by=current_user)  # the page names the facility's clients
    return render_template(
        "clients/identity/requests.html",
        page=page,
        cases=queries.open_cases_of(current_user, client_ids),
        first_page=after is None,
    )


@bp.post("/identity-matches/<id:request_id>/handled")
@requires(Perm.HANDLE_IDENTITY_MATCHES)
def identity_match_handled(request_id):
    match = db.session.scalar(queries.request_in_scope(current_user, request_id))
    if match is None:
        abort(404)  # another facility's request does not exist for this user
    with refusal_flashed() as saved:
        services.mark_handled(match, by=current_user)
    if saved:
        flash(_("The request was marked as handled."), "success")
    return redirect(url_for("clients.identity_matches"))
