"""Reads of the outbox for the administrators' mail page: small bounded reads on the status index."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..extensions import db
from ..security.rules import sees_every_facility
from ..security.scopes import own_facility
from .models import MailStatus, OutboxMail

COUNT_CAP = 999  # the page shows "999+" beyond: a bounded read, never a COUNT over the whole outbox
RECENT = 20


def status_count(status):
    """How many e-mails have this status, up to COUNT_CAP + 1 (index on status, next_attempt_at)."""
    ids = db.session.scalars(sa.select(OutboxMail.id).where(OutboxMail.status == status).limit(COUNT_CAP + 1)).all()
    return len(ids)


def waiting(limit=RECENT):
    """The queued e-mails (and those being sent) that wait longest."""
    return db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.status.in_(("queued", "sending")))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    ).all()


def failed(limit=RECENT):
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.status == MailStatus.FAILED).order_by(OutboxMail.id.desc()).limit(limit)
    ).all()


def _capped(n):
    return str(n) if n <= COUNT_CAP else f"{COUNT_CAP}+"


def outbox_counts(user):
    """The outbox's queue for the scheduler page (reminders.views): (label, number) pairs — the
    whole outbox for administrators, the e-mails to the user's facility's staff for others."""

    def count(status):
        stmt = sa.select(OutboxMail.id).where(OutboxMail.status == status)
        if not sees_every_facility(user):
            stmt = stmt.join(User, User.id == OutboxMail.user_id).where(own_facility(User.facility_id, user))
        return len(db.session.scalars(stmt.limit(COUNT_CAP + 1)).all())

    return [
        (_l("Queued"), _capped(count("queued"))),
        (_l("Being sent"), _capped(count("sending"))),
        (_l("Failed"), _capped(count("failed"))),
    ]
