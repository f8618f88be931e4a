"""Reminder rows follow their due items in the same transaction: created with the item,
moved with its due time or person, cancelled when it is done early, cancelled or the case closes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.cases.caseload.services import raise_flag, reassign_cases, resolve_flag
from caseapp.cases.followups import services as followups
from caseapp.core.timeutil import as_utc, utcnow
from caseapp.deadlines.rules import due_at as rule_due_at
from caseapp.extensions import db
from caseapp.reminders.models import Reminder
from caseapp.reminders.services import parse_offsets, sync_case_reminders

from .. import factories
from .conftest import rows


def schedule(case, worker, in_days=3, **kwargs):
    follow_up = followups.schedule_follow_up(
        case, kind="home_visit", due_at=utcnow() + timedelta(days=in_days), by=worker, **kwargs
    )
    db.session.commit()
    return follow_up


def by_slot(reminders):
    return {r.slot: r for r in reminders}


def test_offsets_are_configuration_read_as_data():
    assert parse_offsets("-1d,0") == [("-1d", timedelta(days=-1)), ("0", timedelta(0))]
    assert parse_offsets("0, -2h ,-30m,-1d") == [
        ("-1d", timedelta(days=-1)),
        ("-2h", timedelta(hours=-2)),
        ("-30m", timedelta(minutes=-30)),
        ("0", timedelta(0)),
    ]
    with pytest.raises(ValueError):
        parse_offsets("yesterday")


def test_scheduling_a_follow_up_creates_its_reminders_in_the_same_transaction(staff, case):
    follow_up = schedule(case, staff.worker)
    found = by_slot(rows(case.id, "follow_up"))
    assert set(found) == {"-1d", "0", "escalation"}
    due = as_utc(follow_up.due_at)
    assert as_utc(found["-1d"].remind_at) == due - timedelta(days=1)
    assert as_utc(found["0"].remind_at) == due
    assert found["-1d"].user_id == found["0"].user_id == staff.worker.id
    assert found["escalation"].user_id is None  # the supervisors, at send time
    # A medium-urgency case escalates 3 working days after the due time.
    assert as_utc(found["escalation"].remind_at) == rule_due_at("escalation", due)
    assert {r.status for r in found.values()} == {"pending"}
    assert found["0"].item_key == f"follow_up:{case.id}:{follow_up.id}"


def test_rolled_back_change_leaves_no_reminder_rows(staff, case):
    followups.schedule_follow_up(case, kind="phone", due_at=utcnow() + timedelta(days=2), by=staff.worker)
    db.session.rollback()
    assert rows(case.id, "follow_up") == []


def test_rescheduling_moves_the_pending_reminders(staff, case):
    follow_up = schedule(case, staff.worker)
    before = by_slot(rows(case.id, "follow_up"))
    new_due = utcnow() + timedelta(days=5)
    followups.reschedule_follow_up(follow_up, case, due_at=new_due, by=staff.worker)
    db.session.commit()
    after = by_slot(rows(case.id, "follow_up"))
    assert {slot: r.id for slot, r in after.items()} == {slot: r.id for slot, r in before.items()}  # moved
    assert as_utc(after["0"].remind_at) == as_utc(follow_up.due_at)
    assert as_utc(after["-1d"].remind_at) == as_utc(follow_up.due_at) - timedelta(days=1)
    assert {r.status for r in after.values()} == {"pending"}


def test_follow_up_done_early_cancels_its_reminders(staff, case):
    follow_up = schedule(case, staff.worker)
    followups.record_outcome(follow_up, case, done_at=utcnow(), outcome="Đã thăm, gia đình ổn định.", by=staff.worker)
    db.session.commit()
    assert {r.status for r in rows(case.id, "follow_up")} == {"cancelled"}
    assert all(r.cancelled_at is not None for r in rows(case.id, "follow_up"))


def test_follow_up_done_through_the_page_cancels_its_reminders(staff, case, signed_in):
    follow_up = schedule(case, staff.worker)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}/cancel", data={"reason": "Gia đình đã chuyển đi"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert {r.status for r in rows(case.id, "follow_up")} == {"cancelled"}


def test_reassigning_the_case_moves_the_reminders_to_the_new_worker(staff, case):
    before = {r.id for r in rows(case.id, "assessment", "pending") if r.slot != "escalation"}
    assert before
    reassign_cases([case], staff.colleague, by=staff.supervisor)
    db.session.commit()
    personal = [r for r in rows(case.id, "assessment", "pending") if r.slot != "escalation"]
    assert {r.id for r in personal} == before  # the same rows, moved
    assert {r.user_id for r in personal} == {staff.colleague.id}


def test_a_flag_gets_reminders_for_its_worker_and_loses_them_when_resolved(staff, case):
    flag = raise_flag(
        case,
        to_worker=staff.worker,
        note="Xem lại kế hoạch",
        due_on=utcnow().date() + timedelta(days=4),
        by=staff.supervisor,
    )
    db.session.commit()
    assert {r.slot for r in rows(case.id, "flag", "pending")} == {"-1d", "0", "escalation"}
    resolve_flag(flag, case, note="Đã xem", by=staff.worker)
    db.session.commit()
    assert rows(case.id, "flag", "pending") == []


def test_item_of_nobody_still_escalates_to_the_supervisors(staff):
    case = factories.make_case(staff.facility, worker=None, by=staff.supervisor)
    db.session.commit()
    assert {r.slot for r in rows(case.id, "assessment")} == {"escalation"}


def test_an_item_due_sooner_than_an_offset_gets_only_the_reminders_still_ahead(staff, case):
    follow_up = schedule(case, staff.worker, in_days=0.1)  # due in under 3 hours: "-1d" is past
    found = by_slot(rows(case.id, "follow_up"))
    assert set(found) == {"0", "escalation"}
    assert as_utc(found["0"].remind_at) == as_utc(follow_up.due_at)


def test_closing_the_case_cancels_the_reminders_of_its_open_items(staff, case):
    assert rows(case.id, "assessment", "pending")
    case.status = "closed"
    db.session.commit()
    assert rows(case.id, "assessment", "pending") == []
    assert {r.status for r in rows(case.id, "assessment")} == {"cancelled"}


def test_sync_is_idempotent_and_keeps_sent_history(staff, case):
    schedule(case, staff.worker)
    assert sync_case_reminders(case.id) == {"created": 0, "moved": 0, "cancelled": 0}
    sent = rows(case.id, "follow_up")[0]
    db.session.execute(sa.update(Reminder).where(Reminder.id == sent.id).values(status="sent", sent_at=utcnow()))
    assert sync_case_reminders(case.id) == {"created": 0, "moved": 0, "cancelled": 0}
    assert rows(case.id, "follow_up")[0].status == "sent"
