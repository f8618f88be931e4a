"""The user's e-mail settings page (linked from the header) and the administrators' mail page."""

from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from babel.messages.extract import extract_from_dir

from caseapp import i18n
from caseapp.audit.models import AuditEvent
from caseapp.mail import jobs, services
from caseapp.mail.models import MailPreference, OutboxMail
from caseapp.notifications.services import notify

from .. import factories

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)


def test_settings_page_is_linked_from_the_header_and_vietnamese(signed_in, worker):
    client = signed_in(worker)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/email"' in home
    page = client.get("/account/email")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Cài đặt thư điện tử" in html
    assert 'value="nhanvien@example.vn"' in html
    assert "Gửi thư cho tôi khi có thông báo mới" in html
    assert "chưa gửi thư điện tử" in html  # this installation has no MAIL_SERVER


def test_user_turns_email_and_digest_off_and_changes_the_address(session, signed_in, worker):
    client = signed_in(worker)
    response = client.post("/account/email", data={"email": "moi@example.vn"})  # both boxes unticked
    assert response.status_code == 302
    session.expire_all()
    pref = session.get(MailPreference, worker.id)
    assert (pref.notify_by_email, pref.daily_digest) == (False, False)
    assert worker.email == "moi@example.vn"
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail_preferences_changed"))
    assert event.user_id == worker.id
    assert "moi@example.vn" not in str(event.detail)  # the change is audited, not the address
    assert "Đã lưu cài đặt thư điện tử" in client.get("/account/email").get_data(as_text=True)

    notify(worker.id, "case_assigned", None, "case_assigned", unique_key="after-off")
    assert session.scalars(sa.select(OutboxMail)).all() == []


def test_invalid_address_is_refused_with_what_the_user_typed(session, signed_in, worker):
    client = signed_in(worker)
    response = client.post("/account/email", data={"email": "nhanvien@@", "daily_digest": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="nhanvien@@"' in html
    assert "Nhập địa chỉ thư điện tử hợp lệ" in html
    session.expire_all()
    assert worker.email == "nhanvien@example.vn"


def test_address_can_be_removed(session, signed_in, worker):
    client = signed_in(worker)
    assert client.post("/account/email", data={"email": "", "notify_by_email": "y"}).status_code == 302
    session.expire_all()
    assert worker.email is None


def test_admin_page_says_mail_is_not_configured(signed_in, facility):
    admin = factories.make_user(role="admin", facility=facility)
    page = signed_in(admin).get("/admin/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Chưa cấu hình gửi thư" in html
    assert "Chưa đặt BASE_URL" in html


def test_admin_page_shows_the_queue_and_the_failures_and_requeues(
    session, app, signed_in, facility, worker, mail_on, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    mail_on.handler.refuse = 1
    notify(worker.id, "case_assigned", None, "case_assigned", unique_key="will-fail", at=T0)
    jobs.deliver(T0)
    notify(
        worker.id,
        "case_assigned",
        None,
        "case_assigned",
        unique_key="waiting",
        at=datetime(2030, 1, 1, tzinfo=timezone.utc),
    )
    admin = factories.make_user(role="admin", facility=facility)
    client = signed_in(admin)
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "Thư được gửi qua máy chủ 127.0.0.1" in html
    assert "Gửi thất bại: 1" in html and "Đang chờ gửi: 1" in html
    assert "451" in html
    assert client.post("/admin/mail/requeue").status_code == 302
    statuses = sorted(m.status for m in session.scalars(sa.select(OutboxMail)).all())
    assert statuses == ["queued", "queued"]
    assert session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "mail_requeued")) is not None


def test_worker_cannot_open_the_mail_outbox_page(signed_in, worker):
    client = signed_in(worker)
    assert client.get("/admin/mail").status_code == 403
    assert client.post("/admin/mail/requeue").status_code == 403


def test_supervisor_cannot_requeue_the_failed_emails(session, signed_in, supervisor):
    assert signed_in(supervisor).post("/admin/mail/requeue").status_code == 403


def test_scheduler_page_counts_come_from_the_outbox(session, facility, worker, other_facility):
    from caseapp.mail.queries import outbox_counts

    notify(worker.id, "case_assigned", None, "case_assigned", unique_key="counted")
    outsider = factories.make_user(role="supervisor", facility=other_facility)
    admin = factories.make_user(role="admin", facility=other_facility)
    assert [n for _label, n in outbox_counts(admin)] == ["1", "0", "0"]
    assert [n for _label, n in outbox_counts(outsider)] == ["0", "0", "0"]  # another facility's staff


def test_every_string_of_the_text_email_templates_is_translated():
    """templates/email/*.txt, read on their own (the app-wide extraction, babel.cfg, covers them too)."""
    root = Path(i18n.ROOT)
    found = [
        m
        for _f, _l, m, _c, _x in extract_from_dir(
            str(root / "templates" / "email"), [("**.txt", "jinja2")], keywords=i18n.KEYWORDS
        )
    ]
    assert found, "no strings found in the text templates"
    catalogue = i18n.read_catalogue("vi")
    missing = [m for m in found if catalogue.get(m) is None or not catalogue.get(m).string]
    assert missing == []


def test_preferences_saved_twice_keep_one_row(session, worker):
    services.update_preferences(worker, email=worker.email, notify_by_email=False, daily_digest=True, by=worker)
    services.update_preferences(worker, email=worker.email, notify_by_email=True, daily_digest=False, by=worker)
    rows = session.scalars(sa.select(MailPreference)).all()
    assert [(r.notify_by_email, r.daily_digest) for r in rows] == [(True, False)]
