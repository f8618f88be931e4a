"""`flask scheduler run` (the one scheduler process) and `flask reminders tick|sync` (one sweep, for
cron and tests; the first sync of existing cases). Never started by create_app() or gunicorn."""

import logging
import signal
import time
from datetime import datetime, timezone

import click
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ..extensions import db
from ..mail.jobs import deliver
from .jobs import scheduled_tick, sweep
from .services import sync_all

log = logging.getLogger("caseapp.reminders")

# pg_advisory_lock key of the scheduler: "caseapp scheduler" as a 63-bit number (any constant would do).
ADVISORY_LOCK_KEY = 0x6361736561707073
INTERVAL_SECONDS = 60


def parse_now(value):
    """--now: ISO-8601; without a zone it is UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO-8601 time: {value}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def take_scheduler_lock(engine):
    """PostgreSQL: a session-level advisory lock on a connection kept open for the scheduler's life,
    so a second `flask scheduler run` finds it taken. Returns the connection (None: taken), or
    "sqlite" — there the claims (conditional UPDATEs under SQLite's single writer) are the guard."""
    if engine.dialect.name != "postgresql":
        return "sqlite"
    connection = engine.connect()
    connection.detach()  # closing it ends the database session, and with it the lock
    got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
    connection.commit()
    if not got:
        connection.close()
        return None
    return connection


def build_scheduler(app):
    """APScheduler 3 BlockingScheduler with ONE interval job: every minute, runs missed while the
    process was busy or down are coalesced into one run (coalesce, no misfire limit), never two at
    once (max_instances=1); the first run is at start, so downtime is caught up at once."""

    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(
        scheduled_tick,
        IntervalTrigger(seconds=INTERVAL_SECONDS, timezone=timezone.utc),
        args=[app],
        id="reminders_sweep",
        name="reminders sweep and mail delivery",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=datetime.now(timezone.utc),
        replace_existing=True,
    )
    return scheduler


def register(app):
    @app.cli.group("scheduler")
    def scheduler_group():
        """The one scheduler process (reminders and e-mail)."""

    @scheduler_group.command("run")
    @click.option(
        "--wait/--no-wait", default=False, help="PostgreSQL: wait for another scheduler to stop instead of exiting."
    )
    def scheduler_run(wait):
        """Run the scheduler in the foreground until stopped (systemd: see README)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        lock = take_scheduler_lock(db.engine)
        while lock is None and wait:
            time.sleep(INTERVAL_SECONDS)
            lock = take_scheduler_lock(db.engine)
        if lock is None:
            click.echo("Another scheduler holds the lock: this one exits (nothing to do).", err=True)
            log.warning("scheduler: another scheduler is running; exiting")
            raise SystemExit(0)
        click.echo("Scheduler running: one sweep a minute (Ctrl+C to stop).")
        scheduler = build_scheduler(app)
        # systemd stops with SIGTERM: finish the running sweep (its batch commits or rolls back), then exit.
        signal.signal(signal.SIGTERM, lambda *_args: scheduler.shutdown(wait=False))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if lock != "sqlite":
                lock.close()

    @app.cli.group("reminders")
    def reminders_group():
        """Reminder rows and sweeps."""

    @reminders_group.command("tick")
    @click.option("--now", "now_text", default=None, help="Sweep as of this ISO-8601 time (default: now).")
    def reminders_tick(now_text):
        """Run one sweep (and the mail delivery) and print what it did."""
        now = parse_now(now_text)
        entry = sweep(now)
        click.echo(
            f"sweep {entry.id}: claimed={entry.claimed} sent={entry.sent} late={entry.late} errors={entry.errors}"
        )
        deliver(entry.swept_for)
        db.session.commit()

    @reminders_group.command("sync")
    @click.option("--facility-id", type=int, default=None)
    def reminders_sync(facility_id):
        """Create or update the reminder rows of every case (after installing, or a new REMINDER_OFFSETS)."""
        count = sync_all(facility_id=facility_id)
        db.session.commit()
        click.echo(f"synced {count} case(s)")
