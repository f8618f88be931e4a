"""Training courses: a supervisor records a course, puts people of the register on it (found by their
name without tones) and adds one who is not in it yet (then in the register from the course's first
day); attendance and certificates are kept; bad dates and stale edits are refused without losing what
was typed; another facility's course is not found; only administrators and supervisors reach them;
every write is in the audit trail."""

import html
from datetime import timedelta

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.org.models import Commune
from caseapp.workforce import training
from caseapp.workforce.models import TrainingCourse, TrainingParticipant, WorkforceMember

from . import training_matrix_targets as rows


def text(response):
    return html.unescape(response.get_data(as_text=True))


def course_form(**extra):
    start = local_today() - timedelta(days=20)
    data = {
        "title": "Tập huấn quản lý trường hợp trẻ em",
        "kind": "workshop",
        "level": "province",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=2)).isoformat(),
        "organiser": "Sở Y tế tỉnh",
        "hours": "24",
        "topics": "Quy trình quản lý trường hợp\nKỹ năng tham vấn",
        "commune_code": "",
    }
    data.update(extra)
    return data


def actions(*kinds):
    return db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.in_(kinds)).order_by(AuditEvent.id)
    ).all()


def record_course(client, **extra):
    response = client.post("/training/new", data=course_form(**extra))
    assert response.status_code == 302, text(response)[:3000]
    return db.session.scalars(sa.select(TrainingCourse).order_by(TrainingCourse.id.desc())).first()


def test_course_with_people_from_the_register_and_one_added_on_the_spot(signed_in, staff):
    agency = rows.make_agency(staff.facility, name="Ủy ban nhân dân xã Hòa Bình")
    lan = rows.make_member(agency, full_name="Nguyễn Thị Lan")
    duc = rows.make_member(agency, full_name="Trần Văn Đức", kind="collaborator_full_time")
    gone = rows.make_member(
        agency,
        full_name="Lê Văn Cũ",
        from_date=local_today() - timedelta(days=900),
        to_date=local_today() - timedelta(days=400),
    )
    client = signed_in(staff.supervisor)
    course = record_course(client, commune_code=staff.facility.commune_code)
    assert course.facility_id == staff.facility.id and course.hours == 24
    assert course.commune_code == staff.facility.commune_code

    page = text(client.get(f"/training/{course.id}/participants/add"))
    assert "Nguyễn Thị Lan" in page and "Trần Văn Đức" in page
    assert page.index("Trần Văn Đức") < page.index("Lê Văn Cũ")  # in post on the first day: first
    found = text(client.get(f"/training/{course.id}/participants/add?q=duc"))  # no tones, đ → d
    assert "Trần Văn Đức" in found and "Nguyễn Thị Lan" not in found and gone.full_name not in found

    response = client.post(f"/training/{course.id}/participants/add", data={"members": [str(lan.id), str(duc.id)]})
    assert response.status_code == 302
    response = client.post(
        f"/training/{course.id}/participants/new",
        data={"new-full_name": "  Phạm   Thị Mới ", "new-kind": "collaborator_part_time", "new-agency": str(agency.id)},
    )
    assert response.status_code == 302, text(response)[:3000]

    new = db.session.scalar(sa.select(WorkforceMember).where(WorkforceMember.full_name == "Phạm Thị Mới"))
    assert new.search_name == "pham thi moi"
    assert new.from_date == course.start_date and new.agency_id == agency.id and new.to_date is None
    page = text(client.get(f"/training/{course.id}"))
    assert db.session.get(Commune, course.commune_code).name in page
    listed = page[page.index('id="participants"') :]
    for name in ("Nguyễn Thị Lan", "Trần Văn Đức", "Phạm Thị Mới"):
        assert name in listed
    assert listed.index("Trần Văn Đức") < listed.index("Nguyễn Thị Lan") < listed.index("Phạm Thị Mới")  # given names
    on_course = db.session.scalars(
        sa.select(TrainingParticipant.member_id).where(TrainingParticipant.course_id == course.id)
    ).all()
    assert sorted(on_course) == sorted([lan.id, duc.id, new.id])
    assert "Nguyễn Thị Lan" not in text(client.get(f"/training/{course.id}/participants/add"))  # already on it
    assert actions("training_course_created", "training_participants_added", "training_member_added") == [
        "training_course_created",
        "training_participants_added",
        "training_member_added",
        "training_participants_added",
    ]


