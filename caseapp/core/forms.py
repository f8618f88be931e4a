"""The base form: WTForms' own messages (Not a valid integer, …) go through our catalogue, so they
are Vietnamese too; every date, number and one-line text field of every form is kept within what the
database and the calendar hold (BaseForm.Meta.bind_field); helpers build validators with translated
messages."""

import re
from decimal import Decimal
from typing import Any

from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    DateTimeLocalField,
    DecimalField,
    FloatField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from .services import ServiceError
from .timeutil import DATE_OUT_OF_RANGE, date_in_range
from .urls import INT_MAX, parse_id

# --- what every field of every form must hold (OWASP ASVS 5.0 V2.2.1: input checked against its
# expected range, so a value the database or the calendar cannot hold is refused with a message
# instead of ending in a 500) ----------------------------------------------------------------------

NUMBER_OUT_OF_RANGE = _l("This number is out of the range allowed.")
LARGEST_DECIMAL = Decimal(10) ** 15  # more than any amount, count or rate the forms ask for
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def _plausible_date(form: Any, field: Any) -> None:
    if not date_in_range(field.data):
        raise StopValidation(str(DATE_OUT_OF_RANGE))  # stop: no later check computes with that date


def _integer_in_range(form: Any, field: Any) -> None:
    if field.data is not None and not -INT_MAX - 1 <= field.data <= INT_MAX:  # an INTEGER column
        raise StopValidation(str(NUMBER_OUT_OF_RANGE))


def _finite_number(form: Any, field: Any) -> None:
    if field.data is None:
        return
    number = field.data if isinstance(field.data, Decimal) else Decimal(str(field.data))
    if not number.is_finite() or abs(number) >= LARGEST_DECIMAL:  # NaN, Infinity, 1E+999
        raise StopValidation(str(NUMBER_OUT_OF_RANGE))


def _one_line(value: Any) -> Any:
    """A one-line field keeps one line: tabs and line breaks (a pasted name) become a space."""
    return _LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


def _with_input_rules(field: Any) -> Any:
    """The range checks of the field's type, run before its own validators."""
    if isinstance(field, (DateField, DateTimeField, DateTimeLocalField)):
        field.validators = [_plausible_date, *field.validators]
    elif isinstance(field, CursorField):
        pass  # a cursor out of range is no cursor (CursorField), not an error
    elif isinstance(field, IntegerField):
        field.validators = [_integer_in_range, *field.validators]
    elif isinstance(field, (DecimalField, FloatField)):
        field.validators = [_finite_number, *field.validators]
    elif isinstance(field, StringField) and not isinstance(field, (TextAreaField, PasswordField, HiddenField)):
        field.filters = (*field.filters, _one_line)
    return field


class InputRulesMeta:
    """Form Meta mixin: WTForms' messages through our catalogue, and the range checks of every field."""

    def get_translations(self, form: Any) -> "_CatalogueTranslations":
        return _CatalogueTranslations()

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        return _with_input_rules(unbound_field.bind(form=form, **options))


class _CatalogueTranslations:
    def gettext(self, string: str) -> str:
        return str(gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Not flask_babel.ngettext: it fills in %(num)s itself, and WTForms' plural messages name other
        # values ("'%(value)s' are not valid choices"), which WTForms fills in after (a KeyError here).
        return str(get_translations().ngettext(singular, plural, n))


class BaseForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    class Meta(InputRulesMeta):
        pass


class RowForm(Form):  # type: ignore[misc]  # WTForms has no type information
    """A row of a FieldList (no CSRF of its own), with the messages and range checks of every form."""

    class Meta(InputRulesMeta):
        pass


class CursorField(IntegerField):  # type: ignore[misc]  # WTForms has no type information
    """A list's ?after=<id> cursor: an id the key column can hold, else no cursor (the first page) —
    never a form error. `maximum`: core.urls.BIGINT_MAX for a BIGINT key."""

    def __init__(self, *args: Any, maximum: int = INT_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_id(valuelist[0], self.maximum) if valuelist else None


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]  # WTForms has no type information
    """A multiple choice as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def seen_version(form: Any) -> int:
    """The record version the form was opened on (its hidden `version`); -1 when missing or not a number,
    so a stale check always refuses it."""
    return int(form.version.data) if str(form.version.data).isdecimal() else -1


def required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def add_service_error(form: Any, error: ServiceError) -> None:
    """Show a service refusal on its field (or the whole form) and keep what the user typed."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))
