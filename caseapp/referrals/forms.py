"""Forms of the directory, referrals and transfers. Choices are set in __init__ (current language)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from ..core import categories as cat
from ..core.forms import BaseForm, CursorField, MultiCheckboxField, max_length, required
from ..core.timeutil import format_date, local_today


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- the service directory -------------------------------------------------------------------------


class DirectoryFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form

    province = SelectField(_l("Province / city"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    service = SelectField(_l("Service"), validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), max_length(100)])
    include_inactive = BooleanField(_l("Also show inactive entries"))
    after = CursorField()

    def __init__(self, *args, provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [("", _l("All provinces"))] + [(p.code, p.name) for p in provinces]
        self.kind.choices = cat.choices(cat.PROVIDER_KINDS, blank=_l("All kinds"))
        self.service.choices = cat.choices(cat.SERVICE_TYPES, blank=_l("All services"))


class ProviderForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_length(255)])
    kind = SelectField(_l("Kind"), validators=[required()])
    province_code = SelectField(_l("Province / city"), validators=[required()])
    commune_code = SelectField(_l("Commune / ward"), validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), max_length(255)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(64)])
    email = StringField(_l("E-mail"), validators=[Optional(), max_length(255)])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), max_length(128)])
    services = MultiCheckboxField(_l("Services offered"))
    capacity_note = StringField(_l("Capacity"), validators=[Optional(), max_length(255)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), max_length(255)])
    is_active = BooleanField(_l("Active"), default=True)
    version = HiddenField()

    # A facility's own entry: name, kind and place come from the facility.
    FACILITY_ENTRY = ("phone", "email", "contact_person", "services", "capacity_note", "opening_hours", "version")

    def __init__(self, *args, provinces=(), communes=(), facility_entry=False, proposal=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [c for c in cat.choices(cat.PROVIDER_KINDS, blank=_l("— choose —")) if c[0] != "facility"]
        self.province_code.choices = [("", _l("— choose —"))] + [(p.code, p.name) for p in provinces]
        self.commune_code.choices = [("", _l("— choose —"))] + [(c.code, c.name) for c in communes]
        self.services.choices = cat.choices(cat.SERVICE_TYPES)
        if facility_entry:
            for name in list(self._fields):
                if name not in self.FACILITY_ENTRY and name != "csrf_token":
                    del self[name]
        if proposal:  # a social worker's proposal is active; a supervisor may retire an entry later
            del self["is_active"]

    def provider_data(self):
        data = {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "version")}
        data.setdefault("is_active", True)
        return data


class ProviderDecisionForm(BaseForm):
    """A supervisor's decision on an organisation a social worker proposed."""

    decision = RadioField(_l("Decision"), validators=[InputRequired(message=_l("Choose approve or reject."))])
    reason = TextAreaField(_l("Reason for rejecting"), validators=[Optional(), max_length(2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("approve", _l("Approve")), ("reject", _l("Reject"))]


# --- referrals -----------------------------------------------------------------------------------

CONSENT_MODES = ("existing", "record", "override")


class ReferralForm(BaseForm):
    provider_id = SelectField(_l("Provider"), coerce=_int_or_none, validators=[required()])
    service_type = SelectField(_l("Service"), validators=[required()])
    reason = TextAreaField(_l("Reason for the referral"), validators=[required(), max_length(2000)])
    shared_info = TextAreaField(_l("Information shared with the provider"), validators=[required(), max_length(4000)])
    is_urgent = BooleanField(_l("Urgent (answer within 4 hours)"))
    consent_mode = RadioField(
        _l("The client's consent"), validators=[InputRequired(message=_l("Say how the client consented."))]
    )
    consent_id = SelectField(_l("Consent already recorded"), coerce=_int_or_none, validators=[Optional()])
    consent_given_by = SelectField(_l("Consent given by"), default="")
    consent_giver_name = StringField(_l("Name of the person who consents"), validators=[Optional(), max_length(128)])
    child_assent = RadioField(_l("Does the child (7 or older) agree?"), validators=[Optional()])
    override_reason = TextAreaField(
        _l("Reason for referring without consent (emergency)"), validators=[Optional(), max_length(2000)]
    )

    def __init__(self, *args, providers=(), consents=(), may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider_id.choices = [("", _l("— choose —"))] + [
            (p.id, f"{p.name} · {cat.label(cat.PROVIDER_KINDS, p.kind)}") for p in providers
        ]
        self.service_type.choices = cat.choices(cat.SERVICE_TYPES, blank=_l("— choose —"))
        modes = [
            ("existing", _l("The client consented (recorded before)")),
            ("record", _l("The client consents now: record it")),
        ]
        if may_override:
            modes.append(("override", _l("Emergency: refer without consent (supervisor)")))
        self.consent_mode.choices = modes
        self.consent_id.choices = [("", _l("— choose —"))] + [
            (c.id, _l("%(recipient)s — given %(date)s", recipient=c.recipient or "—", date=format_date(c.given_at)))
            for c in consents
        ]
        self.consent_given_by.choices = [
            ("", _l("— choose —")),
            ("client", _l("The client")),
            ("guardian", _l("The guardian")),
        ]
        self.child_assent.choices = [("yes", _l("Yes")), ("no", _l("No"))]

    def validate_consent_mode(self, field):
        # An unknown value (e.g. "override" posted without the permission) is refused by the view
        # before validation; here only the field that goes with the choice is checked.
        if field.data == "existing" and not self.consent_id.data:
            self.consent_id.errors = list(self.consent_id.errors) + [_l("Choose the consent.")]
            raise ValidationError(_l("Choose the consent."))
        if field.data == "record" and not self.consent_given_by.data:
            self.consent_given_by.errors = list(self.consent_given_by.errors) + [_l("Say who gives the consent.")]
            raise ValidationError(_l("Say who gives the consent."))
        if field.data == "override" and not (self.override_reason.data or "").strip():
            self.override_reason.errors = list(self.override_reason.errors) + [
                _l("Give the reason for referring without consent.")
            ]
            raise ValidationError(_l("Give the reason for referring without consent."))

    def consent_arguments(self):
        """create_referral's consent arguments for the chosen mode (the consent row is the view's)."""
        mode = self.consent_mode.data
        if mode == "record":
            return {
                "new_consent": {
                    "given_by": self.consent_given_by.data,
                    "giver_name": self.consent_giver_name.data,
                    "child_assent": {"yes": True, "no": False}.get(self.child_assent.data),
                }
            }
        if mode == "override":
            return {"override_reason": self.override_reason.data}
        return {}


class AnswerForm(BaseForm):
    """The provider's answer: accepted or declined, with its note."""

    decision = RadioField(_l("Answer"), validators=[InputRequired(message=_l("Choose the answer."))])
    note = TextAreaField(_l("Answer note"), validators=[Optional(), max_length(2000)])
    # An outside provider answers by phone or letter: the day the answer was received (the sender's form).
    received_on = DateField(_l("Date the answer was received"), default=local_today, validators=[Optional()])

    def __init__(self, *args, moves=(), outside=False, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"accepted": _l("Accepted"), "declined": _l("Declined")}
        self.decision.choices = [(m, labels[m]) for m in moves if m in labels]
        if not outside:
            del self["received_on"]


class CompleteForm(BaseForm):
    outcome = TextAreaField(_l("Outcome"), validators=[required(), max_length(4000)])
    outcome_date = DateField(
        _l("Date of the outcome"),
        default=local_today,
        validators=[InputRequired(message=_l("Enter the date of the outcome."))],
    )


class RevokeForm(BaseForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[required(), max_length(2000)])


# --- transfers -------------------------------------------------------------------------------------


class TransferForm(BaseForm):
    to_facility_id = SelectField(_l("Receiving facility"), coerce=_int_or_none, validators=[required()])
    reason = TextAreaField(_l("Reason for the transfer"), validators=[required(), max_length(2000)])

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_facility_id.choices = [("", _l("— choose —"))] + [
            (f.id, f"{f.name} · {f.province.name}" if f.province else f.name) for f in facilities
        ]


class TransferDecisionForm(BaseForm):
    decision = RadioField(_l("Decision"), validators=[InputRequired(message=_l("Choose accept or decline."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), max_length(2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("accept", _l("Accept the case")), ("decline", _l("Decline"))]


class CancelTransferForm(BaseForm):
    confirm = HiddenField(default="1")
