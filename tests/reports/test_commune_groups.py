"""The groups of communes of a province (e.g. the communes of a former district): its reporters name,
change and delete them; nobody else manages them, and another province's groups are out of reach."""

import re

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.reports import queries, services
from caseapp.reports.models import CommuneGroup, ReferenceValue

from .. import factories
from .conftest import communes_of

PLAN = "Kế hoạch số 45/KH-UBND của UBND huyện Thới Lai năm 2025"


@pytest.fixture()
def group(data):
    first, second = communes_of(data.facility.province_code, 2)
    return services.create_commune_group("Huyện Thới Lai cũ", [first.code, second.code], by=data.reporter)


def test_a_reporter_creates_changes_and_deletes_a_group(data, signed_in, session):
    first, second, third = communes_of(data.facility.province_code, 3)
    client = signed_in(data.reporter)
    response = client.post(
        "/reports/commune-groups/new", data={"name": " Huyện Phong Điền cũ ", "communes": [first.code, second.code]}
    )
    assert response.status_code == 302
    group = session.scalar(sa.select(CommuneGroup))
    assert group.name == "Huyện Phong Điền cũ" and group.province_code == data.facility.province_code
    assert group.created_by_id == data.reporter.id
    assert "Huyện Phong Điền cũ" in client.get("/reports/commune-groups").get_data(as_text=True)
    response = client.post(
        f"/reports/commune-groups/{group.id}", data={"name": "Huyện Phong Điền (cũ)", "communes": [third.code]}
    )
    assert response.status_code == 302
    session.expire_all()
    group = session.get(CommuneGroup, group.id)
    assert group.name == "Huyện Phong Điền (cũ)"
    assert [c.code for c in queries.commune_group(group.id, data.reporter).communes] == [third.code]
    db.session.add(
        ReferenceValue(
            province_code=group.province_code,
            commune_group_id=group.id,
            year=2026,
            key="target_4",
            value=25,
            source=PLAN,
        )
    )
    assert client.post(f"/reports/commune-groups/{group.id}/delete").status_code == 302
    assert session.scalar(sa.select(sa.func.count(CommuneGroup.id))) == 0
    assert session.scalar(sa.select(sa.func.count(ReferenceValue.id))) == 0  # its numbers go with it
    actions = session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("commune_group_%"))).all()
    assert sorted(actions) == ["commune_group_changed", "commune_group_created", "commune_group_deleted"]


def test_a_refused_group_keeps_what_was_typed(data, group, signed_in):
    third = communes_of(data.facility.province_code, 3)[2]
    client = signed_in(data.reporter)
    taken = client.post("/reports/commune-groups/new", data={"name": "huyện thới lai cũ", "communes": [third.code]})
    assert taken.status_code == 422
    page = taken.get_data(as_text=True)
    assert 'value="huyện thới lai cũ"' in page
    checked = re.findall(r'<input checked id="communes-\d+" name="communes" type="checkbox" value="(\w+)"', page)
    assert checked == [third.code]
    empty = client.post("/reports/commune-groups/new", data={"name": "Nhóm không xã"})
    assert empty.status_code == 422 and 'value="Nhóm không xã"' in empty.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CommuneGroup.id))) == 1


def test_a_commune_of_another_province_is_refused(data, stranger):
    foreign = communes_of(stranger.facility.province_code, 1)[0]
    with pytest.raises(services.ServiceError):
        services.create_commune_group("Nhóm lẫn tỉnh", [foreign.code], by=data.reporter)


def test_a_reporter_of_another_province_neither_sees_nor_changes_a_group(data, group, stranger, signed_in, session):
    client = signed_in(stranger)
    assert "Huyện Thới Lai cũ" not in client.get("/reports/commune-groups").get_data(as_text=True)
    assert client.get(f"/reports/commune-groups/{group.id}").status_code == 404
    assert client.post(f"/reports/commune-groups/{group.id}", data={"name": "Đổi tên"}).status_code == 404
    assert client.post(f"/reports/commune-groups/{group.id}/delete").status_code == 404
    session.expire_all()
    assert session.get(CommuneGroup, group.id).name == "Huyện Thới Lai cũ"
    with pytest.raises(services.ServiceError):
        services.delete_commune_group(group, by=stranger)


@pytest.mark.parametrize("role", ["social_worker", "supervisor"])
def test_only_reporters_manage_the_groups(data, group, signed_in, role):
    user = factories.make_user(role=role, facility=data.facility)
    client = signed_in(user)
    assert client.get("/reports/commune-groups").status_code == 403
    assert client.post("/reports/commune-groups/new", data={"name": "Nhóm", "communes": []}).status_code == 403
    assert client.post(f"/reports/commune-groups/{group.id}/delete").status_code == 403
