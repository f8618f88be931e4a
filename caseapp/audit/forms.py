from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from ..core.forms import BaseForm, CursorField, max_length
from ..core.urls import BIGINT_MAX


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter form

    user_id = SelectField(_l("User"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    entity_type = StringField(_l("Record type"), validators=[Optional(), max_length(64)])
    entity_id = StringField(_l("Record id"), validators=[Optional(), max_length(64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    after = CursorField(maximum=BIGINT_MAX)  # the audit trail's ids are BIGINT

    def __init__(self, *args, users=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("All"))] + [(u.id, f"{u.username} — {u.full_name}") for u in users]
        self.action.choices = [("", _l("All"))] + [(a, a) for a in actions]
