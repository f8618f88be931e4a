"""Two deliver() running at the same moment (a second scheduler, cron beside the scheduler) send
each e-mail once: rows are claimed with a conditional UPDATE (and FOR UPDATE SKIP LOCKED on
PostgreSQL) before they are sent. Real commits, on a database of their own, SQLite and PostgreSQL."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.mail import jobs
from caseapp.mail.models import OutboxMail
from caseapp.notifications.services import notify

from .. import factories
from ..conftest import app_on_own_database, dispose

MAILS = 30
T0 = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def mail_app():
    app = app_on_own_database("mail")
    yield app
    dispose(app)


def test_two_concurrent_deliveries_send_each_email_once(mail_app, smtp_server):
    app = mail_app
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT_SECONDS=10,
        BASE_URL="https://caseapp.example.vn",
    )
    with app.app_context():
        facility = factories.make_facility(code="THU01")
        worker = factories.make_user(facility=facility, email="nhanvien@example.vn")
        for n in range(MAILS):
            notify(worker.id, "case_assigned", None, "case_assigned", unique_key=f"race:{n}", at=T0)
        db.session.commit()
        db.session.remove()

    start = threading.Barrier(2)
    errors, totals = [], []

    def run():
        try:
            with app.app_context():
                start.wait(timeout=30)
                totals.append(jobs.deliver(T0 + timedelta(minutes=1))["mail_sent"])
                db.session.remove()
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(repr(error))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(totals) == MAILS
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == MAILS and len(set(ids)) == MAILS
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMail.status)).all()
        assert statuses == ["sent"] * MAILS
        db.session.remove()
