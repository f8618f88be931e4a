"""Forms of the training courses and the communication activities: one per use case, choices set in
__init__ (code lists in the current language, communes of the facility's province, people and agencies
of the register the user keeps)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from ..core import categories as cat
from ..core.forms import BaseForm, CursorField, MultiCheckboxField, max_length, required
from ..core.timeutil import local_today
from ..core.urls import parse_id
from . import categories as wcat
from .communication import AUDIENCE_MAX, COUNT_MAX, NOTES_MAX, ActivityFilters, ActivityInput
from .communication import TITLE_MAX as ACTIVITY_TITLE_MAX
from .training import (
    CERTIFICATE_MAX,
    HOURS_MAX,
    NAME_MAX,
    ORGANISER_MAX,
    TITLE_MAX,
    TOPICS_MAX,
    CourseFilters,
    CourseInput,
)

FIRST_YEAR = 2021  # Quyết định 112/QĐ-TTg: the programme 2021–2030


def year_choices(blank):
    years = range(local_today().year + 1, FIRST_YEAR - 1, -1)
    return [("", blank)] + [(str(y), str(y)) for y in years]


def _year(value):
    return int(value) if value and str(value).isdecimal() else None


def commune_choices(communes):
    return [("", _l("— none —"))] + [(c.code, c.name) for c in communes]


# --- training courses ----------------------------------------------------------------------------------


class CourseFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter

    year = SelectField(_l("Year"), validators=[Optional()])
    kind = SelectField(_l("Kind of course"), validators=[Optional()])
    after = CursorField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = year_choices(_l("All years"))
        self.kind.choices = cat.choices(wcat.TRAINING_KINDS, blank=_l("All kinds"))

    @property
    def filters(self):
        return CourseFilters(year=_year(self.year.data), kind=self.kind.data or None)


class CourseForm(BaseForm):
    title = StringField(_l("Title of the course"), validators=[required(), max_length(TITLE_MAX)])
    kind = SelectField(_l("Kind of course"), validators=[required()])
    level = SelectField(_l("Organised at"), validators=[required()])
    start_date = DateField(_l("First day"), validators=[required()])
    end_date = DateField(_l("Last day"), validators=[required()])
    organiser = StringField(
        _l("Organised by"),
        validators=[required(), max_length(ORGANISER_MAX)],
        description=_l("For example: Sở Y tế tỉnh; Trung tâm Công tác xã hội tỉnh."),
    )
    hours = IntegerField(
        _l("Hours"),
        validators=[
            Optional(),
            NumberRange(min=0, max=HOURS_MAX, message=_l("Give a number of hours from 0 to %(max)d.", max=HOURS_MAX)),
        ],
    )
    topics = TextAreaField(_l("Topics"), validators=[Optional(), max_length(TOPICS_MAX)])
    commune_code = SelectField(_l("Commune where it was held"), validators=[Optional()])
    version = HiddenField(default="0")

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = cat.choices(wcat.TRAINING_KINDS, blank=_l("— choose —"))
        self.level.choices = cat.choices(wcat.TRAINING_LEVELS, blank=_l("— choose —"))
        self.commune_code.choices = commune_choices(communes)

    def as_input(self):
        return CourseInput(
            title=self.title.data,
            kind=self.kind.data,
            level=self.level.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            organiser=self.organiser.data,
            hours=self.hours.data,
            topics=self.topics.data,
            commune_code=self.commune_code.data or None,
        )


class DeleteForm(BaseForm):
    """A button that removes a record (CSRF only)."""


class MemberSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Search by name"), validators=[Optional(), max_length(NAME_MAX)])


class ChooseMembersForm(BaseForm):
    members = MultiCheckboxField(_l("People of the register"), validate_choice=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members.choices = [(str(m.id), m.full_name) for m in candidates]

    @property
    def member_ids(self):
        return [i for i in (parse_id(v) for v in self.members.data or []) if i is not None]


class NewPersonForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[required(), max_length(NAME_MAX)])
    kind = SelectField(_l("Post"), validators=[required()])
    agency = SelectField(_l("Agency"), validators=[required()])

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        self.kind.choices = cat.choices(wcat.MEMBER_KINDS, blank=_l("— choose —"))
        self.agency.choices = [("", _l("— choose —"))] + [(str(a.id), a.name) for a in agencies]

    @property
    def agency_id(self):
        return parse_id(self.agency.data)


class ParticipantForm(BaseForm):
    attended = BooleanField(_l("Attended"))
    certificate_number = StringField(_l("Certificate number"), validators=[Optional(), max_length(CERTIFICATE_MAX)])
    certificate_date = DateField(_l("Certificate date"), validators=[Optional()])


# --- communication activities --------------------------------------------------------------------------


class ActivityFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter

    year = SelectField(_l("Year"), validators=[Optional()])
    kind = SelectField(_l("Kind of activity"), validators=[Optional()])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    after = CursorField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = year_choices(_l("All years"))
        self.kind.choices = cat.choices(wcat.COMMUNICATION_KINDS, blank=_l("All kinds"))
        self.topic.choices = cat.choices(wcat.COMMUNICATION_TOPICS, blank=_l("All topics"))

    @property
    def filters(self):
        return ActivityFilters(year=_year(self.year.data), kind=self.kind.data or None, topic=self.topic.data or None)


def _count_field(label, description):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=COUNT_MAX, message=_l("Give a number from 0 to %(max)d.", max=COUNT_MAX)),
        ],
        description=description,
    )


class ActivityForm(BaseForm):
    kind = SelectField(_l("Kind of activity"), validators=[required()])
    title = StringField(_l("Title"), validators=[required(), max_length(ACTIVITY_TITLE_MAX)])
    held_on = DateField(_l("Date"), validators=[required()], default=local_today)
    topic = SelectField(_l("Topic"), validators=[required()])
    commune_code = SelectField(_l("Commune"), validators=[Optional()])
    audience = StringField(
        _l("Audience"),
        validators=[Optional(), max_length(AUDIENCE_MAX)],
        description=_l("For example: parents and pupils of the commune's lower secondary school."),
    )
    participants = _count_field(_l("Number of participants"), _l("For an event: how many people took part."))
    copies = _count_field(
        _l("Copies or broadcasts"), _l("For a product: how many copies were handed out or broadcasts made.")
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_length(NOTES_MAX)])
    version = HiddenField(default="0")

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = cat.choices(wcat.COMMUNICATION_KINDS, blank=_l("— choose —"))
        self.topic.choices = cat.choices(wcat.COMMUNICATION_TOPICS, blank=_l("— choose —"))
        self.commune_code.choices = commune_choices(communes)

    def as_input(self):
        return ActivityInput(
            kind=self.kind.data,
            title=self.title.data,
            held_on=self.held_on.data,
            commune_code=self.commune_code.data or None,
            audience=self.audience.data,
            participants=self.participants.data,
            copies=self.copies.data,
            topic=self.topic.data,
            notes=self.notes.data,
        )
