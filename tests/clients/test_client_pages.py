"""The client record: server-side validation in Vietnamese, typed values kept, the client page with
everything and its history, optimistic locking on edit, family members, consent withdrawal."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.clients import services
from caseapp.clients.models import Client, ClientChange, FamilyMember
from caseapp.core.timeutil import local_today

from .. import factories


def _create(http, **fields):
    """Post the create step (the duplicate check is passed by posting its own key back)."""
    data = {
        "full_name": "Đặng Văn Mười",
        "sex": "male",
        "birth_precision": "",
        "citizen_id": "",
        "phone": "",
        "province_code": "",
        "commune_code": "",
        "purpose": "",
    }
    data.update(fields)
    page = http.post("/clients/new", data={**data, "action": "check"}).get_data(as_text=True)
    key = re.search(r'name="checked_key" type="hidden" value="([0-9a-f]*)"', page)
    return http.post("/clients/new", data={**data, "action": "create", "checked_key": key.group(1) if key else ""})


# --- bad input -----------------------------------------------------------------------------------


def test_citizen_id_of_11_digits_is_refused_in_vietnamese(staff, signed_in, session):
    response = _create(signed_in(staff.worker), citizen_id="00109900012")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Số định danh cá nhân (CCCD) phải có đúng 12 chữ số." in page
    assert 'value="00109900012"' in page
    assert session.scalar(sa.select(Client).where(Client.full_name == "Đặng Văn Mười")) is None


def test_duplicate_citizen_id_is_refused_with_a_link_to_the_visible_client(staff, new_client, signed_in, session):
    existing = new_client("Đặng Văn Mười", citizen_id="001099000777")
    http = signed_in(staff.worker)
    data = {"full_name": "Đặng Văn Mười Một", "sex": "male", "citizen_id": "001099000777", "purpose": ""}
    page = http.post("/clients/new", data={**data, "action": "check"}).get_data(as_text=True)
    key = re.search(r'name="checked_key" type="hidden" value="([0-9a-f]*)"', page).group(1)
    response = http.post("/clients/new", data={**data, "action": "create", "checked_key": key})
    page = response.get_data(as_text=True)
    assert "Đã có đối tượng khác mang số định danh này." in page
    assert f'href="/clients/{existing.id}"' in page
    assert 'value="Đặng Văn Mười Một"' in page
    assert session.scalar(sa.select(sa.func.count()).where(Client.citizen_id == "001099000777")) == 1


def test_duplicate_citizen_id_of_an_invisible_client_is_refused_without_a_link(staff, new_client, signed_in):
    """A sealed client of the facility, whom the worker may not see: the facility's registry still holds
    the number once, and the refusal links to no one. (Another facility's client: see
    test_identity_across_facilities.py — accepted, nothing said.)"""
    sealed = new_client("Đặng Văn Mười", citizen_id="001099000888", is_sensitive=True, by=staff.supervisor)
    page = _create(signed_in(staff.worker), citizen_id="001099000888").get_data(as_text=True)
    assert "Đã có đối tượng khác mang số định danh này." in page
    assert f"/clients/{sealed.id}" not in page


@pytest.mark.parametrize("birth_date", [(local_today() + timedelta(days=1)).isoformat(), "1899-12-31"])
def test_birth_date_in_the_future_or_before_1900_is_refused(staff, signed_in, session, birth_date):
    page = _create(signed_in(staff.worker), birth_precision="exact", birth_date=birth_date).get_data(as_text=True)
    assert "Ngày sinh phải trong khoảng từ năm 1900 đến hôm nay." in page
    assert f'value="{birth_date}"' in page
    assert session.scalar(sa.select(Client).where(Client.full_name == "Đặng Văn Mười")) is None


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"birth_precision": "year", "birth_year": "1899"}, "Năm sinh phải trong khoảng từ 1900 đến năm nay."),
        (
            {"birth_precision": "year", "birth_year": str(local_today().year + 1)},
            "Năm sinh phải trong khoảng từ 1900 đến năm nay.",
        ),
        ({"birth_precision": "estimated", "estimated_age": "130"}, "Tuổi ước tính phải từ 0 đến 120."),
        ({"birth_precision": "exact"}, "Nhập ngày sinh."),
        ({"full_name": ""}, "Nhập họ tên, hoặc tên gọi tạm nếu chưa biết tên."),
        ({"phone": "abc"}, "Nhập số điện thoại hợp lệ."),
    ],
)
def test_other_bad_input_is_refused_in_vietnamese(staff, signed_in, fields, message):
    assert message in _create(signed_in(staff.worker), **fields).get_data(as_text=True)


def test_the_service_refuses_an_impossible_birth_date_too(staff, in_request):
    with pytest.raises(services.ServiceError):
        services.create_client(
            {"full_name": "A", "birth_date": date(1899, 1, 1), "birth_precision": "exact"},
            facility=staff.facility,
            by=staff.worker,
        )


def test_commune_of_another_province_is_refused(staff, signed_in, session):
    provinces = session.scalars(sa.select(factories.Commune.province_code).distinct().limit(2)).all()
    commune = factories.any_commune(provinces[1])
    page = _create(signed_in(staff.worker), province_code=provinces[0], commune_code=commune.code).get_data(
        as_text=True
    )
    assert "Xã/phường không thuộc tỉnh/thành phố đã chọn." in page or "Lựa chọn không hợp lệ" in page


def test_an_invalid_form_keeps_everything_typed(staff, signed_in):
    page = _create(
        signed_in(staff.worker),
        citizen_id="123",
        phone="0912 345 678",
        alias="Bé Na",
        street_address="Ngõ 7",
        hometown="Nam Định",
        other_names="Na",
        groups=["cs_abandoned"],
        is_sensitive="y",
    ).get_data(as_text=True)
    for typed in (
        'value="123"',
        'value="0912 345 678"',
        'value="Bé Na"',
        'value="Ngõ 7"',
        'value="Nam Định"',
        'value="Đặng Văn Mười"',
    ):
        assert typed in page, typed
    assert re.search(r'value="cs_abandoned" checked', page)
    assert re.search(r'<input checked id="is_sensitive"', page)


def test_alias_only_client_gets_a_temporary_code(staff, signed_in, session):
    response = _create(signed_in(staff.worker), full_name="", alias="Người phụ nữ ở bến xe")
    client = session.scalar(sa.select(Client).where(Client.alias == "Người phụ nữ ở bến xe"))
    assert response.status_code == 302
    assert client.full_name is None and client.identity_unknown
    assert re.fullmatch(rf"TAM-{staff.facility.code}-\d{{4}}-\d{{5}}", client.code)


def test_a_client_with_a_known_full_name_gets_a_code_that_is_not_temporary(staff, signed_in, session):
    _create(signed_in(staff.worker), full_name="Nguyễn Thị Hoa", alias="Hoa")
    client = session.scalar(sa.select(Client).where(Client.full_name == "Nguyễn Thị Hoa"))
    assert re.fullmatch(rf"DT-{staff.facility.code}-\d{{4}}-\d{{5}}", client.code)


def test_the_register_import_gives_temporary_codes_only_to_people_without_a_full_name(staff, session):
    from caseapp.clients.services import create_clients

    ids = create_clients(
        [{"full_name": "Lê Văn Nam"}, {"full_name": "", "alias": "Cụ bà ở chợ"}],
        facility=staff.facility,
        by=staff.supervisor,
        kind="created",
    )
    codes = [session.get(Client, client_id).code for client_id in ids]
    assert codes[0].startswith(f"DT-{staff.facility.code}-") and codes[1].startswith(f"TAM-{staff.facility.code}-")


def test_full_name_is_stored_nfc(staff, signed_in, session):
    import unicodedata

    _create(signed_in(staff.worker), full_name=unicodedata.normalize("NFD", "Đặng  Văn Mười"))
    assert session.scalar(sa.select(Client.full_name).where(Client.full_name == "Đặng Văn Mười")) == "Đặng Văn Mười"


# --- the client page -----------------------------------------------------------------------------


def test_client_page_shows_everything_and_is_audited(staff, new_client, new_case, signed_in, session):
    commune = factories.any_commune()
    client = new_client(
        "Phạm Thị Lan",
        sex="female",
        birth_date=date(2014, 3, 2),
        birth_precision="exact",
        birth_year=2014,
        ethnicity="06",
        citizen_id="001314000999",
        phone="0988 111 222",
        province_code=commune.province_code,
        commune_code=commune.code,
        street_address="Số 3",
        hometown="Hòa Bình",
        disabilities="Khuyết tật vận động",
        groups=["cs_violence"],
    )
    services.add_family_member(
        client, {"full_name": "Phạm Văn Bố", "relationship": "father", "is_alleged_perpetrator": True}, by=staff.worker
    )
    services.record_consent(
        client, purpose="services", given_by="guardian", giver_name="Nguyễn Thị Mẹ", child_assent=True, by=staff.worker
    )
    case = new_case(client, worker=staff.worker)
    page = signed_in(staff.worker).get(f"/clients/{client.id}").get_data(as_text=True)
    for text in (
        "Phạm Thị Lan",
        "02/03/2014",
        "Mường",
        "001314000999",
        "0988 111 222",
        commune.name,
        "Số 3",
        "Hòa Bình",
        "Khuyết tật vận động",
        "Trẻ em bị tổn hại nghiêm trọng",
        "Luật Trẻ em 2016, Điều 10",
        "Phạm Văn Bố",
        "Người bị cho là gây hại",
        "Nhận dịch vụ trợ giúp",
        "Nguyễn Thị Mẹ",
        case.number,
        "Lịch sử thay đổi",
        "Lê Văn Nhân Viên",
    ):
        assert text in page, text
    assert f"{client.age}" in page
    event = session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "client_viewed", AuditEvent.entity_id == str(client.id))
    )
    assert event.user_id == staff.worker.id
    assert "Phạm Thị Lan" not in str(event.detail)  # never the data itself


def test_client_of_another_facility_answers_404(staff, new_client, signed_in):
    other = new_client("Người Ngoài", facility=staff.other_facility)
    http = signed_in(staff.supervisor)
    for path in (f"/clients/{other.id}", f"/clients/{other.id}/edit", f"/intake/new?client_id={other.id}"):
        assert http.get(path).status_code == 404, path


def test_sensitive_client_answers_404_to_a_worker_without_a_case_and_opens_for_a_supervisor(
    staff, new_client, new_case, signed_in
):
    client = new_client("Vũ Thị Kín", is_sensitive=True, by=staff.supervisor)  # not the worker: its creator sees it
    assert signed_in(staff.worker).get(f"/clients/{client.id}").status_code == 404
    assert signed_in(staff.supervisor).get(f"/clients/{client.id}").status_code == 200
    new_case(client, worker=staff.worker)
    assert signed_in(staff.worker).get(f"/clients/{client.id}").status_code == 200


def test_client_page_lists_only_the_cases_the_user_may_see(staff, new_client, new_case, signed_in):
    client = new_client("Đoàn Văn Hai")
    mine = new_case(client, worker=staff.worker)
    theirs = new_case(client, worker=staff.colleague)
    page = signed_in(staff.worker).get(f"/clients/{client.id}").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page
    page = signed_in(staff.supervisor).get(f"/clients/{client.id}").get_data(as_text=True)
    assert mine.number in page and theirs.number in page


# --- edit, history, optimistic lock --------------------------------------------------------------


def _edit_data(page):
    """The edit form as the browser would post it back."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([a-z_]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) in ("csrf_token", "groups", "q", "next", "lang"):
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name in ("sex", "birth_precision", "ethnicity", "province_code", "commune_code"):
        block = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        chosen = re.search(r'<option selected value="([^"]*)"', block)
        data[name] = chosen.group(1) if chosen else ""
    data["groups"] = re.findall(r'name="groups" value="([^"]+)" checked', page)
    return data


