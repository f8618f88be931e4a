"""Scheduler entry point of the register import: a large file written outside the request.

run_import_jobs(now) is called by the scheduler's tick (reminders.jobs.scheduled_tick). A queued
batch (or one left "committing" by a killed process for longer than CLAIM_LEASE) is claimed with a
conditional UPDATE committed at once, so two ticks never write the same batch; its rows are then
written CHUNK at a time as the user who committed it, each chunk committed with the progress the
batch's page shows, so a crash resumes after the last chunk stored. A failure marks the batch failed
with the error's type.
"""

import logging
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from ...auth.models import User
from ...core.timeutil import utcnow
from ...extensions import db
from . import services
from .models import BatchStatus, ImportBatch

log = logging.getLogger("caseapp.register")

CHUNK = 500
CLAIM_LEASE = timedelta(minutes=30)


def run_import_jobs(now: datetime | None = None) -> int:
    """Write every claimable batch; the number written."""
    now = now or utcnow()
    written = 0
    while (batch_id := _claim(now)) is not None:
        _run(batch_id)
        written += 1
    return written


def _claim(now: datetime) -> int | None:
    claimable = sa.or_(
        ImportBatch.status == BatchStatus.QUEUED,
        sa.and_(ImportBatch.status == BatchStatus.COMMITTING, ImportBatch.claimed_at < now - CLAIM_LEASE),
    )
    batch_id = db.session.scalar(sa.select(ImportBatch.id).where(claimable).order_by(ImportBatch.id).limit(1))
    if batch_id is None:
        return None
    result = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id, claimable)
            .values(status=BatchStatus.COMMITTING, claimed_at=now, version=ImportBatch.version + 1)
        ),
    )
    claimed = result.rowcount
    db.session.commit()
    return batch_id if claimed else _claim(now)


def _run(batch_id: int) -> None:
    batch = db.session.get_one(ImportBatch, batch_id)
    user = db.session.get_one(User, batch.committed_by_id)
    try:
        while services.write_rows(batch, user=user, limit=CHUNK):
            batch.claimed_at = utcnow()
            db.session.commit()
        services.finish(batch, user=user)
        db.session.commit()
    except Exception as error:  # the batch is marked failed; the scheduler goes on
        db.session.rollback()
        log.exception("register import %s failed", batch_id)
        db.session.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(status=BatchStatus.FAILED, error=type(error).__name__[:255], version=ImportBatch.version + 1)
        )
        db.session.commit()
