"""The service directory: facilities of the system and outside organisations; scope, search, editing
with the optimistic lock; a shelter's confidential address never reaches it."""

import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.org.models import FacilityType, Province
from caseapp.referrals import queries, services
from caseapp.referrals.models import Provider

from .. import factories
from .helpers import facility_provider, make_provider


def _other_province(code):
    return db.session.scalar(sa.select(Province.code).where(Province.code != code).order_by(Province.code))


def _names(stmt):
    return {p.name for p in db.session.scalars(stmt)}


def test_directory_opens_on_the_users_province(staff, signed_in):
    here = staff.facility.province_code
    make_provider(here, name="Bệnh viện Đa khoa tỉnh nhà")
    make_provider(_other_province(here), name="Bệnh viện tỉnh bạn")
    page = signed_in(staff.worker).get("/providers").get_data(as_text=True)
    assert "Bệnh viện Đa khoa tỉnh nhà" in page
    assert "Bệnh viện tỉnh bạn" not in page
    # every province when the filter is cleared
    page = signed_in(staff.worker).get("/providers?province=").get_data(as_text=True)
    assert "Bệnh viện tỉnh bạn" in page


def test_search_ignores_tones_and_case_and_needs_every_word(staff):
    here = staff.facility.province_code
    make_provider(
        here,
        name="Trung tâm Trợ giúp pháp lý Nhà nước",
        kind="legal_aid",
        services_=("legal_aid",),
        contact_person="Đặng Văn Luật",
    )
    make_provider(here, name="Công an phường Hồng Hà", kind="police", services_=())
    f = queries.DirectoryFilters(province_code=here)
    for q, expected in (
        ("tro giup PHAP LY", {"Trung tâm Trợ giúp pháp lý Nhà nước"}),
        ("dang van luat", {"Trung tâm Trợ giúp pháp lý Nhà nước"}),  # the contact person
        ("hong ha", {"Công an phường Hồng Hà"}),
        ("phap ly hong", set()),
        ("100%_", set()),
    ):
        f.q = q
        assert _names(queries.directory(f, staff.worker)) == expected, q


def test_filters_by_kind_and_service(staff):
    here = staff.facility.province_code
    make_provider(here, name="Hội LHPN tỉnh", kind="women_union", services_=("counselling", "shelter"))
    make_provider(here, name="Trường THCS Kim Đồng", kind="school", services_=("education",))
    assert _names(queries.directory(queries.DirectoryFilters(province_code=here, kind="school"), staff.worker)) == {
        "Trường THCS Kim Đồng"
    }
    assert _names(queries.directory(queries.DirectoryFilters(province_code=here, service="shelter"), staff.worker)) == {
        "Hội LHPN tỉnh"
    }
    page_ = queries.directory_page(queries.DirectoryFilters(province_code=here), staff.worker, per_page=1)
    assert len(page_.rows) == 1 and page_.has_next
    second = queries.directory_page(
        queries.DirectoryFilters(province_code=here), staff.worker, per_page=1, after=page_.next_cursor
    )
    assert second.rows and second.rows[0].id != page_.rows[0].id


def test_inactive_entries_are_hidden_from_workers(staff, signed_in):
    make_provider(staff.facility.province_code, name="Phòng khám đã đóng cửa", is_active=False)
    assert "Phòng khám đã đóng cửa" not in signed_in(staff.worker).get("/providers?include_inactive=y").get_data(
        as_text=True
    )
    assert "Phòng khám đã đóng cửa" in signed_in(staff.supervisor).get("/providers?include_inactive=y").get_data(
        as_text=True
    )


def test_facilities_of_the_province_appear_in_the_directory_once(staff, signed_in):
    page = signed_in(staff.worker).get("/providers").get_data(as_text=True)
    assert staff.other_facility.name in page  # "Trung tâm khác", of the same province
    rows = db.session.scalars(
        sa.select(Provider).where(Provider.facility_id.in_((staff.facility.id, staff.other_facility.id)))
    ).all()
    assert {p.kind for p in rows} == {"facility"} and len(rows) == 2
    assert services.ensure_facility_providers(staff.facility.province_code) == 0  # idempotent


