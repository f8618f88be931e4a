"""The attachments' part of the case page: the documents and a blank upload form."""

from flask_login import current_user

from . import services as attachments
from .forms import AttachmentForm


def section(case):
    """The case page's documents section (page.case_sections), with a blank upload form."""
    built = attachments.case_section(case, current_user)
    built.form = AttachmentForm(formdata=None)
    return built
