"""Confidentiality (perpetrators must never learn where a victim is): a confidential facility's
address is shown only to users of that facility — an admin of another facility included — and never
printed on anything that leaves the shelter."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseapp.org.models import Facility
from caseapp.org.queries import facility_address, format_address, printable_address

from .. import factories
from .conftest import SECRET_STREET


@pytest.fixture()
def open_centre(session, shelter):
    return factories.make_facility(
        code="CTXHMO2",
        name="Trung tâm CTXH mở",
        province_code=shelter.province_code,
        street_address="Số 2 đường Lê Lợi",
    )


def loaded(session, facility):
    return session.scalar(
        sa.select(Facility)
        .where(Facility.id == facility.id)
        .options(joinedload(Facility.commune), joinedload(Facility.province))
        .execution_options(populate_existing=True)
    )


# --- the pure functions -------------------------------------------------------------------------


def test_printable_address_never_returns_a_confidential_address(session, shelter, open_centre):
    shelter = loaded(session, shelter)
    assert printable_address(shelter) is None
    assert printable_address(shelter, leaving_facility=True) is None
    assert SECRET_STREET in format_address(shelter)  # it is stored …
    assert SECRET_STREET in printable_address(shelter, leaving_facility=False)  # … for papers kept inside
    centre = loaded(session, open_centre)
    printed = printable_address(centre)
    assert printed.startswith("Số 2 đường Lê Lợi, ") and centre.province.name in printed


def test_printable_address_runs_no_query_and_needs_no_user(session, shelter):
    shelter.confidential_address = False
    assert printable_address(shelter) == SECRET_STREET  # relationships not loaded: just the street


def test_facility_address_is_shown_only_to_users_of_the_facility(session, shelter, staff, open_centre):
    outsider_admin = factories.make_user(role="admin", facility=open_centre)
    own_admin = factories.make_user(role="admin", facility=shelter)
    assert SECRET_STREET in facility_address(shelter, staff)
    assert SECRET_STREET in facility_address(shelter, own_admin)
    assert facility_address(shelter, outsider_admin) is None
    assert facility_address(open_centre, staff) == format_address(open_centre)


# --- the pages ----------------------------------------------------------------------------------


def test_admin_of_another_facility_never_sees_the_confidential_address(session, signed_in, shelter, open_centre):
    admin = factories.make_user(role="admin", facility=open_centre)
    client = signed_in(admin)
    listing = client.get("/admin/facilities/").get_data(as_text=True)
    assert shelter.name in listing and "Số 2 đường Lê Lợi" in listing
    assert SECRET_STREET not in listing
    form = client.get(f"/admin/facilities/{shelter.id}").get_data(as_text=True)
    assert SECRET_STREET not in form
    assert "Địa chỉ bảo mật" in form and 'name="street_address"' not in form


def test_admin_of_the_shelter_sees_and_edits_its_address(session, signed_in, shelter):
    admin = factories.make_user(role="admin", facility=shelter)
    client = signed_in(admin)
    assert SECRET_STREET in client.get("/admin/facilities/").get_data(as_text=True)
    assert SECRET_STREET in client.get(f"/admin/facilities/{shelter.id}").get_data(as_text=True)


def test_saving_the_form_as_another_facility_admin_keeps_the_address_and_the_seal(
    session, signed_in, shelter, open_centre
):
    admin = factories.make_user(role="admin", facility=open_centre)
    client = signed_in(admin)
    commune = shelter.commune_code
    response = client.post(
        f"/admin/facilities/{shelter.id}",
        data={
            "code": shelter.code,
            "name": "Nhà tạm lánh đổi tên",
            "type": "shelter",
            "province_code": "",
            "commune_code": "",
            "street_address": "",
            "phone": "0203 999",
            "capacity": "10",
            "max_stay_days": "45",
            "is_active": "y",
            "version": shelter.version,
        },
    )  # confidential_address unticked
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    saved = session.get(Facility, shelter.id)
    assert saved.name == "Nhà tạm lánh đổi tên" and saved.max_stay_days == 45 and saved.capacity == 10
    assert saved.street_address == SECRET_STREET and saved.commune_code == commune
    assert saved.confidential_address is True


def test_referral_list_of_another_facility_never_prints_the_shelter_address(session, signed_in, shelter, open_centre):
    worker = factories.make_user(role="social_worker", facility=open_centre)
    page = signed_in(worker).get("/shelter/referral").get_data(as_text=True)
    assert shelter.name in page
    assert SECRET_STREET not in page
    assert "Địa chỉ bảo mật — liên hệ qua điện thoại" in page


@pytest.mark.parametrize("path", ["/shelter/board", "/shelter/admit", "/shelter/rooms", "/shelter/referral"])
def test_shelter_pages_print_no_confidential_address(signed_in, supervisor, path):
    page = signed_in(supervisor).get(path).get_data(as_text=True)
    assert SECRET_STREET not in page