def test_confidential_shelter_address_never_reaches_the_directory(staff, signed_in):
    shelter = factories.make_facility(
        code="NTL01",
        name="Nhà tạm lánh Bình Yên",
        type=FacilityType.SHELTER.value,
        street_address="Số 12 ngõ Bí Mật",
        confidential_address=True,
        province_code=staff.facility.province_code,
        phone="0912 000 111",
    )
    for user in (staff.worker, staff.outsider, staff.admin):
        page = signed_in(user).get("/providers").get_data(as_text=True)
        assert "Nhà tạm lánh Bình Yên" in page
        assert "Bí Mật" not in page
        assert "0912 000 111" in page  # reachable by phone
        assert "Địa chỉ bảo mật" in page
    entry = facility_provider(shelter)
    assert entry.address is None and entry.commune_code is None
    assert "bi mat" not in entry.search_text
    assert "Bí Mật" not in signed_in(staff.worker).get("/providers?q=bi+mat").get_data(as_text=True)


def test_a_shelter_made_confidential_loses_its_address_in_the_directory(staff):
    shelter = factories.make_facility(
        code="NTL02",
        name="Nhà an toàn",
        type=FacilityType.SHELTER.value,
        street_address="Số 5 đường Hoa",
        province_code=staff.facility.province_code,
    )
    assert facility_provider(shelter).address == "Số 5 đường Hoa"
    shelter.confidential_address = True
    db.session.flush()
    assert services.ensure_facility_providers(shelter.province_code) == 1
    assert facility_provider(shelter).address is None


def test_supervisor_adds_and_edits_an_organisation_with_the_version_lock(staff, signed_in):
    client = signed_in(staff.supervisor)
    here = staff.facility.province_code
    response = client.post(
        "/providers/new",
        data={
            "name": "Công an xã Hòa Bình",
            "kind": "police",
            "province_code": here,
            "phone": "113",
            "services": ["legal_aid"],
            "capacity_note": "Trực 24/7",
            "is_active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    provider = db.session.scalar(sa.select(Provider).where(Provider.name == "Công an xã Hòa Bình"))
    assert provider.services == ["legal_aid"] and provider.search_text.startswith("cong an xa hoa binh")
    version = provider.version

    edit = {
        "name": "Công an xã Hòa Bình",
        "kind": "police",
        "province_code": here,
        "phone": "0203 113",
        "services": ["legal_aid", "counselling"],
        "is_active": "y",
        "version": str(version),
    }
    assert client.post(f"/providers/{provider.id}/edit", data=edit).status_code == 302
    db.session.refresh(provider)
    assert provider.phone == "0203 113" and provider.version == version + 1

    stale = client.post(f"/providers/{provider.id}/edit", data={**edit, "phone": "999"})  # the old version
    assert stale.status_code == 200
    assert "Người khác vừa sửa mục này" in stale.get_data(as_text=True)
    db.session.refresh(provider)
    assert provider.phone == "0203 113"


def test_worker_proposes_but_cannot_edit_directory_entries(staff, signed_in):
    provider = make_provider(staff.facility.province_code)
    client = signed_in(staff.worker)
    page = client.get("/providers/new")
    assert page.status_code == 200 and "Đề xuất" in page.get_data(as_text=True)
    assert client.get(f"/providers/{provider.id}/edit").status_code == 403


def test_supervisor_cannot_edit_another_facilitys_entry_or_another_province(staff, signed_in):
    other_entry = facility_provider(staff.other_facility)
    far = make_provider(_other_province(staff.facility.province_code), name="Bệnh viện xa")
    client = signed_in(staff.supervisor)
    assert client.get(f"/providers/{other_entry.id}/edit").status_code == 403
    assert client.get(f"/providers/{far.id}/edit").status_code == 403
    assert client.get("/providers/2000000000/edit").status_code == 404
    assert signed_in(staff.admin).get(f"/providers/{far.id}/edit").status_code == 200


def test_a_facility_keeps_its_own_entry_but_not_its_name_or_address(staff, signed_in):
    entry = facility_provider(staff.facility)
    response = signed_in(staff.supervisor).post(
        f"/providers/{entry.id}/edit",
        data={
            "name": "Tên khác",
            "address": "Địa chỉ khác",
            "contact_person": "Chị Mai",
            "services": ["counselling"],
            "version": str(entry.version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.name == staff.facility.name and entry.address != "Địa chỉ khác"
    assert entry.contact_person == "Chị Mai" and entry.services == ["counselling"]


def test_the_directory_contact_column_is_the_organisations_contact(staff, signed_in):
    """ "Contact" of the directory (msgctxt "provider directory"): whom to reach, not a follow-up contact."""
    make_provider(staff.facility.province_code, name="Bệnh viện Đa khoa tỉnh nhà", contact_person="Chị Hoa")
    page = signed_in(staff.worker).get("/providers").get_data(as_text=True)
    assert "<th>Liên hệ</th>" in page and 'data-label="Liên hệ"' in page
    assert "Liên lạc" not in page
