"""Search before create: candidates found by citizen ID, phone, or the folded name alone (any word order,
one letter off), raised by birth year and commune; scored, ranked, each with its reasons; never merged
automatically. The same check serves the intake, the new-client form and the register's import."""

import re

import sqlalchemy as sa

from caseapp.clients.models import Client
from caseapp.clients.queries import duplicate_candidates
from caseapp.core.timeutil import local_today
from caseapp.register.queries import managed_group_codes

from .. import factories


def test_candidates_are_ranked_with_their_reasons(staff, new_client, app):
    commune = factories.any_commune()
    same_id = new_client("Nguyễn Thị Hồng", citizen_id="001190000111")
    same_phone = new_client("Nguyễn Thị Hồng Nhung", phone="0912 000 111")
    close_year = new_client("Nguyen Thi Hong", birth_year=1991, birth_precision="year")
    same_commune = new_client("Lê Thị Hồng", province_code=commune.province_code, commune_code=commune.code)
    new_client("Trần Văn Bình", birth_year=1990, birth_precision="year")  # another name: not a candidate
    far_year = new_client("Nguyễn Thị Hồng", birth_year=1980, birth_precision="year")  # the name alone

    with app.test_request_context():
        found = duplicate_candidates(
            staff.worker,
            full_name="Nguyễn Thị Hồng",
            birth_year=1990,
            citizen_id="001190000111",
            phone="0912000111",
            commune_code=commune.code,
        )
    ranked = [c.client.id for c in found]
    assert ranked[0] == same_id.id
    assert set(ranked) == {same_id.id, same_phone.id, close_year.id, same_commune.id, far_year.id}
    assert ranked[-1] == far_year.id  # a birth year ten years apart lowers the score
    by_id = {c.client.id: c for c in found}
    assert by_id[same_id.id].score == 100
    assert "trùng số định danh cá nhân" in by_id[same_id.id].reasons
    assert "trùng số điện thoại" in by_id[same_phone.id].reasons
    assert "năm sinh 1991, lệch một năm" in by_id[close_year.id].reasons
    assert "tên giống" in by_id[close_year.id].reasons  # tones do not matter
    assert "khác năm sinh (1980)" in by_id[far_year.id].reasons
    assert "cùng xã/phường" in by_id[same_commune.id].reasons
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)


def test_candidates_come_only_from_what_the_user_may_see(staff, new_client, app):
    new_client("Nguyễn Thị Hồng", citizen_id="001190000222", facility=staff.other_facility)
    new_client("Nguyễn Thị Hồng", phone="0912000222", is_sensitive=True, by=staff.supervisor)
    with app.test_request_context():
        assert (
            duplicate_candidates(
                staff.worker, full_name="Nguyễn Thị Hồng", citizen_id="001190000222", phone="0912000222"
            )
            == []
        )
        assert len(duplicate_candidates(staff.supervisor, full_name="Nguyễn Thị Hồng", phone="0912000222")) == 1


def _identity(**extra):
    data = {
        "full_name": "Nguyễn Thị Hồng",
        "sex": "female",
        "birth_precision": "year",
        "birth_year": "1990",
        "citizen_id": "",
        "phone": "0912 000 333",
        "province_code": "",
        "commune_code": "",
        "purpose": "",
    }
    data.update(extra)
    return data


def test_check_step_shows_candidates_with_reasons_score_and_a_link_to_use_them(staff, new_client, signed_in):
    existing = new_client("Nguyễn Thị Hồng", phone="0912000333", birth_year=1990, birth_precision="year")
    http = signed_in(staff.worker)
    page = http.post("/clients/new", data={**_identity(purpose="intake"), "action": "check"}).get_data(as_text=True)
    assert "Nguyễn Thị Hồng" in page and existing.code in page
    assert "trùng số điện thoại" in page and "cùng năm sinh 1990" in page
    assert re.search(r"điểm \d+", page)
    assert f'href="/intake/new?client_id={existing.id}"' in page  # use this client → its intake
    assert 'value="create"' in page  # none of these: create new
    assert 'value="0912 000 333"' in page  # what was typed is kept


def test_use_this_client_goes_to_the_client_page_outside_an_intake(staff, new_client, signed_in):
    existing = new_client("Nguyễn Thị Hồng", phone="0912000333")
    page = signed_in(staff.worker).post("/clients/new", data={**_identity(), "action": "check"}).get_data(as_text=True)
    assert f'href="/clients/{existing.id}"' in page


