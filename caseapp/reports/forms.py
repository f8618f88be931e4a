"""Forms of the reports: the period (and scope) of a report, freezing, re-opening, reference data.
Choices are set in __init__."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..core.forms import BaseForm, MultiCheckboxField, max_length, required
from . import indicators, periods, scoping
from .services import GROUP_NAME_MAX, REASON_MAX, SOURCE_MAX

KIND_LABELS = {
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "half": _l("6 months"),
    "year": _l("Year"),
    "custom": _l("Custom dates"),
}


class PeriodForm(BaseForm):
    """Read from the query string (GET): which period, and which scope — the user's facility, the
    province for its readers, one commune or a commune group of the province (reports.scoping)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Period"), default="quarter", validate_choice=False)  # validate_kind
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    number = IntegerField(_l("Month / quarter / half (number)"), validators=[Optional(), NumberRange(min=1, max=12)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    scope = SelectField(_l("Scope"), default="facility", validate_choice=False)  # validate_scope
    commune = SelectField(_l("Commune (where the people live)"), default="")
    group = SelectField(_l("Group of communes (where the people live)"), default="")

    def __init__(self, *args, province_allowed=False, kinds=periods.KINDS, communes=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, KIND_LABELS[k]) for k in kinds]
        self.scope.choices = [("facility", _l("My facility"))]
        if province_allowed:
            self.scope.choices.append(("province", _l("My province")))
        self.scope.choices.append(("commune", _l("People living in a commune")))
        self.commune.choices = [("", _l("Choose"))] + [(c.code, c.name) for c in communes]
        self.group.choices = [("", _l("Choose"))] + [(str(g.id), g.name) for g in groups]
        if groups:
            self.scope.choices.append(("commune_group", _l("People living in a group of communes")))

    def validate_kind(self, field):
        if field.data not in [value for value, _label in field.choices]:
            raise ValidationError(str(periods.STANDARD_PERIODS_ONLY))  # as the files and the queue say it

    def validate_scope(self, field):
        offered = [value for value, _label in field.choices]
        if field.data == "province" and "province" not in offered:
            raise ValidationError(str(scoping.PROVINCE_REFUSED))  # as the files and the queue say it
        if field.data not in offered:
            raise ValidationError(_l("Not a valid choice."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.scope.data == "commune" and not self.commune.data:
            self.commune.errors.append(str(scoping.CHOOSE_COMMUNE))
            return False
        if self.scope.data == "commune_group" and not self.group.data:
            self.group.errors.append(str(scoping.CHOOSE_GROUP))
            return False
        return valid

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
    place = SelectField(_l("For"), default="")
    key = SelectField(_l("Number"), validators=[required()])
    value = DecimalField(
        _l("Value"), places=None, validators=[InputRequired(message=_l("This field is required.")), NumberRange(min=0)]
    )
    source = StringField(
        _l("Source (document, survey, office that gave the number)"), validators=[required(), max_length(SOURCE_MAX)]
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.place.choices = list(places)
        self.key.choices = [("", _l("Choose"))] + [(k, label) for k, label in indicators.REFERENCE_KEYS.items()]


# The places of the province reference data is entered for: "" the province itself, "group-<id>",
# "commune-<code>" (the value of ReferenceForm.place and of the reference page's ?place=).
GROUP_PLACE = "group-"
COMMUNE_PLACE = "commune-"


def place_choices(province_name, groups, communes):
    return (
        [("", _l("The province: %(name)s", name=province_name))]
        + [(f"{GROUP_PLACE}{g.id}", _l("Group of communes: %(name)s", name=g.name)) for g in groups]
        + [(f"{COMMUNE_PLACE}{c.code}", c.name) for c in communes]
    )


def parse_place(value):
    """(group id, commune code) of a place value; (None, None): the province."""
    value = value or ""
    if value.startswith(GROUP_PLACE) and value[len(GROUP_PLACE) :].isdigit():
        return int(value[len(GROUP_PLACE) :]), None
    if value.startswith(COMMUNE_PLACE):
        return None, value[len(COMMUNE_PLACE) :] or None
    return None, None


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


class ReportSettingsForm(BaseForm):
    """How the facility heads and signs the reports it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

    parent_body = StringField(
        _l("Managing body, printed above the facility's name (e.g. SỞ Y TẾ TỈNH AN GIANG)"),
        validators=[max_length(255)],
    )
    abbreviation = StringField(
        _l("Abbreviation after the number (e.g. TTCTXH: Số …/BC-TTCTXH)"), validators=[max_length(32)]
    )
    signer_authority = StringField(
        _l("Signing on behalf (e.g. KT. GIÁM ĐỐC; empty when the head signs)"), validators=[max_length(64)]
    )
    signer_title = StringField(_l("Title of the signer (e.g. PHÓ GIÁM ĐỐC)"), validators=[max_length(128)])
    signer_name = StringField(_l("Full name of the signer"), validators=[max_length(128)])
    recipients = TextAreaField(
        _l("Recipients, one per line (e.g. Sở Y tế tỉnh An Giang); “Lưu: VT” is added"),
        validators=[max_length(2000)],
    )
    version = HiddenField(default="0")


class YearlyReportForm(BaseForm):
    """A draft of the yearly implementation report: its year and scope (fixed once created), its title and
    the sections the unit writes."""

    # year and scope are chosen when the draft is created (reports.yearly.create_draft checks them)
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2021, max=2100)])
    scope = SelectField(_l("The figures of"), default="facility", validate_choice=False)
    title = StringField(_l("Title"), validators=[required(), max_length(255)])
    results = TextAreaField(_l("I. Results achieved"), validators=[max_length(20000)])
    shortcomings = TextAreaField(_l("II. Shortcomings and their causes"), validators=[max_length(20000)])
    proposals = TextAreaField(_l("III. Direction, tasks and proposals"), validators=[max_length(20000)])
    version = HiddenField(default="0")

    def __init__(self, *args, province_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = [("facility", _l("My facility"))]
        if province_allowed:
            self.scope.choices.append(("province", _l("The whole province")))


class IssueYearlyReportForm(BaseForm):
    """Issuing the yearly report: its date, the day its figures are taken to, who signs, where it goes."""

    issued_on = DateField(_l("Date of issue"), validators=[required()])
    figures_until = DateField(_l("Figures taken to (inclusive)"), validators=[required()])
    signer_authority = StringField(
        _l("Signing on behalf (e.g. KT. GIÁM ĐỐC; empty when the head signs)"), validators=[max_length(64)]
    )
    signer_title = StringField(_l("Title of the signer (e.g. PHÓ GIÁM ĐỐC)"), validators=[required(), max_length(128)])
    signer_name = StringField(_l("Full name of the signer"), validators=[required(), max_length(128)])
    recipients = TextAreaField(
        _l("Recipients, one per line (e.g. Sở Y tế tỉnh An Giang); “Lưu: VT” is added"),
        validators=[max_length(2000)],
    )
    version = HiddenField(default="0")
