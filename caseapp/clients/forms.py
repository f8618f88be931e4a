"""Forms of the client registry: the identifying fields (search-before-create), the whole record,
family members, consent withdrawal. Choices are set in __init__ (labels follow the UI language)."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional, Regexp, ValidationError

from ..core import categories
from ..core.forms import BaseForm, max_length, required
from ..core.services import ServiceError
from ..core.text import nfc
from ..core.timeutil import local_today
from .services import CLIENT_FIELDS, birth_fields

PHONE_PATTERN = r"^\+?[0-9 .()-]{8,20}$"


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _no_spaces(value):
    return re.sub(r"[\s.-]+", "", value) if isinstance(value, str) else value


class IdentityForm(BaseForm):
    """What identifies a person: asked first, to look for the client before creating one."""

    full_name = StringField(_l("Full name"), filters=[_nfc], validators=[Optional(), max_length(128)])
    alias = StringField(
        _l("Alias (when the name is not known)"), filters=[_nfc], validators=[Optional(), max_length(128)]
    )
    sex = SelectField(_l("Sex"), default="unknown")
    birth_precision = SelectField(_l("Date of birth is known as"), default="")
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()])
    estimated_age = IntegerField(_l("Estimated age (years)"), validators=[Optional()])
    citizen_id = StringField(
        _l("Citizen ID (CCCD, 12 digits)"),
        filters=[_no_spaces],
        validators=[Optional(), Regexp(r"^\d{12}$", message=_l("A citizen ID has exactly 12 digits."))],
    )
    phone = StringField(
        _l("Phone"),
        filters=[_nfc],
        validators=[Optional(), max_length(32), Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number."))],
    )
    province_code = SelectField(_l("Province / city"), default="")
    commune_code = SelectField(_l("Commune / ward"), default="")

    def __init__(self, *args, provinces=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = categories.choices(categories.SEXES)
        self.birth_precision.choices = categories.choices(categories.BIRTH_PRECISION, blank=_l("Not known"))
        self.province_code.choices = [("", _l("— choose —"))] + [(p.code, p.name) for p in provinces]
        self.commune_code.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in communes]
        self._communes = {c.code for c in communes}
        self.birth = (None, None, None)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.full_name.data and not self.alias.data:
            self.full_name.errors.append(_l("Enter the full name, or an alias if the name is not known."))
            valid = False
        return self._validate_birth() and valid

    def _validate_birth(self):
        precision = self.birth_precision.data
        needed = {
            "exact": (self.birth_date, _l("Enter the date of birth.")),
            "year": (self.birth_year, _l("Enter the year of birth.")),
            "estimated": (self.estimated_age, _l("Enter the estimated age.")),
        }.get(precision)
        if needed is not None and needed[0].data is None:
            if not needed[0].errors:
                needed[0].errors.append(needed[1])
            return False
        try:
            self.birth = birth_fields(
                precision=precision,
                birth_date=self.birth_date.data,
                birth_year=self.birth_year.data,
                estimated_age=self.estimated_age.data,
            )
        except ServiceError as error:
            getattr(self, error.field).errors.append(str(error))
            return False
        return True

    def validate_commune_code(self, field):
        if field.data and not self.province_code.data:
            raise ValidationError(_l("Choose the province first."))
        if field.data and field.data not in self._communes:
            raise ValidationError(_l("The commune does not belong to the chosen province."))

    def identity_data(self):
        birth_date, birth_year, precision = self.birth
        return {
            "full_name": self.full_name.data,
            "alias": self.alias.data,
            "sex": self.sex.data or "unknown",
            "birth_date": birth_date,
            "birth_year": birth_year,
            "birth_precision": precision,
            "citizen_id": self.citizen_id.data,
            "phone": self.phone.data,
            "province_code": self.province_code.data or None,
            "commune_code": self.commune_code.data or None,
        }


class ClientForm(IdentityForm):
    """The whole client record (create after the duplicate check, and edit)."""

    other_names = StringField(_l("Other names"), filters=[_nfc], validators=[Optional(), max_length(255)])
    ethnicity = SelectField(_l("Ethnicity"), default="")
    nationality = StringField(
        _l("Nationality"), filters=[_nfc], default="Việt Nam", validators=[Optional(), max_length(64)]
    )
    street_address = StringField(_l("Street address"), filters=[_nfc], validators=[Optional(), max_length(255)])
    hometown = StringField(_l("Home town"), filters=[_nfc], validators=[Optional(), max_length(255)])
    disabilities = TextAreaField(_l("Disabilities"), filters=[_nfc], validators=[Optional(), max_length(2000)])
    is_sensitive = BooleanField(_l("Sensitive record (sealed)"))
    groups = SelectMultipleField(_l("Beneficiary groups"), default=())
    # create: where to continue (intake) and the identity the duplicate check was run for
    purpose = HiddenField()
    checked_key = HiddenField()
    # edit: optimistic lock, and the last history row the editor had seen
    version = HiddenField()
    history_mark = HiddenField()
    # edit: why an identifying field is corrected (clients.services.update_client asks for it)
    change_reason = StringField(
        _l("Reason for the correction"), filters=[_nfc], validators=[Optional(), max_length(255)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ethnicity.choices = categories.sorted_choices(categories.ETHNIC_GROUPS, blank=_l("— choose —"), last=2)
        self.groups.choices = [(c.code, c.label()) for c in categories.BENEFICIARY_GROUPS]

    def client_data(self):
        data = self.identity_data()
        data.update(
            {
                "other_names": self.other_names.data,
                "ethnicity": self.ethnicity.data or None,
                "nationality": self.nationality.data,
                "street_address": self.street_address.data,
                "hometown": self.hometown.data,
                "disabilities": self.disabilities.data,
                "is_sensitive": bool(self.is_sensitive.data),
            }
        )
        return {key: data[key] for key in CLIENT_FIELDS}

    def fill_from(self, client, group_codes):
        """GET of the edit page (form built from the record's fields): the codes of the groups, and the estimated
        age worked back from the year."""
        self.groups.data = sorted(group_codes)
        self.birth_precision.data = client.birth_precision or ""
        if client.birth_precision == "estimated" and client.birth_year:
            self.estimated_age.data = local_today().year - client.birth_year
        self.province_code.data = client.province_code or ""
        self.commune_code.data = client.commune_code or ""
        self.ethnicity.data = client.ethnicity or ""


class FamilyMemberForm(BaseForm):
    full_name = StringField(_l("Full name"), filters=[_nfc], validators=[required(), max_length(128)])
    relationship = SelectField(_l("Relationship to the client"), validators=[required()])
    phone = StringField(
        _l("Phone"),
        filters=[_nfc],
        validators=[Optional(), max_length(32), Regexp(PHONE_PATTERN, message=_l("Enter a valid phone number."))],
    )
    lives_with_client = BooleanField(_l("Lives with the client"))
    is_guardian = BooleanField(_l("Guardian"))
    is_alleged_perpetrator = BooleanField(_l("Alleged perpetrator"))
    note = StringField(_l("Note"), filters=[_nfc], validators=[Optional(), max_length(255)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relationship.choices = categories.choices(categories.RELATIONSHIPS, blank=_l("— choose —"))


class WithdrawConsentForm(BaseForm):
    reason = StringField(_l("Reason for withdrawal"), filters=[_nfc], validators=[required(), max_length(255)])
