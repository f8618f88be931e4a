"""Observability: the scheduler page for admins and supervisors, and /healthz reporting
a stale scheduler when one is expected."""

from datetime import timedelta

import sqlalchemy as sa

from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.reminders import queries
from caseapp.reminders.jobs import sweep
from caseapp.reminders.models import Reminder, SchedulerSweep

from .. import factories


def log_sweep(at):
    db.session.add(SchedulerSweep(started_at=at, finished_at=at, swept_for=at, claimed=0, sent=0, late=0, errors=0))
    db.session.commit()


def test_supervisor_sees_last_sweep_and_reminder_counts(staff, case, signed_in):
    sweep(utcnow())
    page = signed_in(staff.supervisor).get("/scheduler/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bộ lập lịch và nhắc việc" in html and "Đang chạy" in html and "Lần quét gần nhất" in html
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Reminder)
        .where(Reminder.facility_id == staff.facility.id, Reminder.status == "pending")
    )
    assert pending > 0 and f"<strong>{pending}</strong> đang chờ gửi" in html
    assert "Hộp thư đi (e-mail)" in html and "Gửi thất bại" in html  # the mail domain's outbox queue


def test_admin_sees_the_scheduler_page(staff, signed_in):
    assert signed_in(staff.admin).get("/scheduler/").status_code == 200


def test_worker_cannot_open_the_scheduler_page(staff, signed_in):
    assert signed_in(staff.worker).get("/scheduler/").status_code == 403


def test_supervisor_counts_leave_out_reminders_of_other_facility(staff, case):
    other_case = factories.make_case(staff.other_facility, worker=factories.make_user(facility=staff.other_facility))
    db.session.commit()
    mine = queries.reminder_counts(staff.supervisor)
    theirs = queries.reminder_counts(staff.outsider)
    everyone = queries.reminder_counts(staff.admin)
    own_rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Reminder)
        .where(Reminder.case_id == case.id, Reminder.status == "pending")
    )
    other_rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Reminder)
        .where(Reminder.case_id == other_case.id, Reminder.status == "pending")
    )
    assert mine["pending"] == own_rows and theirs["pending"] == other_rows
    assert everyone["pending"] >= own_rows + other_rows


def test_stale_page_warns_that_reminders_are_not_going_out(staff, signed_in):
    log_sweep(utcnow() - timedelta(minutes=20))
    html = signed_in(staff.supervisor).get("/scheduler/").get_data(as_text=True)
    assert "Ngừng cập nhật" in html and "flask scheduler run" in html


def test_healthz_without_any_scheduler_says_nothing_about_it(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "scheduler" not in response.get_json()


def test_healthz_is_stale_when_a_scheduler_is_expected_and_none_swept(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "catalogue": "ok", "scheduler": "stale"}


def test_healthz_is_ok_after_a_recent_sweep(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)
    log_sweep(utcnow() - timedelta(minutes=1))
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["scheduler"] == "ok"


def test_healthz_is_stale_five_minutes_after_the_last_sweep_once_a_scheduler_ran(client, session):
    log_sweep(utcnow() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["scheduler"] == "stale"
