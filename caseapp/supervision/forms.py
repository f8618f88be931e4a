"""Forms of supervision: a session, a case conference, an action marked done. People's choices are
set in __init__; rows of actions, outside participants and decisions are FieldLists (blank rows are
left out by the services)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..core.forms import BaseForm, MultiCheckboxField, RowForm, max_length, required
from ..core.text import people_sorted
from ..core.timeutil import VN_TZ, local_today, utcnow
from ..core.urls import parse_id
from .models import SessionKind
from .services import (
    NAME_MAX,
    NOTES_MAX,
    ORGANISATION_MAX,
    PLACE_MAX,
    RESOLUTION_MAX,
    ROLE_MAX,
    TEXT_MAX,
    ActionInput,
    OutsiderInput,
    parse_case_numbers,
)

ROWS = 3  # empty rows offered for actions, outside participants and decisions
MAX_ROWS = 20
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
SESSION_KINDS = {SessionKind.INDIVIDUAL: _l("Individual supervision"), SessionKind.GROUP: _l("Group supervision")}


def _choices_of(users):
    """Users as choices, in Vietnamese order of their names."""
    return [(str(u.id), u.full_name) for u in people_sorted(users)]


def _people(users, blank):
    return [("", blank)] + _choices_of(users)


def _ids(values):
    return [i for i in (parse_id(v) for v in values or []) if i is not None]


def _local_now():
    return utcnow().astimezone(VN_TZ).replace(second=0, microsecond=0, tzinfo=None)


class ActionRow(RowForm):
    text = TextAreaField(_l("What is to be done"), validators=[Optional(), max_length(TEXT_MAX)])
    case_number = StringField(_l("Case number"), validators=[Optional(), max_length(32)])
    owner = SelectField(_l("Carried out by"), validate_choice=False)
    due_on = DateField(_l("Due by"), validators=[Optional()])

    def as_input(self):
        return ActionInput(
            text=self.text.data,
            owner_id=parse_id(self.owner.data),
            due_on=self.due_on.data,
            case_number=self.case_number.data if "case_number" in self else None,
        )


class DecisionRow(ActionRow):
    """A decision of a conference: its case is the conference's; owner and due date are optional."""

    text = TextAreaField(_l("Decision of the conference"), validators=[Optional(), max_length(TEXT_MAX)])
    case_number = None  # the conference's case


class OutsiderRow(RowForm):
    name = StringField(_l("Full name"), validators=[Optional(), max_length(NAME_MAX)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), max_length(ORGANISATION_MAX)])
    role = StringField(_l("Role in the conference"), validators=[Optional(), max_length(ROLE_MAX)])

    def as_input(self):
        return OutsiderInput(name=self.name.data, organisation=self.organisation.data, role=self.role.data)


class SessionForm(BaseForm):
    kind = SelectField(_l("Kind of session"), validators=[required()])
    held_on = DateField(_l("Date"), validators=[required()], default=local_today)
    workers = MultiCheckboxField(_l("Workers who took part"), validate_choice=False)
    cases = StringField(
        _l("Cases discussed"),
        validators=[Optional(), max_length(1000)],
        description=_l("Case numbers, separated by commas."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_length(NOTES_MAX)])
    actions = FieldList(FormField(ActionRow), min_entries=ROWS, max_entries=MAX_ROWS)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("— choose —"))] + [(k.value, label) for k, label in SESSION_KINDS.items()]
        self.workers.choices = _choices_of(workers)
        for row in self.actions:
            row.owner.choices = _people(workers, _l("— choose —"))

    @property
    def worker_ids(self):
        return _ids(self.workers.data)

    @property
    def case_numbers(self):
        return parse_case_numbers(self.cases.data)

    @property
    def action_inputs(self):
        return [row.form.as_input() for row in self.actions]


class ConferenceForm(BaseForm):
    held_at = DateTimeLocalField(
        _l("Date and time"),
        format=LOCAL_FORMAT,
        default=_local_now,
        validators=[InputRequired(message=_l("Give the date and time of the conference."))],
    )
    place = StringField(_l("Place"), validators=[Optional(), max_length(PLACE_MAX)])
    participants = MultiCheckboxField(_l("Participants of the facility"), validate_choice=False)
    outsiders = FieldList(FormField(OutsiderRow), min_entries=ROWS, max_entries=MAX_ROWS)
    situation = TextAreaField(_l("Situation of the case"), validators=[required(), max_length(NOTES_MAX)])
    decisions = FieldList(FormField(DecisionRow), min_entries=ROWS, max_entries=MAX_ROWS)

    def __init__(self, *args, staff=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participants.choices = _choices_of(staff)
        for row in self.decisions:
            row.owner.choices = _people(workers, _l("— no task —"))

    @property
    def held_at_utc(self):
        value = self.held_at.data
        return value.replace(tzinfo=VN_TZ) if value is not None else None

    @property
    def participant_ids(self):
        return _ids(self.participants.data)

    @property
    def outsider_inputs(self):
        return [row.form.as_input() for row in self.outsiders]

    @property
    def decision_inputs(self):
        return [row.form.as_input() for row in self.decisions]


class DoneForm(BaseForm):
    resolution_note = TextAreaField(_l("What was done"), validators=[required(), max_length(RESOLUTION_MAX)])
