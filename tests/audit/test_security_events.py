"""Security events are recorded with who, what, which account, which facility and from where —
and never a password."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import LoginAttempt

from ..factories import PASSWORD
from ..security.conftest import sign_in

NEW = "Mat-khau-moi-2026!"
AGENT = "Mozilla/5.0 (test)"


def events(session, action):
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def about(event):
    return (event.user_id, event.entity_type, event.entity_id, event.facility_id)


def no_password_anywhere(session):
    for event in session.scalars(sa.select(AuditEvent)):
        text = f"{event.detail} {event.entity_id} {event.user_agent}"
        assert PASSWORD not in text and NEW not in text


def test_login_ok_records_user_facility_ip_and_agent(client, session, make_user):
    user = make_user()
    client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.31"},
        headers={"User-Agent": AGENT},
    )
    [event] = events(session, "login_ok")
    assert about(event) == (user.id, "users", str(user.id), user.facility_id)
    assert (event.ip, event.user_agent) == ("192.0.2.31", AGENT)


def test_login_failed_on_a_known_account_names_it_and_its_facility(client, session, make_user):
    user = make_user()
    client.post("/login", data={"username": user.username, "password": "sai"})
    [event] = events(session, "login_failed")
    assert about(event) == (None, "users", str(user.id), user.facility_id)
    assert event.detail == {"username": user.username}
    no_password_anywhere(session)


def test_login_failed_on_an_unknown_name_records_the_name_only(client, session):
    client.post("/login", data={"username": "Khong.Ai", "password": PASSWORD})
    [event] = events(session, "login_failed")
    assert about(event) == (None, "users", None, None)
    assert event.detail == {"username": "khong.ai"}
    no_password_anywhere(session)


def test_login_throttled_names_the_account_and_its_facility(client, session, make_user):
    user = make_user()
    session.add_all([LoginAttempt(username=user.username, ip="192.0.2.1") for _ in range(5)])
    session.flush()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    [event] = events(session, "login_throttled")
    assert about(event) == (None, "users", str(user.id), user.facility_id)
    no_password_anywhere(session)


def test_logout_is_recorded(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    client.post("/logout")
    [event] = events(session, "logout")
    assert about(event) == (user.id, "users", str(user.id), user.facility_id)


def test_permission_denied_records_the_endpoint_and_the_missing_permission(client, session, make_user):
    user = make_user("reporter")
    sign_in(client, user)
    client.get("/audit/")
    [event] = events(session, "permission_denied")
    assert event.user_id == user.id and event.facility_id == user.facility_id
    assert event.detail == {"endpoint": "audit.events", "need": "view_audit"}


def test_password_change_is_recorded(client, session, make_user):
    user = make_user()
    sign_in(client, user)
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW})
    [event] = events(session, "password_changed")
    assert about(event) == (user.id, "users", str(user.id), user.facility_id)
    no_password_anywhere(session)


def test_deactivation_is_recorded_against_the_deactivated_account(client, session, make_user, other_facility):
    admin, worker = make_user("admin"), make_user(fac=other_facility)
    sign_in(client, admin)
    client.post(
        f"/admin/users/{worker.id}",
        data={
            "full_name": worker.full_name,
            "role": worker.role,
            "facility_id": worker.facility_id,
            "version": worker.version,
        },
    )
    [event] = events(session, "user_deactivated")
    assert about(event) == (admin.id, "users", str(worker.id), other_facility.id)


def test_password_reset_is_recorded_against_the_account(client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    client.post(f"/admin/users/{worker.id}/reset-password", data={"password": NEW})
    [event] = events(session, "password_reset")
    assert about(event) == (admin.id, "users", str(worker.id), worker.facility_id)
    no_password_anywhere(session)


def test_one_record_type_finds_every_event_about_an_account(client, session, make_user):
    """Login, logout, password and admin events about one account share one record type and id,
    so the audit page's record filter finds them all."""
    admin, worker = make_user("admin"), make_user()
    sign_in(client, worker)
    client.post("/logout")
    sign_in(client, admin)
    client.post(f"/admin/users/{worker.id}/reset-password", data={"password": NEW})
    found = session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == str(worker.id))
        .order_by(AuditEvent.id)
    ).all()
    assert found == ["login_ok", "logout", "password_reset"]
