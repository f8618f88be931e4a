"""Administrators' user pages: create, edit, deactivate, reset a password; stale edits refused."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.auth.models import User

from ..factories import PASSWORD
from ..security.conftest import sign_in

TEMPORARY = "Tam-thoi-2026-xyz"


def new_user_form(facility, **changes):
    data = {
        "username": "nguyen.van.an",
        "full_name": "Nguyễn Văn An",
        "role": "social_worker",
        "facility_id": facility.id,
        "email": "an@example.vn",
        "phone": "0912 345 678",
        "password": TEMPORARY,
    }
    data.update(changes)
    return data


def edit_form(user, **changes):
    data = {
        "full_name": user.full_name,
        "role": user.role,
        "facility_id": user.facility_id,
        "email": user.email or "",
        "phone": user.phone or "",
        "version": user.version,
    }
    if user.active:
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def audited(session, action, user):
    return session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.entity_type == "users", AuditEvent.entity_id == str(user.id)
        )
    ).all()


def by_username(session, username):
    session.expire_all()
    return session.scalar(sa.select(User).where(User.username == username))


# --- create -------------------------------------------------------------------------------------


def test_admin_creates_a_user_who_must_change_the_password(client, session, facility, make_user):
    admin = make_user("admin")
    sign_in(client, admin)
    response = client.post("/admin/users/new", data=new_user_form(facility, username="Nguyen.Van.An"))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    created = by_username(session, "nguyen.van.an")  # usernames are stored in lower case
    assert (created.full_name, created.role, created.facility_id) == ("Nguyễn Văn An", "social_worker", facility.id)
    assert created.must_change_password and created.password_hash != TEMPORARY
    [event] = audited(session, "user_created", created)
    assert event.user_id == admin.id and TEMPORARY not in str(event.detail)
    assert "Đã tạo tài khoản nguyen.van.an." in client.get("/admin/users").get_data(as_text=True)


def test_duplicate_username_is_refused_in_vietnamese_and_the_form_keeps_what_was_typed(
    client, session, facility, make_user
):
    make_user(username="trung.lap")
    sign_in(client, make_user("admin"))
    typed = new_user_form(
        facility, username="Trung.Lap", full_name="Trần Thị Bình", email="binh@example.vn", phone="0987 654 321"
    )
    response = client.post("/admin/users/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tên đăng nhập này đã được dùng." in page
    for value in ("Trung.Lap", "Trần Thị Bình", "binh@example.vn", "0987 654 321"):
        assert f'value="{value}"' in page
    assert TEMPORARY not in page  # a password is never sent back
    assert session.scalar(sa.select(sa.func.count(User.id)).where(User.full_name == "Trần Thị Bình")) == 0


def test_too_short_temporary_password_is_refused_in_vietnamese(client, session, facility, make_user):
    sign_in(client, make_user("admin"))
    response = client.post("/admin/users/new", data=new_user_form(facility, password="ngan"))
    assert "Với vai trò này, mật khẩu phải có ít nhất 10 ký tự." in response.get_data(as_text=True)
    assert by_username(session, "nguyen.van.an") is None


def test_username_with_tones_or_spaces_is_refused(client, session, facility, make_user):
    sign_in(client, make_user("admin"))
    response = client.post("/admin/users/new", data=new_user_form(facility, username="nguyễn văn"))
    assert response.status_code == 200
    assert "Dùng 3–64 ký tự: chữ không dấu" in response.get_data(as_text=True)


# --- edit and deactivate ------------------------------------------------------------------------


def test_admin_edits_a_user(client, session, make_user, other_facility):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    response = client.post(
        f"/admin/users/{worker.id}",
        data=edit_form(worker, full_name="Lê Thị Cúc", role="supervisor", facility_id=other_facility.id),
    )
    assert response.status_code == 302
    edited = by_username(session, worker.username)
    assert (edited.full_name, edited.role, edited.facility_id) == ("Lê Thị Cúc", "supervisor", other_facility.id)
    assert [e.detail for e in audited(session, "user_updated", edited)] == [{"role": "supervisor", "active": True}]


def test_admin_deactivates_a_user_who_then_cannot_sign_in(app, client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    assert client.post(f"/admin/users/{worker.id}", data=edit_form(worker, active=None)).status_code == 302
    assert by_username(session, worker.username).active is False
    assert [e.user_id for e in audited(session, "user_deactivated", worker)] == [admin.id]
    assert "Đã khóa" in client.get("/admin/users").get_data(as_text=True)
    refused = app.test_client().post("/login", data={"username": worker.username, "password": PASSWORD})
    assert refused.status_code == 200


def test_admin_cannot_deactivate_their_own_account(client, session, make_user):
    admin = make_user("admin")
    sign_in(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data=edit_form(admin, active=None))
    assert "Bạn không thể tự khóa tài khoản của mình." in response.get_data(as_text=True)
    assert by_username(session, admin.username).active is True


def test_stale_user_edit_is_refused_and_keeps_the_typed_text(client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    seen_version = worker.version
    assert f'name="version" type="hidden" value="{seen_version}"' in client.get(f"/admin/users/{worker.id}").get_data(
        as_text=True
    )
    worker.phone = "0900 000 001"  # someone else saves meanwhile
    session.commit()

    response = client.post(
        f"/admin/users/{worker.id}", data=edit_form(worker, full_name="Tên mới gõ vào", version=seen_version)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Người khác đã sửa tài khoản này trong lúc bạn đang sửa." in page
    assert 'value="Tên mới gõ vào"' in page
    assert by_username(session, worker.username).full_name != "Tên mới gõ vào"

    # the form now carries the current version: saving again goes through
    current = by_username(session, worker.username).version
    assert f'name="version" type="hidden" value="{current}"' in page
    again = client.post(
        f"/admin/users/{worker.id}", data=edit_form(worker, full_name="Tên mới gõ vào", version=current)
    )
    assert again.status_code == 302
    assert by_username(session, worker.username).full_name == "Tên mới gõ vào"


# --- reset password -----------------------------------------------------------------------------


def test_password_reset_makes_the_user_choose_a_new_password_at_next_sign_in(app, client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    response = client.post(f"/admin/users/{worker.id}/reset-password", data={"password": TEMPORARY})
    assert response.status_code == 302
    assert [e.user_id for e in audited(session, "password_reset", worker)] == [admin.id]

    browser = app.test_client()
    assert browser.post("/login", data={"username": worker.username, "password": PASSWORD}).status_code == 200
    response = browser.post("/login", data={"username": worker.username, "password": TEMPORARY})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    page = browser.get("/account/password").get_data(as_text=True)
    assert "Vui lòng đặt mật khẩu mới trước khi tiếp tục." in page


def test_user_with_a_reset_password_cannot_use_the_app_before_changing_it(app, client, session, make_user):
    worker = make_user(must_change_password=True)
    sign_in(client, worker)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert client.get("/admin/facilities/communes/01").headers["Location"] == "/account/password"
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "Moi-that-su-2026", "confirm_password": "Moi-that-su-2026"},
    )
    assert client.get("/").status_code == 200
    assert by_username(session, worker.username).must_change_password is False


def test_too_short_reset_password_is_refused_in_vietnamese(client, session, make_user):
    admin, worker = make_user("admin"), make_user()
    sign_in(client, admin)
    before = worker.password_hash
    response = client.post(f"/admin/users/{worker.id}/reset-password", data={"password": "ngan"})
    assert response.status_code == 400
    assert "Với vai trò này, mật khẩu phải có ít nhất 10 ký tự." in response.get_data(as_text=True)
    assert by_username(session, worker.username).password_hash == before


# --- who may ------------------------------------------------------------------------------------


def test_supervisor_cannot_open_user_admin(client, make_user):
    sign_in(client, make_user("supervisor"))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_worker_cannot_create_a_user(client, session, facility, make_user):
    sign_in(client, make_user("social_worker"))
    response = client.post("/admin/users/new", data=new_user_form(facility, role="admin"))
    assert response.status_code == 403
    assert by_username(session, "nguyen.van.an") is None
