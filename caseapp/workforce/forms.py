"""Forms of the workforce register: an agency, a person (added or changed), the end of a person's post,
and the filters of the lists. Choices are set in __init__ from what the view loaded."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, Regexp

from ..core import categories as core_categories
from ..core.forms import BaseForm, CursorField, max_length, required
from ..core.timeutil import local_today
from ..core.urls import parse_id
from . import categories
from .services import APPOINTMENT_MAX, FULL_NAME_MAX, NAME_MAX, OWN_AGENCY, PHONE_MAX, POSITION_MAX

CHOOSE = _l("— choose —")


def _agency_options(agencies, own_facility=None):
    """Agencies as choices; the user's facility first while it has no agency row yet (made on save)."""
    options = [(OWN_AGENCY, own_facility.name)] if own_facility is not None else []
    return options + [(str(a.id), a.name) for a in agencies]


def _commune_options(communes, blank):
    return [("", blank)] + [(c.code, c.name) for c in communes]


class AgencyForm(BaseForm):
    kind = SelectField(_l("Kind of agency"), validators=[required()])
    name = StringField(_l("Name"), validators=[required(), max_length(NAME_MAX)])
    commune_code = SelectField(_l("Commune / ward"), validators=[Optional()])
    version = HiddenField(default="0")

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = core_categories.choices(categories.AGENCY_KINDS, blank=CHOOSE)
        self.commune_code.choices = _commune_options(communes, CHOOSE)

    def values(self) -> dict[str, Any]:
        return {"kind": self.kind.data, "name": self.name.data, "commune_code": self.commune_code.data}


class MemberForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[required(), max_length(FULL_NAME_MAX)])
    sex = SelectField(_l("Sex"), validators=[Optional()])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])
    citizen_id = StringField(
        _l("Citizen ID (CCCD, 12 digits)"),
        validators=[Optional(), Regexp(r"^\d{12}$", message=_l("A citizen ID has exactly 12 digits."))],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(PHONE_MAX)])
    kind = SelectField(_l("Kind of post"), validators=[required()])
    agency_id = SelectField(_l("Agency"), validators=[required()])
    commune_code = SelectField(
        _l("Commune / ward where the person works"),
        validators=[Optional()],
        description=_l("Left empty: the agency's commune."),
    )
    position = StringField(_l("Position"), validators=[Optional(), max_length(POSITION_MAX)])
    qualification = SelectField(_l("Qualification in social work"), default="none")
    professional_title = SelectField(_l("Professional title"), validators=[Optional()])
    appointment_number = StringField(
        _l("Appointment decision or contract number"),
        validators=[Optional(), max_length(APPOINTMENT_MAX)],
        description=_l("For a commune collaborator: the decision of the commune chair."),
    )
    appointment_date = DateField(_l("Date of the decision or contract"), validators=[Optional()])
    from_date = DateField(
        _l("In post from"),
        validators=[InputRequired(message=_l("Give the date the person took up the post."))],
        default=local_today,
    )
    to_date = DateField(
        _l("In post until"), validators=[Optional()], description=_l("The last day in the post; empty while in post.")
    )
    user_id = SelectField(
        _l("User account in the system"),
        validators=[Optional()],
        description=_l("When the person signs in to this system: their account."),
    )
    version = HiddenField(default="0")

    def __init__(self, *args, agencies=(), own_facility=None, communes=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = core_categories.choices(core_categories.SEXES, blank=CHOOSE)
        self.kind.choices = core_categories.choices(categories.MEMBER_KINDS, blank=CHOOSE)
        self.agency_id.choices = [("", CHOOSE)] + _agency_options(agencies, own_facility)
        self.commune_code.choices = _commune_options(communes, _l("— the agency's commune —"))
        self.qualification.choices = core_categories.choices(categories.QUALIFICATIONS)
        self.professional_title.choices = core_categories.choices(categories.PROFESSIONAL_TITLES, blank=_l("— none —"))
        self.user_id.choices = [("", _l("— none —"))] + [(str(u.id), u.full_name) for u in users]

    def values(self) -> dict[str, Any]:
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "version")}
        agency = self.agency_id.data
        data["agency_id"] = agency if agency == OWN_AGENCY else parse_id(agency)
        data["user_id"] = parse_id(self.user_id.data)
        return data


class EndForm(BaseForm):
    to_date = DateField(
        _l("Last day in the post"),
        validators=[InputRequired(message=_l("Give the last day in the post."))],
        default=local_today,
    )


class MemberFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Name"), validators=[Optional(), max_length(100)])
    agency = SelectField(_l("Agency"), validators=[Optional()])
    commune = SelectField(_l("Commune / ward"), validators=[Optional()])
    kind = SelectField(_l("Kind of post"), validators=[Optional()])
    qualification = SelectField(_l("Qualification in social work"), validators=[Optional()])
    on = DateField(
        _l("In post on"), validators=[Optional()], description=_l("Empty: everyone, also those whose post ended.")
    )
    after = CursorField()

    def __init__(self, *args, agencies=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency.choices = [("", _l("All agencies"))] + [(str(a.id), a.name) for a in agencies]
        self.commune.choices = _commune_options(communes, _l("All communes"))
        self.kind.choices = core_categories.choices(categories.MEMBER_KINDS, blank=_l("All kinds"))
        self.qualification.choices = core_categories.choices(categories.QUALIFICATIONS, blank=_l("All"))


class AgencyFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form

    kind = SelectField(_l("Kind of agency"), validators=[Optional()])
    after = CursorField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = core_categories.choices(categories.AGENCY_KINDS, blank=_l("All kinds"))
