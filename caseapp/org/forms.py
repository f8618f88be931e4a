from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError

from ..core.forms import BaseForm, max_length, required
from .labels import FACILITY_TYPE_LABELS


class FacilityForm(BaseForm):
    code = StringField(
        _l("Code (used in case numbers)"),
        validators=[required(), Regexp(r"^[A-Z0-9]{2,16}$", message=_l("Use 2–16 capital letters or digits."))],
    )
    name = StringField(_l("Name"), validators=[required(), max_length(255)])
    type = SelectField(_l("Type"), validators=[required()])
    province_code = SelectField(_l("Province / city"), validators=[required()])
    commune_code = SelectField(_l("Commune / ward"), validators=[Optional()])
    street_address = StringField(_l("Street address"), validators=[Optional(), max_length(255)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)])
    capacity = IntegerField(
        _l("Capacity (beds)"),
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Enter a number from 0 to 100000."))],
    )
    confidential_address = BooleanField(_l("Confidential address (shelter)"))
    max_stay_days = IntegerField(
        _l("Maximum length of stay (days)"),
        default=30,
        validators=[Optional(), NumberRange(min=1, max=730, message=_l("Enter a number from 1 to 730."))],
    )
    is_active = BooleanField(_l("Active"), default=True)
    version = HiddenField()

    def __init__(self, *args, provinces=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = list(FACILITY_TYPE_LABELS.items())
        self.province_code.choices = [("", _l("— choose —"))] + [(p.code, p.name) for p in provinces]
        self.commune_code.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in communes]

    def validate_province_code(self, field):
        if not field.data:
            raise ValidationError(_l("This field is required."))
