"""Reminders come in the order of their offsets, one per moment: an item due sooner than an offset gets
only the reminders still ahead, and a sweep that finds several reminders of one item due at once (after
downtime) issues the latest alone — never "one day before" after "due now", never two at once."""

from datetime import datetime, timedelta, timezone

import pytest

from caseapp.cases.followups import services as followups
from caseapp.core.timeutil import as_utc, utcnow
from caseapp.deadlines.rules import reminder_moments
from caseapp.extensions import db
from caseapp.reminders.jobs import sweep
from caseapp.reminders.services import parse_offsets, sync_case_reminders

from .conftest import notifications, rows

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=timezone.utc)
OFFSETS = parse_offsets("-1d,-2h,0")


def schedule(case, worker, due):
    follow_up = followups.schedule_follow_up(case, kind="home_visit", due_at=due, by=worker)
    db.session.commit()
    return follow_up


def follow_up_notices(user_id):
    return [n.text_key for n in notifications(user_id, "reminder") if (n.params or {}).get("item_kind") == "follow_up"]


def personal(case_id, status=None):
    return sorted(
        (r for r in rows(case_id, "follow_up", status) if r.slot != "escalation"), key=lambda r: as_utc(r.remind_at)
    )


@pytest.mark.parametrize(
    ("due_in", "expected"),
    [
        (timedelta(days=3), ["-1d", "-2h", "0"]),
        (timedelta(hours=5), ["-2h", "0"]),
        (timedelta(hours=1), ["0"]),
        (timedelta(0), ["0"]),
    ],
)
def test_only_the_moments_still_ahead_are_kept(due_in, expected):
    moments = reminder_moments(NOW + due_in, OFFSETS, NOW)
    assert [slot for slot, _at in moments] == expected
    assert [at for _slot, at in moments] == sorted({at for _slot, at in moments})  # in order, none twice


def test_an_overdue_item_gets_one_reminder_now():
    assert reminder_moments(NOW - timedelta(hours=3), OFFSETS, NOW) == [("0", NOW)]


def test_item_due_in_hours_gets_one_reminder_at_its_due_time_and_one_notification(staff, case):
    due = utcnow() + timedelta(hours=6)
    schedule(case, staff.worker, due)
    assert [(r.slot, as_utc(r.remind_at)) for r in personal(case.id)] == [("0", as_utc(due))]
    sweep(utcnow() + timedelta(minutes=1))
    assert follow_up_notices(staff.worker.id) == []  # nothing "one day before" sent now
    sweep(due + timedelta(minutes=1))
    assert follow_up_notices(staff.worker.id) == ["reminder_due"]


def test_moving_an_item_closer_drops_the_reminder_no_longer_ahead(staff, case):
    follow_up = schedule(case, staff.worker, utcnow() + timedelta(days=3))
    assert [r.slot for r in personal(case.id, "pending")] == ["-1d", "0"]
    sooner = utcnow() + timedelta(hours=4)
    followups.reschedule_follow_up(follow_up, case, due_at=sooner, by=staff.worker)
    db.session.commit()
    pending = personal(case.id, "pending")
    assert [(r.slot, as_utc(r.remind_at)) for r in pending] == [("0", as_utc(sooner))]


def test_time_passing_does_not_cancel_a_reminder_already_planned(staff, case):
    due = utcnow() + timedelta(days=2)
    schedule(case, staff.worker, due)
    planned = {r.slot: r.id for r in personal(case.id, "pending")}
    # the scheduler was down at the "one day before" moment; an unrelated change syncs the case meanwhile
    sync_case_reminders(case.id, now=due - timedelta(hours=20))
    db.session.commit()
    assert {r.slot: r.id for r in personal(case.id, "pending")} == planned


def test_after_downtime_one_reminder_per_item_in_the_right_order(staff, case):
    due = utcnow() + timedelta(days=2)
    schedule(case, staff.worker, due)
    entry = sweep(due + timedelta(hours=1))  # both "-1d" and "0" fell due while the scheduler was down
    assert follow_up_notices(staff.worker.id) == ["reminder_due"]
    assert entry.sent >= 1
    assert [r.slot for r in personal(case.id, "sent")] == ["0"]
    assert [r.slot for r in personal(case.id, "cancelled")] == ["-1d"]
