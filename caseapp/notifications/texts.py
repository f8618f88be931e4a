"""What a notification says, by its text_key: English msgids with the params stored on the row.
Params hold case numbers and dates only — a notification never carries a client's name."""

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from ..deadlines.items import KINDS

TEXTS = {
    "case_assigned": _l("Case %(number)s was assigned to you."),
    "case_flagged": _l("A supervisor flagged case %(number)s to you (due %(due)s)."),
    "flag_resolved": _l("The flag on case %(number)s was resolved."),
    # reminders.jobs: %(item)s is the due item's kind (deadlines.items.KINDS), shown in the reader's language
    "reminder_upcoming": _l("Reminder: %(item)s of case %(number)s is due %(due)s."),
    "reminder_due": _l("Due now: %(item)s of case %(number)s (due %(due)s)."),
    "reminder_escalation": _l("Overdue: %(item)s of case %(number)s was due %(due)s and is still open."),
    # reports.jobs: a report file made in the background
    "report_export_ready": _l(
        "The %(format)s file of the report %(period)s is ready; it can be downloaded for %(days)s days."
    ),
    # reports.deadlines.remind: a report the unit sends by a fixed day (title, recipient, due dd/mm/yyyy)
    "report_due_soon": _l("%(title)s to %(recipient)s, due %(due)s: %(days)s days left."),
    "report_due_today": _l("%(title)s to %(recipient)s, due %(due)s: due today."),
    "report_overdue": _l("%(title)s to %(recipient)s, due %(due)s: overdue, not recorded as sent."),
}
UNKNOWN = _l("Notification")


def render(notification):
    """The notification's sentence in the user's language; a missing param shows as an empty string."""
    template = TEXTS.get(notification.text_key)
    if template is None:
        return str(UNKNOWN)
    values = defaultdict(str, notification.params or {})
    if values.get("item_kind"):
        values["item"] = str(KINDS.get(values["item_kind"], values["item_kind"]))
    return str(template) % values
