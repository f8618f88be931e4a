"""Administrators' facility pages: create and edit, duplicate code refused, commune within the
province, stale edits refused with the typed text kept; other roles refused."""

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.core.services import ServiceError
from caseapp.org import services
from caseapp.org.models import Commune, Facility

from ..security.conftest import sign_in


def two_provinces(session):
    """A commune of one province and a commune of another."""
    first = session.scalar(sa.select(Commune).order_by(Commune.code).limit(1))
    second = session.scalar(
        sa.select(Commune).where(Commune.province_code != first.province_code).order_by(Commune.code).limit(1)
    )
    return first, second


def facility_form(commune, **changes):
    data = {
        "code": "TTCTXH01",
        "name": "Trung tâm Công tác xã hội Thử nghiệm",
        "type": "social_work_center",
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "street_address": "12 Đường Láng",
        "phone": "024 3333 4444",
        "capacity": "40",
        "is_active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_form(facility, **changes):
    data = {
        "code": facility.code,
        "name": facility.name,
        "type": facility.type,
        "province_code": facility.province_code,
        "commune_code": facility.commune_code or "",
        "street_address": facility.street_address or "",
        "phone": facility.phone or "",
        "capacity": "" if facility.capacity is None else str(facility.capacity),
        "version": facility.version,
    }
    if facility.is_active:
        data["is_active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def by_code(session, code):
    session.expire_all()
    return session.scalar(sa.select(Facility).where(Facility.code == code))


@pytest.fixture()
def admin_client(client, make_user):
    sign_in(client, make_user("admin"))
    return client


def test_admin_creates_a_facility(admin_client, session):
    commune, _ = two_provinces(session)
    response = admin_client.post("/admin/facilities/new", data=facility_form(commune))
    assert response.status_code == 302
    created = by_code(session, "TTCTXH01")
    assert (created.commune_code, created.capacity, created.street_address) == (commune.code, 40, "12 Đường Láng")
    assert session.scalar(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "facility_created")) == str(
        created.id
    )


def test_duplicate_facility_code_is_refused_in_vietnamese_and_keeps_the_typed_values(admin_client, session, facility):
    commune, _ = two_provinces(session)
    response = admin_client.post(
        "/admin/facilities/new", data=facility_form(commune, code=facility.code, name="Nhà tạm lánh Bình An")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mã này đã được cơ sở khác sử dụng." in page
    assert 'value="Nhà tạm lánh Bình An"' in page and 'value="12 Đường Láng"' in page
    assert session.scalar(sa.select(sa.func.count(Facility.id)).where(Facility.code == facility.code)) == 1


def test_editing_a_facility_to_another_facilitys_code_is_refused(admin_client, session, facility, other_facility):
    response = admin_client.post(f"/admin/facilities/{facility.id}", data=edit_form(facility, code=other_facility.code))
    assert "Mã này đã được cơ sở khác sử dụng." in response.get_data(as_text=True)
    assert by_code(session, facility.code) is not None


def test_commune_of_another_province_is_refused_by_the_form(admin_client, session):
    commune, elsewhere = two_provinces(session)
    response = admin_client.post("/admin/facilities/new", data=facility_form(commune, commune_code=elsewhere.code))
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)
    assert by_code(session, "TTCTXH01") is None


def test_commune_of_another_province_is_refused_by_the_service(app, session, make_user):
    commune, elsewhere = two_provinces(session)
    data = facility_form(commune, commune_code=elsewhere.code)
    data.update(capacity=None, confidential_address=False, is_active=True)
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        services.create_facility(data, by=make_user("admin"))
    assert refused.value.field == "commune_code"
    assert str(refused.value) == "Xã/phường không thuộc tỉnh/thành phố đã chọn."


def test_lower_case_code_is_refused_in_vietnamese(admin_client, session):
    commune, _ = two_provinces(session)
    response = admin_client.post("/admin/facilities/new", data=facility_form(commune, code="ab 1"))
    assert "Dùng 2–16 chữ in hoa không dấu hoặc chữ số." in response.get_data(as_text=True)


def test_admin_edits_a_facility(admin_client, session, facility):
    response = admin_client.post(
        f"/admin/facilities/{facility.id}", data=edit_form(facility, name="Tên mới của trung tâm", capacity="12")
    )
    assert response.status_code == 302
    edited = by_code(session, facility.code)
    assert (edited.name, edited.capacity) == ("Tên mới của trung tâm", 12)
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "facility_updated")).all()
    assert event.detail == {"fields": ["capacity", "name"]}


def test_stale_facility_edit_is_refused_and_keeps_the_typed_text(admin_client, session, facility):
    seen_version = facility.version
    facility.phone = "0200 000 000"  # someone else saves meanwhile
    session.commit()
    response = admin_client.post(
        f"/admin/facilities/{facility.id}", data=edit_form(facility, name="Tên tôi vừa gõ", version=seen_version)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Người khác đã sửa cơ sở này trong lúc bạn đang sửa." in page
    assert 'value="Tên tôi vừa gõ"' in page
    assert by_code(session, facility.code).name != "Tên tôi vừa gõ"


@pytest.mark.parametrize("role", ["supervisor", "social_worker", "shelter_staff", "reporter"])
def test_only_admins_manage_facilities(client, session, make_user, facility, role):
    sign_in(client, make_user(role))
    assert client.get("/admin/facilities/").status_code == 403
    response = client.post(f"/admin/facilities/{facility.id}", data=edit_form(facility, name="Đổi tên"))
    assert response.status_code == 403
    assert by_code(session, facility.code).name != "Đổi tên"
