"""The base form: WTForms' own messages (Not a valid integer, …) go through our catalogue, so they
are Vietnamese too; helpers build validators with translated messages."""
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length


class _CatalogueTranslations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _CatalogueTranslations()


def required():
    return DataRequired(message=_l("This field is required."))


def max_length(n):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def add_service_error(form, error):
    """Show a service refusal on its field (or the whole form) and keep what the user typed."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))


def save(form, action, *, stale_message):
    """The write step of a form view: run `action` (the service call) and commit the request.
    A refusal (ServiceError) or a concurrent change (StaleDataError) is rolled back and shown on the
    form, which keeps what the user typed. Returns True when the change was saved."""
    from sqlalchemy.orm.exc import StaleDataError

    from ..extensions import db
    from .services import ServiceError

    try:
        action()
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        add_service_error(form, error)
    except StaleDataError:
        db.session.rollback()
        form.form_errors.append(str(stale_message))
    else:
        return True
    return False
