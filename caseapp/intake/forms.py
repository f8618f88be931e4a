"""The centre intake form: reception, presenting problems, first screening, decision, consent."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..core import categories
from ..core.forms import BaseForm, max_length, required
from ..core.text import nfc, people_sorted
from ..core.timeutil import VN_TZ, parse_local_datetime, utcnow

SCREENING = categories.codes(categories.SCREENING_QUESTIONS)


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


class IntakeForm(BaseForm):
    received_at = StringField(_l("Received at"), validators=[required()])
    channel = SelectField(_l("Channel"), validators=[required()])
    referrer_name = StringField(_l("Referring person"), filters=[_nfc], validators=[Optional(), max_length(128)])
    referrer_org = StringField(_l("Referring organisation"), filters=[_nfc], validators=[Optional(), max_length(255)])
    referrer_contact = StringField(_l("Referrer's contact"), filters=[_nfc], validators=[Optional(), max_length(128)])
    problems = SelectMultipleField(_l("Presenting problems"), default=())
    problem_note = TextAreaField(
        _l("What happened (in the person's words)"), filters=[_nfc], validators=[Optional(), max_length(4000)]
    )
    # the first screening (labels: core.categories.SCREENING_QUESTIONS, set in __init__)
    danger_now = RadioField("", default="unknown")
    injured = RadioField("", default="unknown")
    child_involved = RadioField("", default="unknown")
    perpetrator_access = RadioField("", default="unknown")
    safe_place = RadioField("", default="unknown")
    urgency = SelectField(_l("Urgency"), default="")
    decision = RadioField(_l("Decision"), validators=[required()])
    case_type = SelectField(_l("Case type"), default="center")
    care_kind = SelectField(_l("Kind of care need"), default="")
    assigned_worker_id = SelectField(_l("Assigned worker"), coerce=lambda v: int(v) if v else None)
    is_sensitive = BooleanField(_l("Sensitive case (sealed)"))
    referred_to = StringField(_l("Referred to"), filters=[_nfc], validators=[max_length(255)])
    note = TextAreaField(_l("Note"), filters=[_nfc], validators=[Optional(), max_length(4000)])
    consent_services = BooleanField("")  # labels: the purposes of core.categories, set in __init__
    consent_share = BooleanField("")
    consent_reports = BooleanField("")
    share_recipient = StringField(
        _l("Provider the information may be shared with"), filters=[_nfc], validators=[max_length(255)]
    )
    consent_given_by = SelectField(_l("Consent given by"), default="")  # checked in validate_consent_given_by
    consent_giver_name = StringField(
        _l("Name of the person who consents"), filters=[_nfc], validators=[Optional(), max_length(128)]
    )
    child_assent = RadioField(_l("Does the child (7 or older) agree?"), validators=[Optional()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = categories.choices(categories.CHANNELS, blank=_l("— choose —"))
        self.problems.choices = categories.choices(categories.PROBLEMS)
        for question in categories.SCREENING_QUESTIONS:
            field = getattr(self, question.code)
            field.label.text = categories.label(categories.SCREENING_QUESTIONS, question.code)
            field.choices = categories.choices(categories.SCREENING_ANSWERS)
        self.urgency.choices = categories.choices(categories.URGENCY, blank=_l("As the screening suggests"))
        self.decision.choices = categories.choices(categories.INTAKE_DECISIONS)
        self.case_type.choices = categories.choices(categories.CASE_TYPES)
        self.care_kind.choices = categories.choices(categories.CARE_KINDS, blank=_l("— choose —"))
        self.assigned_worker_id.choices = [("", _l("— choose —"))] + [
            (u.id, u.full_name) for u in people_sorted(workers)
        ]
        self.consent_given_by.choices = [
            ("", _l("— choose —")),
            ("client", _l("The client")),
            ("guardian", _l("The guardian")),
        ]
        self.child_assent.choices = [("yes", _l("Yes")), ("no", _l("No"))]
        self.consent_services.label.text = categories.label(categories.CONSENT_PURPOSES, "services")
        self.consent_share.label.text = categories.label(categories.CONSENT_PURPOSES, "share_provider")
        self.consent_reports.label.text = categories.label(categories.CONSENT_PURPOSES, "reports")
        self.received_at_utc = None

    def validate_received_at(self, field):
        try:
            self.received_at_utc = parse_local_datetime(field.data)
        except (TypeError, ValueError):
            raise ValidationError(_l("Enter a date and time.")) from None
        if self.received_at_utc.year < 2000:
            raise ValidationError(_l("Enter a date and time."))

    def validate_problems(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one presenting problem."))

    def validate_referred_to(self, field):
        if self.decision.data == "refer_out" and not field.data:
            raise ValidationError(_l("Name where the person is referred to."))

    def validate_assigned_worker_id(self, field):
        if self.decision.data == "open_case" and not field.data:
            raise ValidationError(_l("Choose the worker in charge of the case."))

    def validate_share_recipient(self, field):
        if self.consent_share.data and not field.data:
            raise ValidationError(_l("Name the provider the information may be shared with."))

    def validate_consent_given_by(self, field):
        if (self.consent_services.data or self.consent_share.data or self.consent_reports.data) and not field.data:
            raise ValidationError(_l("Say who gives the consent."))

    def intake_data(self):
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data["received_at"] = self.received_at_utc
        data["child_assent"] = {"yes": True, "no": False}.get(self.child_assent.data)
        return data

    @staticmethod
    def default_received_at():
        return utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")
