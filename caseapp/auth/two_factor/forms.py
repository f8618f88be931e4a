from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField

from ...core.forms import BaseForm, MultiCheckboxField, max_length, required
from ...security.rules import roles_choosing_second_factor
from ..forms import ROLE_LABELS


class SecondStepForm(BaseForm):
    """The second step of a sign-in: the authenticator's code, or a recovery code."""

    code = StringField(_l("Code"), validators=[required(), max_length(32)])


class ConfirmEnrolmentForm(BaseForm):
    code = StringField(_l("Code shown in the app"), validators=[required(), max_length(16)])


class ReauthForm(BaseForm):
    """Proving again who one is before changing a factor: a code of the authenticator, or the password
    (the service says which is missing or wrong)."""

    code = StringField(_l("Code shown in the app"), validators=[max_length(16)])
    password = PasswordField(_l("or your password"), validators=[max_length(256)])


class ButtonForm(BaseForm):
    """A button that posts (start the set-up, reset): the CSRF token only."""


class SecondFactorRolesForm(BaseForm):
    # checked by the service (set_second_factor_roles), which says what is wrong in the user's language
    roles = MultiCheckboxField(_l("Roles that must also use two-step sign-in"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role, ROLE_LABELS[role]) for role in roles_choosing_second_factor()]
