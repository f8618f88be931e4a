"""The client page's forms of a membership: add one, and record a change (a new version from a date)."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Optional

from ..core import categories
from ..core.forms import BaseForm, max_length, required
from ..core.text import nfc
from .services import DETAIL_FIELDS


def _nfc(value):
    return nfc(value).strip() if isinstance(value, str) else value


class _VersionFields(BaseForm):
    effective_from = DateField(_l("Takes effect on"), validators=[required()])
    status = SelectField(_l("Status"), default="receiving")
    reason = StringField(_l("Reason for a suspension or an end"), filters=[_nfc], validators=[max_length(255)])
    legal_basis = StringField(_l("Legal basis"), filters=[_nfc], validators=[max_length(255)])
    decision_number = StringField(_l("Decision number"), filters=[_nfc], validators=[max_length(64)])
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    decision_issuer = StringField(_l("Issued by"), filters=[_nfc], validators=[max_length(255)])
    allowance_coefficient = StringField(_l("Allowance coefficient"), filters=[_nfc], validators=[max_length(8)])
    allowance_amount = IntegerField(_l("Monthly allowance (đồng)"), validators=[Optional()])
    care_mode = SelectField(_l("Care mode"), default="")
    disability_type = SelectField(_l("Type of disability"), default="")
    disability_degree = SelectField(_l("Degree of disability"), default="")
    certificate_number = StringField(_l("Disability certificate number"), filters=[_nfc], validators=[max_length(64)])
    certificate_date = DateField(_l("Disability certificate date"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = categories.choices(categories.MEMBERSHIP_STATUSES)
        self.care_mode.choices = categories.choices(categories.CARE_MODES, blank="—")
        self.disability_type.choices = categories.choices(categories.DISABILITY_TYPES, blank="—")
        self.disability_degree.choices = categories.choices(categories.DISABILITY_DEGREES, blank="—")

    def version_data(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in ("effective_from", "status", "reason", *DETAIL_FIELDS)}


class MembershipForm(_VersionFields):
    group_code = SelectField(_l("Beneficiary group"), validators=[required()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_code.choices = categories.choices(categories.BENEFICIARY_GROUPS, blank="—")


class MembershipChangeForm(_VersionFields):
    """A change keeps what it does not set: the form opens with the version in force."""

    seen_version = HiddenField()
