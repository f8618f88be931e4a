"""The daily digest: at 07:00 Asia/Ho_Chi_Minh each user with the digest on gets one
e-mail listing their overdue items and those due today (deadlines.items.user_items) — once per
local day, caught up later that day if the scheduler was down at 07:00, and none when nothing is due."""

from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from caseapp.cases.followups.services import schedule_follow_up
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.mail import jobs, services
from caseapp.mail.models import MailPreference, OutboxMail

from .. import factories
from .conftest import BASE_URL

# A day a month ahead: the assessment due 3 working days after a case opened today is overdue then.
DAY = (utcnow() + timedelta(days=30)).astimezone(VN_TZ).date()


def local(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), VN_TZ)


def digests(session):
    return session.scalars(sa.select(OutboxMail).where(OutboxMail.kind == "digest").order_by(OutboxMail.id)).all()


def _case_with_items(facility, worker):
    """A case whose assessment is overdue on DAY and with a home visit due on DAY at 16:00."""
    case = factories.make_case(facility, worker=worker)
    schedule_follow_up(case, kind="home_visit", due_at=local(16), by=worker)
    return case


def test_no_digest_before_seven_local_time(session, facility, worker):
    _case_with_items(facility, worker)
    assert jobs.queue_digests(local(6, 59)) == 0
    assert digests(session) == []


def test_digest_at_seven_lists_overdue_and_todays_items(session, facility, worker, links):
    case = _case_with_items(facility, worker)
    later = factories.make_case(facility, worker=worker)
    schedule_follow_up(later, kind="phone", due_at=local(9, day=DAY + timedelta(days=1)), by=worker)
    assert jobs.queue_digests(local(7)) == 1
    [mail] = digests(session)
    assert mail.unique_key == f"digest:{worker.id}:{DAY.isoformat()}"
    assert mail.to_address == worker.email
    assert mail.subject.startswith(f"[caseapp] Việc cần làm ngày {DAY.strftime('%d/%m/%Y')}:")
    text = mail.body_text
    overdue_part, today_part = text.split("Đến hạn hôm nay")
    assert "Quá hạn" in overdue_part and case.number in overdue_part and "Đánh giá nhu cầu" in overdue_part
    assert case.number in today_part and "16:00" in today_part
    assert f"{BASE_URL}/cases/{case.id}" in text
    assert f"{DAY.strftime('%d/%m/%Y')} 09:00" not in text  # tomorrow's phone call is not today's


def test_digest_is_written_once_per_user_and_day(session, facility, worker):
    _case_with_items(facility, worker)
    assert jobs.queue_digests(local(7)) == 1
    assert jobs.queue_digests(local(7, 1)) == 0
    assert jobs.queue_digests(local(23, 59)) == 0
    assert len(digests(session)) == 1


def test_digest_missed_at_seven_is_caught_up_later_that_day(session, facility, worker):
    _case_with_items(facility, worker)
    assert jobs.queue_digests(local(15, 30)) == 1
    assert len(digests(session)) == 1


def test_next_day_brings_a_new_digest(session, facility, worker):
    _case_with_items(facility, worker)
    jobs.queue_digests(local(7))
    assert jobs.queue_digests(local(7, day=DAY + timedelta(days=1))) == 1
    assert [m.unique_key.rsplit(":", 1)[1] for m in digests(session)] == [
        DAY.isoformat(),
        (DAY + timedelta(days=1)).isoformat(),
    ]


def test_local_day_not_utc_day_decides(session, facility, worker):
    """00:30 UTC is 07:30 in Hà Nội: that day's digest, although UTC's clock still says before 07:00."""
    _case_with_items(facility, worker)
    moment = local(7, 30)
    assert moment.astimezone(timezone.utc).hour == 0
    assert jobs.queue_digests(moment) == 1
    assert digests(session)[0].unique_key.endswith(DAY.isoformat())


def test_nothing_due_sends_no_digest(session, worker):
    assert jobs.queue_digests(local(7)) == 0
    assert digests(session) == []
    assert session.get(MailPreference, worker.id).digest_handled_on == DAY  # and is not looked at again today


def test_digest_off_sends_no_digest(session, facility, worker):
    _case_with_items(facility, worker)
    services.update_preferences(worker, email=worker.email, notify_by_email=True, daily_digest=False, by=worker)
    assert jobs.queue_digests(local(7)) == 0
    assert digests(session) == []


def test_user_without_an_address_gets_no_digest(session, facility):
    user = factories.make_user(facility=facility, email=None)
    _case_with_items(facility, user)
    assert jobs.queue_digests(local(7)) == 0


def test_digest_lists_only_the_users_own_items(session, facility, worker):
    colleague = factories.make_user(facility=facility, email="dongnghiep@example.vn")
    mine = _case_with_items(facility, worker)
    theirs = _case_with_items(facility, colleague)
    assert jobs.queue_digests(local(7)) == 2
    by_user = {m.user_id: m for m in digests(session)}
    assert mine.number in by_user[worker.id].body_text and theirs.number not in by_user[worker.id].body_text
    assert theirs.number in by_user[colleague.id].body_text and mine.number not in by_user[colleague.id].body_text


def test_roles_without_case_work_get_no_digest(session, facility):
    factories.make_user(role="admin", facility=facility, email="admin@example.vn")
    factories.make_user(role="reporter", facility=facility, email="baocao@example.vn")
    assert jobs.queue_digests(local(7)) == 0


def test_deliver_sends_the_digest_through_smtp(session, facility, worker, mail_on):
    case = _case_with_items(facility, worker)
    counts = jobs.deliver(local(7, 5))
    assert counts["digests_queued"] == 1 and counts["mail_sent"] == 1
    [message] = mail_on.messages
    assert message["To"] == worker.email
    assert case.number in message.get_body(("plain",)).get_content()
    jobs.deliver(local(7, 6))
    assert len(mail_on.messages) == 1
