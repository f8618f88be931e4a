"""The service directory lists every facility of the system, kept in step when a facility is created
or changed (the admin pages, `flask setup`), not when the directory is read."""

import sqlalchemy as sa

from caseapp.referrals.models import Provider

from .test_facility_admin import admin_client, by_code, edit_form, facility_form, two_provinces  # noqa: F401


def entry_of(session, facility):
    session.expire_all()
    return session.scalar(sa.select(Provider).where(Provider.facility_id == facility.id))


def test_a_created_facility_is_in_the_directory_at_once(admin_client, session):  # noqa: F811
    commune, _ = two_provinces(session)
    response = admin_client.post("/admin/facilities/new", data=facility_form(commune))
    assert response.status_code == 302
    entry = entry_of(session, by_code(session, "TTCTXH01"))
    assert entry is not None and entry.kind == "facility"
    assert entry.name == "Trung tâm Công tác xã hội Thử nghiệm" and entry.address == "12 Đường Láng"


def test_an_edited_facility_changes_its_directory_entry(admin_client, session, facility):  # noqa: F811
    response = admin_client.post(
        f"/admin/facilities/{facility.id}", data=edit_form(facility, name="Trung tâm đã đổi tên")
    )
    assert response.status_code == 302
    assert entry_of(session, facility).name == "Trung tâm đã đổi tên"


def test_a_facility_made_confidential_loses_its_address_in_the_directory(admin_client, session, facility):  # noqa: F811
    admin_client.post(f"/admin/facilities/{facility.id}", data=edit_form(facility, street_address="Số 5 đường Hoa"))
    assert entry_of(session, facility).address == "Số 5 đường Hoa"
    response = admin_client.post(
        f"/admin/facilities/{facility.id}", data=edit_form(by_code(session, facility.code), confidential_address="y")
    )
    assert response.status_code == 302
    assert entry_of(session, facility).address is None


def test_flask_setup_puts_the_first_facility_in_the_directory(app, session):
    from caseapp.ops import setup

    commune, _ = two_provinces(session)
    facility, _user = setup.set_up(
        setup.FacilityAnswers(
            name="Trung tâm Đầu tiên",
            type="social_work_center",
            code="DAUTIEN",
            province_code=commune.province_code,
            commune_code=commune.code,
            street_address="1 Tràng Tiền",
            confidential_address=False,
        ),
        setup.AdminAnswers(username="quantri", full_name="Quản Trị", password="Mot-mat-khau-dai-2026", email=None),
    )
    assert entry_of(session, facility).name == "Trung tâm Đầu tiên"
