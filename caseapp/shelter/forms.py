"""Forms of the shelter domain. Choices are set in __init__ (current language)."""

import uuid
from datetime import timezone

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..clients.services import birth_fields
from ..core import categories as cat
from ..core.forms import BaseForm, MultiCheckboxField, RowForm, max_length, required
from ..core.timeutil import VN_TZ, utcnow
from ..deadlines.rules import end_of_day
from .services import CHILD_MAX_AGE, MAX_CHILDREN, AdmittedChild, FollowUpPlan, SafetyCheck

# Who usually brings a person to a shelter: a short list of the intake channels.
BROUGHT_BY_CODES = (
    "walk_in",
    "police",
    "commune",
    "village_head",
    "mass_org",
    "hotline_dv",
    "hotline_111",
    "health",
    "other_facility",
    "other",
)


def local_now_input():
    """Now in Vietnam time, to the minute: the default of a datetime-local input."""
    return utcnow().astimezone(VN_TZ).replace(second=0, microsecond=0, tzinfo=None)


CHILD_ROWS = 2  # rows shown at first: most women arrive with one or two children


class ChildRow(RowForm):
    """One accompanying child: sex and age (estimated is enough), the name when it is given."""

    name = StringField(_l("Name (if given)"), validators=[Optional(), max_length(128)])
    sex = SelectField(_l("Sex"), validate_choice=False)
    age = IntegerField(
        _l("Age"),
        validators=[Optional(), NumberRange(min=0, max=CHILD_MAX_AGE, message=_l("Enter an age from 0 to 17."))],
    )

    def is_blank(self):
        return not self.sex.data and self.age.data is None and not (self.name.data or "").strip()

    def check_complete(self):
        """A row begun is finished: a child is admitted with sex and age."""
        if self.is_blank():
            return
        if self.sex.data not in cat.codes(cat.SEXES):
            self.sex.errors.append(_l("Choose the child's sex."))
        if self.age.data is None and not self.age.errors:
            self.age.errors.append(_l("Enter the child's age (an estimate is enough)."))
        if self.sex.errors or self.age.errors:
            raise ValidationError(_l("Complete each child's sex and age, or leave the row empty."))

    def admitted(self):
        return AdmittedChild(age=self.age.data, sex=self.sex.data, name=self.name.data or None)


class AdmissionForm(BaseForm):
    """The one-screen emergency admission: at most 8 required answers, the rest completed later."""

    alias = StringField(_l("Name or alias"), validators=[required(), max_length(128)])
    sex = RadioField(_l("Sex"), validators=[InputRequired(message=_l("Choose the sex."))])
    approximate_age = IntegerField(
        _l("Approximate age"),
        validators=[
            InputRequired(message=_l("Enter the approximate age.")),
            NumberRange(min=0, max=120, message=_l("Enter a number from 0 to 120.")),
        ],
    )
    arrived_at = DateTimeLocalField(
        _l("Arrival time"),
        format="%Y-%m-%dT%H:%M",
        default=local_now_input,
        validators=[InputRequired(message=_l("Enter the arrival time."))],
    )
    brought_by = SelectField(_l("Brought by"), validators=[required()])
    children = FieldList(FormField(ChildRow), max_entries=MAX_CHILDREN)
    immediate_needs = MultiCheckboxField(_l("Immediate needs"))
    immediate_danger = RadioField(
        _l("In immediate danger?"), validators=[InputRequired(message=_l("Answer yes or no."))]
    )
    submission_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = [c for c in cat.choices(cat.SEXES)]
        labels = dict(cat.choices(cat.CHANNELS))
        self.brought_by.choices = [("", _l("— choose —"))] + [(code, labels[code]) for code in BROUGHT_BY_CODES]
        self.immediate_needs.choices = cat.choices(cat.IMMEDIATE_NEEDS)
        self.immediate_danger.choices = [("yes", _l("Yes")), ("no", _l("No"))]
        if not self.submission_key.data:
            self.submission_key.data = uuid.uuid4().hex
        self.offer_child_rows()

    def offer_child_rows(self, more=0):
        """Empty child rows to fill: at least CHILD_ROWS, `more` beyond those already there (the
        "another child" button), never more than MAX_CHILDREN."""
        wanted = min(MAX_CHILDREN, max(CHILD_ROWS, len(self.children) + more))
        while len(self.children) < wanted:
            self.children.append_entry()
        for row in self.children:
            row.form.sex.choices = [("", _l("— choose —"))] + cat.choices(cat.SEXES)

    def validate_children(self, field):
        for row in field:
            row.form.check_complete()

    def validate_arrived_at(self, field):
        if field.data and (field.data - local_now_input()).total_seconds() > 600:
            raise ValidationError(_l("The arrival time cannot be in the future."))

    @property
    def admitted_children(self):
        return [row.form.admitted() for row in self.children if not row.form.is_blank()]

    @property
    def arrived_at_utc(self):
        value = self.arrived_at.data
        return value.replace(tzinfo=VN_TZ).astimezone(timezone.utc) if value else None


