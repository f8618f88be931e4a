"""`flask setup`: the first run of an installation creates the first facility and its administrator in
one transaction, audited; every refusal leaves the database as it was; `flask create-admin` adds
administrators afterwards."""

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.org.models import Facility, FacilityType
from caseapp.security.policy import Role

from .. import factories
from ..conftest import app_on_own_database, dispose
from ..security.conftest import set_up_second_factor
from .conftest import audit_actions, empty_database, query, row_counts, run

PASSWORD = "Song-Hong-chay-qua-2026"
NOTHING = {"facilities": 0, "users": 0, "audit_events": 0}


def flags(**changed):
    """The flags of a complete `flask setup` (Hà Nội, Phường Ba Đình, a public address), some of them
    changed or dropped (None). An optional flag left out is asked for."""
    given = {
        "facility-name": "Trung tâm Công tác xã hội thành phố Hà Nội",
        "facility-type": "social_work_center",
        "facility-code": "CTXHHN",
        "province": "01",
        "commune": "Phường Ba Đình",
        "address": "12 Phố Huế",
        "public-address": True,
        "admin-username": "quantri",
        "admin-name": "Nguyễn Thị Quản",
        "admin-email": "quantri@example.vn",
        "admin-password": PASSWORD,
        **{name.replace("_", "-"): value for name, value in changed.items()},
    }
    args = ["setup"]
    for name, value in given.items():
        if value is True:
            args.append(f"--{name}")
        elif value is not None:
            args += [f"--{name}", value]
    return args


@pytest.fixture(scope="module")
def setup_app():
    app = app_on_own_database("setup")
    yield app
    dispose(app)


@pytest.fixture()
def empty(setup_app):
    """A database just migrated, with the administrative units and nothing else (made again only
    after a test that created something: a refused run leaves it as it was)."""
    if row_counts(setup_app) != NOTHING:
        empty_database(setup_app)
        assert row_counts(setup_app) == NOTHING
    return setup_app


def facilities(app):
    return query(
        app,
        sa.select(
            Facility.code,
            Facility.name,
            Facility.type,
            Facility.province_code,
            Facility.commune_code,
            Facility.street_address,
            Facility.confidential_address,
        ),
    )


def admins(app):
    return query(
        app,
        sa.select(
            User.username,
            User.full_name,
            User.email,
            User.role,
            User.facility_id,
            User.must_change_password,
            User.password_hash,
        ),
    )


# --- the first run ---------------------------------------------------------------------------------------


