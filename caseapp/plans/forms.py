"""Forms of needs assessments, intervention plans and approval decisions. Choices and category
labels are set in __init__ (current language). The forms check what a person can fix on the spot;
the services decide (and say why when they refuse)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from ..core import categories as cat
from ..core.forms import BaseForm, RowForm, max_length
from ..core.text import people_sorted
from ..core.urls import parse_id
from .blocks import BLOCKS, block_field
from .compare import ACTIVITY_STATUSES, ANSWERS, DOMAIN_FIELD_LABELS, DOMAIN_FIELDS, SAFETY_PLAN_FIELDS
from .labels import GOAL_OUTCOMES
from .services import GOAL_NOTE_MAX, ORG_MAX, TEXT_MAX, domain_field, safety_field

EXTRA_ROWS = 1  # empty rows offered under the filled ones
MIN_ROWS = 2  # rows offered at least (a phone screen is short)
ADD_ROWS = 3  # rows added by "add more rows"
MAX_ROWS = 40  # per list: a plan is read by people


def _text_field(label=None):
    return TextAreaField(label, validators=[Optional(), max_length(TEXT_MAX)])


# --- assessment --------------------------------------------------------------------------------------


class AssessmentForm(BaseForm):
    """The blocks of the TT 02/2020 form (plans.blocks), each need domain (situation, need level,
    strengths, the client's view), the overall risk with its reasons, and — in violence and
    child-protection cases — the safety questions.

    `required`: the fields a complete assessment needs (the service refuses it without them), marked
    on the page before anything is sent. `prefilled`: the fields the intake's answers filled in."""

    risk_level = RadioField(_l("Overall risk level"), validate_choice=False)
    risk_reasons = _text_field(_l("Reasons for the risk level"))
    client_view = _text_field(_l("The client's own view of the assessment"))
    version = HiddenField()
    snapshot = HiddenField()

    def __init__(self, *args, violence=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.violence = violence
        self.risk_level.choices = cat.choices(cat.RISK_LEVELS)
        self.domain_rows = []
        for domain in cat.NEED_DOMAINS:
            fields = {name: self[domain_field(domain.code, name)] for name in DOMAIN_FIELDS}
            for name, f in fields.items():
                f.label.text = DOMAIN_FIELD_LABELS[name]
            fields["need_level"].choices = cat.choices(cat.NEED_LEVELS)
            self.domain_rows.append((domain, fields))
        self.safety_fields = []
        for question in cat.SAFETY_QUESTIONS:
            f = self[safety_field(question.code)]
            f.label.text = cat.label(cat.SAFETY_QUESTIONS, question.code)
            f.choices = list(ANSWERS.items())
            self.safety_fields.append(f)
        self.block_rows = []
        for block in BLOCKS:
            fields = {}
            for item in block.fields:
                f = self[block_field(block.code, item.code)]
                f.label.text = cat.label(block.fields, item.code)
                options = block.choices_of(item.code)
                if options is not None:
                    f.choices = cat.choices(options, blank=_l("— choose —"))
                fields[item.code] = f
            self.block_rows.append((block, fields))
        self.required = {"risk_level", "risk_reasons"} | ({f.name for f in self.safety_fields} if violence else set())
        for name in self.required:
            self[name].flags.required = True  # marked on the page: the `required` attribute and an asterisk
        self.prefilled: set[str] = set()

    def check(self, *, complete):
        """The checks a person fixes on the form, all at once (the service repeats them)."""
        ok = True
        if not self.risk_level.data:
            self.risk_level.errors.append(_l("Choose the overall risk level."))
            ok = False
        if complete and not (self.risk_reasons.data or "").strip():
            self.risk_reasons.errors.append(_l("Give the reasons for the risk level."))
            ok = False
        if complete and self.violence:
            for f in self.safety_fields:
                if not f.data:
                    f.errors.append(_l("Answer yes, no or not known."))
                    ok = False
        return ok

    def service_data(self):
        return {
            "domains": {
                domain.code: {name: f.data for name, f in fields.items()} for domain, fields in self.domain_rows
            },
            "risk_level": self.risk_level.data,
            "risk_reasons": self.risk_reasons.data,
            "client_view": self.client_view.data,
            "safety": (
                {f.name.removeprefix("q_"): f.data for f in self.safety_fields if f.data} if self.violence else {}
            ),
            "blocks": {
                block.code: {code: f.data for code, f in fields.items() if f.data} for block, fields in self.block_rows
            },
        }

    def fill(self, assessment):
        """Start from a stored assessment (the previous version, or the one being edited)."""
        domains = assessment.domains or {}
        for domain, fields in self.domain_rows:
            values = domains.get(domain.code) or {}
            for name, f in fields.items():
                f.data = values.get(name) or ("none" if name == "need_level" else "")
        self.risk_level.data = assessment.risk_level
        self.risk_reasons.data = assessment.risk_reasons or ""
        self.client_view.data = assessment.client_view or ""
        safety = assessment.safety or {}
        for question, f in zip(cat.SAFETY_QUESTIONS, self.safety_fields, strict=True):
            f.data = safety.get(question.code)
        self._fill_blocks(assessment.blocks or {})

    def _fill_blocks(self, blocks):
        for block, fields in self.block_rows:
            values = blocks.get(block.code) or {}
            for code, f in fields.items():
                f.data = values.get(code) or ""

    def prefill(self, data):
        """Start a first assessment from what the intake recorded (blocks.intake_prefill): shown in
        the fields, editable, and marked as coming from the intake."""
        for block, fields in self.block_rows:
            for code, value in ((data.get("blocks") or {}).get(block.code) or {}).items():
                self._prefill(fields[code], value)
        for domain, fields in self.domain_rows:
            value = ((data.get("domains") or {}).get(domain.code) or {}).get("situation")
            self._prefill(fields["situation"], value)
        if self.violence:
            safety = data.get("safety") or {}
            for question, f in zip(cat.SAFETY_QUESTIONS, self.safety_fields, strict=True):
                self._prefill(f, safety.get(question.code))

    def _prefill(self, f, value):
        if value:
            f.data = value
            self.prefilled.add(f.name)


for _domain in cat.NEED_DOMAINS:
    setattr(AssessmentForm, domain_field(_domain.code, "situation"), _text_field())
    setattr(AssessmentForm, domain_field(_domain.code, "need_level"), RadioField(default="none"))
    setattr(AssessmentForm, domain_field(_domain.code, "strengths"), _text_field())
    setattr(AssessmentForm, domain_field(_domain.code, "client_view"), _text_field())
for _question in cat.SAFETY_QUESTIONS:
    setattr(AssessmentForm, safety_field(_question.code), RadioField(validate_choice=False))
for _block in BLOCKS:
    for _item in _block.fields:
        if _block.choices_of(_item.code) is not None:
            _field = SelectField(default="", validate_choice=False)
        elif _item.code in _block.short:
            _field = StringField(validators=[Optional(), max_length(ORG_MAX)])
        else:
            _field = _text_field()
        setattr(AssessmentForm, block_field(_block.code, _item.code), _field)


# --- plan ----------------------------------------------------------------------------------------------


class GoalRow(RowForm):
    need_domain = SelectField(_l("Need addressed"), validate_choice=False)
    description = TextAreaField(_l("Goal"), validators=[Optional(), max_length(TEXT_MAX)])
    target_on = DateField(_l("Target date"), validators=[Optional()])

    def is_blank(self):
        return not self.need_domain.data and not (self.description.data or "").strip() and not self.target_on.data


class ActivityRow(RowForm):
    goal = SelectField(_l("For goal"), validate_choice=False)
    service_type = SelectField(_l("Service type"), validate_choice=False)
    description = TextAreaField(_l("Activity"), validators=[Optional(), max_length(TEXT_MAX)])
    responsible_user_id = SelectField(_l("Responsible person"), validate_choice=False)
    responsible_org = StringField(_l("or responsible organisation"), validators=[Optional(), max_length(255)])
    start_on = DateField(_l("Start date"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), default="planned", validate_choice=False)

    def is_blank(self):
        return not any(
            (
                self.service_type.data,
                (self.description.data or "").strip(),
                self.responsible_user_id.data,
                (self.responsible_org.data or "").strip(),
                self.start_on.data,
                self.due_on.data,
            )
        )


class PlanForm(BaseForm):
    goals = FieldList(FormField(GoalRow), max_entries=MAX_ROWS)
    activities = FieldList(FormField(ActivityRow), max_entries=MAX_ROWS)
    review_due_on = DateField(_l("Plan review date"), validators=[Optional()])
    client_participation = _text_field(_l("How the client took part in making the plan"))
    guardian_participated = BooleanField(_l("The guardian (or family) took part"))
    safety_warning_signs = _text_field(_l("Warning signs"))
    safety_safe_places = _text_field(_l("Safe places"))
    safety_contacts = _text_field(_l("Emergency contacts"))
    safety_steps = _text_field(_l("Steps to take when in danger"))
    version = HiddenField()
    snapshot = HiddenField()

    def __init__(self, *args, domains=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._domains = list(domains)
        self._staff = list(staff)
        self.safety_fields = [self[f"safety_{name}"] for name in SAFETY_PLAN_FIELDS]
        self.row_errors = {"goals": [], "activities": []}
        self.pad()

    def pad(self, goals=0, activities=0):
        """Offer empty rows: at least MIN_ROWS, plus `goals`/`activities` more (the "add rows" buttons)."""
        for rows, more in ((self.goals, goals), (self.activities, activities)):
            self._grow(rows, max(MIN_ROWS, len(rows) + more))
        self._set_choices()

    @staticmethod
    def _grow(rows, total):
        while len(rows) < min(total, MAX_ROWS):
            rows.append_entry()

    def _set_choices(self):
        domain_choices = [("", _l("— choose —"))] + [
            (code, cat.label(cat.NEED_DOMAINS, code)) for code in self._domains
        ]
        goal_choices = [("", _l("— none —"))] + [(str(n), _l("Goal %(n)s", n=n)) for n in range(1, len(self.goals) + 1)]
        service_choices = cat.choices(cat.SERVICE_TYPES, blank=_l("— choose —"))
        staff_choices = [("", _l("— nobody chosen —"))] + [(str(u.id), u.full_name) for u in people_sorted(self._staff)]
        status_choices = list(ACTIVITY_STATUSES.items())
        for entry in self.goals:
            entry.form.need_domain.choices = domain_choices
        for entry in self.activities:
            row = entry.form
            row.goal.choices = goal_choices
            row.service_type.choices = service_choices
            row.responsible_user_id.choices = staff_choices
            row.status.choices = status_choices

    def fill(self, data):
        """Start from a plan's data (compare.plan_data): a new version, or the draft being edited."""
        while len(self.goals):
            self.goals.pop_entry()
        while len(self.activities):
            self.activities.pop_entry()
        for goal in data["goals"][:MAX_ROWS]:
            self.goals.append_entry(goal)
        for activity in data["activities"][:MAX_ROWS]:
            values = dict(activity)
            values["goal"] = str(values["goal"]) if values.get("goal") else ""
            values["responsible_user_id"] = (
                str(values["responsible_user_id"]) if values.get("responsible_user_id") else ""
            )
            self.activities.append_entry(values)
        self.review_due_on.data = data.get("review_due_on")
        self.client_participation.data = data.get("client_participation") or ""
        self.guardian_participated.data = bool(data.get("guardian_participated"))
        for name, f in zip(SAFETY_PLAN_FIELDS, self.safety_fields, strict=True):
            f.data = (data.get("safety_plan") or {}).get(name) or ""
        self.pad(EXTRA_ROWS, EXTRA_ROWS)

    def service_data(self):
        """The filled rows only; an activity's goal is renumbered to the goals kept."""
        goals, numbers = [], {}
        for n, entry in enumerate(self.goals, start=1):
            row = entry.form
            if row.is_blank():
                continue
            goals.append(
                {
                    "need_domain": row.need_domain.data,
                    "description": row.description.data,
                    "target_on": row.target_on.data,
                }
            )
            numbers[str(n)] = len(goals)
        activities = []
        for entry in self.activities:
            row = entry.form
            if row.is_blank():
                continue
            goal = numbers.get(row.goal.data, 0) if row.goal.data else None  # 0: an empty goal row, refused
            user_id = row.responsible_user_id.data
            activities.append(
                {
                    "goal": goal,
                    "service_type": row.service_type.data,
                    "description": row.description.data,
                    "responsible_user_id": parse_id(user_id),
                    "responsible_org": row.responsible_org.data,
                    "start_on": row.start_on.data,
                    "due_on": row.due_on.data,
                    "status": row.status.data,
                }
            )
        return {
            "goals": goals,
            "activities": activities,
            "review_due_on": self.review_due_on.data,
            "client_participation": self.client_participation.data,
            "guardian_participated": bool(self.guardian_participated.data),
            "safety_plan": {name: f.data for name, f in zip(SAFETY_PLAN_FIELDS, self.safety_fields, strict=True)},
        }


# --- approval decision ------------------------------------------------------------------------------------


class DecisionForm(BaseForm):
    """Approve, or return with a comment. Prefixed with the approval's id: several on one page."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), max_length(TEXT_MAX)])
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Return for changes"))
    next = HiddenField()

    def __init__(self, *args, approval_id, **kwargs):
        super().__init__(*args, prefix=f"a{approval_id}", **kwargs)


def goal_outcome_prefix(goal_id) -> str:
    """The names of a goal's outcome fields (g<id>-outcome …): one form per goal on the case page."""
    return f"g{goal_id}"


class GoalOutcomeForm(BaseForm):
    """The outcome of one goal of the approved plan: how far it was reached, a note, the day it was
    assessed (today unless said otherwise). `version`: the goal's version the user started from;
    `next`: the page to go back to (the case page or the closure checklist)."""

    outcome = SelectField(_l("Outcome"), validate_choice=False)
    note = TextAreaField(_l("Note on the outcome"), validators=[Optional(), max_length(GOAL_NOTE_MAX)])
    assessed_on = DateField(_l("Date assessed"), validators=[Optional()])
    version = HiddenField()
    next = HiddenField()

    def __init__(self, *args, goal_id, **kwargs):
        super().__init__(*args, prefix=goal_outcome_prefix(goal_id), **kwargs)
        self.outcome.choices = [("", _l("— choose —")), *GOAL_OUTCOMES.items()]

    def fill(self, goal, *, today, next_url) -> None:
        self.outcome.data = goal.outcome or ""
        self.note.data = goal.outcome_note or ""
        self.assessed_on.data = goal.outcome_on or today
        self.version.data = goal.version
        self.next.data = next_url


__all__ = [
    "AssessmentForm",
    "PlanForm",
    "GoalRow",
    "ActivityRow",
    "DecisionForm",
    "GoalOutcomeForm",
    "goal_outcome_prefix",
    "ADD_ROWS",
]
