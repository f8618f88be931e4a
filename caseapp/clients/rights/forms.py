"""Forms of the data subject's rights: recording a written request, closing it, anonymising a record.
The services validate what the forms let through (codes, dates, required texts)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ...core import categories
from ...core.forms import BaseForm, max_length
from ...core.text import nfc
from .models import REPRESENTATIVE_RELATIONS, REQUEST_KINDS, REQUEST_OUTCOMES, RequestOutcome


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


class DataRequestForm(BaseForm):
    kind = RadioField(_l("The person asks for"), default="export")
    requester = RadioField(_l("Who made the request"), default="person")
    representative_name = StringField(
        _l("Representative's full name"), filters=[_nfc], validators=[Optional(), max_length(128)]
    )
    representative_relation = SelectField(_l("Relation to the person"), default="")
    received_on = DateField(_l("Received on"), validators=[Optional()])
    reference = StringField(
        _l("Reference of the written request"), filters=[_nfc], validators=[Optional(), max_length(64)]
    )
    details = TextAreaField(_l("What is asked"), filters=[_nfc], validators=[Optional(), max_length(500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = categories.choices(REQUEST_KINDS)
        self.requester.choices = [("person", _l("The person themself")), ("representative", _l("A representative"))]
        self.representative_relation.choices = categories.choices(REPRESENTATIVE_RELATIONS, blank=_l("— choose —"))


class CloseRequestForm(BaseForm):
    outcome = SelectField(_l("Outcome"), default="")
    note = StringField(_l("Note (the reason, for a refusal)"), filters=[_nfc], validators=[Optional(), max_length(500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the view narrows these to the outcomes of the request's kind (services.CLOSING_OUTCOMES)
        closable = [c for c in REQUEST_OUTCOMES if c.code in (RequestOutcome.CORRECTED, RequestOutcome.REFUSED)]
        self.outcome.choices = categories.choices(closable, blank=_l("— choose —"))


class AnonymiseForm(BaseForm):
    reason = StringField(_l("Reason for the anonymisation"), filters=[_nfc], validators=[Optional(), max_length(255)])
