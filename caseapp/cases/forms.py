"""Forms of the case lists and the case page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..core import categories
from ..core.forms import BaseForm, CursorField, max_length, required
from ..core.text import people_sorted
from .queries import SORTS, UNASSIGNED, CaseFilters
from .services import NOTE_MAX_LENGTH


class CaseFilterForm(BaseForm):
    """The GET filters of "Hồ sơ của tôi" and "Hồ sơ của cơ sở" (a dashboard can link to the same URLs)."""

    class Meta:
        csrf = False  # a GET filter form

    status = SelectField(_l("Status"), default="open", validators=[Optional()])
    worker = SelectField(_l("Worker"), default="", validators=[Optional()])
    urgency = SelectField(_l("Urgency"), default="", validators=[Optional()])
    case_type = SelectField(_l("Case type"), default="", validators=[Optional()])
    group = SelectField(_l("Beneficiary group"), default="", validators=[Optional()])
    opened_from = DateField(_l("Opened from"), validators=[Optional()])
    opened_to = DateField(_l("Opened to"), validators=[Optional()])
    intake_incomplete = BooleanField(_l("Intake record incomplete"))
    high_risk = BooleanField(_l("High risk"))
    overdue_follow_up = BooleanField(_l("Follow-up overdue"))
    awaiting_referral = BooleanField(_l("Referral awaiting an answer"))
    no_contact_days = IntegerField(
        _l("No contact for at least (days)"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
    sort = SelectField(_l("Sort"), default="newest", validators=[Optional()])
    after = CursorField()

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("open", _l("Open (not closed)")), ("all", _l("All"))] + categories.choices(
            categories.CASE_STATUSES
        )
        if workers is None:
            del self.worker
        else:
            self.worker.choices = [("", _l("All")), (UNASSIGNED, _l("Not assigned"))] + [
                (str(u.id), u.full_name) for u in people_sorted(workers)
            ]
        self.urgency.choices = categories.choices(categories.URGENCY, blank=_l("All"))
        self.case_type.choices = categories.choices(categories.CASE_TYPES, blank=_l("All"))
        self.group.choices = categories.choices(categories.BENEFICIARY_GROUPS, blank=_l("All"))
        self.sort.choices = [("newest", _l("Newest first")), ("oldest", _l("Oldest first"))]

    def validate_opened_to(self, field):
        if field.data and self.opened_from.data and field.data < self.opened_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    @property
    def sort_key(self):
        return self.sort.data if self.sort.data in SORTS else "newest"

    def filters(self, scope):
        """The validated choices as query filters."""
        worker = self.worker.data if self.worker is not None else ""
        return CaseFilters(
            scope=scope,
            status=None if self.status.data in (None, "", "all") else self.status.data,
            worker_id=int(worker) if worker and worker.isdecimal() else None,
            unassigned=worker == UNASSIGNED,
            urgency=self.urgency.data or None,
            case_type=self.case_type.data or None,
            group=self.group.data or None,
            opened_from=self.opened_from.data,
            opened_to=self.opened_to.data,
            intake_incomplete=bool(self.intake_incomplete.data),
            high_risk=bool(self.high_risk.data),
            no_contact_days=self.no_contact_days.data or None,
            overdue_follow_up=bool(self.overdue_follow_up.data),
            awaiting_referral=bool(self.awaiting_referral.data),
        )


class NoteForm(BaseForm):
    text = TextAreaField(_l("New note"), validators=[required(), max_length(NOTE_MAX_LENGTH)])
