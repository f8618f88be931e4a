"""The case page, shared by every route that shows it (cases.views and the sub-domains' views: a
refused form re-renders the whole page with the user's input). Each section is built by its own
sub-domain or domain (templates run no query)."""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import current_app, render_template, request, url_for
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
from ..security.rules import can, supervises
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
    # a case conference (hội chẩn) and its decisions (supervision/)
    "case_conference": _l("Case conference"),
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


class Section(StrEnum):
    """The case page's sections, one shown at a time (?section=…): each value is also the anchor of
    its card, so a link to a card names its section. Only the chosen section is queried and rendered."""

    OVERVIEW = "overview"
    WORKFLOW = "workflow"
    PLANS = "assessment-plan"
    REFERRALS = "referrals"
    FOLLOW_UPS = "follow-ups"
    DOCUMENTS = "documents"
    ACCESS = "access"
    TIMELINE = "timeline"


SECTION_LABELS = {
    Section.OVERVIEW: _l("Overview"),
    Section.WORKFLOW: _l("Steps"),
    Section.PLANS: _l("Assessment and plan"),
    Section.REFERRALS: _l("Referrals and transfers"),
    Section.FOLLOW_UPS: _l("Follow-ups"),
    Section.DOCUMENTS: _l("Documents"),
    Section.ACCESS: _l("Access rights"),
    Section.TIMELINE: _l("Timeline"),
}

# The anchors of cards inside a section (links may name the card rather than its section).
SECTION_OF_ANCHOR = {
    "deadlines": Section.OVERVIEW,
    "flags": Section.OVERVIEW,
    "shelter-stay": Section.WORKFLOW,
    "print-documents": Section.DOCUMENTS,
    "contact": Section.TIMELINE,
    "new-note": Section.TIMELINE,
}

# A refused form re-renders the page at the section that holds it.
SECTION_OF_FORM = {
    "access_share_form": Section.ACCESS,
    "move_form": Section.WORKFLOW,
    "contact_form": Section.TIMELINE,
    "flags_section": Section.OVERVIEW,
}


def section_named(value: str | None) -> Section:
    """The section a ?section= value (a section or the anchor of one of its cards) names; the overview
    for anything else."""
    value = (value or "").strip()
    if value in SECTION_OF_ANCHOR:
        return SECTION_OF_ANCHOR[value]
    try:
        return Section(value)
    except ValueError:
        return Section.OVERVIEW


def section_menu(case) -> list[Section]:
    """The sections this user may open on this case (the access section is the supervisors')."""
    return [s for s in Section if s is not Section.ACCESS or supervises(current_user, case)]


def _overview(case):
    groups = db.session.scalars(*prebuilt(managed_group_codes, client_id=case.client_id, day=local_today())).all()
    return {
        "groups": groups,
        "screening": screening_rows(case.intake),
        "flags_section": flags_section(case, current_user),
    }


def _workflow(case):
    return {
        "workflow_section": workflow_section(case, current_user),
        # the stays of a shelter case, with the check-out its closure waits for
        "stay_section": shelter_case_section(case, current_user),
    }


def _documents(case):
    plans_section = plan_queries.case_section(case, current_user)
    referral_section = referral_queries.case_section(case, current_user)
    return {
        "attachment_section": attachment_section(case),
        # the printable forms (caseapp/documents) of the assessments, plans and referrals of the case
        "documents_section": document_services.case_section(
            case, assessments=plans_section.assessments, plans=plans_section.plans, referrals=referral_section.referrals
        ),
    }


def _timeline(case):
    return {
        "events": db.session.scalars(*prebuilt(queries.timeline, case_id=case.id)).all(),
        "followup_section": followup_section(case),
    }


SECTION_BUILDERS: dict[Section, Callable[[Any], dict[str, Any]]] = {
    Section.OVERVIEW: _overview,
    Section.WORKFLOW: _workflow,
    Section.PLANS: lambda case: {"plans_section": plan_queries.case_section(case, current_user)},
    Section.REFERRALS: lambda case: {"referral_section": referral_queries.case_section(case, current_user)},
    Section.FOLLOW_UPS: lambda case: {"followup_section": followup_section(case)},
    Section.DOCUMENTS: _documents,
    Section.ACCESS: lambda case: {"access_section": access_section(case, current_user)},
    Section.TIMELINE: _timeline,
}


def case_sections(case, section: Section) -> dict[str, Any]:
    """What the chosen section's partials in templates/cases/show.html read, built by their own domains'
    queries (templates run no query), with the deadlines the summary at the top of every section shows."""
    return {"deadlines_section": due_items.case_section(case, current_user), **SECTION_BUILDERS[section](case)}


def _chosen_section(case, extra) -> Section:
    """The section a refused form belongs to, else the one the link asked for (if this user may open it)."""
    section = next((s for key, s in SECTION_OF_FORM.items() if key in extra), None)
    section = section or section_named(request.args.get("section"))
    return section if section in section_menu(case) else Section.OVERVIEW


def render_case(case, note_form, status=200, **extra):
    """The case page at one section; `extra` overrides what a section built (a refused form)."""
    section = _chosen_section(case, extra)
    links = {
        "client": optional_url("clients.show", client_id=case.client_id),
        "complete_intake": optional_url("shelter.complete_intake", case_id=case.id),
    }
    return render_template(
        "cases/show.html",
        case=case,
        client=case.client,
        intake=case.intake,
        links=links,
        note_form=note_form,
        event_labels=EVENT_LABELS,
        section=section,
        sections=section_menu(case),
        section_labels=SECTION_LABELS,
        now=utcnow(),
        can_edit=case.is_open and can(current_user, Perm.EDIT_CASES, case),  # closed: read-only
        **{**case_sections(case, section), **extra},
    ), status