def test_setup_with_flags_creates_the_facility_and_its_administrator_audited(empty):
    args = flags(admin_password=None, public_address=None, confidential_address=True)
    result = run(empty, *args, env={"CASEAPP_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Đã tạo cơ sở CTXHHN" in result.output

    assert facilities(empty) == [
        (
            "CTXHHN",
            "Trung tâm Công tác xã hội thành phố Hà Nội",
            "social_work_center",
            "01",
            "00004",
            "12 Phố Huế",
            True,
        )
    ]  # Phường Ba Đình, confidential
    [admin] = admins(empty)
    [[facility_id]] = query(empty, sa.select(Facility.id))
    assert (admin.username, admin.full_name, admin.email, admin.role, admin.facility_id) == (
        "quantri",
        "Nguyễn Thị Quản",
        "quantri@example.vn",
        Role.ADMIN.value,
        facility_id,
    )
    assert admin.must_change_password is False
    assert PasswordHasher().verify(admin.password_hash, PASSWORD)
    assert audit_actions(empty) == [
        "facility_created",
        "report_deadline_created",  # its yearly report to the Department of Health (reports.deadlines)
        "user_created",
        "installation_set_up",
    ]


def test_a_script_giving_only_the_required_flags_is_asked_nothing(empty):
    args = flags(facility_type="4", address=None, public_address=None, admin_email=None)
    result = run(empty, *args, input="")  # no answer to give: a question would abort the run
    assert result.exit_code == 0, result.output
    [facility] = facilities(empty)
    assert facility.type == FacilityType.SHELTER.value and facility.street_address is None
    assert facility.confidential_address is True  # a shelter's address is confidential by default
    assert admins(empty)[0].email is None


def test_the_new_administrator_signs_in_sets_up_two_step_sign_in_and_opens_the_facility_admin_page(empty):
    assert run(empty, *flags()).exit_code == 0
    [[facility_id]] = query(empty, sa.select(Facility.id))
    client = empty.test_client()
    signed_in = client.post("/login", data={"username": "quantri", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/account/two-factor"
    set_up_second_factor(client)  # an administrator signs in with a second factor: its set-up comes first
    page = client.get(f"/admin/facilities/{facility_id}")
    assert page.status_code == 200
    assert "Trung tâm Công tác xã hội thành phố Hà Nội" in page.get_data(as_text=True)


def test_setup_asks_each_answer_and_asks_again_for_a_commune_not_in_the_province(empty):
    answers = [
        "Nhà tạm lánh Hoàn Kiếm",
        "4",
        "ntlhk",  # name, type (its number in the list), code
        "Hà Nội",
        "Bến Thành",
        "hoan kiem",  # a commune of Hồ Chí Minh City, then one of Hà Nội
        "",  # no address
        "",  # keep the address confidential (a shelter's default)
        "quantri",
        "Trần Văn Quản",
        "",  # username, full name, no e-mail
        PASSWORD,
        PASSWORD,
    ]
    result = run(empty, "setup", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Không có xã/phường/đặc khu «Bến Thành». Có phải:" in result.output
    assert result.output.count("Xã/phường/đặc khu thuộc Thành phố Hà Nội (mã hoặc tên):") == 2
    assert PASSWORD not in result.output
    assert facilities(empty) == [
        ("NTLHK", "Nhà tạm lánh Hoàn Kiếm", FacilityType.SHELTER.value, "01", "00070", None, True)
    ]
    assert [(a.username, a.full_name, a.email) for a in admins(empty)] == [("quantri", "Trần Văn Quản", None)]
    assert audit_actions(empty) == [
        "facility_created",
        "report_deadline_created",  # its yearly report to the Department of Health (reports.deadlines)
        "user_created",
        "installation_set_up",
    ]


def test_setup_asks_again_for_a_weak_password_typed_at_the_prompt(empty):
    answers = [
        "Trung tâm A",
        "1",
        "CTXHA",
        "01",
        "00004",
        "",
        "n",
        "quantri",
        "Trần Văn Quản",
        "",
        "zzzzzzzzzzzzzz",
        "zzzzzzzzzzzzzz",
        PASSWORD,
        PASSWORD,
    ]
    result = run(empty, "setup", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Mật khẩu quá dễ đoán" in result.output
    assert PasswordHasher().verify(admins(empty)[0].password_hash, PASSWORD)


# --- refusals: nothing is created ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("123456789012", "Mật khẩu này nằm trong danh sách mật khẩu phổ biến nhất hoặc đã bị lộ"),
        ("Password1234", "Mật khẩu này nằm trong danh sách mật khẩu phổ biến nhất hoặc đã bị lộ"),
        ("zzzzzzzzzzzzzz", "Mật khẩu quá dễ đoán"),
        ("NguyenThiQuan1", "Mật khẩu quá dễ đoán"),  # the administrator's own name
        ("Quantri-Song-Hong-2026", "Mật khẩu không được chứa tên đăng nhập"),
        ("Song-Hong-2", "Với vai trò này, mật khẩu phải có ít nhất 12 ký tự"),  # an administrator's
    ],
)
def test_setup_refuses_a_weak_password_and_creates_nothing(empty, password, message):
    result = run(empty, *flags(admin_password=password))
    assert result.exit_code != 0
    assert message in result.output
    assert row_counts(empty) == NOTHING


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"commune": "Phường Không Có"}, "Không có xã/phường/đặc khu «Phường Không Có». Có phải:"),
        ({"commune": "26743"}, "Không có xã/phường/đặc khu «26743»"),  # Phường Bến Thành, Hồ Chí Minh City
        ({"province": "Tỉnh Không Có"}, "Không có tỉnh/thành phố «Tỉnh Không Có»"),
        ({"facility_code": "CT-HN"}, "Mã cơ sở gồm 2–16 chữ cái in hoa hoặc chữ số"),
        ({"facility_code": "C"}, "Mã cơ sở gồm 2–16 chữ cái in hoa hoặc chữ số"),
        ({"facility_type": "10"}, "Loại cơ sở không hợp lệ"),
        ({"admin_email": "khong-phai-email"}, "Địa chỉ e-mail không hợp lệ"),
    ],
)
def test_setup_refuses_an_invalid_answer_and_creates_nothing(empty, changed, message):
    result = run(empty, *flags(**changed))
    assert result.exit_code != 0
    assert message in result.output
    assert row_counts(empty) == NOTHING


def existing(app, code, username=None):
    """A facility (and a worker of it) made without `flask setup`, e.g. by an import: no administrator."""
    with app.app_context():
        facility = factories.make_facility(code=code)
        if username:
            factories.make_user(role="social_worker", facility=facility, username=username)
        db.session.commit()
        db.session.remove()


def test_a_failure_after_the_facility_is_made_leaves_neither_facility_nor_user(empty):
    """The administrator is created after the facility (its username is taken here): the facility goes too."""
    existing(empty, "CU01", username="quantri")
    before = row_counts(empty)
    result = run(empty, *flags())
    assert result.exit_code != 0
    assert "Tên đăng nhập này đã được dùng" in result.output
    assert row_counts(empty) == before
    assert [f.code for f in facilities(empty)] == ["CU01"]


def test_a_second_setup_is_refused_and_points_to_create_admin(empty):
    assert run(empty, *flags()).exit_code == 0
    before = row_counts(empty)
    result = run(empty, *flags(facility_code="KHAC01", admin_username="quantri2"))
    assert result.exit_code != 0
    assert "flask create-admin" in result.output
    assert row_counts(empty) == before


def test_a_facility_code_in_use_is_refused(empty):
    existing(empty, "CTXHHN")
    before = row_counts(empty)
    result = run(empty, *flags())
    assert result.exit_code != 0
    assert "Mã cơ sở CTXHHN đã được dùng." in result.output
    assert row_counts(empty) == before


def test_create_admin_adds_an_administrator_to_the_facility_setup_created(empty):
    assert run(empty, *flags()).exit_code == 0
    result = run(
        empty,
        "create-admin",
        "--username",
        "quantri.hai",
        "--full-name",
        "Lê Thị Hai",
        "--facility-code",
        "CTXHHN",
        "--password",
        "Mot-khau-khac-hoan-toan-2026",
    )
    assert result.exit_code == 0, result.output
    assert sorted((a.username, a.role) for a in admins(empty)) == [("quantri", "admin"), ("quantri.hai", "admin")]
    assert len({a.facility_id for a in admins(empty)}) == 1
