"""Pages of the case's workflow, on the `cases` blueprint: the step form of
the case page, the closure request and the supervisor's decision on it, reopening, and editing the
case's own details under an optimistic lock. Thin: load + authorise → form → service → commit.

Every route loads the case in the user's case scope (another facility's case → 404); writes need
Perm.EDIT_CASES on a case of the user's facility (cases.page.load_case), steering the case
(steps, closure, reopening) its worker or a supervisor (security.can_steer_case), deciding a
closure Perm.APPROVE and not one's own request (approvals.services.refusal_reason).
"""

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ...approvals import services as approvals
from ...audit.services import record
from ...core import categories as cat
from ...core.transaction import keep_despite_error, refusal_flashed, save, saving
from ...extensions import db
from ...plans import compare, labels
from ...plans.services import StaleEdit
from ...security.policy import Perm
from ...security.rules import can_steer_case
from ...security.web import deny, requires
from ..forms import NoteForm
from ..page import load_case as _load_case
from ..page import render_case as _render_case
from ..services import ensure_editable
from ..statuses import ApprovalStatus, CaseStatus
from ..views import bp
from . import checklist, closure
from .forms import (
    OVERRIDE_PREFIX,
    CaseDetailsForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    MoveForm,
    ReopenForm,
    typed_overrides,
)
from .services import allowed_next

CHANGED_MEANWHILE = _l("Someone else changed this case meanwhile. Check it and try again.")


def _back(case):
    return redirect(url_for("cases.show", case_id=case.id, section="workflow", _anchor="workflow"))


# --- moving through the steps ----------------------------------------------------------------------