def test_attendance_and_certificate_are_saved(signed_in, staff):
    course = rows.make_course(staff.facility)
    participant = rows.make_participant(course, rows.make_member(rows.make_agency(staff.facility)))
    client = signed_in(staff.supervisor)
    prefix = f"p{participant.id}-"
    url = f"/training/{course.id}/participants/{participant.id}"

    refused = client.post(url, data={f"{prefix}certificate_number": "CC-0123/2026"})  # did not attend
    assert refused.status_code == 422
    assert "CC-0123/2026" in text(refused)
    assert "Người không tham dự thì không có chứng chỉ." in text(refused)

    early = (course.start_date - timedelta(days=1)).isoformat()
    refused = client.post(url, data={f"{prefix}attended": "y", f"{prefix}certificate_date": early})
    assert refused.status_code == 422

    day = course.end_date.isoformat()
    data = {f"{prefix}attended": "y", f"{prefix}certificate_number": "CC-0123/2026", f"{prefix}certificate_date": day}
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(TrainingParticipant, participant.id)
    assert (saved.attended, saved.certificate_number, saved.certificate_date) == (True, "CC-0123/2026", course.end_date)
    assert "CC-0123/2026" in text(client.get(f"/training/{course.id}"))

    assert client.post(url, data={}).status_code == 302  # unticked: did not attend, no certificate
    db.session.expire_all()
    assert db.session.get(TrainingParticipant, participant.id).attended is False
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "training_participant_changed").order_by(AuditEvent.id)
    ).all()[0]
    assert event.detail["fields"] == ["certificate_date", "certificate_number"]
    assert "CC-0123" not in str(event.detail)  # the event says what changed, not the certificate itself


def test_end_before_start_is_refused_with_the_typed_text_kept(signed_in, staff):
    client = signed_in(staff.supervisor)
    start = local_today()
    response = client.post(
        "/training/new",
        data=course_form(
            title="Bồi dưỡng kỹ năng tham vấn",
            start_date=start.isoformat(),
            end_date=(start - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Ngày kết thúc không thể trước ngày bắt đầu." in page
    assert 'value="Bồi dưỡng kỹ năng tham vấn"' in page
    assert "Kỹ năng tham vấn" in page  # the topics typed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingCourse)) == 0


def test_stale_course_edit_is_refused_and_keeps_the_text(signed_in, staff):
    course = rows.make_course(staff.facility)
    client = signed_in(staff.supervisor)
    form = course_form(title="Tên mới của lớp", version=str(course.version))
    course.organiser = "Người khác sửa trước"  # someone saved meanwhile
    db.session.flush()
    response = client.post(f"/training/{course.id}/edit", data=form)
    assert response.status_code == 422
    assert 'value="Tên mới của lớp"' in text(response)
    db.session.expire_all()
    assert db.session.get(TrainingCourse, course.id).title != "Tên mới của lớp"

    fresh = course_form(title="Tên mới của lớp", version=str(db.session.get(TrainingCourse, course.id).version))
    assert client.post(f"/training/{course.id}/edit", data=fresh).status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingCourse, course.id).title == "Tên mới của lớp"
    assert actions("training_course_changed") == ["training_course_changed"]


def test_course_of_another_facility_answers_404(signed_in, staff):
    theirs = rows.make_course(staff.other_facility)
    participant = rows.make_participant(theirs, rows.make_member(rows.make_agency(staff.other_facility)))
    client = signed_in(staff.supervisor)
    assert client.get(f"/training/{theirs.id}").status_code == 404
    assert client.get(f"/training/{theirs.id}/edit").status_code == 404
    assert client.post(f"/training/{theirs.id}/participants/{participant.id}/remove").status_code == 404
    assert client.post(f"/training/{theirs.id}/delete").status_code == 404
    assert theirs.title not in text(client.get("/training/"))


def test_people_of_another_facility_cannot_be_put_on_a_course(signed_in, staff):
    course = rows.make_course(staff.facility)
    outsider = rows.make_member(rows.make_agency(staff.other_facility), full_name="Người Ngoài Cơ Sở")
    client = signed_in(staff.supervisor)
    assert outsider.full_name not in text(client.get(f"/training/{course.id}/participants/add"))
    response = client.post(f"/training/{course.id}/participants/add", data={"members": [str(outsider.id)]})
    assert response.status_code == 422
    other_agency = rows.make_agency(staff.other_facility, name="Trường học nơi khác", kind="school")
    response = client.post(
        f"/training/{course.id}/participants/new",
        data={"new-full_name": "Hoàng Văn Lạ", "new-kind": "employee", "new-agency": str(other_agency.id)},
    )
    assert response.status_code == 422
    assert 'value="Hoàng Văn Lạ"' in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingParticipant)) == 0


