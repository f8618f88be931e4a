"""No personal data in mail (NĐ 13/2023/NĐ-CP): subject and bodies carry case numbers,
the kind of item, due times and links only — never a client's name, alias, address or the notes
written about them (a flag's note, a follow-up's purpose)."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from caseapp.cases.caseload.services import raise_flag, reassign_cases
from caseapp.cases.followups.services import schedule_follow_up
from caseapp.core.text import fold
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.mail import jobs
from caseapp.mail.models import OutboxMail

from .. import factories

NAME = "Quách Thị Độc Nhất"
ALIAS = "Bé Nhất Xíu"
STREET = "Số 7 ngõ Hoa Sữa Bí Mật"
SECRETS = (NAME, ALIAS, STREET, "Độc Nhất", "Hoa Sữa")


def _leaks(text):
    folded = fold(text)
    return [s for s in SECRETS if s in text or fold(s) in folded]


def test_no_client_name_address_or_note_in_any_email(session, facility, worker, supervisor, mail_on):
    client = factories.make_client(facility, full_name=NAME, alias=ALIAS, street_address=STREET)
    holder = factories.make_user(facility=facility, email="truoc@example.vn")
    case = factories.make_case(facility, client=client, worker=holder)
    reassign_cases([case], worker, by=supervisor)  # notification: assigned
    # Two weeks ahead: inside mail.jobs.KEEP_SENT (30 days), so the notification e-mails sent now are
    # not purged by the same deliver() whatever the time of day the test runs at.
    day = (utcnow() + timedelta(days=14)).astimezone(VN_TZ).date()
    raise_flag(case, to_worker=worker, note=f"Gọi lại cho {NAME} ở {STREET}", due_on=day, by=supervisor)
    schedule_follow_up(
        case,
        kind="home_visit",
        due_at=datetime.combine(day, time(15), VN_TZ),
        purpose=f"Thăm {ALIAS} tại {STREET}",
        by=worker,
    )
    jobs.deliver(datetime.combine(day, time(7, 30), VN_TZ))  # + the day's digest

    rows = session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    assert {m.kind for m in rows} == {"notification", "digest"}
    assert len(rows) == 3
    for mail in rows:
        assert case.number in mail.subject + mail.body_text
        for part in (mail.subject, mail.body_text, mail.body_html):
            assert _leaks(part) == [], f"{mail.unique_key} leaks {_leaks(part)}"
    assert len(mail_on.messages) == 3
    for message in mail_on.messages:
        raw = message.as_string()
        assert _leaks(raw) == []
        assert _leaks(message.get_body(("plain",)).get_content()) == []
        assert _leaks(message.get_body(("html",)).get_content()) == []
