"""Communication activities: recorded, listed by year, kind and topic, changed (a stale change refused
with the text kept) and removed by an administrator or supervisor; an event counts participants and a
product copies; another facility's activity is not found; every write is in the audit trail."""

import html
from datetime import timedelta

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.workforce import communication
from caseapp.workforce.models import CommunicationActivity

from . import training_matrix_targets as rows


def text(response):
    return html.unescape(response.get_data(as_text=True))


def activity_form(**extra):
    data = {
        "kind": "event",
        "title": "Mít tinh hưởng ứng Ngày Công tác xã hội Việt Nam",
        "held_on": (local_today() - timedelta(days=3)).isoformat(),
        "topic": "social_work_day",
        "commune_code": "",
        "audience": "Cán bộ, hội viên và người dân trong xã",
        "participants": "150",
        "copies": "",
        "notes": "Phát tờ rơi về dịch vụ công tác xã hội",
    }
    data.update(extra)
    return data


def actions():
    return db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("communication_%")).order_by(AuditEvent.id)
    ).all()


def test_activity_is_recorded_changed_and_removed(signed_in, staff):
    client = signed_in(staff.supervisor)
    response = client.post("/communication/new", data=activity_form())
    assert response.status_code == 302, text(response)[:3000]
    activity = db.session.scalar(sa.select(CommunicationActivity))
    assert (activity.facility_id, activity.participants, activity.copies) == (staff.facility.id, 150, None)
    page = text(client.get("/communication/"))
    assert activity.title in page and "150 người tham gia" in page

    edit = client.get(f"/communication/{activity.id}/edit")
    assert edit.status_code == 200 and 'value="Cán bộ, hội viên và người dân trong xã"' in text(edit)
    changed = activity_form(title="Tọa đàm Ngày Công tác xã hội", participants="180", version=str(activity.version))
    assert client.post(f"/communication/{activity.id}/edit", data=changed).status_code == 302
    db.session.expire_all()
    activity = db.session.get(CommunicationActivity, activity.id)
    assert (activity.title, activity.participants) == ("Tọa đàm Ngày Công tác xã hội", 180)

    assert client.post(f"/communication/{activity.id}/delete").status_code == 302
    assert db.session.get(CommunicationActivity, activity.id) is None
    assert actions() == [
        "communication_activity_created",
        "communication_activity_changed",
        "communication_activity_deleted",
    ]
    changed_event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "communication_activity_changed")
    ).one()
    assert changed_event.detail["fields"] == ["participants", "title"]


def test_a_product_counts_copies_and_an_event_participants(signed_in, staff):
    client = signed_in(staff.supervisor)
    product = activity_form(kind="product", title="Tờ rơi phòng, chống xâm hại trẻ em", participants="", copies="2000")
    product["topic"] = "child_protection_month"
    assert client.post("/communication/new", data=product).status_code == 302
    assert db.session.scalar(sa.select(CommunicationActivity.copies)) == 2000
    wrong = activity_form(kind="product", title="Video tuyên truyền", participants="40")
    response = client.post("/communication/new", data=wrong)
    assert response.status_code == 422
    assert 'value="Video tuyên truyền"' in text(response)
    assert "Sản phẩm tính số bản, không tính số người tham gia: để trống ô này." in text(response)


def test_future_date_and_negative_count_are_refused_with_the_text_kept(signed_in, staff):
    client = signed_in(staff.supervisor)
    future = activity_form(held_on=(local_today() + timedelta(days=2)).isoformat())
    response = client.post("/communication/new", data=future)
    assert response.status_code == 422
    assert "Mít tinh hưởng ứng Ngày Công tác xã hội Việt Nam" in text(response)
    assert client.post("/communication/new", data=activity_form(participants="-5")).status_code == 422
    assert client.post("/communication/new", data=activity_form(participants="nhiều")).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommunicationActivity)) == 0


def test_stale_activity_edit_is_refused_and_keeps_the_text(signed_in, staff):
    activity = rows.make_activity(staff.facility)
    client = signed_in(staff.supervisor)
    form = activity_form(title="Tiêu đề tôi vừa gõ", version=str(activity.version))
    activity.audience = "Người khác sửa trước"
    db.session.flush()
    response = client.post(f"/communication/{activity.id}/edit", data=form)
    assert response.status_code == 422
    assert 'value="Tiêu đề tôi vừa gõ"' in text(response)
    db.session.expire_all()
    assert db.session.get(CommunicationActivity, activity.id).title != "Tiêu đề tôi vừa gõ"


def test_list_is_filtered_by_year_kind_and_topic(signed_in, staff):
    today = local_today()
    last_year = rows.make_activity(
        staff.facility, title="Hội thi năm trước", held_on=today.replace(year=today.year - 1)
    )
    child = rows.make_activity(
        staff.facility, title="Mít tinh vì trẻ em tháng 6", topic="child_protection_month", held_on=today
    )
    leaflet = rows.make_activity(staff.facility, title="Tờ rơi dịch vụ", kind="product", copies=500, held_on=today)
    client = signed_in(staff.supervisor)
    page = text(client.get(f"/communication/?year={today.year}"))
    assert child.title in page and leaflet.title in page and last_year.title not in page
    page = text(client.get("/communication/?topic=child_protection_month"))
    assert child.title in page and leaflet.title not in page
    page = text(client.get("/communication/?kind=product"))
    assert leaflet.title in page and child.title not in page and "500 bản hoặc lượt phát" in page

    first = communication.activity_page(staff.supervisor, communication.ActivityFilters(), per_page=2)
    second = communication.activity_page(
        staff.supervisor, communication.ActivityFilters(), after=first.next_cursor, per_page=2
    )
    seen = [a.held_on for a in first.rows + second.rows]
    assert len(seen) == 3 and seen == sorted(seen, reverse=True) and not second.has_next


def test_activity_of_another_facility_answers_404(signed_in, staff):
    theirs = rows.make_activity(staff.other_facility, title="Hoạt động của cơ sở khác")
    client = signed_in(staff.supervisor)
    assert client.get(f"/communication/{theirs.id}/edit").status_code == 404
    assert client.post(f"/communication/{theirs.id}/delete").status_code == 404
    assert theirs.title not in text(client.get("/communication/"))
    assert db.session.get(CommunicationActivity, theirs.id) is not None


def test_only_administrators_and_supervisors_reach_the_activities(signed_in, staff):
    for user in (staff.worker, staff.shelter, staff.reporter):
        client = signed_in(user)
        assert client.get("/communication/").status_code == 403
        assert client.post("/communication/new", data=activity_form()).status_code == 403
    assert signed_in(staff.admin).post("/communication/new", data=activity_form()).status_code == 302
