from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from ..core.forms import BaseForm, CursorField, max_length
from ..core.text import fold
from ..core.urls import BIGINT_MAX, INT_MAX
from .labels import EVENT_KINDS, RECORD_LABELS, kind_label


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter form

    user_id = SelectField(_l("User"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    action = SelectField(_l("Kind of event"), validators=[Optional()])
    case_id = IntegerField(
        _l("Case id (the number in the case page's address)"), validators=[Optional(), NumberRange(min=1, max=INT_MAX)]
    )
    entity_type = SelectField(_l("Record type"), validators=[Optional()])
    entity_id = StringField(_l("Record id"), validators=[Optional(), max_length(64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    after = CursorField(maximum=BIGINT_MAX)  # the audit trail's ids are BIGINT

    def __init__(self, *args, users=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("All"))] + [(u.id, f"{u.username} — {u.full_name}") for u in users]
        kinds = [(action, kind_label(action)) for action in {*actions, *EVENT_KINDS}]
        self.action.choices = [("", _l("All"))] + sorted(kinds, key=_by_label)
        # One choice per name: of two tables with one name (an older spelling), the first.
        records = {str(label): table for table, label in reversed(RECORD_LABELS.items())}
        self.entity_type.choices = [("", _l("All"))] + sorted(((t, n) for n, t in records.items()), key=_by_label)


def _by_label(choice: tuple[str, str]) -> str:
    """Choices in the order of their names as Vietnamese readers look them up (tones and đ folded)."""
    return fold(choice[1])
