"""Access on the case page: the access section with its share form, and what a case outside the
user's scope shows: the restricted page (break the glass) or a 404."""

from flask import abort, current_app, render_template
from flask_login import current_user

from ...audit.services import record
from ...core.transaction import keep_despite_error
from ...extensions import db
from ...security.rules import can_break_glass
from . import services as access
from .forms import BreakGlassForm, ShareForm


def _hours():
    return int(current_app.config.get("BREAK_GLASS_HOURS", access.DEFAULT_BREAK_GLASS_HOURS))


def restricted_or_404(case_id, form=None, status=403):
    """cases.show calls this when the case is outside the user's scope: a user of the case's own
    facility holding BREAK_GLASS gets the restricted page (the case number only — no name, nothing of
    the case); everyone else a plain 404, so another facility never learns the case exists."""
    case = access.facility_case(current_user, case_id)
    if not can_break_glass(current_user, case):
        abort(404)
    response = (
        render_template(
            "cases/restricted.html",
            case_number=case.number,
            case_id=case.id,
            form=form or BreakGlassForm(formdata=None),
            hours=_hours(),
            reason_min=access.REASON_MIN_LENGTH,
        ),
        status,
    )
    if form is None:  # an attempt to open a case outside one's scope is worth a line in the audit trail
        record("case_access_restricted", by=current_user, entity=case)
        keep_despite_error()
    return response


def access_section(case, user):
    """The case page's access section (supervisors), with a blank share form when the case can be shared."""
    section = access.case_section(case, user)
    if section.can_share:
        section.share_form = ShareForm(formdata=None, users=db.session.scalars(access.shareable_users(case)).all())
    return section