def test_edit_records_what_changed_in_the_history_and_shows_it(staff, new_client, signed_in, session):
    client = new_client("Bùi Văn Cũ", phone="0912000555")
    http = signed_in(staff.worker)
    data = _edit_data(http.get(f"/clients/{client.id}/edit").get_data(as_text=True))
    assert data["full_name"] == "Bùi Văn Cũ" and data["version"] == str(client.version)
    response = http.post(
        f"/clients/{client.id}/edit",
        data={
            **data,
            "full_name": "Bùi Văn Mới",
            "phone": "0912000666",
            "groups": ["ot_poor_household"],
            "change_reason": "Theo giấy khai sinh",
        },
    )
    assert response.status_code == 302
    changes = session.scalars(
        sa.select(ClientChange).where(ClientChange.client_id == client.id).order_by(ClientChange.id)
    ).all()
    assert [c.kind for c in changes] == ["created", "updated", "membership_added"]
    assert changes[1].changes["full_name"] == ["Bùi Văn Cũ", "Bùi Văn Mới"]
    assert changes[1].changes["phone"] == ["0912000555", "0912000666"]
    assert changes[1].changed_by_id == staff.worker.id
    page = http.get(f"/clients/{client.id}").get_data(as_text=True)
    history = page[page.index("Lịch sử thay đổi") :]
    assert "<del>Bùi Văn Cũ</del> → Bùi Văn Mới" in history
    assert "Hộ nghèo" in history and "Lê Văn Nhân Viên" in history


