"""Forms of the e-mail settings page and the administrators' mail page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField
from wtforms.validators import Email, Optional

from ..core.forms import BaseForm, max_length


class PreferencesForm(BaseForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), max_length(255), Email(message=_l("Enter a valid e-mail address."))],
    )
    notify_by_email = BooleanField(_l("E-mail me each new notification"))
    daily_digest = BooleanField(_l("Send me a summary of my overdue and today's tasks every morning at 07:00"))


class RequeueForm(BaseForm):
    """The administrators' "send the failed e-mails again" button (CSRF only)."""
