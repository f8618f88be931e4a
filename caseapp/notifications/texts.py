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
    # clients.rights.jobs: records whose retention period ran out, for the facility's supervisors (a count only)
    "retention_due": _l(
        "Client records due for anonymisation: %(count)s (their retention period after the last case closed has "
        "run out). See the page “Records due for anonymisation”."
    ),
    # auth.two_factor: an administrator removed the user's authenticator (a lost or replaced phone)
    "two_factor_reset": _l(
        "An administrator reset your two-step sign-in. You will set up your authenticator app again at your "
        "next sign-in. If you did not ask for this, tell your supervisor."
    ),
    # clients.identity: another facility registered a client with the citizen ID of one of the reader's
    # facility's clients (the other facility's name only; the page lists which client)
    "identity_match": _l(
        "A client with the same citizen ID as a client of your facility was registered at %(facility)s. See the "
        "page “Same citizen ID at another facility”."
    ),
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
