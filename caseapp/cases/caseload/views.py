"""The supervisor's pages: the caseload review, reassigning cases (one from the case
page, many from the facility list), flags to workers and their resolution. Thin: load + authorise
→ form → caseload service → commit → redirect; a refused input re-renders with what was typed (422).
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from ...auth.models import User
from ...core.transaction import saving
from ...core.urls import safe_next
from ...extensions import db
from ...security.policy import Perm
from ...security.rules import can_edit_case
from ...security.scopes import case_scope
from ...security.web import deny, requires
from ...supervision import queries as supervision_queries
from .. import page
from ..forms import NoteForm
from ..models import Case
from ..views import bp
from . import services as cl
from .forms import BulkReassignForm, FlagForm, ReassignForm, ResolveFlagForm
from .models import CaseFlag
from .section import _resolve_prefix, flags_section

CHANGED_MEANWHILE = _l("Someone changed this case meanwhile. Look at it again and retry.")


def _workers():
    return list(db.session.scalars(cl.assignable_workers(current_user)))


def _case_page_422(case, **forms):
    """The case page again, the refused form keeping what was typed (services refuse before writing)."""
    return page.render_case(
        case, NoteForm(formdata=None), status=422, flags_section=flags_section(case, current_user, **forms)
    )


# --- the review --------------------------------------------------------------------------------------


@bp.get("/caseload")
@requires(Perm.REVIEW_CASELOAD)
def caseload():
    data = cl.caseload(current_user)
    conferences = db.session.execute(supervision_queries.recent_conferences(current_user)).unique().all()
    return render_template(
        "cases/caseload.html",
        data=data,
        conferences=conferences,
        approvals_url=page.optional_url("plans.approvals"),
    )


# --- reassigning -------------------------------------------------------------------------------------


@bp.post("/reassign")
@requires(Perm.REVIEW_CASELOAD)
def reassign_many():
    """Cases ticked on the facility list → one worker. A refusal shows the selection again (422)."""
    workers = _workers()
    form = BulkReassignForm(workers=workers)
    ids = form.selected_ids if not form.case_ids.errors else []
    cases = (
        list(
            db.session.scalars(
                sa.select(Case)
                .where(Case.id.in_(ids), case_scope(current_user))
                .options(joinedload(Case.assigned_worker).lazyload(User.facility))
                .order_by(Case.id)
            )
        )
        if ids
        else []
    )
    if len(cases) != len(ids):
        abort(404)  # a case of another facility (or none such) is not there for this user
    if any(not can_edit_case(current_user, case) for case in cases):
        deny(Perm.EDIT_CASES.value)  # a case transferred out: read-only here
    back = safe_next(form.next.data) or url_for("cases.facility")
    if form.validate():
        try:
            with saving(form, passes=StaleDataError) as saved:
                worker = cl.assignable_worker(form.worker_id, by=current_user)
                changed = cl.reassign_cases(cases, worker, by=current_user)
        except StaleDataError:
            db.session.rollback()
            flash(CHANGED_MEANWHILE, "error")
            return redirect(back)
        if saved:
            flash(_l("%(n)d case(s) assigned to %(name)s.", n=len(changed), name=worker.full_name), "success")
            return redirect(back)
    return render_template("cases/reassign.html", form=form, cases=cases, back=back), 422


@bp.post("/<id:case_id>/reassign")
@requires(Perm.REVIEW_CASELOAD)
def reassign(case_id):
    case = page.load_case(case_id, Perm.EDIT_CASES)
    form = ReassignForm(workers=_workers())
    if form.validate():
        try:
            with saving(form, passes=StaleDataError) as saved:
                worker = cl.assignable_worker(form.worker_id, by=current_user)
                cl.reassign_cases([case], worker, by=current_user)
        except StaleDataError:
            db.session.rollback()
            flash(CHANGED_MEANWHILE, "error")
            return redirect(url_for("cases.show", case_id=case_id))
        if saved:
            flash(_l("The case is now assigned to %(name)s, who has been notified.", name=worker.full_name), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return _case_page_422(case, reassign_form=form)


# --- flags -------------------------------------------------------------------------------------------


@bp.post("/<id:case_id>/flags")
@requires(Perm.REVIEW_CASELOAD)
def raise_flag(case_id):
    case = page.load_case(case_id, Perm.EDIT_CASES)
    form = FlagForm(workers=_workers())
    if form.validate():
        with saving(form) as saved:
            worker = cl.assignable_worker(form.to_worker_id, by=current_user, field="to_worker")
            cl.raise_flag(case, to_worker=worker, note=form.note.data, due_on=form.due_on.data, by=current_user)
        if saved:
            flash(_l("The flag was sent to %(name)s.", name=worker.full_name), "success")
            return redirect(url_for("cases.show", case_id=case.id, section="flags", _anchor="flags"))
    return _case_page_422(case, flag_form=form)


@bp.post("/<id:case_id>/flags/<id:flag_id>/resolve")
@requires(Perm.EDIT_CASES)
def resolve_flag(case_id, flag_id):
    case = page.load_case(case_id, Perm.EDIT_CASES)
    flag = db.session.scalar(
        sa.select(CaseFlag)
        .where(CaseFlag.id == flag_id, CaseFlag.case_id == case.id)
        .options(lazyload(CaseFlag.raised_by), lazyload(CaseFlag.to_user))
    )
    if flag is None:
        abort(404)
    if flag.resolved_at is None and not cl.may_resolve(current_user, flag, case):
        deny(Perm.REVIEW_CASELOAD.value)  # a flag addressed to someone else
    form = ResolveFlagForm(prefix=_resolve_prefix(flag.id))
    if form.validate():
        with saving(form) as saved:
            cl.resolve_flag(flag, case, note=form.resolution_note.data, by=current_user)
        if saved:
            flash(_l("The flag is resolved."), "success")
            return redirect(url_for("cases.show", case_id=case.id, section="flags", _anchor="flags"))
    return _case_page_422(case, resolve_form=form, resolve_flag_id=flag.id)
