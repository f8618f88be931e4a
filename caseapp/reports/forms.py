"""Forms of the reports: the period (and scope) of a report, freezing, re-opening, reference data.
Choices are set in __init__."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..core.forms import BaseForm, MultiCheckboxField, max_length, required
from . import indicators, periods
from .services import GROUP_NAME_MAX, REASON_MAX, SOURCE_MAX

KIND_LABELS = {
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "half": _l("6 months"),
    "year": _l("Year"),
    "custom": _l("Custom dates"),
}


class PeriodForm(BaseForm):
    """Read from the query string (GET): which period, and for reporters which scope."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Period"), default="quarter")
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    number = IntegerField(_l("Month / quarter / half (number)"), validators=[Optional(), NumberRange(min=1, max=12)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    scope = SelectField(_l("Scope"), default="facility")

    def __init__(self, *args, province_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, KIND_LABELS[k]) for k in periods.KINDS]
        self.scope.choices = [("facility", _l("My facility"))]
        if province_allowed:
            self.scope.choices.append(("province", _l("My province")))

    def period(self):
        """The period asked for; a refusal is put on the form (and None returned)."""
        try:
            return periods.make_period(
                self.kind.data, self.year.data, self.number.data, self.date_from.data, self.date_to.data
            )
        except ValueError as error:
            self.form_errors.append(str(error))
            return None


class PeriodHiddenForm(BaseForm):
    """The period again, as hidden fields of a POST (freezing)."""

    kind = HiddenField()
    year = HiddenField()
    number = HiddenField()
    date_from = HiddenField()
    date_to = HiddenField()


class FreezeForm(PeriodHiddenForm):
    pass


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Why is the report re-opened?"), validators=[required(), max_length(REASON_MAX)])


class ReferenceForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[required(), NumberRange(min=2000, max=2100)])
    key = SelectField(_l("Number"), validators=[required()])
    value = DecimalField(
        _l("Value"), places=None, validators=[InputRequired(message=_l("This field is required.")), NumberRange(min=0)]
    )
    source = StringField(
        _l("Source (document, survey, office that gave the number)"), validators=[required(), max_length(SOURCE_MAX)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key.choices = [("", _l("Choose"))] + [(k, label) for k, label in indicators.REFERENCE_KEYS.items()]


class CommuneGroupForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[required(), max_length(GROUP_NAME_MAX)],
        description=_l("For example: Huyện Thới Lai cũ"),
    )
    communes = MultiCheckboxField(_l("Communes of the group"))

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.communes.choices = [(c.code, c.name) for c in communes]
