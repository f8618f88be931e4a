"""Case pages and lists: "Hồ sơ của tôi", "Hồ sơ của cơ sở", the case page and its notes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..audit.services import record
from ..clients.reads import audit_clients_listed
from ..core.timeutil import utcnow
from ..core.transaction import saving
from ..extensions import db
from ..security.policy import Perm
from ..security.web import requires
from . import queries, services
from .access.section import restricted_or_404
from .caseload.section import bulk_reassign_form
from .forms import CaseFilterForm, NoteForm
from .page import load_case as _load_case
from .page import render_case as _render_case

bp = Blueprint("cases", __name__, url_prefix="/cases")

PER_PAGE = 25


# --- lists ---------------------------------------------------------------------------------------


@bp.get("/mine")
@requires(Perm.VIEW_CASES)
def mine():
    return _case_list("mine")


@bp.get("/facility")
@requires(Perm.VIEW_FACILITY_CASES)
def facility():
    return _case_list("facility")


def _case_list(scope):
    workers = db.session.scalars(queries.facility_workers(current_user)).all() if scope == "facility" else None
    form = CaseFilterForm(request.args, workers=workers)
    page = None
    if form.validate():
        page = queries.case_page(
            current_user, form.filters(scope), sort=form.sort_key, after=form.after.data, per_page=PER_PAGE
        )
    args = {k: v for k, v in request.args.items() if k != "after"}
    title = _l("My cases") if scope == "mine" else _l("Facility cases")
    audit_clients_listed([c.client_id for c in page.rows] if page else [], by=current_user)  # names them
    return render_template(
        "cases/list.html",
        form=form,
        page=page,
        args=args,
        scope=scope,
        title=title,
        endpoint=request.endpoint,
        now=utcnow(),
        first_page=form.after.data is None,
        reassign_form=bulk_reassign_form(workers) if scope == "facility" else None,
    )


# --- the case page -------------------------------------------------------------------------------


@bp.get("/<id:case_id>")
@requires(Perm.VIEW_CASES)
def show(case_id):
    try:
        case = _load_case(case_id, Perm.VIEW_CASES)
    except NotFound:  # outside the scope: the restricted page (break the glass) or a plain 404
        return restricted_or_404(case_id)
    response = _render_case(case, NoteForm(formdata=None))
    record("case_viewed", by=current_user, entity=case)  # reads of personal data are audited
    return response


@bp.post("/<id:case_id>/notes")
@requires(Perm.EDIT_CASES)
def add_note(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    if not case.is_open:  # closed: read-only until reopened (cases.services.ensure_editable)
        flash(_l("This case is closed and read-only. Reopen it to make changes."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    form = NoteForm()
    if form.validate():
        with saving(form) as saved:
            services.add_note(case, form.text.data, by=current_user)
        if saved:
            flash(_l("The note was saved."), "success")
            return redirect(url_for("cases.show", case_id=case.id, section="timeline", _anchor="timeline"))
    # The note stays in the form, with the reason it was refused.
    return _render_case(case, form, status=422)
