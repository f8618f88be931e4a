"""The outbox: a notification for a user with e-mail on and an address writes one
e-mail in its own transaction; deliver(now) sends due e-mails through SMTP, retries with back-off
when the server refuses, gives up after MAIL_MAX_ATTEMPTS, and sends nothing while mail is not
configured — so an SMTP outage loses nothing."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from caseapp.cases.caseload.services import reassign_cases
from caseapp.mail import jobs, services
from caseapp.mail.models import MailPreference, OutboxMail
from caseapp.notifications.models import Notification
from caseapp.notifications.services import notify

from .. import factories
from .conftest import BASE_URL, free_port

T0 = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)  # 05:00 in Hà Nội: before the digest hour


def outbox(session):
    return session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()


def _notify(user, case=None, key="test:1", at=T0):
    return notify(user.id, "case_assigned", case, "case_assigned", unique_key=key, at=at)


# --- writing the outbox --------------------------------------------------------------------------


def test_notification_for_a_user_with_an_address_writes_one_queued_email(session, facility, worker, links):
    case = factories.make_case(facility, worker=worker)
    notification = _notify(worker, case)
    rows = outbox(session)
    assert len(rows) == 1
    mail = rows[0]
    assert (mail.status, mail.attempts, mail.kind) == ("queued", 0, "notification")
    assert mail.unique_key == f"notification:{notification.id}"
    assert mail.notification_id == notification.id
    assert mail.to_address == "nhanvien@example.vn"
    assert mail.next_attempt_at == T0
    assert case.number in mail.subject
    assert f"{BASE_URL}/cases/{case.id}" in mail.body_text
    assert f'href="{BASE_URL}/cases/{case.id}"' in mail.body_html


def test_the_same_notification_twice_writes_one_email(session, facility, worker):
    case = factories.make_case(facility, worker=worker)
    first = _notify(worker, case, key="same-event")
    second = _notify(worker, case, key="same-event")
    assert first.id == second.id
    assert len(outbox(session)) == 1


def test_email_is_written_in_the_transaction_of_the_notification(session, facility, worker):
    """Rolled back together: a notification that never happened has no e-mail."""
    case = factories.make_case(facility, worker=worker)
    session.commit()
    _notify(worker, case, key="rolled-back")
    assert len(outbox(session)) == 1
    session.rollback()
    assert session.scalar(sa.select(Notification.id).where(Notification.unique_key == "rolled-back")) is None
    assert outbox(session) == []


def test_reassigning_a_case_emails_the_new_worker(session, facility, worker, supervisor):
    other = factories.make_user(facility=facility, email="khac@example.vn")
    case = factories.make_case(facility, worker=other)
    reassign_cases([case], worker, by=supervisor)
    rows = outbox(session)
    assert [m.to_address for m in rows] == ["nhanvien@example.vn"]
    assert case.number in rows[0].body_text


def test_user_without_an_address_gets_no_email(session, facility):
    user = factories.make_user(facility=facility, email=None)
    _notify(user)
    assert outbox(session) == []


def test_user_with_email_off_gets_no_email(session, facility, worker):
    services.update_preferences(worker, email=worker.email, notify_by_email=False, daily_digest=True, by=worker)
    _notify(worker)
    assert outbox(session) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1  # the inbox still has it


def test_deactivated_user_gets_no_email(session, facility):
    user = factories.make_user(facility=facility, email="cu@example.vn", active=False)
    _notify(user)
    assert outbox(session) == []


def test_email_is_in_the_users_language(session, facility, worker):
    case = factories.make_case(facility, worker=worker)
    english = factories.make_user(facility=facility, email="en@example.vn", locale="en")
    _notify(worker, case, key="vi")
    _notify(english, case, key="en")
    vi_mail, en_mail = outbox(session)
    assert f"Hồ sơ {case.number} đã được giao cho bạn" in vi_mail.subject
    assert f"Case {case.number} was assigned to you." in en_mail.subject
    assert "Mở trong caseapp" in vi_mail.body_text
    assert "Open in caseapp" in en_mail.body_text


# --- sending -------------------------------------------------------------------------------------


def test_mail_not_configured_sends_nothing_and_keeps_the_email_queued(session, worker, smtp_server):
    _notify(worker)
    counts = jobs.deliver(T0 + timedelta(minutes=5))
    assert counts["mail_sent"] == 0
    mail = outbox(session)[0]
    assert (mail.status, mail.attempts, mail.last_error) == ("queued", 0, None)
    assert smtp_server.messages == []


def test_queued_email_is_sent_once(session, facility, worker, mail_on):
    case = factories.make_case(facility, worker=worker)
    _notify(worker, case)
    assert jobs.deliver(T0)["mail_sent"] == 1
    assert jobs.deliver(T0 + timedelta(minutes=1))["mail_sent"] == 0
    assert len(mail_on.messages) == 1
    message = mail_on.messages[0]
    assert message["To"] == "nhanvien@example.vn"
    assert message["From"] == "caseapp@example.vn"
    assert case.number in message["Subject"]
    assert f"{BASE_URL}/cases/{case.id}" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None
    mail = outbox(session)[0]
    assert (mail.status, mail.attempts, mail.sent_at) == ("sent", 1, T0)


def test_refused_twice_then_accepted_arrives_once_after_the_back_off(session, worker, mail_on):
    mail_on.handler.refuse = 2
    _notify(worker)

    assert jobs.deliver(T0) == {
        "digests_queued": 0,
        "mail_sent": 0,
        "mail_retrying": 1,
        "mail_failed": 0,
        "mail_purged": 0,
    }
    mail = outbox(session)[0]
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert mail.next_attempt_at == T0 + timedelta(minutes=1)
    assert "451" in mail.last_error

    # Not before its next attempt is due.
    assert jobs.deliver(T0 + timedelta(seconds=59))["mail_retrying"] == 0
    assert mail_on.handler.refused == 1

    assert jobs.deliver(T0 + timedelta(minutes=1))["mail_retrying"] == 1
    session.refresh(mail)
    assert mail.attempts == 2
    assert mail.next_attempt_at == T0 + timedelta(minutes=3)  # 1 + 2 minutes

    assert jobs.deliver(T0 + timedelta(minutes=2, seconds=59))["mail_sent"] == 0
    assert jobs.deliver(T0 + timedelta(minutes=3))["mail_sent"] == 1
    session.refresh(mail)
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 3, None)
    assert mail_on.handler.refused == 2
    assert len(mail_on.messages) == 1

    jobs.deliver(T0 + timedelta(hours=2))
    assert len(mail_on.messages) == 1


def test_back_off_doubles_up_to_an_hour():
    assert [jobs.retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60, 60)
    ]


def test_email_fails_after_the_last_attempt(session, worker, mail_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    mail_on.handler.refuse = 10
    _notify(worker)
    now = T0
    for expected in ("queued", "queued", "failed"):
        jobs.deliver(now)
        mail = outbox(session)[0]
        assert mail.status == expected
        now = now + timedelta(hours=1)
    assert mail.attempts == 3
    assert jobs.deliver(now + timedelta(days=1))["mail_retrying"] == 0  # failed stays failed
    assert mail_on.messages == []


def test_smtp_outage_loses_nothing(session, facility, worker, app, monkeypatch, mail_on):
    """The server is down: the round stops at the first e-mail (one attempt counted), the others
    wait untouched; once it is back, every e-mail arrives once."""
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    for n in range(3):
        _notify(worker, key=f"outage:{n}")
    counts = jobs.deliver(T0)
    assert counts["mail_retrying"] == 1 and counts["mail_sent"] == 0
    assert sorted(m.attempts for m in outbox(session)) == [0, 0, 1]
    assert {m.status for m in outbox(session)} == {"queued"}

    monkeypatch.setitem(app.config, "MAIL_PORT", mail_on.port)
    assert jobs.deliver(T0 + timedelta(minutes=1))["mail_sent"] == 3
    assert len(mail_on.messages) == 3
    assert {m.status for m in outbox(session)} == {"sent"}


def test_a_claim_abandoned_by_a_killed_process_is_sent_after_the_lease(session, worker, mail_on):
    _notify(worker)
    assert jobs.claim_next(T0) is not None  # claimed, then the process "dies" before sending
    mail = outbox(session)[0]
    assert mail.status == "sending"
    assert jobs.deliver(T0 + timedelta(minutes=5))["mail_sent"] == 0  # someone else may be sending it
    assert jobs.deliver(T0 + jobs.CLAIM_LEASE + timedelta(seconds=1))["mail_sent"] == 1
    assert len(mail_on.messages) == 1


def test_administrator_requeues_the_failed_emails(session, facility, worker, mail_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    mail_on.handler.refuse = 1
    _notify(worker)
    jobs.deliver(T0)
    assert outbox(session)[0].status == "failed"
    admin = factories.make_user(role="admin", facility=facility)
    assert services.requeue_failed(by=admin, now=T0 + timedelta(hours=1)) == 1
    mail = outbox(session)[0]
    assert (mail.status, mail.attempts) == ("queued", 0)
    assert jobs.deliver(T0 + timedelta(hours=1))["mail_sent"] == 1
    assert len(mail_on.messages) == 1


def test_preference_row_defaults_are_both_on(session, worker):
    pref = services.preference_for(worker.id)
    assert (pref.notify_by_email, pref.daily_digest) == (True, True)
    assert session.get(MailPreference, worker.id) is None  # not written by reading


@pytest.mark.parametrize("address", ["not-an-address", "a b@example.vn", "@example.vn"])
def test_service_refuses_an_invalid_address(session, worker, address):
    from caseapp.core.services import ServiceError

    with pytest.raises(ServiceError) as raised:
        services.update_preferences(worker, email=address, notify_by_email=True, daily_digest=True, by=worker)
    assert raised.value.field == "email"


def test_worker_cannot_change_the_email_settings_of_another_user(session, facility, worker):
    from caseapp.core.services import ServiceError

    other = factories.make_user(facility=facility, email="khac@example.vn")
    with pytest.raises(ServiceError):
        services.update_preferences(other, email="toi@example.vn", notify_by_email=False, daily_digest=False, by=worker)
    assert other.email == "khac@example.vn"


def test_sent_emails_are_forgotten_after_thirty_days_and_the_others_kept(session, worker, mail_on):
    _notify(worker, key="old")
    jobs.deliver(T0)
    mail_on.handler.refuse = 1
    _notify(worker, key="refused", at=T0 + timedelta(days=1))
    jobs.deliver(T0 + timedelta(days=1))
    assert jobs.purge_sent(T0 + timedelta(days=29)) == 0
    assert jobs.purge_sent(T0 + jobs.KEEP_SENT + timedelta(minutes=1)) == 1
    assert [m.status for m in outbox(session)] == ["queued"]  # the one still to send stays
