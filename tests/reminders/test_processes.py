"""Real processes against a real, committed database of the test's own:
two `flask reminders tick` at once issue every reminder exactly once; a sweep process killed
between its claim and its commit leaves nothing duplicated and nothing lost; the web app never
starts a scheduler."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.reminders.models import Reminder, SchedulerSweep

from .. import factories
from ..conftest import app_on_own_database, dispose

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1800


@pytest.fixture(scope="module")
def own_db():
    app = app_on_own_database("reminders_procs")
    yield app, app.config["SQLALCHEMY_DATABASE_URI"]
    dispose(app)


def environment(url):
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi.py", FLASK_ENV="development")
    env.pop("TEST_DATABASE_URL", None)
    return env


def seed_due_reminders(app, count, due):
    """A case with `count` reminders already due at `due`, committed; returns the case id."""
    with app.app_context():
        facility = factories.make_facility()
        worker = factories.make_user(facility=facility)
        factories.make_user(role="supervisor", facility=facility)
        case = factories.make_case(facility, worker=worker)
        db.session.commit()
        db.session.execute(
            sa.insert(Reminder),
            [
                dict(
                    case_id=case.id,
                    facility_id=facility.id,
                    item_kind="follow_up",
                    item_key=f"follow_up:{case.id}:{n}",
                    slot="0",
                    user_id=worker.id,
                    due_at=due,
                    remind_at=due,
                    status="pending",
                    late=False,
                    created_at=due,
                )
                for n in range(count)
            ],
        )
        db.session.commit()
        case_id = case.id
        db.session.remove()
        return case_id


def outcome(app, case_id):
    with app.app_context():
        reminders = db.session.execute(
            sa.select(Reminder.id, Reminder.status).where(
                Reminder.case_id == case_id, Reminder.item_key.like("follow_up:%")
            )
        ).all()
        keys = db.session.scalars(
            sa.select(Notification.unique_key).where(Notification.case_id == case_id, Notification.kind == "reminder")
        ).all()
        db.session.remove()
        return reminders, keys


def tick(url, now):
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "reminders", "tick", "--now", now.isoformat()],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_ticks_issue_every_reminder_exactly_once(own_db):
    app, url = own_db
    due = utcnow() - timedelta(minutes=1)
    case_id = seed_due_reminders(app, ROWS, due)
    first, second = tick(url, utcnow()), tick(url, utcnow())
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    reminders, keys = outcome(app, case_id)
    assert len(reminders) == ROWS
    assert {status for _id, status in reminders} == {"sent"}
    assert len(keys) == len(set(keys)) == ROWS  # one notification each, never two
    assert set(keys) == {f"reminder:{rid}" for rid, _status in reminders}
    with app.app_context():
        sweeps = db.session.scalars(sa.select(SchedulerSweep).order_by(SchedulerSweep.id.desc()).limit(2)).all()
        assert sum(s.sent for s in sweeps) >= ROWS and all(s.errors == 0 for s in sweeps)
        db.session.remove()


KILLABLE_SWEEP = """
import sys, time
from datetime import datetime
from caseapp import create_app
from caseapp.reminders.jobs import sweep

app = create_app()
def hold():
    print("CLAIMED", flush=True)
    time.sleep(120)
with app.app_context():
    sweep(datetime.fromisoformat(sys.argv[1]), after_claim=hold)
