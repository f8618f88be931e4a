"""Scheduler entry point of the mail domain (called by the reminders sweep job after each sweep)."""


def deliver(now):
    """Send what is due in the outbox and the digests due at `now`. Returns counts for the sweep log."""
    return {}
