"""Case pages and lists: "Hồ sơ của tôi", "Hồ sơ của cơ sở", the case page and its notes."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError

from ..audit.services import record
from ..core import categories
from ..core.forms import add_service_error
from ..core.services import ServiceError
from ..core.sql import prebuilt
from ..core.timeutil import utcnow
from ..extensions import db
from ..security.policy import Perm
from ..security.rules import can
from ..security.web import load_case, requires
from . import bp, queries, services
from .forms import CaseFilterForm, NoteForm
from ..plans import labels as plan_labels  # names only: no views, no forms
from ..referrals import labels as referral_labels

PER_PAGE = 25

# Labels of the timeline's event kinds; a kind added later without a label shows its code.
EVENT_LABELS = {
    "opened": _l("Case opened"),
    "status": _l("Status changed"),
    "note": _l("Note"),
    "admitted": _l("Admitted to the shelter"),
    "checked_out": _l("Left the shelter"),
    "stay_extended": _l("Shelter stay extended"),
    "intake_completed": _l("Intake record completed"),
    "reassigned": _l("Worker changed"),
    "client_merged": _l("Client records merged"),
    # the caseload review: a supervisor's flag to a worker (cases/caseload.py)
    "flagged": _l("Flagged by the supervisor"),
    "flag_resolved": _l("Flag resolved"),
    # the case's workflow (cases/closure.py; closure requests and decisions: plans.labels)
    "closure_evaluation": _l("Closing evaluation"),
    "details_changed": _l("Case details changed"),
    # access beyond the default scope (cases/access.py)
    "access_break_glass": _l("Emergency access (break the glass)"),
    "access_shared": _l("Case shared with"),
    "access_revoked": _l("Access revoked"),
    "reopened": _l("Case reopened"),
    # follow-ups, contacts and documents (cases.followups, cases.attachments)
    "follow_up_scheduled": _l("Follow-up scheduled"),
    "follow_up_rescheduled": _l("Follow-up rescheduled"),
    "follow_up_done": _l("Follow-up done"),
    "follow_up_cancelled": _l("Follow-up cancelled"),
    "contact_phone": _l("Contact: phone call"),
    "contact_visit": _l("Contact: visit"),
    "contact_meeting": _l("Contact: meeting at the centre"),
    "contact_other": _l("Contact"),
    "attachment_added": _l("Document attached"),
    # reminders (reminders.jobs): an overdue item escalated to the facility's supervisors
    "reminder_escalated": _l("Overdue item escalated to the supervisors"),
    # approvals, assessments and plans (plans.labels); referrals and transfers (referrals.labels)
    **plan_labels.EVENT_LABELS,
    **referral_labels.EVENT_LABELS,
}


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
        page = queries.case_page(current_user, form.filters(scope), sort=form.sort_key,
                                 after=form.after.data, per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "after"}
    title = _l("My cases") if scope == "mine" else _l("Facility cases")
    from .caseload_views import bulk_reassign_form  # the supervisor's "reassign the ticked cases"

    return render_template("cases/list.html", form=form, page=page, args=args, scope=scope, title=title,
                           endpoint=request.endpoint, now=utcnow(), first_page=form.after.data is None,
                           reassign_form=bulk_reassign_form(workers) if scope == "facility" else None)


# --- the case page -------------------------------------------------------------------------------

def _load_case(case_id, perm, **checks):
    """security.web.load_case with what the case page shows with the case (client, worker, intake)."""
    return load_case(current_user, case_id, perm, options=queries.case_page_options(), **checks)


def _optional_url(endpoint, **values):
    """A link to a page another part of the app provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _screening_rows(intake):
    """The first screening's answers as (question, answer) in words; codes without a label show as they are."""
    if intake is None:
        return []
    questions = getattr(categories, "SCREENING_QUESTIONS", ())
    answers = getattr(categories, "SCREENING_ANSWERS", ())
    question_codes, answer_codes = {c.code for c in questions}, {c.code for c in answers}
    rows = []
    for key, value in (intake.screening or {}).items():
        if key == "suggested_urgency":
            rows.append((_l("Suggested urgency"), categories.label(categories.URGENCY, value)))
            continue
        if isinstance(value, str) and value in answer_codes:
            value = categories.label(answers, value)
        rows.append((categories.label(questions, key) if key in question_codes else key, value))
    return rows


def _case_sections(case):
    """The case page's sections, each built by its own domain's queries (templates run no query).
    Key → the context variable its partial in templates/cases/show.html reads."""
    from ..plans import queries as plan_queries
    from ..referrals import queries as referral_queries
    from ..shelter.case_section import case_section as shelter_case_section
    from .caseload_views import flags_section
    from .workflow_views import workflow_section
    from . import attachment_views, followup_views

    from . import access, deadlines
    from ..documents import services as document_services

    plans_section = plan_queries.case_section(case, current_user)
    referral_section = referral_queries.case_section(case, current_user)
    return {
        "deadlines_section": deadlines.case_section(case, current_user),
        "access_section": access.case_section(case, current_user),
        "plans_section": plans_section,
        "referral_section": referral_section,
        "flags_section": flags_section(case, current_user),
        "workflow_section": workflow_section(case, current_user),
        "followup_section": followup_views.section(case),
        "attachment_section": attachment_views.section(case),
        # the stays of a shelter case, with the check-out its closure waits for
        "stay_section": shelter_case_section(case, current_user),
        # the printable forms (caseapp/documents) of the versions the two sections above loaded
        "documents_section": document_services.case_section(
            case, assessments=plans_section.assessments, plans=plans_section.plans,
            referrals=referral_section.referrals),
    }


def _render_case(case, note_form, status=200, **extra):
    events = db.session.scalars(*prebuilt(queries.timeline, case_id=case.id)).all()
    groups = db.session.scalars(*prebuilt(queries.group_codes, client_id=case.client_id)).all()
    links = {
        "client": _optional_url("clients.show", client_id=case.client_id),
        "complete_intake": _optional_url("shelter.complete_intake", case_id=case.id),
    }
    return render_template("cases/show.html", case=case, client=case.client, intake=case.intake, events=events,
                           groups=groups, links=links, note_form=note_form, event_labels=EVENT_LABELS,
                           screening=_screening_rows(case.intake), now=utcnow(),
                           can_edit=case.is_open and can(current_user, Perm.EDIT_CASES, case),  # closed: read-only
                           **{**_case_sections(case), **extra}), status  # a refused form's section overrides


@bp.get("/<int:case_id>")
@requires(Perm.VIEW_CASES)
def show(case_id):
    try:
        case = _load_case(case_id, Perm.VIEW_CASES)
    except NotFound:  # outside the scope: the restricted page (break the glass) or a plain 404
        from .access_views import restricted_or_404

        return restricted_or_404(case_id)
    response = _render_case(case, NoteForm(formdata=None))
    record("case_viewed", by=current_user, entity=case)  # reads of personal data are audited
    db.session.commit()
    return response


@bp.post("/<int:case_id>/notes")
@requires(Perm.EDIT_CASES)
def add_note(case_id):
    case = _load_case(case_id, Perm.EDIT_CASES)
    if not case.is_open:   # closed: read-only until reopened (cases.workflow.ensure_editable)
        flash(_l("This case is closed and read-only. Reopen it to make changes."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    form = NoteForm()
    if form.validate():
        try:
            services.add_note(case, form.text.data, by=current_user)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            db.session.commit()
            flash(_l("The note was saved."), "success")
            return redirect(url_for("cases.show", case_id=case.id, _anchor="timeline"))
    # The note stays in the form, with the reason it was refused.
    return _render_case(case, form, status=422)