def _checked_key(page):
    return re.search(r'name="checked_key" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_confirm_creates_a_new_client_with_every_typed_value_and_never_merges(staff, new_client, signed_in, session):
    existing = new_client("Nguyễn Thị Hồng", phone="0912000333")
    commune = factories.any_commune()
    http = signed_in(staff.worker)
    data = _identity(purpose="intake", province_code=commune.province_code, commune_code=commune.code)
    page = http.post("/clients/new", data={**data, "action": "check"}).get_data(as_text=True)
    details = {
        "other_names": "Hồng Béo",
        "ethnicity": "02",
        "nationality": "Việt Nam",
        "street_address": "Số 5, tổ 3",
        "hometown": "Thái Bình",
        "disabilities": "Khiếm thính",
        "groups": ["em_domestic_violence", "bt_single_parent_poor"],
        "checked_key": _checked_key(page),
    }
    response = http.post("/clients/new", data={**data, **details, "action": "create"})
    assert response.status_code == 302
    created = session.scalar(sa.select(Client).where(Client.id != existing.id, Client.full_name == "Nguyễn Thị Hồng"))
    assert response.headers["Location"] == f"/intake/new?client_id={created.id}"
    assert (created.phone, created.phone_digits, created.birth_year, created.birth_precision) == (
        "0912 000 333",
        "0912000333",
        1990,
        "year",
    )
    assert (created.other_names, created.ethnicity, created.street_address, created.hometown, created.disabilities) == (
        "Hồng Béo",
        "02",
        "Số 5, tổ 3",
        "Thái Bình",
        "Khiếm thính",
    )
    assert created.commune_code == commune.code and created.created_by_id == staff.worker.id
    assert set(session.scalars(managed_group_codes(created.id, local_today()))) == {
        "em_domestic_violence",
        "bt_single_parent_poor",
    }
    session.refresh(existing)
    assert existing.merged_into_id is None and existing.phone == "0912000333"


def test_create_without_the_check_shows_the_candidates_first(staff, new_client, signed_in, session):
    new_client("Nguyễn Thị Hồng", phone="0912000333")
    before = session.scalar(sa.select(sa.func.count(Client.id)))
    response = signed_in(staff.worker).post(
        "/clients/new", data={**_identity(), "action": "create", "street_address": "Số 9"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "trùng số điện thoại" in page
    assert 'value="Số 9"' in page  # the confirm step does not lose input
    assert session.scalar(sa.select(sa.func.count(Client.id))) == before


def test_identity_changed_after_the_check_is_checked_again(staff, new_client, signed_in, session):
    http = signed_in(staff.worker)
    page = http.post("/clients/new", data={**_identity(phone=""), "action": "check"}).get_data(as_text=True)
    key = _checked_key(page)
    new_client("Nguyễn Thị Hồng", phone="0912000444")
    response = http.post("/clients/new", data={**_identity(phone="0912000444"), "action": "create", "checked_key": key})
    assert response.status_code == 200
    assert "trùng số điện thoại" in response.get_data(as_text=True)


def test_no_candidate_says_so_and_creates_on_confirm(staff, signed_in, session):
    http = signed_in(staff.worker)
    page = http.post("/clients/new", data={**_identity(full_name="Hà Văn Mới"), "action": "check"}).get_data(
        as_text=True
    )
    assert "Không tìm thấy đối tượng tương tự" in page
    response = http.post(
        "/clients/new",
        data={**_identity(full_name="Hà Văn Mới"), "action": "create", "checked_key": _checked_key(page)},
    )
    created = session.scalar(sa.select(Client).where(Client.full_name == "Hà Văn Mới"))
    assert response.headers["Location"] == f"/clients/{created.id}"


def test_search_term_prefills_the_identifying_fields(staff, signed_in):
    http = signed_in(staff.worker)
    assert 'value="Lê Văn Tám"' in http.get("/clients/new?q=Lê Văn Tám").get_data(as_text=True)
    assert 'value="001099000123"' in http.get("/clients/new?q=001099000123").get_data(as_text=True)
    assert 'value="0912 345 678"' in http.get("/clients/new?q=0912 345 678").get_data(as_text=True)


def _found(user, **person):
    return [(c.client.id, c) for c in duplicate_candidates(user, **person)]


def test_a_name_alone_finds_the_client(staff, new_client, app):
    hoa = new_client("Nguyễn Thị Hoa", birth_year=1990, birth_precision="year")
    new_client("Trần Văn Bình")
    with app.test_request_context():
        found = dict(_found(staff.worker, full_name="Nguyễn Thị Hoa"))
    assert list(found) == [hoa.id]
    assert found[hoa.id].reasons == ["tên giống"]


def test_the_words_of_the_name_in_another_order_find_the_client(staff, new_client, app):
    hoa = new_client("Nguyễn Thị Hoa")
    with app.test_request_context():
        found = dict(_found(staff.worker, full_name="Hoa Nguyễn Thị"))
    assert found[hoa.id].reasons == ["tên giống, khác thứ tự"]


def test_a_name_one_letter_off_finds_the_client_without_tones(staff, new_client, app):
    hoa = new_client("Nguyễn Thị Hoa")
    new_client("Nguyễn Thị Lan")  # another given name: no candidate
    with app.test_request_context():
        for typed in ("Nguyen Thi Hao", "Nguyễn Thi Hoà", "Nguyễn Thị Hoan", "Ngyễn Thị Hoa", "nguyen thi ho"):
            found = dict(_found(staff.worker, full_name=typed))
            assert list(found) == [hoa.id], typed
    assert "tên lệch một chữ cái" in dict(_found(staff.worker, full_name="Nguyễn Thị Hao"))[hoa.id].reasons


def test_the_same_birth_year_and_commune_raise_the_rank_and_say_why(staff, new_client, app):
    commune = factories.any_commune()
    other = new_client("Nguyễn Thị Hoa")
    born_1990 = new_client("Nguyễn Thị Hoa", birth_year=1990, birth_precision="year")
    here = new_client(
        "Nguyễn Thị Hoa",
        birth_year=1990,
        birth_precision="year",
        province_code=commune.province_code,
        commune_code=commune.code,
    )
    with app.test_request_context():
        found = _found(staff.worker, full_name="Nguyễn Thị Hoa", birth_year=1990, commune_code=commune.code)
        name_only = _found(staff.worker, full_name="Nguyễn Thị Hoa")
    assert [client_id for client_id, _c in found] == [here.id, born_1990.id, other.id]
    by_id = dict(found)
    assert by_id[here.id].reasons == ["tên giống", "cùng năm sinh 1990", "cùng xã/phường"]
    assert by_id[here.id].score > by_id[born_1990.id].score > by_id[other.id].score
    assert {c.score for _id, c in name_only} == {by_id[other.id].score}  # no year typed: nothing lowered


def test_another_facility_and_sealed_clients_are_never_candidates(staff, new_client, app):
    new_client("Nguyễn Thị Hoa", birth_year=1990, birth_precision="year", facility=staff.other_facility)
    sealed = new_client(
        "Nguyễn Thị Hoa", birth_year=1990, birth_precision="year", is_sensitive=True, by=staff.supervisor
    )
    with app.test_request_context():
        assert _found(staff.worker, full_name="Nguyễn Thị Hoa", birth_year=1990) == []
        assert _found(staff.outsider, full_name="Nguyễn Thị Hoa", birth_year=1990) != []  # theirs only
        assert [i for i, _c in _found(staff.supervisor, full_name="Nguyễn Thị Hoa")] == [sealed.id]


def test_the_intake_finds_the_client_by_name_alone_with_reasons(staff, new_client, signed_in):
    hoa = new_client("Nguyễn Thị Hoa", birth_year=1990, birth_precision="year")
    new_client("Nguyễn Thị Hoa", facility=staff.other_facility)
    http = signed_in(staff.worker)
    form = {**_identity(full_name="Hoa Nguyễn Thi", birth_year="", birth_precision="", phone="", purpose="intake")}
    page = http.post("/clients/new", data={**form, "action": "check"}).get_data(as_text=True)
    assert "Không tìm thấy" not in page
    assert f'href="/intake/new?client_id={hoa.id}"' in page and "tên giống, khác thứ tự" in page
    assert page.count('class="candidate"') == 1  # the other facility's namesake is not shown


def test_the_register_import_uses_the_same_check(staff, new_client, app):
    from caseapp.clients.queries import DuplicateIndex, Identity, probable_duplicates

    commune = factories.any_commune()
    new_client("Nguyễn Thị Hồng", birth_year=1991, birth_precision="year")
    new_client("Nguyen Thi Hong", province_code=commune.province_code, commune_code=commune.code)
    new_client("Nguyễn Thị Hông", birth_year=1990, birth_precision="year")  # a typo of the tone
    new_client("Nguyễn Hồng Thị", phone="0912 000 444")  # the words in another order, the same phone
    new_client("Trần Thị Hồng", birth_year=1990, birth_precision="year")  # another family: below the floor
    new_client("Nguyễn Thị Hồng", birth_year=1990, birth_precision="year", citizen_id="001190000555")
    new_client("Hồng Nguyễn Thị")  # the name alone: under the register's floor
    people = [
        Identity(full_name="Nguyễn Thị Hồng", birth_year=1990, commune_code=commune.code),
        Identity(full_name="Nguyễn Thị Hồng", phone="0912000444"),
        Identity(full_name="Nguyễn Thị Hồng", birth_year=1990, citizen_id="001190000666"),
        Identity(full_name="Hồng Thị Nguyễn", birth_year=1990),
        Identity(full_name="Lê Văn Nam", birth_year=1990),
    ]
    with app.test_request_context():
        index = DuplicateIndex(staff.supervisor, floor=80)
        by_index = probable_duplicates(
            staff.supervisor, people, limit=10, floor=80, index=index, other_citizen_id_is_another_person=True
        )
        by_sql = probable_duplicates(
            staff.supervisor, people, limit=10, floor=80, other_citizen_id_is_another_person=True
        )
    assert [[(c.client.id, c.score) for c in found] for found in by_index] == [
        [(c.client.id, c.score) for c in found] for found in by_sql
    ]
    assert [len(found) for found in by_index] == [4, 1, 2, 3, 0]


def test_the_form_shows_a_namesake_holding_another_citizen_id_the_number_typed_may_be_wrong(staff, new_client, app):
    namesake = new_client("Nguyễn Thị Hoa", birth_year=1990, birth_precision="year", citizen_id="001190000777")
    with app.test_request_context():
        found = _found(staff.worker, full_name="Nguyễn Thị Hoa", birth_year=1990, citizen_id="001190000778")
    assert [client_id for client_id, _c in found] == [namesake.id]
