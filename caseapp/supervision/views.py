"""Supervision pages: the sessions (list, record, open, mark an action done) and the case conferences
of a case (list, record, open, print the minute). Thin: load and authorise → form → service → redirect;
a refused input re-renders the form with what was typed (422). A conference is read with its case
(security.web.load_case: another facility's case, or one outside the user's scope, answers 404)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..cases import queries as case_queries
from ..cases.caseload.services import may_resolve
from ..clients.reads import audit_client_read
from ..core.pagination import keyset_page
from ..core.pdf import content_disposition
from ..core.transaction import saving
from ..core.urls import db_id
from ..extensions import db
from ..security.policy import Perm
from ..security.rules import can
from ..security.web import deny, load_case, requires
from . import documents, queries, services
from .forms import SESSION_KINDS, ConferenceForm, DoneForm, SessionForm
from .models import SupervisionSession

bp = Blueprint("supervision", __name__)

PER_PAGE = 30


# --- sessions --------------------------------------------------------------------------------------------


@bp.get("/supervision")
@requires(Perm.VIEW_SUPERVISION)
def index():
    page = keyset_page(
        db.session,
        queries.sessions(current_user),
        key_column=SupervisionSession.id,
        after=request.args.get("after", type=db_id),
        per_page=PER_PAGE,
    )
    return render_template("supervision/index.html", page=page, kinds=SESSION_KINDS)


@bp.route("/supervision/sessions/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_SUPERVISION)
def new_session():
    workers = list(db.session.scalars(queries.session_workers(current_user)))
    form = SessionForm(workers=workers)
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            session = services.create_session(
                kind=form.kind.data,
                held_on=form.held_on.data,
                worker_ids=form.worker_ids,
                case_numbers=form.case_numbers,
                notes=form.notes.data,
                actions=form.action_inputs,
                by=current_user,
            )
        if saved:
            flash(_l("The supervision session was recorded."), "success")
            return redirect(url_for("supervision.show_session", session_id=session.id))
    status = 422 if request.method == "POST" else 200
    return render_template("supervision/session_form.html", form=form), status


def _load_session(session_id):
    session = db.session.scalar(queries.session_page(current_user, session_id))
    if session is None:
        abort(404)  # another facility's, or a session the worker did not take part in
    return session


@bp.get("/supervision/sessions/<id:session_id>")
@requires(Perm.VIEW_SUPERVISION)
def show_session(session_id):
    session = _load_session(session_id)
    return _render_session(session)


def _render_session(session, done_form=None, done_action_id=None, status=200):
    return render_template(
        "supervision/session.html",
        session=session,
        kinds=SESSION_KINDS,
        done_form=done_form,
        done_action_id=done_action_id,
        # what the page offers; the POST decides with the case (cases.caseload.services.may_resolve)
        may_resolve=lambda flag: (
            flag.resolved_at is None and (flag.to_user_id == current_user.id or can(current_user, Perm.REVIEW_CASELOAD))
        ),
    ), status


@bp.post("/supervision/sessions/<id:session_id>/actions/<id:action_id>/done")
@requires(Perm.VIEW_SUPERVISION)
def action_done(session_id, action_id):
    session = _load_session(session_id)
    action = next((a for a in session.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    flag = action.flag
    case = load_case(current_user, flag.case_id, Perm.EDIT_CASES)
    if flag.resolved_at is None and not may_resolve(current_user, flag, case):
        deny(Perm.EDIT_CASES.value)  # an action of someone else
    form = DoneForm(prefix=f"action{action.id}")
    if form.validate():
        with saving(form) as saved:
            services.mark_done(flag, case, note=form.resolution_note.data, by=current_user)
        if saved:
            flash(_l("The action is marked done."), "success")
            return redirect(url_for("supervision.show_session", session_id=session.id, _anchor=f"action-{action.id}"))
    return _render_session(session, done_form=form, done_action_id=action.id, status=422)


# --- case conferences -------------------------------------------------------------------------------------


def _case(case_id, perm=Perm.VIEW_CASES, **checks):
    return load_case(current_user, case_id, perm, options=case_queries.case_page_options(), **checks)


@bp.get("/cases/<id:case_id>/conferences")
@requires(Perm.VIEW_CASES)
def conferences(case_id):
    case = _case(case_id)
    rows = db.session.scalars(queries.conferences_of_case(case.id)).all()
    audit_client_read(case.client, by=current_user, case=case)
    return render_template("supervision/conferences.html", case=case, conferences=rows)


def _conference_form():
    staff = list(db.session.scalars(queries.conference_staff(current_user)))
    workers = list(db.session.scalars(queries.session_workers(current_user)))
    return ConferenceForm(staff=staff, workers=workers)


@bp.route("/cases/<id:case_id>/conferences/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_SUPERVISION)
def new_conference(case_id):
    case = _case(case_id, Perm.MANAGE_SUPERVISION, editable=True, back_to="timeline")
    form = _conference_form()
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            conference = services.create_conference(
                case,
                held_at=form.held_at_utc,
                place=form.place.data,
                situation=form.situation.data,
                participant_ids=form.participant_ids,
                outsiders=form.outsider_inputs,
                decisions=form.decision_inputs,
                by=current_user,
            )
        if saved:
            flash(_l("The case conference was recorded."), "success")
            return redirect(url_for("supervision.conference", case_id=case.id, conference_id=conference.id))
    audit_client_read(case.client, by=current_user, case=case)
    status = 422 if request.method == "POST" else 200
    return render_template("supervision/conference_form.html", case=case, form=form), status


def _load_conference(case, conference_id):
    conference = db.session.scalar(queries.conference_page(case.id, conference_id))
    if conference is None:
        abort(404)
    return conference


@bp.get("/cases/<id:case_id>/conferences/<id:conference_id>")
@requires(Perm.VIEW_CASES)
def conference(case_id, conference_id):
    case = _case(case_id)
    found = _load_conference(case, conference_id)
    audit_client_read(case.client, by=current_user, case=case)
    return render_template("supervision/conference.html", case=case, conference=found)


@bp.get("/cases/<id:case_id>/conferences/<id:conference_id>/minute.pdf")
@requires(Perm.VIEW_CASES)
def conference_pdf(case_id, conference_id):
    case = _case(case_id)
    found = _load_conference(case, conference_id)
    pdf = documents.conference_minute(case, found, by=current_user)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"hoi-chan-{case.number}-{found.id}.pdf")
    return response
