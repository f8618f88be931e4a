"""Reminders by e-mail, end to end: a follow-up reminder issued by the reminders sweep reaches the
worker's mailbox once — the sweep writes the notification, its e-mail is written in the same
transaction, deliver() sends it, and later sweeps and deliveries send nothing more."""

from datetime import timedelta

import sqlalchemy as sa

from caseapp.cases.followups import services as followups
from caseapp.core.timeutil import as_utc, utcnow
from caseapp.mail import jobs, services
from caseapp.mail.models import OutboxMail
from caseapp.notifications.models import Notification
from caseapp.reminders.jobs import sweep

from .. import factories


def test_follow_up_reminder_arrives_in_the_mailbox_once(session, facility, worker, mail_on):
    services.update_preferences(
        worker, email=worker.email, notify_by_email=True, daily_digest=False, by=worker
    )  # only the reminders' e-mails here (the digest has its tests)
    case = factories.make_case(facility, worker=worker, status="implementation")
    follow_up = followups.schedule_follow_up(
        case, kind="home_visit", due_at=utcnow() + timedelta(days=2), purpose="Gặp bà ngoại", by=worker
    )
    session.commit()
    now = as_utc(follow_up.due_at) - timedelta(days=1) + timedelta(seconds=30)

    sweep(now)
    jobs.deliver(now)
    reminders = session.scalars(
        sa.select(Notification).where(Notification.user_id == worker.id, Notification.kind == "reminder")
    ).all()
    assert reminders, "the sweep issued no reminder"
    mails = session.scalars(sa.select(OutboxMail).where(OutboxMail.user_id == worker.id)).all()
    assert sorted(m.notification_id for m in mails) == sorted(n.id for n in reminders)
    assert {m.status for m in mails} == {"sent"}
    assert len(mail_on.messages) == len(reminders)
    subjects = [m["Subject"] for m in mail_on.messages]
    assert any(case.number in s and "Lịch theo dõi" in s for s in subjects), subjects
    assert all("bà ngoại" not in m.get_body(("plain",)).get_content() for m in mail_on.messages)

    sweep(now + timedelta(minutes=1))
    jobs.deliver(now + timedelta(minutes=1))
    assert len(mail_on.messages) == len(reminders)


def test_a_sweep_mails_only_the_users_who_have_an_address_and_want_the_mails(session, facility, worker, mail_on):
    """The sweep queues its e-mails for a whole batch at once (mail.services.enqueue_notifications):
    the same choices as one notify() — no address, e-mail switched off or an inactive account: no mail."""
    silent = factories.make_user(role="social_worker", facility=facility, email="tat@example.vn")
    services.update_preferences(silent, email=silent.email, notify_by_email=False, daily_digest=False, by=silent)
    no_address = factories.make_user(role="social_worker", facility=facility)
    gone = factories.make_user(role="social_worker", facility=facility, email="nghi@example.vn", active=False)
    due = utcnow() + timedelta(days=2)
    for holder in (worker, silent, no_address, gone):
        case = factories.make_case(facility, worker=holder, status="implementation")
        followups.schedule_follow_up(case, kind="phone", due_at=due, purpose="Gọi điện", by=holder)
    session.commit()

    sweep(due - timedelta(days=1) + timedelta(seconds=30))
    told = set(session.scalars(sa.select(Notification.user_id).where(Notification.kind == "reminder")))
    mailed = set(session.scalars(sa.select(OutboxMail.user_id)))
    assert {worker.id, silent.id, no_address.id} <= told
    assert mailed == {worker.id}
