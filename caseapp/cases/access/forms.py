"""Forms of break the glass, sharing a case and the supervisors' review of accesses."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional

from ...core.forms import BaseForm, max_length, required
from ...core.text import people_sorted
from .services import REASON_MAX_LENGTH


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class BreakGlassForm(BaseForm):
    reason = TextAreaField(
        _l("Why do you need to open this case now?"), validators=[required(), max_length(REASON_MAX_LENGTH)]
    )


class ShareForm(BaseForm):
    user_id = SelectField(_l("Share with"), coerce=_int_or_none, validators=[required()])
    reason = TextAreaField(_l("Reason for sharing"), validators=[required(), max_length(REASON_MAX_LENGTH)])

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("— choose —"))] + [(u.id, u.full_name) for u in people_sorted(users)]


class GrantActionForm(BaseForm):
    """Revoke or mark as reviewed: one button; `next` brings the supervisor back where they were."""

    next = HiddenField(validators=[Optional()])
