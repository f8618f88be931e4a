"""The retention sweep, once a day from the scheduler's tick (reminders.jobs.scheduled_tick).

It finds the clients whose retention period has run out (retention.due_condition) and who were not
announced before, records each (RetentionNotice: the supervisors are asked once per client), and
notifies each active supervisor of the client's facility (a holder of HANDLE_DATA_REQUESTS) once,
with the number of records newly due — never a name (notifications.texts). The day's RetentionSweep row
is written first: a later tick of the same day, or a second scheduler, finds the day taken and does
nothing. One transaction, committed at the end (a failure rolls the day back, and the next tick retries).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...audit.services import record
from ...auth.models import User
from ...core.timeutil import VN_TZ, as_utc, utcnow
from ...extensions import db
from ...notifications.services import notify_many
from ...security.policy import Perm
from ...security.scopes import users_with
from ..models import Client
from .models import RetentionNotice, RetentionSweep
from .retention import default_years, due_condition, retention_years

log = logging.getLogger("caseapp.clients.rights")


def run_retention_sweep(now: datetime | None = None) -> int | None:
    """Announce the clients newly due for anonymisation on the day of `now` (Vietnam time). Returns how
    many, or None when the day's sweep had run already. Commits."""
    now = as_utc(now) if now else utcnow()
    day = now.astimezone(VN_TZ).date()
    if db.session.scalar(sa.select(RetentionSweep.id).where(RetentionSweep.day == day)) is not None:
        db.session.rollback()  # ends the read: nothing to do today
        return None
    sweep = RetentionSweep(day=day, started_at=now)
    try:
        db.session.add(sweep)
        db.session.flush()  # the day is taken here, or a second scheduler took it meanwhile
    except IntegrityError:
        db.session.rollback()
        return None
    announced = sa.exists().where(RetentionNotice.client_id == Client.id)
    due = db.session.execute(
        sa.select(Client.id, Client.facility_id)
        .where(due_condition(day, retention_years(), default_years()), ~announced)
        .order_by(Client.facility_id, Client.id)
    ).all()
    by_facility: dict[int, list[int]] = defaultdict(list)
    for client_id, facility_id in due:
        by_facility[facility_id].append(client_id)
    if due:
        db.session.execute(
            sa.insert(RetentionNotice),
            [{"client_id": c, "facility_id": f, "notified_at": now} for c, f in due],
        )
    for facility_id, client_ids in by_facility.items():
        _ask_supervisors(facility_id, client_ids, day, now)
    sweep.found = len(due)
    db.session.commit()
    if due:
        log.info("retention sweep %s: %d records due", day.isoformat(), len(due))
    return len(due)


def _ask_supervisors(facility_id: int, client_ids: list[int], day, now: datetime) -> None:
    supervisors = db.session.scalars(
        sa.select(User.id).where(
            User.facility_id == facility_id, User.active.is_(True), users_with(Perm.HANDLE_DATA_REQUESTS)
        )
    ).all()
    notify_many(
        [
            {
                "user_id": user_id,
                "kind": "retention_due",
                "case": None,
                "text_key": "retention_due",
                "params": {"count": len(client_ids)},
                "unique_key": f"retention:{facility_id}:{day.isoformat()}:u{user_id}",
                "at": now,
            }
            for user_id in supervisors
        ]
    )
    record(
        "retention_due_announced",
        by=None,
        entity_type="facilities",
        entity_id=facility_id,
        facility_id=facility_id,
        detail={"client_ids": client_ids, "supervisors": len(supervisors)},
    )
