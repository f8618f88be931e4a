"""Forms of follow-ups, contact notes and attachments (one per use case). Times are typed in
Vietnam time (datetime-local inputs) and handed to the services in UTC (`*_utc` helpers)."""

from datetime import timedelta, timezone

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ...core import categories
from ...core.forms import BaseForm, max_length, required
from ...core.text import people_sorted
from ...core.timeutil import VN_TZ, to_local, utcnow
from ..services import NOTE_MAX_LENGTH
from .services import CONTACT_KINDS, OUTCOME_MAX_LENGTH, PURPOSE_MAX_LENGTH, REASON_MAX_LENGTH

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_now_input():
    return utcnow().astimezone(VN_TZ).replace(second=0, microsecond=0, tzinfo=None)


def tomorrow_morning_input():
    """The default due time of a new follow-up: tomorrow, 08:00 Vietnam time."""
    return (local_now_input() + timedelta(days=1)).replace(hour=8, minute=0)


def to_utc(naive_local):
    """A datetime-local value (naive, Vietnam time) as aware UTC."""
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=VN_TZ).astimezone(timezone.utc)


def to_local_input(value):
    """A stored UTC time as the naive Vietnam time a datetime-local input shows."""
    return to_local(value).replace(second=0, microsecond=0, tzinfo=None) if value is not None else None


def _local_field(label, message, default=None):
    return DateTimeLocalField(label, format=LOCAL_FORMAT, default=default, validators=[InputRequired(message=message)])


def _assignee_choices(workers):
    return [("", _l("The case's worker"))] + [(str(u.id), u.full_name) for u in people_sorted(workers)]


class FollowUpForm(BaseForm):
    kind = SelectField(_l("Kind of follow-up"), validators=[required()])
    due_at = _local_field(_l("Due"), _l("Enter when the follow-up is due."), default=tomorrow_morning_input)
    purpose = StringField(_l("Purpose"), validators=[Optional(), max_length(PURPOSE_MAX_LENGTH)])
    assigned_to = SelectField(_l("Assigned to"), validators=[Optional()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = categories.choices(categories.FOLLOW_UP_KINDS)
        self.assigned_to.choices = _assignee_choices(workers)

    @property
    def assigned_to_id(self):
        value = self.assigned_to.data
        return int(value) if value and value.isdecimal() else None


class RescheduleForm(BaseForm):
    due_at = _local_field(_l("New due time"), _l("Enter when the follow-up is due."))
    assigned_to = SelectField(_l("Assigned to"), validators=[Optional()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assigned_to.choices = [(str(u.id), u.full_name) for u in people_sorted(workers)]

    @property
    def assigned_to_id(self):
        value = self.assigned_to.data
        return int(value) if value and value.isdecimal() else None


class OutcomeForm(BaseForm):
    done_at = _local_field(_l("Done at"), _l("Enter when it took place."), default=local_now_input)
    outcome = TextAreaField(_l("Outcome"), validators=[required(), max_length(OUTCOME_MAX_LENGTH)])


class CancelFollowUpForm(BaseForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[required(), max_length(REASON_MAX_LENGTH)])


class ContactForm(BaseForm):
    """A note that records a contact with the person (it updates the case's last contact)."""

    contact_kind = SelectField(_l("Kind of contact"), validators=[required()])
    contacted_at = _local_field(_l("When"), _l("Enter when the contact took place."), default=local_now_input)
    contact_text = TextAreaField(_l("What was said or done"), validators=[required(), max_length(NOTE_MAX_LENGTH)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_kind.choices = categories.choices(CONTACT_KINDS)
