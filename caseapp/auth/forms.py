from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import Email, Optional, Regexp, ValidationError

from ..core.forms import BaseForm, max_length, required
from ..security.policy import Role

ROLE_LABELS = {
    Role.ADMIN.value: _l("System administrator"),
    Role.SUPERVISOR.value: _l("Supervisor"),
    Role.SOCIAL_WORKER.value: _l("Social worker"),
    Role.SHELTER_STAFF.value: _l("Shelter staff"),
    Role.REPORTER.value: _l("Reporting officer"),
}


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[required(), max_length(64)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(256)])
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required(), max_length(256)])
    confirm_password = PasswordField(_l("Repeat the new password"), validators=[required()])

    def validate_confirm_password(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two passwords do not match."))


class _UserFields(BaseForm):
    full_name = StringField(_l("Full name"), validators=[required(), max_length(128)])
    role = SelectField(_l("Role"), validators=[required()])
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[required()])
    email = EmailField(
        _l("E-mail"), validators=[Optional(), max_length(255), Email(message=_l("Enter a valid e-mail address."))]
    )
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            max_length(32),
            Regexp(r"^[0-9 +().-]{6,32}$", message=_l("Enter a valid phone number.")),
        ],
    )

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        # No default role: an administrator account must never be created by not looking.
        self.role.choices = [("", _l("— choose —"))] + [(value, label) for value, label in ROLE_LABELS.items()]
        self.facility_id.choices = [(f.id, f"{f.code} — {f.name}") for f in facilities]


class CreateUserForm(_UserFields):
    username = StringField(
        _l("Username"),
        validators=[
            required(),
            max_length(64),
            Regexp(
                r"^[A-Za-z0-9._-]{3,64}$",
                message=_l("Use 3–64 letters without tones, digits, dot, dash or underscore."),
            ),
        ],
    )
    password = PasswordField(_l("Temporary password"), validators=[required(), max_length(256)])


class EditUserForm(_UserFields):
    active = BooleanField(_l("Active"))
    version = HiddenField()


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New temporary password"), validators=[required(), max_length(256)])
