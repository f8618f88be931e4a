"""Rooms and beds of a shelter: supervisors of the shelter and admins (choosing the facility)."""

import sqlalchemy as sa

from caseapp.shelter import queries, services
from caseapp.shelter.models import Bed, Room

from .. import factories


def beds_of(session, facility, room_name):
    return session.scalars(
        sa.select(Bed).join(Room, Bed.room_id == Room.id).where(Room.facility_id == facility.id, Room.name == room_name)
    ).all()


def test_supervisor_adds_a_room_with_beds_and_more_beds(session, signed_in, supervisor, shelter):
    client = signed_in(supervisor)
    response = client.post("/shelter/rooms", data={"action": "add_room", "name": "P10", "beds": "3"})
    assert response.status_code == 302
    assert sorted(b.label for b in beds_of(session, shelter, "P10")) == ["1", "2", "3"]
    room = session.scalar(sa.select(Room).where(Room.facility_id == shelter.id, Room.name == "P10"))
    client.post("/shelter/rooms", data={"action": "add_beds", "room_id": room.id, "count": "2"})
    assert sorted(int(b.label) for b in beds_of(session, shelter, "P10")) == [1, 2, 3, 4, 5]
    page = client.get("/shelter/rooms").get_data(as_text=True)
    assert "P10" in page and "Giường 5" in page


def test_a_room_name_is_unique_in_the_shelter(signed_in, supervisor):
    response = signed_in(supervisor).post("/shelter/rooms", data={"action": "add_room", "name": "P1", "beds": "1"})
    assert response.status_code == 200
    assert "Nhà tạm lánh đã có phòng mang tên này." in response.get_data(as_text=True)


def test_a_free_bed_can_be_taken_out_of_use_an_occupied_one_cannot(session, signed_in, supervisor, shelter, admit):
    admission = admit()
    occupied = session.get(Bed, admission.stay.bed_id)
    free = next(b for b in beds_of(session, shelter, "P2"))
    client = signed_in(supervisor)
    client.post("/shelter/rooms", data={"action": "deactivate_bed", "bed_id": free.id})
    response = client.post("/shelter/rooms", data={"action": "deactivate_bed", "bed_id": occupied.id})
    assert "Giường này đang có người ở" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Bed, free.id).is_active is False
    assert session.get(Bed, occupied.id).is_active is True
    assert queries.capacity_of(shelter) == 3  # capacity from the beds in use
    assert free.id not in [b.id for b in queries.free_beds(shelter.id)]


def test_admin_chooses_the_facility(session, signed_in, shelter):
    admin = factories.make_user(role="admin", facility=factories.make_facility(code="SOYT"))
    client = signed_in(admin)
    page = client.get(f"/shelter/rooms?facility_id={shelter.id}").get_data(as_text=True)
    assert "P1" in page and shelter.name in page
    client.post("/shelter/rooms", data={"action": "add_room", "name": "P9", "beds": "1", "facility_id": shelter.id})
    assert len(beds_of(session, shelter, "P9")) == 1


def test_a_supervisor_cannot_configure_another_facility(session, signed_in, shelter):
    elsewhere = factories.make_facility(code="NTLKHAC4", type="shelter")
    other_supervisor = factories.make_user(role="supervisor", facility=elsewhere)
    client = signed_in(other_supervisor)
    client.post(
        "/shelter/rooms", data={"action": "add_room", "name": "Xâm nhập", "beds": "1", "facility_id": shelter.id}
    )
    assert not session.scalar(sa.select(Room).where(Room.facility_id == shelter.id, Room.name == "Xâm nhập"))
    bed = beds_of(session, shelter, "P1")[0]
    assert client.post("/shelter/rooms", data={"action": "deactivate_bed", "bed_id": bed.id}).status_code == 404
    room = session.scalar(sa.select(Room).where(Room.facility_id == shelter.id, Room.name == "P1"))
    assert client.post("/shelter/rooms", data={"action": "add_beds", "room_id": room.id, "count": 1}).status_code == 404


def test_shelter_staff_cannot_configure_rooms(signed_in, staff):
    assert signed_in(staff).get("/shelter/rooms").status_code == 403


def test_bed_labels_continue_the_numbering(session, shelter):
    room = services.add_room(shelter, name="P7", beds=2, by=None)
    services.add_beds(room, count=2, by=None)
    assert sorted(int(b.label) for b in beds_of(session, shelter, "P7")) == [1, 2, 3, 4]
