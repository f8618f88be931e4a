"""Labels of the referral and transfer states and of their timeline events (UI language).
The domain code lists (provider kinds, service types) are in core.categories."""

from flask_babel import lazy_gettext as _l

REFERRAL_STATUS_LABELS = {
    "sent": _l("Sent, awaiting an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "revoked": _l("Revoked"),
}

TRANSFER_STATUS_LABELS = {
    "pending": _l("Awaiting the receiving facility"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}

# Case timeline: the kinds of CaseEvent this domain writes (cases/views.py EVENT_LABELS may merge these).
EVENT_LABELS = {
    "referral_sent": _l("Referral sent"),
    "referral_accepted": _l("Referral accepted"),
    "referral_declined": _l("Referral declined"),
    "referral_completed": _l("Referral completed"),
    "referral_revoked": _l("Referral revoked"),
    "referral_escalated": _l("Overdue referral escalated to the supervisor"),
    "transfer_requested": _l("Transfer to another facility requested"),
    "transfer_accepted": _l("Transfer accepted: the case moved to another facility"),
    "transfer_declined": _l("Transfer declined"),
    "transfer_cancelled": _l("Transfer request cancelled"),
}


def referral_status_label(code):
    return REFERRAL_STATUS_LABELS.get(code, code)


def transfer_status_label(code):
    return TRANSFER_STATUS_LABELS.get(code, code)
