"""New passwords as NIST SP 800-63B §5.1.1.2 asks: a length by role (12 for administrators and
supervisors, 10 for the others), at most 128 characters, spaces allowed, no common or breached password
(whatever its letter case, tones or spaces), nothing easy to guess from the person's or the facility's
name, no composition rule; each refusal says its own reason in Vietnamese. Passwords are hashed in NFC,
and hashes made before that still open the account."""

import unicodedata

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from caseapp.auth.models import User
from caseapp.auth.services import (
    authenticate,
    check_password_strength,
    create_user,
    update_user,
    verify_password,
)
from caseapp.core.services import ServiceError
from caseapp.demo import DEMO_PASSWORD
from caseapp.security.policy import Role

from ..factories import PASSWORD
from ..security.conftest import sign_in

TOO_SHORT = "Với vai trò này, mật khẩu phải có ít nhất {n} ký tự."
TOO_LONG = "Mật khẩu chỉ được có tối đa 128 ký tự."
COMMON = "Mật khẩu này nằm trong danh sách mật khẩu phổ biến nhất hoặc đã bị lộ trong các vụ rò rỉ dữ liệu"
GUESSABLE = "Mật khẩu quá dễ đoán"
FACILITY = "Trung tâm Công tác xã hội Sông Hồng"


def refusal(password, role="social_worker", username="tran.binh", full_name="Trần Thị Bình", facility=FACILITY):
    """The Vietnamese reason a new password is refused, or None when it is accepted."""
    try:
        check_password_strength(password, role=role, username=username, full_name=full_name, facility_name=facility)
    except ServiceError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    "role, shortest",
    [("admin", 12), ("supervisor", 12), ("social_worker", 10), ("shelter_staff", 10), ("reporter", 10)],
)
def test_the_shortest_password_depends_on_the_role_and_the_refusal_says_the_number(app, role, shortest):
    with app.test_request_context():
        passphrase = "bàn ghế xanh lơ mọc cánh bay"
        assert refusal(passphrase[: shortest - 1], role) == TOO_SHORT.format(n=shortest)
        assert refusal(passphrase, role) is None


def test_length_counts_characters_of_the_nfc_form_not_bytes_or_combining_marks(app):
    with app.test_request_context():
        composed = "Ếch ộp ở ao"  # 11 characters in NFC; 15 code points decomposed
        assert len(unicodedata.normalize("NFD", composed)) > 12
        assert refusal(unicodedata.normalize("NFD", composed), "admin") == TOO_SHORT.format(n=12)


def test_more_than_128_characters_is_refused_and_128_are_accepted(app):
    with app.test_request_context():
        words = "trăng rằm tháng tám sáng vằng vặc khắp xóm làng quê em đèn lồng rực rỡ trẻ nhỏ múa lân vui "
        longest = (words * 2)[:128]
        assert len(longest) == 128
        assert refusal(longest) is None
        assert refusal(longest + "x") == TOO_LONG


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "PASSWORD123",
        "qwertyuiop",
        "1234567890",
        "123456789a",
        "matkhau123",
        "Mật Khẩu 123",  # folded and without its spaces: matkhau123
        "MATKHAU@2026",
        "anhyeuem123",
        "Anh yêu em mãi mãi",
        "iloveyou123",
        "toiyeuvietnam",
        "6868686868",
    ],
)
def test_common_and_breached_passwords_are_refused_whatever_their_case_tones_or_spaces(app, password):
    with app.test_request_context():
        assert COMMON in refusal(password)


@pytest.mark.parametrize(
    "password",
    [
        "nguyenvanan1990",  # the person's own name and a year
        "Nguyễn Văn An 1990",
        "SongHong2026!",  # the facility's name
        "zzzzzzzzzzzzzz",
        "abcabcabcabcabc",
        "tôi yêu em",  # common Vietnamese words, without tones and spaces: toiyeuem
    ],
)
def test_a_password_easy_to_guess_from_the_persons_or_facilitys_name_or_common_words_is_refused(app, password):
    with app.test_request_context():
        assert refusal(password, username="an.nguyen", full_name="Nguyễn Văn An").startswith(GUESSABLE)


