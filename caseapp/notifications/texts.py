"""What a notification says, by its text_key: English msgids with the params stored on the row.
Params hold case numbers and dates only — a notification never carries a client's name."""
from collections import defaultdict

from flask_babel import lazy_gettext as _l

TEXTS = {
    "case_assigned": _l("Case %(number)s was assigned to you."),
    "case_flagged": _l("A supervisor flagged case %(number)s to you (due %(due)s)."),
    "flag_resolved": _l("The flag on case %(number)s was resolved."),
}
UNKNOWN = _l("Notification")


def render(notification):
    """The notification's sentence in the user's language; a missing param shows as an empty string."""
    template = TEXTS.get(notification.text_key)
    if template is None:
        return str(UNKNOWN)
    return str(template) % defaultdict(str, notification.params or {})