@bp.post("/<id:case_id>/status")
@requires(Perm.EDIT_CASES)
def move(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    if not can_steer_case(current_user, case):
        deny("steer_case")
    form = MoveForm(steps=allowed_next(case.status) if case.is_open else [])
    if form.validate():
        if save(
            form,
            lambda: closure.move_case(case, form.to_status.data, reason=form.reason.data, by=current_user),
            stale_message=CHANGED_MEANWHILE,
        ):
            flash(
                _l("The case moved to the step “%(step)s”.", step=cat.label(cat.CASE_STATUSES, case.status)), "success"
            )
            return _back(case)
    elif not case.is_open:
        form.form_errors.append(str(_l("This case is closed and read-only. Reopen it to make changes.")))
    case = _load_case(case_id, Perm.EDIT_CASES)
    # The step and reason stay in the form, with the reason they were refused.
    return _render_case(case, NoteForm(formdata=None), status=422, move_form=form)


# --- closure ----------------------------------------------------------------------------------------


def _overrides_by_approval(history):
    found = defaultdict(list)
    if history:
        for override in db.session.scalars(checklist.overrides_of(*(a.id for a in history))):
            found[override.approval_id].append(override)
    return found


def _checklist_reasons(typed, pending, history, overrides):
    """The reasons the checklist shows: those typed (a re-shown form), those of the request waiting for a
    decision, or — for a new request after a return — those of the last request."""
    if typed is not None:
        return typed
    last = pending or (history[0] if history else None)
    return {o.key: o.reason for o in overrides.get(last.id, [])} if last else {}


def _render_closure(case, *, request_form=None, decision_form=None, status=200, refusal=None, typed=None):
    history = db.session.scalars(closure.closure_history(case.id)).unique().all()
    pending = next((a for a in history if a.status == ApprovalStatus.PENDING), None)
    steer = can_steer_case(current_user, case)
    evaluation = db.session.scalar(closure.latest_evaluation(case.id)) if history else None
    overrides = _overrides_by_approval(history)
    items = checklist.loose_ends(case.id) if case.is_open else []
    entries = checklist.checklist(items, _checklist_reasons(typed, pending, history, overrides))
    if request_form is None and steer and case.is_open and pending is None:
        # after a return, the new request starts from the last one
        request_form = ClosureRequestForm(
            formdata=None,
            reason=case.closure_reason or "",
            summary=case.closure_summary or "",
            evaluation=evaluation or "",
        )
    if (
        decision_form is None
        and pending is not None
        and approvals.refusal_reason(pending, current_user, author_id=None) is None
    ):
        decision_form = ClosureDecisionForm(formdata=None)
    response = render_template(
        "cases/close.html",
        case=case,
        history=history,
        pending=pending,
        request_form=request_form,
        decision_form=decision_form,
        refusal=refusal,
        evaluation=evaluation,
        can_steer=steer,
        entries=entries,
        unsettled={item.key for item in checklist.unsettled(entries)},
        overrides=overrides,
        resolved_since=checklist.stored_overrides(overrides.get(pending.id, []), items, resolved=True)
        if pending
        else [],
        override_prefix=OVERRIDE_PREFIX,
        approval_labels=_approval_labels(),
    )
    if history or case.closure_summary:  # the summary and the evaluation tell about the person
        record("case_closure_viewed", by=current_user, entity=case)
    keep_despite_error()  # the read is audited whatever the page answers
    return response, status


def _approval_labels():
    return labels.APPROVAL_STATUSES


@bp.route("/<id:case_id>/close", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def closure_page(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    if request.method == "GET":
        return _render_closure(case)
    with refusal_flashed() as editable:
        ensure_editable(case)
    if not editable:
        return _back(case)
    if not can_steer_case(current_user, case):
        deny("steer_case")
    form = ClosureRequestForm()
    typed = typed_overrides(request.form, checklist.loose_ends(case.id))
    if form.recheck.data:  # back from resolving a loose end: the list read again, what was typed kept
        return _render_closure(case, request_form=form, typed=typed)
    if form.validate():
        if save(
            form,
            lambda: closure.request_closure(
                case,
                reason=form.reason.data,
                summary=form.summary.data,
                evaluation=form.evaluation.data,
                overrides=typed,
                by=current_user,
            ),
            stale_message=CHANGED_MEANWHILE,
        ):
            flash(_l("The closure was sent to a supervisor for approval."), "success")
            return _back(case)
    case = _load_case(case_id, Perm.EDIT_CASES)
    return _render_closure(case, request_form=form, status=422, typed=typed)


@bp.post("/<id:case_id>/close/decide")
@requires(Perm.APPROVE)
def decide_closure(case_id):
    case = _load_case(case_id, Perm.APPROVE)
    pending = db.session.scalar(closure.pending_closure(case.id))
    if pending is None:
        flash(_l("This request has already been decided."), "info")
        return redirect(url_for("cases.closure_page", case_id=case.id))
    form = ClosureDecisionForm()
    if not form.validate() or not (form.approve.data or form.send_back.data):
        form.form_errors.append(str(_l("Choose to approve or to return, with a comment when returning.")))
        return _render_closure(case, decision_form=form, status=422)
    approve = bool(form.approve.data)
    try:
        with saving(form, passes=(approvals.ApprovalRefused, StaleDataError)) as saved:
            approvals.decide(pending, approve=approve, comment=form.comment.data, by=current_user)
    except approvals.ApprovalRefused as error:
        keep_despite_error()  # the refusal is in the audit trail
        case = _load_case(case_id, Perm.APPROVE)
        return _render_closure(case, status=403, refusal=str(error))
    except StaleDataError:
        db.session.rollback()
        flash(CHANGED_MEANWHILE, "error")
        return redirect(url_for("cases.closure_page", case_id=case_id))
    if not saved:
        case = _load_case(case_id, Perm.APPROVE)
        return _render_closure(case, decision_form=form, status=422)
    flash(
        _l("The case is closed. The follow-ups after closure are scheduled.")
        if approve
        else _l("The closure was returned with your comment."),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case_id, section="workflow", _anchor="workflow"))


# --- reopening --------------------------------------------------------------------------------------


@bp.route("/<id:case_id>/reopen", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def reopen(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    may = case.status == CaseStatus.CLOSED and can_steer_case(current_user, case)
    form = ReopenForm(formdata=None) if may else None
    status = 200
    if request.method == "POST":
        if case.status != CaseStatus.CLOSED:
            flash(_l("Only a closed case can be reopened."), "info")
            return _back(case)
        if not may:
            deny("steer_case")
        form = ReopenForm()
        if form.validate():
            if save(
                form,
                lambda: closure.reopen_case(case, reason=form.reason.data, by=current_user),
                stale_message=CHANGED_MEANWHILE,
            ):
                flash(_l("The case was reopened."), "success")
                return _back(case)
        case = _load_case(case_id, Perm.EDIT_CASES)
        status = 422
    return render_template("cases/reopen.html", case=case, form=form), status


# --- the case's own details -------------------------------------------------------------------------


def _arm(form, case):
    form.version.data = case.version
    form.snapshot.data = compare.dumps(closure.details_snapshot(case))


@bp.route("/<id:case_id>/edit", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def edit(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES, editable=True, back_to="workflow")
    form = CaseDetailsForm()
    changes, status = None, 200
    if request.method == "GET":
        form = CaseDetailsForm(formdata=None)
        form.fill(case)
        _arm(form, case)
        record("case_viewed", by=current_user, entity=case, detail={"for": "edit"})
    else:
        if form.validate():
            try:
                with saving(form, passes=(StaleEdit, StaleDataError)) as saved:
                    changed = closure.update_case_details(
                        case, form.service_data(), version=form.version.data, by=current_user
                    )
            except (StaleEdit, StaleDataError):
                db.session.rollback()
                case = _load_case(case_id, Perm.EDIT_CASES)
                started = compare.loads(form.snapshot.data)
                changes = closure.detail_changes(started, closure.details_snapshot(case)) if started else []
                form.form_errors.append(str(StaleEdit()))
                _arm(form, case)  # saving again (after checking) goes through
                return render_template("cases/edit.html", case=case, form=form, changes=changes), 409
            if saved:
                flash(_l("The case details were saved.") if changed else _l("Nothing was changed."), "success")
                return redirect(url_for("cases.show", case_id=case_id))
        case = _load_case(case_id, Perm.EDIT_CASES)
        status = 422
    return render_template("cases/edit.html", case=case, form=form, changes=changes), status
