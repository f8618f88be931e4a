"""Forms of the caseload review: reassigning cases (one from the case page, many from the facility
list), flagging a case to a worker, resolving a flag. Worker choices are set in __init__."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField

from ...core.forms import BaseForm, max_length, required
from ...core.text import people_sorted
from .services import FLAG_NOTE_MAX, RESOLUTION_MAX


def _worker_choices(workers, blank):
    return [("", blank)] + [(str(w.id), w.full_name) for w in people_sorted(workers)]


class ReassignForm(BaseForm):
    """One case, from its page."""

    worker = SelectField(_l("New worker"), validators=[required()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.worker.choices = _worker_choices(workers, _l("Choose a worker"))

    @property
    def worker_id(self):
        return int(self.worker.data) if (self.worker.data or "").isdecimal() else None


class BulkReassignForm(ReassignForm):
    """Several cases ticked on the facility case list (the checkboxes name this form's id)."""

    case_ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()

    @property
    def selected_ids(self):
        return sorted(set(self.case_ids.data or []))


class FlagForm(BaseForm):
    to_worker = SelectField(_l("Flag to"), validators=[required()])
    note = TextAreaField(_l("What should the worker look at?"), validators=[required(), max_length(FLAG_NOTE_MAX)])
    due_on = DateField(_l("Due by"), validators=[required()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_worker.choices = _worker_choices(workers, _l("Choose a worker"))

    @property
    def to_worker_id(self):
        return int(self.to_worker.data) if (self.to_worker.data or "").isdecimal() else None


class ResolveFlagForm(BaseForm):
    resolution_note = TextAreaField(_l("What was done"), validators=[required(), max_length(RESOLUTION_MAX)])
