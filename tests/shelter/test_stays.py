"""Shelter stays and the bed board: who is in which bed since when, the planned end,
overstays highlighted, check-in refusing an occupied bed, check-out, extension by a supervisor,
children with stays of their own, and another facility's stay answering 404."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from caseapp.cases.followups.models import FollowUp
from caseapp.cases.models import CaseEvent
from caseapp.clients.models import Client
from caseapp.core.timeutil import VN_TZ, as_utc, to_local, utcnow
from caseapp.shelter import queries, services
from caseapp.shelter.models import Bed, Room, ShelterStay
from caseapp.shelter.services import FollowUpPlan, SafetyCheck

from .. import factories

SAFE = SafetyCheck("safe")
# The check-out form's safety check and follow-up, answered the simplest way.
SAFE_LEAVING = {"safety": "safe", "contact_agreed": "no", "follow_up_kind": "phone"}


def bed_of(session, room, label, facility):
    return session.scalar(
        sa.select(Bed)
        .join(Room, Bed.room_id == Room.id)
        .where(Room.name == room, Bed.label == label, Room.facility_id == facility.id)
    )


# --- the board --------------------------------------------------------------------------------


def test_board_shows_who_is_in_which_bed_since_when_and_the_planned_end(signed_in, staff, admit):
    arrived = utcnow() - timedelta(days=2)
    admission = admit(alias="Chị Mai", children=[4], arrived_at=arrived)
    page = signed_in(staff).get("/shelter/board").get_data(as_text=True)
    code = admission.stay.client_id and "TAM-"
    assert "Chị Mai (TAM-" in page and code in page
    assert "Con 1 của TAM-" in page
    assert re.search(r'class="child-facts">Nữ\s*· 4 tuổi<', page)  # each child's sex and age
    assert arrived.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") in page
    assert (arrived + timedelta(days=30)).astimezone(VN_TZ).strftime("%d/%m/%Y") in page
    assert "Còn 28 ngày" in page
    assert "Đang ở 2 / 4" in page
    assert "bed-overstay" not in page


def test_board_highlights_overstays_and_warns_of_stays_ending_soon(session, signed_in, staff, shelter, admit):
    shelter.max_stay_days = 5
    late = admit(alias="Quá hạn", arrived_at=utcnow() - timedelta(days=6, hours=23))
    soon = admit(alias="Sắp hết", arrived_at=utcnow() - timedelta(days=3))
    page = signed_in(staff).get("/shelter/board").get_data(as_text=True)
    assert page.count("bed bed-taken bed-overstay") == 1
    assert page.count("bed bed-taken bed-due") == 1
    # calendar days in Vietnam time (queries._board_stay): 2 for most of the day, 1 just after midnight
    days_over = (to_local(utcnow()).date() - to_local(late.stay.planned_end_at).date()).days
    assert f"Quá hạn {days_over} ngày" in page
    assert "Quá hạn lưu trú: 1" in page and "Sắp hết hạn trong 3 ngày: 1" in page
    board = queries.bed_board(staff, shelter)
    flags = {e.stay.id: (e.overstay, e.due_soon) for r in board.rooms for b in r.beds if (e := b.occupant)}
    assert flags == {late.stay.id: (True, False), soon.stay.id: (False, True)}


def test_board_reads_everything_in_a_few_queries_whatever_the_number_of_beds(session, staff, shelter, admit):
    def count_queries(fn):
        statements = []

        def listener(*args):
            statements.append(args[2])

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    def board_queries():
        session.expire_all()
        facility = session.get(type(shelter), shelter.id)
        _ = (staff.id, staff.role, staff.facility_id)  # loaded before counting
        return count_queries(lambda: queries.bed_board(staff, facility))

    admit(children=[2])
    small = board_queries()
    shelter.capacity = 40
    services.add_room(shelter, name="P3", beds=20, by=None)
    admit(children=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    admit(children=[1, 2, 3, 4, 5, 6])
    large = board_queries()
    assert large == small and large <= 5, (small, large)


def test_a_sealed_client_is_not_named_on_the_board_to_shelter_staff(
    session, signed_in, shelter, staff, supervisor, admit
):
    admission = admit(alias="Người bảo mật", by=supervisor)
    admission.case.is_sensitive = True
    session.get(Client, admission.stay.client_id).is_sensitive = True  # a sealed client (security.client_scope)
    session.flush()
    page = signed_in(staff).get("/shelter/board").get_data(as_text=True)
    assert "Người bảo mật" not in page and "Hồ sơ bảo mật" in page


# --- check-in ---------------------------------------------------------------------------------


def test_check_in_to_an_occupied_bed_is_refused(session, signed_in, staff, shelter, admit):
    shelter.capacity = 6
    first = admit(children=[1, 2, 3])  # the 4 beds are taken
    waiting = admit(alias="Chờ giường")
    assert waiting.stay.bed_id is None
    taken = first.stay.bed_id
    with pytest.raises(services.ServiceError):
        services.check_in(waiting.stay, session.get(Bed, taken), by=staff)
    response = signed_in(staff).post(
        f"/shelter/stays/{waiting.stay.id}/check-in", data={"bed_id": taken}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Nhà tạm lánh không còn giường trống" in page  # full: the refusal offers the referral
    assert "Chuyển gửi đến nhà tạm lánh hoặc trung tâm khác" in page
    session.expire_all()
    assert session.get(ShelterStay, waiting.stay.id).bed_id is None
    assert session.get(ShelterStay, first.stay.id).bed_id == taken


def test_check_in_assigns_and_moves_beds(session, signed_in, staff, shelter, admit):
    shelter.capacity = 6
    admit(children=[1, 2])  # P1/1, P1/2, P2/1
    other = admit(alias="Chị K")  # P2/2
    session.flush()
    moved_out = services.check_out(other.stay, destination="home", reason="Về nhà", safety=SAFE, by=staff)
    assert moved_out
    waiting = admit(alias="Chị L")  # gets the freed bed P2/2
    free = bed_of(session, "P2", "2", shelter)
    assert waiting.stay.bed_id == free.id
    first = session.scalar(
        sa.select(ShelterStay).where(
            ShelterStay.bed_id == bed_of(session, "P1", "1", shelter).id, ShelterStay.checked_out_at.is_(None)
        )
    )
    services.add_room(shelter, name="P3", beds=1, by=None)
    new_bed = bed_of(session, "P3", "1", shelter)
    # an occupied bed is refused while another is free: the plain message, no referral
    with pytest.raises(services.ServiceError) as refused:
        services.check_in(waiting.stay, session.get(Bed, first.bed_id), by=staff)
    assert not getattr(refused.value, "full", False)
    assert "Giường này đã có người" in str(refused.value)
    # move the last person to the new bed
    response = signed_in(staff).post(f"/shelter/stays/{waiting.stay.id}/check-in", data={"bed_id": new_bed.id})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ShelterStay, waiting.stay.id).bed_id == new_bed.id


def test_one_open_stay_per_bed_is_enforced_by_the_database(session, shelter, staff, admit):
    shelter.capacity = 6
    first = admit()
    second = admit(alias="Khác")
    second.stay.bed_id = first.stay.bed_id
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.flush()


# --- check-out --------------------------------------------------------------------------------


def test_check_out_records_destination_reason_and_time_with_the_children(session, signed_in, staff, admit):
    admission = admit(children=[3, 8])
    children = queries.children_stays(admission.stay)
    client = signed_in(staff)
    page = client.get(f"/shelter/stays/{admission.stay.id}/check-out").get_data(as_text=True)
    assert "Con 1 của" in page and "Về gia đình" in page
    leave_at = utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/shelter/stays/{admission.stay.id}/check-out",
        data={
            "destination": "relatives",
            "reason": "Về ở với chị gái",
            "checked_out_at": leave_at,
            **SAFE_LEAVING,
            "children": [children[0].id],
            "version": admission.stay.version,
        },
    )
    assert response.status_code == 302
    session.expire_all()
    adult = session.get(ShelterStay, admission.stay.id)
    first_child, second_child = (session.get(ShelterStay, c.id) for c in children)
    assert adult.checked_out_at is not None and adult.checkout_destination == "relatives"
    assert adult.checkout_reason == "Về ở với chị gái"
    assert first_child.checked_out_at == adult.checked_out_at and first_child.checkout_destination == "relatives"
    assert second_child.checked_out_at is None  # not ticked: still staying
    kinds = session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == admission.case.id)).all()
    assert "checked_out" in kinds
    assert session.get(type(admission.case), admission.case.id).status == "intake"  # the case stays open


def test_check_out_keeps_the_safety_check_and_schedules_the_follow_up(session, signed_in, staff, admit):
    admission = admit(children=[5])
    response = signed_in(staff).post(
        f"/shelter/stays/{admission.stay.id}/check-out",
        data={
            "destination": "relatives",
            "reason": "Về nhà mẹ đẻ",
            "checked_out_at": utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M"),
            "children": [queries.children_stays(admission.stay)[0].id],
            "place": "Nhà mẹ đẻ, xã bên",
            "safety": "at_risk",
            "safety_note": "Chồng hay tìm đến; mẹ đẻ sẽ báo công an xã khi thấy.",
            "contact_agreed": "yes",
            "contact": "Gọi số của mẹ đẻ sau 18 giờ",
            "follow_up_kind": "home_visit",
            "version": admission.stay.version,
        },
    )
    assert response.status_code == 302
    session.expire_all()
    stay = session.get(ShelterStay, admission.stay.id)
    assert (stay.checkout_place, stay.checkout_safety, stay.checkout_contact_agreed) == (
        "Nhà mẹ đẻ, xã bên",
        "at_risk",
        True,
    )
    assert stay.checkout_contact == "Gọi số của mẹ đẻ sau 18 giờ" and "công an xã" in stay.checkout_safety_note
    [child] = session.scalars(sa.select(ShelterStay).where(ShelterStay.accompanying_stay_id == stay.id)).all()
    assert child.checkout_safety == "at_risk"  # the child leaves with the same answers
    [follow_up] = session.scalars(sa.select(FollowUp).where(FollowUp.case_id == admission.case.id)).all()
    # not known to be safe: within 2 days (the deadline rule), with the case's worker
    assert follow_up.kind == "home_visit" and as_utc(follow_up.due_at) == as_utc(stay.checked_out_at) + timedelta(
        days=2
    )
    assert follow_up.assigned_to_id == staff.id


def test_check_out_where_it_is_not_safe_needs_what_was_agreed_and_keeps_the_input(session, signed_in, staff, admit):
    admission = admit()
    response = signed_in(staff).post(
        f"/shelter/stays/{admission.stay.id}/check-out",
        data={
            "destination": "home",
            "reason": "Muốn về nhà",
            "checked_out_at": utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M"),
            "place": "Nhà riêng",
            "safety": "unknown",
            "contact_agreed": "yes",
            "contact": "",
            "follow_up_kind": "phone",
            "version": admission.stay.version,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hãy ghi những gì đã thống nhất để bảo đảm an toàn" in page
    assert 'value="Nhà riêng"' in page and 'value="Muốn về nhà"' in page
    session.expire_all()
    assert session.get(ShelterStay, admission.stay.id).checked_out_at is None
    assert session.scalar(sa.select(sa.func.count(FollowUp.id)).where(FollowUp.case_id == admission.case.id)) == 0


def test_a_safe_place_gets_the_follow_up_within_7_days_and_a_chosen_date_wins(session, staff, admit):
    first, second = admit(), admit()
    services.check_out(
        first.stay, destination="home", reason="Về nhà", safety=SAFE, follow_up=FollowUpPlan("phone"), by=staff
    )
    chosen = utcnow() + timedelta(days=20)
    services.check_out(
        second.stay, destination="home", reason="Về nhà", safety=SAFE, follow_up=FollowUpPlan("phone", chosen), by=staff
    )
    due = {
        f.case_id: as_utc(f.due_at) for f in session.scalars(sa.select(FollowUp).where(FollowUp.kind == "phone")).all()
    }
    assert due[first.case.id] == as_utc(session.get(ShelterStay, first.stay.id).checked_out_at) + timedelta(days=7)
    assert due[second.case.id] == chosen


def test_the_check_out_page_lists_the_children_one_per_line(signed_in, staff, admit):
    admission = admit(children=[3, 8])
    page = signed_in(staff).get(f"/shelter/stays/{admission.stay.id}/check-out").get_data(as_text=True)
    assert 'class="field choice-group choices-list" id="children"' in page  # full-width labels at 360 px


def test_check_out_requires_destination_and_reason_and_keeps_the_input(session, signed_in, staff, admit):
    admission = admit()
    response = signed_in(staff).post(
        f"/shelter/stays/{admission.stay.id}/check-out",
        data={
            "destination": "home",
            "reason": "",
            "checked_out_at": utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M"),
            **SAFE_LEAVING,
            "version": admission.stay.version,
        },
    )
    assert response.status_code == 200
    assert "Trường này là bắt buộc" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ShelterStay, admission.stay.id).checked_out_at is None


def test_check_out_before_the_admission_is_refused(staff, admit):
    admission = admit(arrived_at=utcnow() - timedelta(hours=2))
    with pytest.raises(services.ServiceError):
        services.check_out(
            admission.stay, destination="home", reason="x", at=utcnow() - timedelta(hours=3), safety=SAFE, by=staff
        )


# --- extension --------------------------------------------------------------------------------


def test_supervisor_extends_a_stay_with_its_children_and_the_timeline_says_so(session, signed_in, supervisor, admit):
    admission = admit(children=[5])
    old_end = admission.stay.planned_end_at
    new_day = (old_end + timedelta(days=15)).astimezone(VN_TZ).date()
    response = signed_in(supervisor).post(
        f"/shelter/stays/{admission.stay.id}/extend",
        data={"new_end": new_day.isoformat(), "reason": "Chưa có nơi ở an toàn"},
    )
    assert response.status_code == 302
    session.expire_all()
    stay = session.get(ShelterStay, admission.stay.id)
    assert stay.planned_end_at == old_end + timedelta(days=15)
    assert queries.children_stays(stay)[0].planned_end_at == stay.planned_end_at
    texts = session.scalars(
        sa.select(CaseEvent.text).where(CaseEvent.case_id == admission.case.id, CaseEvent.kind == "stay_extended")
    ).all()
    assert len(texts) == 1 and "Chưa có nơi ở an toàn" in texts[0]


def test_an_extension_must_end_later_than_the_planned_end(session, signed_in, supervisor, admit):
    admission = admit()
    earlier = (admission.stay.planned_end_at - timedelta(days=1)).astimezone(VN_TZ).date()
    response = signed_in(supervisor).post(
        f"/shelter/stays/{admission.stay.id}/extend", data={"new_end": earlier.isoformat(), "reason": "x"}
    )
    assert response.status_code == 200
    assert "Ngày kết thúc mới phải sau" in response.get_data(as_text=True)


def test_shelter_staff_cannot_extend_a_stay(signed_in, staff, admit):
    admission = admit()
    client = signed_in(staff)
    assert client.get(f"/shelter/stays/{admission.stay.id}/extend").status_code == 403
    assert (
        client.post(
            f"/shelter/stays/{admission.stay.id}/extend", data={"new_end": "2099-01-01", "reason": "x"}
        ).status_code
        == 403
    )


# --- scope ------------------------------------------------------------------------------------


def test_stays_of_another_facility_answer_404(session, signed_in, shelter, admit):
    admission = admit()
    elsewhere = factories.make_facility(code="NTLKHAC2", type="shelter")
    other_staff = factories.make_user(role="shelter_staff", facility=elsewhere)
    other_supervisor = factories.make_user(role="supervisor", facility=elsewhere)
    client = signed_in(other_staff)
    stay_id = admission.stay.id
    assert client.get(f"/shelter/stays/{stay_id}/check-out").status_code == 404
    assert (
        client.post(f"/shelter/stays/{stay_id}/check-out", data={"destination": "home", "reason": "x"}).status_code
        == 404
    )
    assert client.post(f"/shelter/stays/{stay_id}/check-in", data={"bed_id": 1}).status_code == 404
    assert client.get(f"/cases/{admission.case.id}").status_code == 404
    assert "Chị H." not in client.get("/shelter/board").get_data(as_text=True)
    client.post("/logout")
    client = signed_in(other_supervisor)
    assert client.get(f"/shelter/stays/{stay_id}/extend").status_code == 404
    assert client.get(f"/shelter/cases/{admission.case.id}/complete-intake").status_code == 404
    session.expire_all()
    assert session.get(ShelterStay, stay_id).checked_out_at is None


def test_check_in_to_a_bed_of_another_facility_is_refused(session, signed_in, staff, shelter, admit):
    shelter.capacity = 6
    elsewhere = factories.make_facility(code="NTLKHAC3", type="shelter")
    room = services.add_room(elsewhere, name="X", beds=1, by=None)
    foreign_bed = session.scalar(sa.select(Bed).where(Bed.room_id == room.id))
    admit(children=[1, 2, 3])
    waiting = admit(alias="Chờ")
    response = signed_in(staff).post(f"/shelter/stays/{waiting.stay.id}/check-in", data={"bed_id": foreign_bed.id})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ShelterStay, waiting.stay.id).bed_id is None


@pytest.mark.parametrize("role", ["social_worker", "reporter", "admin"])
def test_roles_without_stay_permission_cannot_open_the_board(signed_in, shelter, role):
    client = signed_in(factories.make_user(role=role, facility=shelter))
    assert client.get("/shelter/board").status_code == 403
