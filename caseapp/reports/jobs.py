"""Scheduler entry point of the reports: report files made outside the request.

run_export_jobs(now) is called by the scheduler's tick (reminders.jobs.scheduled_tick, `flask
scheduler run` / `flask reminders tick`) and commits as it goes:
- claim: a conditional UPDATE queued → running with a token (PostgreSQL selects the candidates FOR
  UPDATE SKIP LOCKED), committed at once, so two ticks never make the same file; a job left
  "running" by a killed process is claimed again after CLAIM_LEASE;
- make the file as the user who asked (their scope, small cells hidden), progress committed on the
  way (10 → 50 → 100 %), put it in the file store (core.storage), mark it done with expires_at = now + 7 days,
  and notify the user (notifications.notify, one per job) — in one transaction;
- a failure marks the job failed with the error's type (the user sees it in the list);
- expired files are deleted and their jobs marked expired.
"""

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..auth.models import User
from ..core.sealing import SealedStore, sealed_files
from ..core.storage import files
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..notifications.services import notify
from . import exports
from .models import ExportJob, ExportStatus

log = logging.getLogger("caseapp.reports")

BATCH = 5
CLAIM_LEASE = timedelta(minutes=30)


def export_files():
    """Where report files are kept: every web machine serves the file the scheduler made (core.storage)."""
    return files("exports")


def sealed_export_files() -> SealedStore:
    """Report files are sealed like case documents (core.sealing), although they hold aggregates: small
    counts are hidden only where the reader may not see exact figures, a facility's own report names its
    communes and groups, and the files lie in the same store for days. One rule for every stored file is
    also simpler to check than two."""
    return sealed_files("exports")


def new_file_key(job):
    """A report file's key in the store: the job and a random part."""
    return f"{job.id}-{uuid.uuid4().hex}.{job.fmt}"


def export_content(job) -> bytes:
    """The report file of a done job, authenticated (UnreadableFile otherwise): a few MB at most."""
    return sealed_export_files().read(job.file_path, job.key_id)


def _claim(now, token):
    due = (
        sa.select(ExportJob.id)
        .where(
            sa.or_(
                ExportJob.status == ExportStatus.QUEUED,
                sa.and_(ExportJob.status == ExportStatus.RUNNING, ExportJob.started_at < now - CLAIM_LEASE),
            )
        )
        .order_by(ExportJob.created_at, ExportJob.id)
        .limit(BATCH)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        sa.update(ExportJob)
        .where(
            ExportJob.id.in_(due.scalar_subquery()),
            sa.or_(
                ExportJob.status == ExportStatus.QUEUED,
                sa.and_(ExportJob.status == ExportStatus.RUNNING, ExportJob.started_at < now - CLAIM_LEASE),
            ),
        )
        .values(status=ExportStatus.RUNNING, claim_token=token, started_at=now, progress=10)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.scalars(
        sa.select(ExportJob)
        .where(ExportJob.claim_token == token, ExportJob.status == ExportStatus.RUNNING)
        .order_by(ExportJob.id)
    ).all()


def _set_progress(job_id, percent):
    db.session.execute(
        sa.update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(progress=percent)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _run(job, now):
    user = db.session.get(User, job.user_id)
    job_id = job.id
    body, filename, _mimetype, _snapshot, _period = exports.make_file(
        job.fmt, user, job.params, progress=lambda p: _set_progress(job_id, p)
    )
    job = db.session.get(ExportJob, job_id)
    key = new_file_key(job)
    sealed = sealed_export_files().put(key, body)
    keep = timedelta(days=current_app.config.get("EXPORT_KEEP_DAYS", 7))
    job.file_path, job.file_name, job.key_id = key, filename, sealed.key_id
    job.status, job.progress, job.finished_at, job.expires_at = "done", 100, utcnow(), now + keep
    notify(
        job.user_id,
        "report_export_ready",
        None,
        "report_export_ready",
        unique_key=f"report_export:{job.id}",
        params={"period": job.label, "format": job.fmt.upper(), "days": keep.days},
        at=now,
    )
    db.session.commit()


def purge_expired(now):
    """Delete the files of jobs past their expiry; the jobs stay listed as expired."""
    rows = db.session.scalars(
        sa.select(ExportJob).where(ExportJob.status == ExportStatus.DONE, ExportJob.expires_at <= now).limit(200)
    ).all()
    for job in rows:
        if job.file_path:
            export_files().delete(job.file_path)
        job.status, job.file_path = "expired", None
    db.session.commit()
    return len(rows)


def run_export_jobs(now=None):
    """Make the queued report files; returns how many were made."""
    now = as_utc(now) if now else utcnow()
    purge_expired(now)
    made = 0
    for job in _claim(now, uuid.uuid4().hex):
        job_id = job.id
        try:
            _run(job, now)
            made += 1
        except Exception as error:  # one bad job must not hold up the others
            db.session.rollback()
            log.exception("report export %s failed", job_id)
            db.session.execute(
                sa.update(ExportJob)
                .where(ExportJob.id == job_id)
                .values(status=ExportStatus.FAILED, error=type(error).__name__[:255], finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
    return made
