"""Sweeps: a due reminder becomes one notification, once; downtime is caught up and
marked late; an overdue item escalates to the facility's supervisors once; a sweep interrupted
between claim and commit leaves nothing half done."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from caseapp.cases.followups import services as followups
from caseapp.cases.models import CaseEvent
from caseapp.core.timeutil import as_utc, format_datetime, utcnow
from caseapp.deadlines.rules import due_at as rule_due_at
from caseapp.extensions import db
from caseapp.notifications import texts
from caseapp.reminders.jobs import sweep
from caseapp.reminders.models import Reminder, SchedulerSweep

from .. import factories
from .conftest import notifications, rows


@pytest.fixture()
def follow_up(staff, case):
    follow_up = followups.schedule_follow_up(
        case, kind="home_visit", due_at=utcnow() + timedelta(days=2), purpose="Gặp bà ngoại", by=staff.worker
    )
    db.session.commit()
    return follow_up


def test_nothing_is_sent_before_its_time(staff, follow_up):
    entry = sweep(utcnow())
    assert entry.sent == 0 and notifications(staff.worker.id, "reminder") == []


def test_a_due_reminder_becomes_one_notification_and_a_second_sweep_sends_nothing(staff, case, follow_up):
    day_before = as_utc(follow_up.due_at) - timedelta(days=1) + timedelta(seconds=30)
    first = sweep(day_before)
    assert first.sent >= 1 and first.late == 0 and first.errors == 0
    mine = [n for n in notifications(staff.worker.id, "reminder") if n.case_id == case.id]
    follow_up_reminder = next(r for r in rows(case.id, "follow_up") if r.slot == "-1d")
    assert follow_up_reminder.status == "sent" and follow_up_reminder.sent_at == day_before
    assert not follow_up_reminder.late
    assert f"reminder:{follow_up_reminder.id}" in {n.unique_key for n in mine}
    again = sweep(day_before + timedelta(minutes=1))
    assert again.sent == 0
    assert len([n for n in notifications(staff.worker.id, "reminder") if n.case_id == case.id]) == len(mine)


def test_the_notification_names_the_item_and_case_never_the_client(staff, case, follow_up):
    sweep(as_utc(follow_up.due_at) + timedelta(seconds=1))
    reminder = next(r for r in rows(case.id, "follow_up") if r.slot == "0")
    notification = next(n for n in notifications(staff.worker.id) if n.unique_key == f"reminder:{reminder.id}")
    text = texts.render(notification)
    assert case.number in text and "Lịch theo dõi" in text  # the item's kind, in the reader's language
    assert "Nguyễn Văn Khách" not in text and "Gặp bà ngoại" not in str(notification.params)


def test_the_database_writes_the_same_params_as_the_page_shows(staff, case):
    """The sweep's notifications are built by the database (jobs._reminder_notifications): the due
    time in Vietnam time as format_datetime shows it — 17:30 UTC is 00:30 the next day — and the
    reminder before the due time is 'upcoming', the one at it 'due'."""
    due = datetime(2027, 3, 9, 17, 30, tzinfo=timezone.utc)
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=due, by=staff.worker)
    db.session.commit()
    sweep(due + timedelta(seconds=1))
    by_slot = {r.slot: r for r in rows(case.id, "follow_up") if r.item_key.endswith(f":{follow_up.id}")}
    written = {n.unique_key: n for n in notifications(staff.worker.id, "reminder")}
    upcoming, at_due = written[f"reminder:{by_slot['-1d'].id}"], written[f"reminder:{by_slot['0'].id}"]
    assert (upcoming.text_key, at_due.text_key) == ("reminder_upcoming", "reminder_due")
    assert at_due.params == {"item_kind": "follow_up", "due": "10/03/2027 00:30", "number": case.number}
    assert at_due.params["due"] == format_datetime(due) and at_due.case_id == case.id
    assert at_due.created_at == due + timedelta(seconds=1)


def test_catch_up_after_three_days_down_sends_the_latest_reminder_once_marked_late(staff, case, follow_up):
    three_days_later = as_utc(follow_up.due_at) + timedelta(days=1)
    entry = sweep(three_days_later)
    sent = rows(case.id, "follow_up", "sent")
    # both fell due while down: the one at the due time replaces the "one day before"
    assert {r.slot for r in sent} == {"0"}
    assert {r.slot for r in rows(case.id, "follow_up", "cancelled")} == {"-1d"}
    assert all(r.late for r in sent)
    assert entry.late >= 1
    keys = [n.unique_key for n in notifications(staff.worker.id, "reminder")]
    assert len(keys) == len(set(keys))
    assert {f"reminder:{r.id}" for r in sent} <= set(keys)
    assert sweep(three_days_later + timedelta(minutes=1)).sent == 0


def test_overdue_item_escalates_to_the_facility_supervisors_once(staff, case, follow_up):
    second_supervisor = factories.make_user(role="supervisor", facility=staff.facility)
    escalation = next(r for r in rows(case.id, "follow_up") if r.slot == "escalation")
    assert as_utc(escalation.remind_at) == rule_due_at("escalation", as_utc(follow_up.due_at))
    sweep(as_utc(escalation.remind_at) - timedelta(minutes=1))
    assert notifications(kind="reminder_escalation") == []
    sweep(as_utc(escalation.remind_at) + timedelta(minutes=1))
    sweep(as_utc(escalation.remind_at) + timedelta(minutes=2))
    told = [
        n for n in notifications(kind="reminder_escalation") if n.unique_key.startswith(f"reminder:{escalation.id}:")
    ]
    assert sorted(n.user_id for n in told) == sorted([staff.supervisor.id, second_supervisor.id])
    assert staff.outsider.id not in {n.user_id for n in notifications(kind="reminder_escalation")}
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "reminder_escalated")
        )
        >= 1
    )


def test_high_risk_case_escalates_after_one_working_day(staff):
    case = factories.make_case(staff.facility, worker=staff.worker, urgency="high", status="implementation")
    follow_up = followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(days=2), by=staff.worker)
    db.session.commit()
    escalation = next(r for r in rows(case.id, "follow_up") if r.slot == "escalation")
    assert as_utc(escalation.remind_at) == rule_due_at("escalation", as_utc(follow_up.due_at), variant="urgent")


def test_done_follow_up_is_not_reminded(staff, case, follow_up):
    followups.record_outcome(follow_up, case, done_at=utcnow(), outcome="Đã gọi điện.", by=staff.worker)
    db.session.commit()
    sweep(as_utc(follow_up.due_at) + timedelta(days=10))
    ids = {r.id for r in rows(case.id, "follow_up")}
    assert not [
        n for n in notifications() if n.unique_key.split(":")[1].isdigit() and int(n.unique_key.split(":")[1]) in ids
    ]


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the sweep catches it."""


