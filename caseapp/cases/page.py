"""The case page, shared by every route that shows it (cases.views and the sub-domains' views: a
refused form re-renders the whole page with the user's input). Each section is built by its own
sub-domain or domain (templates run no query)."""

from flask import current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from werkzeug.routing import BuildError

from ..core import categories
from ..core.sql import prebuilt
from ..core.timeutil import local_today, utcnow
from ..deadlines import items as due_items
from ..documents import services as document_services
from ..extensions import db
from ..plans import labels as plan_labels
from ..plans import queries as plan_queries
from ..referrals import labels as referral_labels
from ..referrals import queries as referral_queries
from ..register.queries import managed_group_codes
from ..security.policy import Perm
from ..security.rules import can
from ..security.web import load_case as load_case_for
from ..shelter.case_section import case_section as shelter_case_section
from . import queries
from .access.section import access_section
from .attachments.section import section as attachment_section
from .caseload.section import flags_section
from .followups.section import section as followup_section
from .workflow.section import workflow_section

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
    # the caseload review: a supervisor's flag to a worker (cases/caseload/)
    "flagged": _l("Flagged by the supervisor"),
    "flag_resolved": _l("Flag resolved"),
    # the case's workflow (cases/workflow/closure.py; closure requests and decisions: plans.labels)
    "closure_evaluation": _l("Closing evaluation"),
    "details_changed": _l("Case details changed"),
    # access beyond the default scope (cases/access/)
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
    "contact_other": lazy_pgettext("follow-up", "Contact"),
    "attachment_added": _l("Document attached"),
    # reminders (reminders.jobs): an overdue item escalated to the facility's supervisors
    "reminder_escalated": _l("Overdue item escalated to the supervisors"),
    # approvals, assessments and plans (plans.labels); referrals and transfers (referrals.labels)
    **plan_labels.EVENT_LABELS,
    **referral_labels.EVENT_LABELS,
}


def load_case(case_id, perm, **checks):
    """security.web.load_case with what the case page shows with the case (client, worker, intake)."""
    return load_case_for(current_user, case_id, perm, options=queries.case_page_options(), **checks)


def optional_url(endpoint, **values):
    """A link to a page another part of the app provides, or None while it does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def screening_rows(intake):
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


def case_sections(case):
    """The case page's sections, each built by its own domain's queries (templates run no query).
    Key → the context variable its partial in templates/cases/show.html reads."""
    plans_section = plan_queries.case_section(case, current_user)
    referral_section = referral_queries.case_section(case, current_user)
    return {
        "deadlines_section": due_items.case_section(case, current_user),
        "access_section": access_section(case, current_user),
        "plans_section": plans_section,
        "referral_section": referral_section,
        "flags_section": flags_section(case, current_user),
        "workflow_section": workflow_section(case, current_user),
        "followup_section": followup_section(case),
        "attachment_section": attachment_section(case),
        # the stays of a shelter case, with the check-out its closure waits for
        "stay_section": shelter_case_section(case, current_user),
        # the printable forms (caseapp/documents) of the versions the two sections above loaded
        "documents_section": document_services.case_section(
            case, assessments=plans_section.assessments, plans=plans_section.plans, referrals=referral_section.referrals
        ),
    }


def render_case(case, note_form, status=200, **extra):
    events = db.session.scalars(*prebuilt(queries.timeline, case_id=case.id)).all()
    groups = db.session.scalars(*prebuilt(managed_group_codes, client_id=case.client_id, day=local_today())).all()
    links = {
        "client": optional_url("clients.show", client_id=case.client_id),
        "complete_intake": optional_url("shelter.complete_intake", case_id=case.id),
    }
    return render_template(
        "cases/show.html",
        case=case,
        client=case.client,
        intake=case.intake,
        events=events,
        groups=groups,
        links=links,
        note_form=note_form,
        event_labels=EVENT_LABELS,
        screening=screening_rows(case.intake),
        now=utcnow(),
        can_edit=case.is_open and can(current_user, Perm.EDIT_CASES, case),  # closed: read-only
        **{**case_sections(case), **extra},
    ), status  # a refused form's section overrides