def test_stale_edit_is_refused_keeps_the_input_and_names_the_fields_changed_meanwhile(
    staff, new_client, signed_in, session
):
    client = new_client("Bùi Văn Cũ", phone="0912000555")
    http = signed_in(staff.worker)
    data = _edit_data(http.get(f"/clients/{client.id}/edit").get_data(as_text=True))
    # meanwhile a colleague changes the phone
    services.update_client(client, {"phone": "0977000777"}, by=staff.colleague)
    session.commit()
    response = http.post(f"/clients/{client.id}/edit", data={**data, "hometown": "Quê mới của tôi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Người khác đã sửa đối tượng này" in page
    assert "Điện thoại" in page[page.index("Người khác đã sửa") : page.index("Người khác đã sửa") + 300]
    assert 'value="Quê mới của tôi"' in page
    session.refresh(client)
    assert client.hometown is None and client.phone == "0977000777"
    # the refusal armed the form with the current version: saving again (after checking) works
    again = _edit_data(page)
    assert again["version"] == str(client.version)
    assert http.post(f"/clients/{client.id}/edit", data=again).status_code == 302
    session.refresh(client)
    assert client.hometown == "Quê mới của tôi"


def test_edit_to_a_duplicate_citizen_id_is_refused_with_link(staff, new_client, signed_in):
    first = new_client("Bùi Thị Một", citizen_id="001099111111")
    second = new_client("Bùi Thị Hai")
    http = signed_in(staff.worker)
    data = _edit_data(http.get(f"/clients/{second.id}/edit").get_data(as_text=True))
    page = http.post(f"/clients/{second.id}/edit", data={**data, "citizen_id": "001099111111"}).get_data(as_text=True)
    assert "Đã có đối tượng khác mang số định danh này." in page
    assert f'href="/clients/{first.id}"' in page


# --- family members ------------------------------------------------------------------------------


def test_family_member_add_edit_remove_with_history_and_audit(staff, new_client, signed_in, session):
    client = new_client("Cao Thị Con")
    http = signed_in(staff.worker)
    response = http.post(
        f"/clients/{client.id}/family/new",
        data={
            "full_name": "Cao Văn Cha",
            "relationship": "father",
            "phone": "0912 111 000",
            "lives_with_client": "y",
            "is_alleged_perpetrator": "y",
        },
    )
    assert response.status_code == 302
    member = session.scalar(sa.select(FamilyMember).where(FamilyMember.client_id == client.id))
    assert (member.relationship, member.lives_with_client, member.is_alleged_perpetrator, member.is_guardian) == (
        "father",
        True,
        True,
        False,
    )
    http.post(
        f"/clients/{client.id}/family/{member.id}",
        data={
            "full_name": "Cao Văn Cha",
            "relationship": "father",
            "phone": "0912 111 000",
            "is_alleged_perpetrator": "y",
        },
    )
    session.refresh(member)
    assert member.lives_with_client is False
    http.post(f"/clients/{client.id}/family/{member.id}/remove")
    assert session.get(FamilyMember, member.id) is None
    kinds = session.scalars(
        sa.select(ClientChange.kind).where(ClientChange.client_id == client.id).order_by(ClientChange.id)
    ).all()
    assert kinds == ["created", "family_added", "family_updated", "family_removed"]
    actions = session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("family_member_%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["family_member_added", "family_member_updated", "family_member_removed"]


def test_family_member_needs_a_name_and_relationship(staff, new_client, signed_in):
    client = new_client("Cao Thị Con")
    page = (
        signed_in(staff.worker)
        .post(f"/clients/{client.id}/family/new", data={"full_name": "", "relationship": "", "phone": "0912"})
        .get_data(as_text=True)
    )
    assert "Trường này là bắt buộc." in page
    assert 'value="0912"' in page


def test_family_member_of_another_client_answers_404(staff, new_client, signed_in):
    a, b = new_client("A Một"), new_client("B Hai")
    member = services.add_family_member(a, {"full_name": "X", "relationship": "mother"}, by=staff.worker)
    assert signed_in(staff.worker).get(f"/clients/{b.id}/family/{member.id}").status_code == 404


# --- consent withdrawal ---------------------------------------------------------------------------


def test_consent_is_withdrawn_with_a_reason_by_whom_and_when(staff, new_client, signed_in, session):
    client = new_client("Đinh Văn Đồng Ý")
    consent = services.record_consent(client, purpose="reports", given_by="client", by=staff.worker)
    http = signed_in(staff.worker)
    assert http.post(f"/clients/{client.id}/consents/{consent.id}/withdraw", data={"reason": ""}).status_code == 302
    session.refresh(consent)
    assert consent.withdrawn_at is None
    http.post(f"/clients/{client.id}/consents/{consent.id}/withdraw", data={"reason": "Không muốn nữa"})
    session.refresh(consent)
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == staff.worker.id
    assert consent.withdrawal_reason == "Không muốn nữa"
    page = http.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Đã rút lại" in page and "Không muốn nữa" in page
    assert session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "consent_withdrawn")) is not None


def test_consent_of_another_client_answers_404(staff, new_client, signed_in):
    a, b = new_client("A Một"), new_client("B Hai")
    consent = services.record_consent(a, purpose="reports", given_by="client", by=staff.worker)
    response = signed_in(staff.worker).post(f"/clients/{b.id}/consents/{consent.id}/withdraw", data={"reason": "x"})
    assert response.status_code == 404
