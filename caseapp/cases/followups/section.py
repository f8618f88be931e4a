"""The follow-ups' part of the case page: scheduled contacts, the timeline filter, the contact form."""

from flask import request
from flask_login import current_user

from . import services as followups
from .forms import ContactForm


def section(case):
    """The case page's follow-up section (page.case_sections), with a blank contact form for the
    timeline (a refused contact re-renders the page with the typed one instead)."""
    built = followups.case_section(case, current_user)
    built.contact_form = ContactForm(formdata=None)
    wanted = request.args.get("timeline")
    built.timeline_filter = wanted if wanted in followups.TIMELINE_GROUPS else None
    return built
