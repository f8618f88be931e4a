"""The workforce register: administrators and supervisors add, change and end the posts of the people
doing social work at their facility and at the agencies it keeps; the register on a day lists those in
post that day; another facility's people are not found; every write is audited; a refused input (or a
stale edit) keeps what was typed."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.org.models import FacilityType
from caseapp.workforce import queries, services
from caseapp.workforce.models import Agency, TrainingCourse, TrainingParticipant, WorkforceMember

from .. import factories
from ..factories import PASSWORD, second_factor_code
from .conftest import member_values

NAME = "Đặng Thị Cộng Tác Viên"


def page_text(response):
    return html.unescape(response.get_data(as_text=True))


def form_data(**values):
    data = {
        "full_name": NAME,
        "sex": "female",
        "birth_year": "1990",
        "citizen_id": "079190001234",
        "phone": "0912345678",
        "kind": "collaborator_part_time",
        "agency_id": services.OWN_AGENCY,
        "position": "Cộng tác viên công tác xã hội",
        "qualification": "short_course",
        "from_date": (local_today() - timedelta(days=30)).isoformat(),
    }
    data.update(values)
    return data


def audited(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def added(name=NAME):
    return db.session.scalars(sa.select(WorkforceMember).where(WorkforceMember.full_name == name)).one()


def test_supervisor_adds_a_person_and_the_facility_becomes_an_agency(signed_in, staff):
    response = signed_in(staff.supervisor).post("/workforce/people/new", data=form_data())
    assert response.status_code == 302, page_text(response)[:3000]
    member = added()
    agency = db.session.get(Agency, member.agency_id)
    assert (agency.facility_id, agency.owner_facility_id, agency.kind) == (
        staff.facility.id,
        staff.facility.id,
        "social_assistance",
    )
    assert member.commune_code == staff.facility.commune_code  # the agency's, when none is chosen
    assert member.search_name == "dang thi cong tac vien"
    assert [e.entity_id for e in audited("workforce_member_created")] == [str(member.id)]
    assert [e.entity_id for e in audited("workforce_agency_created")] == [str(agency.id)]

    page = page_text(signed_in(staff.supervisor).get(f"/workforce/people/{member.id}"))
    assert NAME in page and "079190001234" in page
    assert audited("workforce_member_viewed")  # the page shows a person's identity: the read is audited


@pytest.mark.parametrize(
    "facility_type,kind",
    [
        (FacilityType.HOSPITAL.value, "hospital"),
        (FacilityType.SCHOOL.value, "school"),
        (FacilityType.COMMUNE_COMMITTEE.value, "commune"),
        (FacilityType.DRUG_REHAB.value, "drug_rehab"),
        (FacilityType.SHELTER.value, "social_assistance"),
    ],
)
def test_a_facility_is_an_agency_of_the_kind_its_type_says(session, facility_type, kind):
    facility = factories.make_facility(type=facility_type)
    supervisor = factories.make_user(role="supervisor", facility=facility)
    agency = services.own_agency(facility, by=supervisor)
    assert agency.kind == kind and services.own_agency(facility, by=supervisor) is agency


def test_the_register_on_a_day_lists_who_was_in_post_that_day(signed_in, staff, make_member):
    end_of_last_month = local_today().replace(day=1) - timedelta(days=1)
    ended = make_member(
        staff.supervisor,
        full_name="Lê Văn Đã Nghỉ",
        from_date=end_of_last_month - timedelta(days=90),
        to_date=end_of_last_month - timedelta(days=3),
    )
    current = make_member(staff.supervisor, full_name="Phạm Thị Đang Làm", from_date=end_of_last_month)
    client = signed_in(staff.supervisor)

    def listed(**args):
        page = page_text(client.get("/workforce/", query_string=args))
        return {m.full_name for m in (ended, current) if m.full_name in page}

    assert listed() == {current.full_name}  # today by default
    assert listed(on=(ended.to_date - timedelta(days=1)).isoformat()) == {ended.full_name}
    assert listed(on=ended.to_date.isoformat()) == {ended.full_name}  # the last day is still in post
    assert listed(on=(ended.to_date + timedelta(days=1)).isoformat()) == set()
    assert listed(on="") == {ended.full_name, current.full_name}  # empty: everyone
    assert listed(on="", q="DA NGHI") == {ended.full_name}  # search without tones or case
    assert listed(on="", kind="civil_servant") == set()


def test_edit_and_end_a_post_through_the_pages(signed_in, staff, make_member):
    member = make_member(staff.supervisor, full_name=NAME)
    client = signed_in(staff.supervisor)
    page = page_text(client.get(f"/workforce/people/{member.id}/edit"))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(
        f"/workforce/people/{member.id}/edit",
        data=form_data(agency_id=str(member.agency_id), position="Trưởng nhóm", version=version),
    )
    assert response.status_code == 302, page_text(response)[:3000]
    db.session.refresh(member)
    assert member.position == "Trưởng nhóm"
    (changed,) = audited("workforce_member_changed")
    assert "position" in changed.detail["fields"] and "Trưởng nhóm" not in str(changed.detail)

    last_day = local_today() - timedelta(days=1)
    response = client.post(f"/workforce/people/{member.id}/end", data={"to_date": last_day.isoformat()})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.to_date == last_day and not member.in_post_on(local_today())
    assert [e.entity_id for e in audited("workforce_member_ended")] == [str(member.id)]
    history = page_text(client.get(f"/workforce/people/{member.id}"))
    assert staff.supervisor.full_name in history  # who recorded each change


def test_a_stale_edit_is_refused_and_keeps_the_typed_text(signed_in, staff, make_member):
    member = make_member(staff.supervisor, full_name=NAME)
    seen = member.version
    services.update_member(
        member, member_values(full_name=NAME, position="Đổi bởi người khác"), by=staff.admin, seen_version=seen
    )
    db.session.flush()
    typed = "Chức vụ tôi vừa gõ"
    response = signed_in(staff.supervisor).post(
        f"/workforce/people/{member.id}/edit",
        data=form_data(agency_id=str(member.agency_id), position=typed, version=str(seen)),
    )
    assert response.status_code == 422
    page = page_text(response)
    assert typed in page and "đã sửa" in page  # "Người khác đã sửa …": the Vietnamese refusal
    db.session.refresh(member)
    assert member.position == "Đổi bởi người khác"


@pytest.mark.parametrize(
    "values,message",
    [
        ({"to_date": "2020-01-01", "from_date": "2020-02-01"}, "trước ngày bắt đầu"),
        ({"citizen_id": "12345"}, "phải có đúng 12 chữ số"),
        ({"full_name": ""}, "Trường này là bắt buộc"),
    ],
)
def test_bad_input_re_renders_the_form_with_a_vietnamese_error(signed_in, staff, values, message):
    response = signed_in(staff.supervisor).post("/workforce/people/new", data=form_data(**values))
    assert response.status_code == 422
    page = page_text(response)
    assert message in page
    assert "Cộng tác viên công tác xã hội" in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkforceMember)) == 0


def test_a_post_cannot_end_before_it_started(signed_in, staff, make_member):
    member = make_member(staff.supervisor)
    before = member.from_date - timedelta(days=1)
    response = signed_in(staff.supervisor).post(
        f"/workforce/people/{member.id}/end", data={"to_date": before.isoformat()}
    )
    assert response.status_code == 422 and "trước ngày bắt đầu" in page_text(response)
    assert audited("workforce_member_ended") == []


def test_another_facilitys_people_and_agencies_are_not_found(signed_in, staff, make_member):
    member = make_member(staff.supervisor)
    agency = services.create_agency({"kind": "school", "name": "Trường Tiểu học Thử"}, by=staff.supervisor)
    outsider = signed_in(staff.outsider)
    for path in (
        f"/workforce/people/{member.id}",
        f"/workforce/people/{member.id}/edit",
        f"/workforce/agencies/{agency.id}",
    ):
        assert outsider.get(path).status_code == 404, path
    assert (
        outsider.post(f"/workforce/people/{member.id}/end", data={"to_date": local_today().isoformat()}).status_code
        == 404
    )
    assert member.full_name not in page_text(outsider.get("/workforce/", query_string={"on": ""}))
    admin = signed_in(staff.admin)  # sees every facility
    assert admin.get(f"/workforce/people/{member.id}").status_code == 200


@pytest.mark.parametrize("who", ["worker", "shelter", "reporter"])
def test_roles_that_do_not_keep_the_register_are_refused(signed_in, staff, make_member, who):
    member = make_member(staff.supervisor)
    client = signed_in(staff.users[who])
    for path in ("/workforce/", f"/workforce/people/{member.id}", "/workforce/agencies"):
        assert client.get(path).status_code == 403, path
    assert client.post("/workforce/people/new", data=form_data()).status_code == 403
    assert "/workforce/" not in page_text(client.get("/"))  # not in the menu


def test_a_user_account_is_linked_to_one_person_only(signed_in, staff, make_member):
    first = make_member(staff.supervisor, full_name="Người Thứ Nhất", user_id=staff.worker.id)
    page = page_text(signed_in(staff.supervisor).get(f"/workforce/people/{first.id}"))
    assert staff.worker.full_name in page and staff.worker.username in page
    response = signed_in(staff.supervisor).post("/workforce/people/new", data=form_data(user_id=str(staff.worker.id)))
    assert response.status_code == 422  # no longer offered
    with pytest.raises(services.ServiceError, match="Người Thứ Nhất"):
        services.create_member(member_values(user_id=staff.worker.id), by=staff.supervisor)
    with pytest.raises(services.ServiceError):  # a user of another facility
        services.create_member(member_values(user_id=staff.outsider.id), by=staff.supervisor)


def test_agencies_are_added_changed_and_deactivated(signed_in, staff, make_member):
    client = signed_in(staff.supervisor)
    commune = factories.any_commune(staff.facility.province_code)
    response = client.post(
        "/workforce/agencies/new", data={"kind": "commune", "name": "UBND xã Thử Nghiệm", "commune_code": commune.code}
    )
    assert response.status_code == 302, page_text(response)[:2000]
    agency = db.session.scalars(sa.select(Agency).where(Agency.name == "UBND xã Thử Nghiệm")).one()
    assert (agency.owner_facility_id, agency.province_code) == (staff.facility.id, staff.facility.province_code)
    assert "UBND xã Thử Nghiệm" in page_text(client.get("/workforce/agencies"))

    response = client.post(
        f"/workforce/agencies/{agency.id}",
        data={"kind": "commune", "name": "UBND xã Thử Nghiệm Mới", "version": str(agency.version)},
    )
    assert response.status_code == 302
    make_member(staff.supervisor, agency_id=agency.id)
    client.post(f"/workforce/agencies/{agency.id}/deactivate")
    db.session.refresh(agency)
    assert agency.active  # a person is still in post there
    assert "kết thúc" in page_text(client.get(f"/workforce/agencies/{agency.id}")).lower()
    empty = services.create_agency({"kind": "school", "name": "Trường Thử"}, by=staff.supervisor)
    assert client.post(f"/workforce/agencies/{empty.id}/deactivate").status_code == 302
    db.session.refresh(empty)
    assert not empty.active
    listed = client.get("/workforce/", query_string={"agency": empty.id})  # its people are still listed
    assert listed.status_code == 200 and "Không có người nào phù hợp" in page_text(listed)
    assert [
        a.action for a in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("workforce_agency%")))
    ]
    assert audited("workforce_agency_changed") and audited("workforce_agency_deactivated")
    with pytest.raises(services.ServiceError):  # no new person at an inactive agency
        services.create_member(member_values(agency_id=empty.id), by=staff.supervisor)


def test_the_person_page_shows_their_training(signed_in, staff, make_member):
    member = make_member(staff.supervisor)
    course = TrainingCourse(
        facility_id=staff.facility.id,
        title="Tập huấn kỹ năng quản lý trường hợp",
        kind="workshop",
        level="province",
        start_date=local_today() - timedelta(days=20),
        end_date=local_today() - timedelta(days=18),
        organiser="Sở Y tế",
        hours=24,
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(TrainingParticipant(course_id=course.id, member_id=member.id, certificate_number="CC-15/2026"))
    db.session.flush()
    (row,) = db.session.scalars(queries.training_history(member.id)).all()
    assert row.course.title == course.title and row.attended
    page = page_text(signed_in(staff.supervisor).get(f"/workforce/people/{member.id}"))
    assert course.title in page and "CC-15/2026" in page


def _csrf(response):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_form_works_with_csrf_protection_on(make_app, staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = staff.supervisor
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": _csrf(client.get("/login"))}
    )
    if response.headers["Location"].endswith("/login/code"):
        code_page = client.get("/login/code")
        client.post("/login/code", data={"code": second_factor_code(user), "csrf_token": _csrf(code_page)})
    form = client.get("/workforce/people/new")
    assert form.status_code == 200
    assert client.post("/workforce/people/new", data=form_data()).status_code == 400  # no token
    response = client.post("/workforce/people/new", data=form_data(csrf_token=_csrf(form)))
    assert response.status_code == 302
    assert added().created_by_id == user.id