"""


def test_sweep_killed_between_claim_and_commit_loses_and_duplicates_nothing(own_db):
    app, url = own_db
    due = utcnow() - timedelta(minutes=1)
    case_id = seed_due_reminders(app, 40, due)
    now = utcnow()
    with subprocess.Popen(
        [sys.executable, "-c", KILLABLE_SWEEP, now.isoformat()],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as victim:
        timer = threading.Timer(120, victim.kill)  # never hang the run if it fails to claim
        timer.start()
        try:
            line = victim.stdout.readline()
            assert line.strip() == "CLAIMED", victim.stderr.read()
            os.kill(victim.pid, signal.SIGKILL)  # dies holding its claims, uncommitted
            victim.wait(timeout=30)
        finally:
            timer.cancel()
    reminders, keys = outcome(app, case_id)
    assert {status for _id, status in reminders} == {"pending"}  # the claim died with the process
    assert keys == []

    survivor = tick(url, utcnow())
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err
    reminders, keys = outcome(app, case_id)
    assert {status for _id, status in reminders} == {"sent"}
    assert sorted(keys) == sorted(f"reminder:{rid}" for rid, _status in reminders)


def test_creating_the_app_starts_no_scheduler_thread():
    code = (
        "import threading\n"
        "from caseapp import create_app\n"
        "before = {t.name for t in threading.enumerate()}\n"
        "app = create_app()\n"
        "import wsgi\n"
        "after = [t.name for t in threading.enumerate() if t.name not in before]\n"
        "print(repr(after))\n"
    )
    env = dict(os.environ, FLASK_ENV="development", DATABASE_URL="sqlite://")
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_second_scheduler_on_postgresql_finds_the_lock_taken(own_db):
    app, url = own_db
    from caseapp.reminders.cli import take_scheduler_lock

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert take_scheduler_lock(db.engine) == "sqlite"  # SQLite: the claims are the guard
            return
        first = take_scheduler_lock(db.engine)
        try:
            assert first is not None
            other = sa.create_engine(url)
            try:
                assert take_scheduler_lock(other) is None
            finally:
                other.dispose()
        finally:
            first.close()
        again = take_scheduler_lock(db.engine)
        assert again is not None
        again.close()


def test_scheduler_run_sweeps_at_start_and_a_second_one_does_no_harm(own_db):
    app, url = own_db
    with app.app_context():
        last = db.session.scalar(sa.select(sa.func.max(SchedulerSweep.id))) or 0
        postgres = db.engine.dialect.name == "postgresql"
        db.session.remove()
    with subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", "run"],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as scheduler:
        try:
            assert scheduler.stdout.readline().startswith("Scheduler running")
            swept = None
            with app.app_context():
                for _ in range(600):  # the first sweep runs at start
                    swept = db.session.scalar(
                        sa.select(SchedulerSweep.id).where(
                            SchedulerSweep.id > last, SchedulerSweep.finished_at.is_not(None)
                        )
                    )
                    db.session.rollback()
                    if swept:
                        break
                    threading.Event().wait(0.1)
                db.session.remove()
            assert swept, "the scheduler did not sweep"
            if postgres:
                second = subprocess.run(
                    [sys.executable, "-m", "flask", "scheduler", "run"],
                    cwd=ROOT,
                    env=environment(url),
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert second.returncode == 0 and "Another scheduler" in second.stderr
        finally:
            scheduler.send_signal(signal.SIGTERM)  # what systemd sends
            try:
                scheduler.wait(timeout=60)
            except subprocess.TimeoutExpired:
                scheduler.kill()
        assert scheduler.returncode == 0, scheduler.stderr.read()


def test_tick_with_now_three_days_later_catches_up_once_marked_late(own_db):
    from caseapp.cases.followups import services as followups

    app, _url = own_db
    with app.app_context():
        facility = factories.make_facility()
        worker = factories.make_user(facility=facility)
        case = factories.make_case(facility, worker=worker, status="implementation")
        follow_up = followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(hours=30), by=worker)
        db.session.commit()
        case_id, due = case.id, follow_up.due_at
        db.session.remove()
    gap_end = (due + timedelta(days=3)).isoformat()  # the scheduler was down for three days
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "tick", "--now", gap_end])
    assert first.exit_code == 0, first.output
    assert "errors=0" in first.output
    again = runner.invoke(args=["reminders", "tick", "--now", gap_end])
    assert again.exit_code == 0 and "sent=0" in again.output
    with app.app_context():
        sent = db.session.scalars(
            sa.select(Reminder).where(Reminder.case_id == case_id, Reminder.item_kind == "follow_up")
        ).all()
        assert {(r.slot, r.status, r.late) for r in sent if r.slot != "escalation"} == {
            ("-1d", "cancelled", False),  # replaced by the one at the due time, due at the same sweep
            ("0", "sent", True),
        }
        keys = db.session.scalars(sa.select(Notification.unique_key).where(Notification.case_id == case_id)).all()
        assert len(keys) == len(set(keys))
        assert {f"reminder:{r.id}" for r in sent if r.slot != "escalation" and r.status == "sent"} <= set(keys)
        db.session.remove()


def test_tick_refuses_a_now_that_is_not_iso_8601(own_db):
    app, _url = own_db
    result = app.test_cli_runner().invoke(args=["reminders", "tick", "--now", "hôm qua"])
    assert result.exit_code != 0 and "ISO-8601" in result.output
