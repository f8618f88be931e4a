"""Pages of follow-ups (schedule, reschedule, outcome, cancel) and contact notes, on the cases
blueprint. Thin: load the case in the user's scope (page.load_case: outside it → 404) → form →
service → redirect (the request's end commits); a refused input re-renders the form with what was typed (422)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...core.transaction import renamed, saving
from ...extensions import db
from ...security.policy import Perm
from ...security.web import requires
from ..forms import NoteForm
from ..page import load_case as _load_case
from ..page import render_case as _render_case
from ..views import bp
from . import services as followups
from .forms import CancelFollowUpForm, ContactForm, FollowUpForm, OutcomeForm, RescheduleForm, to_local_input, to_utc


def _back(case, anchor="follow-ups"):
    return redirect(url_for("cases.show", case_id=case.id, section=anchor, _anchor=anchor))


def _follow_up_or_404(case, follow_up_id):
    follow_up = db.session.scalar(followups.follow_up_of_case(case.id, follow_up_id))
    if follow_up is None:
        abort(404)
    return follow_up


def _workers(case):
    return db.session.scalars(followups.eligible_assignees(case)).all()


def _form_page(case, form, *, save, done, title, submit, action, follow_up=None):
    """The one flow of the follow-up forms: a valid POST runs `save` (the service call); saved, back to
    the case with the message `done`; refused or invalid, the form again with what was typed (422)."""
    status = 200
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                save()
            if saved:
                flash(done, "success")
                return _back(case)
        status = 422
    page = render_template(
        "cases/followup_form.html", case=case, form=form, title=title, submit=submit, action=action, follow_up=follow_up
    )
    return page, status


@bp.route("/<id:case_id>/follow-ups/new", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def new_follow_up(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES, editable=True, back_to="follow-ups")
    form = FollowUpForm(workers=_workers(case))
    return _form_page(
        case,
        form,
        save=lambda: followups.schedule_follow_up(
            case,
            kind=form.kind.data,
            due_at=to_utc(form.due_at.data),
            purpose=form.purpose.data,
            assigned_to_id=form.assigned_to_id,
            by=current_user,
        ),
        done=_l("The follow-up was scheduled."),
        title=_l("Schedule a follow-up"),
        submit=_l("Schedule"),
        action=url_for("cases.new_follow_up", case_id=case.id),
    )


@bp.route("/<id:case_id>/follow-ups/<id:follow_up_id>/reschedule", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def reschedule_follow_up(case_id, follow_up_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    follow_up = _follow_up_or_404(case, follow_up_id)
    form = RescheduleForm(workers=_workers(case))
    if request.method == "GET":
        form.due_at.data = to_local_input(follow_up.due_at)
        form.assigned_to.data = str(follow_up.assigned_to_id or "")
    return _form_page(
        case,
        form,
        save=lambda: followups.reschedule_follow_up(
            follow_up, case, due_at=to_utc(form.due_at.data), assigned_to_id=form.assigned_to_id, by=current_user
        ),
        done=_l("The follow-up was rescheduled."),
        title=_l("Change the due time"),
        submit=_l("Save"),
        follow_up=follow_up,
        action=url_for("cases.reschedule_follow_up", case_id=case.id, follow_up_id=follow_up.id),
    )


@bp.route("/<id:case_id>/follow-ups/<id:follow_up_id>/outcome", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def follow_up_outcome(case_id, follow_up_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    follow_up = _follow_up_or_404(case, follow_up_id)
    form = OutcomeForm()
    return _form_page(
        case,
        form,
        save=lambda: followups.record_outcome(
            follow_up, case, done_at=to_utc(form.done_at.data), outcome=form.outcome.data, by=current_user
        ),
        done=_l("The outcome was recorded."),
        title=_l("Record the outcome"),
        submit=_l("Save the outcome"),
        follow_up=follow_up,
        action=url_for("cases.follow_up_outcome", case_id=case.id, follow_up_id=follow_up.id),
    )


@bp.route("/<id:case_id>/follow-ups/<id:follow_up_id>/cancel", methods=["GET", "POST"])
@requires(Perm.EDIT_CASES)
def cancel_follow_up(case_id, follow_up_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    follow_up = _follow_up_or_404(case, follow_up_id)
    form = CancelFollowUpForm()
    return _form_page(
        case,
        form,
        save=lambda: followups.cancel_follow_up(follow_up, case, reason=form.reason.data, by=current_user),
        done=_l("The follow-up was cancelled."),
        title=_l("Cancel the follow-up"),
        submit=_l("Cancel the follow-up"),
        follow_up=follow_up,
        action=url_for("cases.cancel_follow_up", case_id=case.id, follow_up_id=follow_up.id),
    )


@bp.post("/<id:case_id>/contacts")
@requires(Perm.EDIT_CASES)
def add_contact(case_id):
    """A note recording a contact with the person; refused input stays on the case page (422)."""
    case = _load_case(case_id, Perm.EDIT_CASES)
    form = ContactForm()
    if form.validate():
        with saving(form, show=renamed(text="contact_text")) as saved:
            followups.add_contact_note(
                case,
                kind=form.contact_kind.data,
                contacted_at=to_utc(form.contacted_at.data),
                text=form.contact_text.data,
                by=current_user,
            )
        if saved:
            flash(_l("The contact was recorded."), "success")
            return _back(case, "timeline")
    return _render_case(case, NoteForm(formdata=None), status=422, contact_form=form)
