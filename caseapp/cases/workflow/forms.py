"""Forms of the case's workflow: moving to the next step, asking for closure and deciding on it,
reopening, and editing the case's own details. Choices are set in __init__ (current language); the
services in cases.workflow.closure decide and say why when they refuse."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ...core import categories as cat
from ...core.forms import BaseForm, max_length, required
from .closure import REASON_MAX, TEXT_MAX


class MoveForm(BaseForm):
    """Move the case to one of the next steps the table allows, saying why."""

    to_status = SelectField(_l("Next step"))
    reason = TextAreaField(_l("Reason for the change"), validators=[required(), max_length(REASON_MAX)])

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_status.choices = [(code, cat.label(cat.CASE_STATUSES, code)) for code in steps]


class ClosureRequestForm(BaseForm):
    """The closure request. The reasons for the checklist's loose ends left open are fields named
    after each loose end ("override-<key>"), read by typed_overrides: the list changes from case to case."""

    reason = SelectField(_l("Reason for closing"), validators=[required()])
    summary = TextAreaField(_l("Summary of the results"), validators=[required(), max_length(TEXT_MAX)])
    evaluation = TextAreaField(_l("Closing evaluation"), validators=[Optional(), max_length(TEXT_MAX)])
    recheck = SubmitField(_l("Check the list again"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = cat.choices(cat.CLOSURE_REASONS, blank=_l("— choose —"))


OVERRIDE_PREFIX = "override-"


def typed_overrides(formdata, items):
    """{LooseEnd.key: the reason typed for it} for the loose ends that can be overridden."""
    return {item.key: formdata.get(OVERRIDE_PREFIX + item.key, "") for item in items if item.overridable}


class ClosureDecisionForm(BaseForm):
    """Approve the closure, or return it with a comment (required when returning)."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), max_length(TEXT_MAX)])
    approve = SubmitField(_l("Approve the closure"))
    send_back = SubmitField(_l("Return for changes"))


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=[required(), max_length(REASON_MAX)])


class CaseDetailsForm(BaseForm):
    """The case's own details. `version` and `snapshot` carry what the form was loaded with, so a
    save based on an old version is recognised (and what changed meanwhile shown)."""

    case_type = SelectField(_l("Case type"), validators=[required()])
    care_kind = SelectField(_l("Kind of care"), validators=[Optional()])
    urgency = SelectField(_l("Urgency"), validators=[required()])
    risk_level = SelectField(_l("Risk level"), validators=[Optional()])
    primary_group = SelectField(_l("Primary beneficiary group"), validators=[Optional()])
    version = HiddenField()
    snapshot = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type.choices = cat.choices(cat.CASE_TYPES)
        self.care_kind.choices = cat.choices(cat.CARE_KINDS, blank=_l("Not set"))
        self.urgency.choices = cat.choices(cat.URGENCY)
        self.risk_level.choices = cat.choices(cat.RISK_LEVELS, blank=_l("Not assessed"))
        self.primary_group.choices = cat.choices(cat.BENEFICIARY_GROUPS, blank=_l("Not set"))

    def fill(self, case):
        for name in ("case_type", "care_kind", "urgency", "risk_level", "primary_group"):
            getattr(self, name).data = getattr(case, name) or ""

    def service_data(self):
        return {
            name: getattr(self, name).data or ""
            for name in ("case_type", "care_kind", "urgency", "risk_level", "primary_group")
        }


__all__ = ["MoveForm", "ClosureRequestForm", "ClosureDecisionForm", "ReopenForm", "CaseDetailsForm"]