def test_each_refusal_gives_its_own_reason(app):
    with app.test_request_context():
        reasons = {
            refusal("ngắn-quá"),
            refusal("x" * 129),
            refusal("password123"),
            refusal("abc-tran.binh-xyz"),
            refusal("zzzzzzzzzzzzzz"),
        }
    assert None not in reasons and len(reasons) == 5
    assert "Mật khẩu không được chứa tên đăng nhập." in reasons


@pytest.mark.parametrize(
    "password",
    [
        "con mèo đen ngủ trên mái nhà",  # spaces, lower case, no digit: no composition rule
        "hoa sen nở giữa đầm lầy",
        "Xk9#qP2m!vLa",
        DEMO_PASSWORD,
    ],
)
def test_long_unguessable_passwords_pass_for_every_role_with_spaces_and_no_composition_rule(app, password):
    with app.test_request_context():
        for role in Role:
            assert refusal(password, role.value) is None, role


def test_the_demo_password_passes_for_the_demo_admin_and_supervisor(app):
    with app.test_request_context():
        for role, username, full_name in (("admin", "admin", "Quản trị hệ thống"), ("supervisor", "gs.songhong", "")):
            assert refusal(DEMO_PASSWORD, role, username, full_name) is None


def test_an_administrator_cannot_create_a_supervisor_with_a_password_of_eleven_characters(
    client, session, facility, make_user
):
    sign_in(client, make_user("admin"))
    form = {
        "username": "gs.moi",
        "full_name": "Lê Văn Giám",
        "role": "supervisor",
        "facility_id": facility.id,
        "password": "Song-Hong-7",
    }
    response = client.post("/admin/users/new", data=form)
    assert TOO_SHORT.format(n=12) in response.get_data(as_text=True)
    assert session.scalar(sa.select(User.id).where(User.username == "gs.moi")) is None


def test_a_supervisor_changing_their_password_needs_twelve_characters(client, session, make_user):
    supervisor = make_user("supervisor")
    sign_in(client, supervisor)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "Song-Hong-7", "confirm_password": "Song-Hong-7"},
    )
    assert TOO_SHORT.format(n=12) in response.get_data(as_text=True)


def test_an_account_raised_to_a_role_that_needs_a_longer_password_must_choose_a_new_one(session, make_user):
    admin, worker = make_user("admin"), make_user()
    update_user(
        worker,
        full_name=worker.full_name,
        role="supervisor",
        facility_id=worker.facility_id,
        email=None,
        phone=None,
        active=True,
        by=admin,
    )
    assert worker.must_change_password is True


def test_a_password_typed_decomposed_opens_the_account_made_with_its_composed_form(app, session, facility):
    composed = "Đêm trăng sáng bên hồ Gươm"
    with app.test_request_context():
        user = create_user(
            username="nfc.test",
            full_name="Thử Chuẩn Hoá",
            role="social_worker",
            facility_id=facility.id,
            password=composed,
            by=None,
        )
    assert PasswordHasher().verify(user.password_hash, unicodedata.normalize("NFC", composed))
    user_back, outcome = authenticate(
        "nfc.test", unicodedata.normalize("NFD", composed), ip="192.0.2.70", config=app.config
    )
    assert (user_back, outcome) == (user, "ok")


def test_a_hash_made_before_passwords_were_normalised_still_opens_the_account_and_is_made_again_in_nfc(
    session, make_user
):
    decomposed = unicodedata.normalize("NFD", "Mật khẩu cũ gõ kiểu tổ hợp")
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(decomposed)
    assert verify_password(user, decomposed)
    # Hashed again from the NFC form: now either way of typing it opens the account.
    assert PasswordHasher().verify(user.password_hash, unicodedata.normalize("NFC", decomposed))
    assert verify_password(user, unicodedata.normalize("NFC", decomposed))
