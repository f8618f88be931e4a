"""The base form: WTForms' own messages (Not a valid integer, …) go through our catalogue, so they
are Vietnamese too; helpers build validators with translated messages."""

from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .services import ServiceError


class _CatalogueTranslations:
    def gettext(self, string: str) -> str:
        return str(gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(ngettext(singular, plural, n))


class BaseForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    class Meta:
        def get_translations(self, form: Any) -> _CatalogueTranslations:
            return _CatalogueTranslations()


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]  # WTForms has no type information
    """A multiple choice as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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