def test_sweep_interrupted_between_claim_and_commit_loses_and_duplicates_nothing(staff, case, follow_up):
    moment = as_utc(follow_up.due_at) + timedelta(minutes=1)
    claimed = []

    def die():
        claimed.append(True)
        raise Killed()

    with pytest.raises(Killed):
        sweep(moment, after_claim=die)
    db.session.rollback()
    assert claimed
    # the "one day before", due at the same sweep, was replaced by the one at the due time
    assert {r.slot: r.status for r in rows(case.id, "follow_up") if r.slot != "escalation"} == {
        "-1d": "cancelled",
        "0": "pending",
    }
    assert notifications(staff.worker.id, "reminder") == []
    sweep(moment)
    sent = rows(case.id, "follow_up", "sent")
    assert {r.slot for r in sent} == {"0"}
    keys = [n.unique_key for n in notifications(staff.worker.id, "reminder")]
    assert len(keys) == len(set(keys)) and {f"reminder:{r.id}" for r in sent} <= set(keys)


def test_a_failing_batch_is_retried_row_by_row_and_logged(staff, case, follow_up):
    calls = []

    def fail_once():
        calls.append(True)
        if len(calls) == 1:
            raise RuntimeError("simulated failure")

    entry = sweep(as_utc(follow_up.due_at) + timedelta(minutes=1), after_claim=fail_once)
    assert entry.errors == 1 and "simulated failure" in entry.error_detail
    assert {r.slot for r in rows(case.id, "follow_up", "sent")} == {"0"}


def test_every_sweep_is_logged(follow_up):
    entry = sweep(utcnow())
    logged = db.session.get(SchedulerSweep, entry.id)
    assert logged.finished_at is not None and logged.started_at <= logged.finished_at
    assert (logged.claimed, logged.errors) == (logged.sent, 0)


def test_big_backlog_is_sent_in_batches(staff, case):
    now = utcnow()
    for n in range(7):
        followups.schedule_follow_up(case, kind="phone", due_at=now + timedelta(hours=30 + n), by=staff.worker)
    db.session.commit()
    entry = sweep(now + timedelta(days=3), batch_size=3)
    assert entry.sent == db.session.scalar(
        sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status == "sent")
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status == "claimed")) == 0
    assert len(rows(case.id, "follow_up", "sent")) == 7  # one per follow-up: the one at its due time


def test_batch_notifications_are_written_once_per_unique_key(staff, case):
    from caseapp.notifications.services import notify, notify_many

    notify(
        staff.worker.id,
        "reminder",
        case,
        "reminder_due",
        unique_key="reminder:test-1",
        params={"item_kind": "follow_up", "due": "01/01/2027 08:00"},
    )
    entries = [
        {
            "user_id": staff.worker.id,
            "kind": "reminder",
            "case": case,
            "text_key": "reminder_due",
            "unique_key": key,
            "params": {"item_kind": "follow_up", "due": "01/01/2027 08:00"},
        }
        for key in ("reminder:test-1", "reminder:test-2", "reminder:test-2", "reminder:test-3")
    ]
    written = notify_many(entries)
    assert sorted(n.unique_key for n in written) == ["reminder:test-2", "reminder:test-3"]
    assert notify_many(entries) == []
    keys = [n.unique_key for n in notifications(staff.worker.id) if n.unique_key.startswith("reminder:test-")]
    assert sorted(keys) == ["reminder:test-1", "reminder:test-2", "reminder:test-3"]
    assert all(n.params["number"] == case.number for n in written)