def test_only_administrators_and_supervisors_reach_the_courses(signed_in, staff):
    course = rows.make_course(staff.facility)
    for user in (staff.worker, staff.shelter, staff.reporter):
        client = signed_in(user)
        assert client.get("/training/").status_code == 403
        assert client.get(f"/training/{course.id}").status_code == 403
        assert client.post("/training/new", data=course_form()).status_code == 403
    assert signed_in(staff.admin).get(f"/training/{course.id}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingCourse)) == 1


def test_list_is_filtered_by_year_and_kind_and_paged_newest_first(signed_in, staff):
    today = local_today()
    old = rows.make_course(
        staff.facility, title="Đào tạo năm trước", kind="training", start_date=today.replace(year=today.year - 1, day=1)
    )
    names = []
    for n in range(5):
        names.append(f"Tập huấn đợt {n}")
        rows.make_course(staff.facility, title=names[-1], start_date=today.replace(day=1) - timedelta(days=40 * n))
    client = signed_in(staff.supervisor)
    page = text(client.get(f"/training/?year={old.start_date.year}&kind=training"))
    assert old.title in page and "Tập huấn đợt 0" not in page
    page = text(client.get("/training/?kind=workshop"))
    assert old.title not in page and "Tập huấn đợt 0" in page

    first = training.course_page(staff.supervisor, training.CourseFilters(), per_page=4)
    second = training.course_page(staff.supervisor, training.CourseFilters(), after=first.next_cursor, per_page=4)
    seen = [c.start_date for c in first.rows + second.rows]
    assert seen == sorted(seen, reverse=True) and len(seen) == 6 and not second.has_next


def test_participant_taken_off_and_course_removed(signed_in, staff):
    course = rows.make_course(staff.facility)
    member = rows.make_member(rows.make_agency(staff.facility))
    participant = rows.make_participant(course, member)
    client = signed_in(staff.supervisor)
    assert client.post(f"/training/{course.id}/participants/{participant.id}/remove").status_code == 302
    assert db.session.get(TrainingParticipant, participant.id) is None
    rows.make_participant(course, member)
    assert client.post(f"/training/{course.id}/delete").status_code == 302
    assert db.session.get(TrainingCourse, course.id) is None
    assert db.session.get(WorkforceMember, member.id) is not None  # the person stays in the register
    assert actions("training_participant_removed", "training_course_deleted") == [
        "training_participant_removed",
        "training_course_deleted",
    ]


def test_demo_data_has_a_workforce_register_a_course_and_two_activities(app, session):
    from caseapp.demo import DEMO_ATTENDEES, seed_demo
    from caseapp.org.models import Facility
    from caseapp.workforce.models import Agency, CommunicationActivity

    seed_demo(app)
    centre = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
    agencies = db.session.scalars(sa.select(Agency).where(Agency.owner_facility_id == centre.id)).all()
    assert {a.kind for a in agencies} == {"social_assistance", "commune", "school", "hospital"}
    assert all(a.commune_code for a in agencies)
    members = db.session.scalars(
        sa.select(WorkforceMember).where(WorkforceMember.agency_id.in_([a.id for a in agencies]))
    ).all()
    assert len(members) >= 8
    assert {"collaborator_full_time", "collaborator_part_time", "civil_servant"} <= {m.kind for m in members}
    assert sum(m.user_id is not None for m in members) == 1  # the demo social worker's account
    course = db.session.scalars(sa.select(TrainingCourse).where(TrainingCourse.facility_id == centre.id)).one()
    assert course.start_date.year == local_today().year
    attendees = db.session.scalars(
        sa.select(WorkforceMember.full_name)
        .join(TrainingParticipant, TrainingParticipant.member_id == WorkforceMember.id)
        .where(TrainingParticipant.course_id == course.id)
    ).all()
    assert sorted(attendees) == sorted(DEMO_ATTENDEES)
    topics = db.session.scalars(
        sa.select(CommunicationActivity.topic).where(CommunicationActivity.facility_id == centre.id)
    ).all()
    assert sorted(topics) == ["child_protection_month", "social_work_day"]

    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Agency, WorkforceMember, TrainingParticipant)
    ]
    seed_demo(app)  # a second run changes nothing
    assert [
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Agency, WorkforceMember, TrainingParticipant)
    ] == counts