class CheckInForm(BaseForm):
    bed_id = SelectField(_l("Bed"), coerce=int, validators=[InputRequired(message=_l("Choose a bed."))])

    def __init__(self, *args, beds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bed_id.choices = [(b.id, f"{b.room.name} / {b.label}") for b in beds]


class CheckOutForm(BaseForm):
    destination = SelectField(_l("Where to"), validators=[required()])
    reason = StringField(_l("Reason for leaving"), validators=[required(), max_length(255)])
    checked_out_at = DateTimeLocalField(
        _l("Check-out time"),
        format="%Y-%m-%dT%H:%M",
        default=local_now_input,
        validators=[InputRequired(message=_l("Enter the check-out time."))],
    )
    place = StringField(_l("Where she will stay"), validators=[Optional(), max_length(255)])
    safety = RadioField(_l("Is it safe there?"), validators=[InputRequired(message=_l("Answer whether it is safe."))])
    safety_note = TextAreaField(_l("What was agreed for her safety"), validators=[Optional(), max_length(2000)])
    contact_agreed = RadioField(
        _l("Was a safe way to reach her agreed?"), validators=[InputRequired(message=_l("Answer yes or no."))]
    )
    contact = StringField(_l("How and when to reach her safely"), validators=[Optional(), max_length(255)])
    follow_up_kind = SelectField(_l("Follow-up contact"), validators=[required()])
    due_at = DateField(_l("Follow up by"), validators=[Optional()])
    children = MultiCheckboxField(_l("Children leaving too"), coerce=int)
    version = HiddenField()

    def __init__(self, *args, children=(), sealed_label="—", visible=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.destination.choices = cat.choices(cat.CHECKOUT_DESTINATIONS, blank=_l("— choose —"))
        self.safety.choices = cat.choices(cat.CHECKOUT_SAFETY)
        self.contact_agreed.choices = [("yes", _l("Yes")), ("no", _l("No"))]
        self.follow_up_kind.choices = cat.choices(cat.FOLLOW_UP_KINDS)
        self.children.choices = [
            (c.id, c.client.display_name if c.client_id in visible else sealed_label) for c in children
        ]
        if not self.is_submitted():
            self.children.data = [c.id for c in children]  # by default the children leave with the parent

    @property
    def safety_check(self):
        return SafetyCheck(
            safety=self.safety.data,
            place=self.place.data,
            note=self.safety_note.data,
            contact_agreed=self.contact_agreed.data == "yes",
            contact=self.contact.data,
        )

    @property
    def follow_up_plan(self):
        due = end_of_day(self.due_at.data) if self.due_at.data else None
        return FollowUpPlan(kind=self.follow_up_kind.data, due_at=due)


class ExtendForm(BaseForm):
    new_end = DateField(_l("New planned end"), validators=[InputRequired(message=_l("Enter the new end date."))])
    reason = StringField(_l("Reason for the extension"), validators=[required(), max_length(255)])


class RoomForm(BaseForm):
    name = StringField(_l("Room name"), validators=[required(), max_length(64)])
    beds = IntegerField(
        _l("Number of beds"),
        default=1,
        validators=[
            InputRequired(message=_l("Enter the number of beds.")),
            NumberRange(min=0, max=50, message=_l("Enter a number from 0 to 50.")),
        ],
    )


class AddBedsForm(BaseForm):
    count = IntegerField(
        _l("Beds to add"),
        default=1,
        validators=[
            InputRequired(message=_l("Enter the number of beds.")),
            NumberRange(min=1, max=50, message=_l("Enter a number from 1 to 50.")),
        ],
    )


class CompleteIntakeForm(BaseForm):
    """Everything the emergency screen left for later (TT 02/2020 step 0 and the client record)."""

    full_name = StringField(_l("Full name"), validators=[Optional(), max_length(128)])
    alias = StringField(_l("Alias"), validators=[Optional(), max_length(128)])
    sex = SelectField(_l("Sex"), validators=[required()])
    birth_precision = SelectField(_l("Date of birth known as"), validators=[required()])
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional(), NumberRange(min=1900, max=2100, message=_l("Enter a year from 1900."))],
    )
    estimated_age = IntegerField(
        _l("Estimated age"),
        validators=[Optional(), NumberRange(min=0, max=120, message=_l("Enter a number from 0 to 120."))],
    )
    ethnicity = SelectField(_l("Ethnicity"), validators=[Optional()])
    citizen_id = StringField(_l("Citizen ID (12 digits)"), validators=[Optional(), max_length(20)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)])
    province_code = SelectField(_l("Province / city"), validators=[Optional()])
    commune_code = SelectField(_l("Commune / ward"), validators=[Optional()])
    street_address = StringField(_l("Street address"), validators=[Optional(), max_length(255)])
    hometown = StringField(_l("Home town"), validators=[Optional(), max_length(255)])
    groups = MultiCheckboxField(_l("Beneficiary groups"))
    is_sensitive = BooleanField(_l("Sensitive record (sealed)"))
    channel = SelectField(_l("How the person reached the shelter"), validators=[required()])
    referrer_name = StringField(_l("Referrer's name"), validators=[Optional(), max_length(128)])
    referrer_org = StringField(_l("Referrer's organisation"), validators=[Optional(), max_length(255)])
    referrer_contact = StringField(_l("Referrer's contact"), validators=[Optional(), max_length(128)])
    problems = MultiCheckboxField(_l("Problems"))
    problem_note = TextAreaField(_l("What happened"), validators=[Optional(), max_length(4000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), max_length(4000)])
    version = HiddenField()

    def __init__(self, *args, provinces=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = cat.choices(cat.SEXES)
        self.birth_precision.choices = cat.choices(cat.BIRTH_PRECISION)
        self.ethnicity.choices = cat.sorted_choices(cat.ETHNIC_GROUPS, blank=_l("— choose —"), last=2)
        self.province_code.choices = [("", _l("— choose —"))] + [(p.code, p.name) for p in provinces]
        self.commune_code.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in communes]
        self.groups.choices = cat.choices(cat.BENEFICIARY_GROUPS)
        self.channel.choices = cat.choices(cat.CHANNELS)
        self.problems.choices = cat.choices(cat.PROBLEMS)

    def client_data(self):
        precision = self.birth_precision.data
        birth_date, birth_year, precision = birth_fields(
            precision=precision,
            birth_date=self.birth_date.data,
            birth_year=self.birth_year.data,
            estimated_age=self.estimated_age.data,
        )
        birth = (
            {"birth_date": birth_date, "birth_year": birth_year, "birth_precision": precision} if precision else {}
        )  # not enough to go on: the stored birth data stays
        return {
            "full_name": self.full_name.data,
            "alias": self.alias.data,
            "sex": self.sex.data,
            **birth,
            "ethnicity": self.ethnicity.data,
            "citizen_id": self.citizen_id.data,
            "phone": self.phone.data,
            "province_code": self.province_code.data,
            "commune_code": self.commune_code.data,
            "street_address": self.street_address.data,
            "hometown": self.hometown.data,
            "is_sensitive": bool(self.is_sensitive.data),
        }

    def intake_data(self):
        return {
            key: getattr(self, key).data
            for key in (
                "channel",
                "referrer_name",
                "referrer_org",
                "referrer_contact",
                "problems",
                "problem_note",
                "note",
            )
        }


__all__ = [
    "AdmissionForm",
    "CheckInForm",
    "CheckOutForm",
    "ExtendForm",
    "RoomForm",
    "AddBedsForm",
    "CompleteIntakeForm",
    "local_now_input",
]
