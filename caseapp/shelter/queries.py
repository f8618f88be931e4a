"""Reads of the shelter domain: rooms, beds, stays and the bed board, scoped to the user's shelter.

The board is built from a handful of queries whatever the number of beds: rooms, beds, open stays
with their clients, and the client ids the user may see by name (no query per bed or per stay)."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..clients.models import Client
from ..core.sql import prebuilt
from ..core.timeutil import as_utc, to_local, utcnow
from ..deadlines.rules import STAY_ENDING_WARNING
from ..extensions import db
from ..org.models import Facility, FacilityType
from ..security.scopes import client_scope, own_facility
from .models import Bed, Room, ShelterStay


def stay_scope(user):
    """SQL condition on ShelterStay: the stays of the user's own shelter (any other facility → 404)."""
    return own_facility(ShelterStay.facility_id, user)


def room_scope(user):
    return own_facility(Room.facility_id, user)


def bed_scope(user):
    return own_facility(Bed.facility_id, user)


def natural_key(text):
    """'P2' < 'P10', '2' < '10': rooms and beds sort the way people number them."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text or "")]


def rooms_with_beds(facility_id, *, active_only=False):
    """Rooms of a facility with their beds loaded (one query for rooms + one for beds)."""
    stmt = sa.select(Room).where(Room.facility_id == facility_id).options(sa.orm.selectinload(Room.beds))
    if active_only:
        stmt = stmt.where(Room.is_active.is_(True))
    rooms = sorted(db.session.scalars(stmt).all(), key=lambda r: natural_key(r.name))
    for room in rooms:
        room.sorted_beds = sorted(
            (b for b in room.beds if b.is_active or not active_only), key=lambda b: natural_key(b.label)
        )
    return rooms


def open_stays(facility_id):
    """Open stays of a facility with their clients and beds (one query)."""
    return db.session.scalars(
        sa.select(ShelterStay)
        .where(ShelterStay.facility_id == facility_id, ShelterStay.checked_out_at.is_(None))
        .options(joinedload(ShelterStay.client), joinedload(ShelterStay.bed).joinedload(Bed.room))
        .order_by(ShelterStay.admitted_at, ShelterStay.id)
    ).all()


def occupied_count(facility_id):
    return db.session.scalar(*prebuilt(_open_stay_count, facility_id=facility_id)) or 0


def _open_stay_count(facility_id):
    return sa.select(sa.func.count(ShelterStay.id)).where(
        ShelterStay.facility_id == facility_id, ShelterStay.checked_out_at.is_(None)
    )


def active_bed_count(facility_id):
    return (
        db.session.scalar(
            sa.select(sa.func.count(Bed.id))
            .join(Room, Bed.room_id == Room.id)
            .where(Bed.facility_id == facility_id, Bed.is_active.is_(True), Room.is_active.is_(True))
        )
        or 0
    )


def capacity_of(facility):
    """The shelter's capacity in persons: the facility's setting, else the number of active beds."""
    return facility.capacity if facility.capacity is not None else active_bed_count(facility.id)


def free_beds(facility_id):
    """Active beds of active rooms without an open stay, in room/bed label order."""
    beds = db.session.scalars(*prebuilt(_free_beds, facility_id=facility_id)).all()
    return sorted(beds, key=lambda b: (natural_key(b.room.name), natural_key(b.label)))


def _free_beds(facility_id):
    occupied = sa.select(ShelterStay.bed_id).where(
        ShelterStay.facility_id == facility_id, ShelterStay.checked_out_at.is_(None), ShelterStay.bed_id.is_not(None)
    )
    return (
        sa.select(Bed)
        .join(Room, Bed.room_id == Room.id)
        .where(
            Bed.facility_id == facility_id, Bed.is_active.is_(True), Room.is_active.is_(True), Bed.id.not_in(occupied)
        )
        .options(sa.orm.contains_eager(Bed.room))
    )


def bed_is_occupied(bed_id, *, except_stay_id=None):
    stmt = sa.select(ShelterStay.id).where(ShelterStay.bed_id == bed_id, ShelterStay.checked_out_at.is_(None))
    if except_stay_id is not None:
        stmt = stmt.where(ShelterStay.id != except_stay_id)
    return db.session.scalar(stmt.limit(1)) is not None


def visible_client_ids(user, client_ids):
    """Which of these clients the user may see by name (client_scope: sealed clients stay sealed)."""
    if not client_ids:
        return set()
    return set(db.session.scalars(sa.select(Client.id).where(Client.id.in_(client_ids), client_scope(user))))


def stay_by_submission_key(key):
    if not key:
        return None
    return db.session.scalar(*prebuilt(_stay_by_key, key=key))


def _stay_by_key(key):
    return sa.select(ShelterStay).where(ShelterStay.submission_key == key)


def children_stays(stay, *, open_only=True):
    stmt = (
        sa.select(ShelterStay)
        .where(ShelterStay.accompanying_stay_id == stay.id)
        .options(joinedload(ShelterStay.client))
        .order_by(ShelterStay.id)
    )
    if open_only:
        stmt = stmt.where(ShelterStay.checked_out_at.is_(None))
    return db.session.scalars(stmt).all()


# --- the bed board ------------------------------------------------------------------------------


@dataclass
class BoardStay:
    stay: ShelterStay
    name: str  # display name, or a sealed placeholder
    name_visible: bool
    days_left: int  # whole days until the planned end (negative: overstay)
    overstay: bool
    due_soon: bool
    is_child: bool


@dataclass
class BoardBed:
    bed: Bed
    occupant: BoardStay | None = None


@dataclass
class BoardRoom:
    room: Room
    beds: list = field(default_factory=list)


@dataclass
class Board:
    facility: Facility
    rooms: list
    unassigned: list
    occupied: int
    capacity: int
    free_beds: list
    overstays: int
    due_soon: int

    @property
    def is_full(self):
        return self.occupied >= self.capacity


def _board_stay(stay, visible, now, sealed_label):
    end = as_utc(stay.planned_end_at)
    remaining = end - now
    days_left = (to_local(end).date() - to_local(now).date()).days  # calendar days, Vietnam time
    name_visible = stay.client_id in visible
    return BoardStay(
        stay=stay,
        name=stay.client.display_name if name_visible else sealed_label,
        name_visible=name_visible,
        days_left=days_left,
        overstay=now > end,
        due_soon=(not now > end) and remaining <= STAY_ENDING_WARNING,
        is_child=stay.accompanying_stay_id is not None,
    )


def bed_board(user, facility, *, sealed_label="—", now=None):
    """Everything the board shows, in five queries: rooms, beds, open stays (with clients and
    beds), visible client ids, and the bed count when the facility sets no capacity."""
    now = now or utcnow()
    rooms = rooms_with_beds(facility.id)
    stays = open_stays(facility.id)
    visible = visible_client_ids(user, [s.client_id for s in stays])
    by_bed = {}
    unassigned = []
    entries = []
    for stay in stays:
        entry = _board_stay(stay, visible, now, sealed_label)
        entries.append(entry)
        if stay.bed_id is not None:
            by_bed[stay.bed_id] = entry
        else:
            unassigned.append(entry)
    board_rooms, free = [], []
    for room in rooms:
        board_room = BoardRoom(room=room)
        for bed in room.sorted_beds:
            occupant = by_bed.get(bed.id)
            if not bed.is_active and occupant is None:
                continue
            board_room.beds.append(BoardBed(bed=bed, occupant=occupant))
            if occupant is None and bed.is_active and room.is_active:
                free.append(bed)
        if board_room.beds or room.is_active:
            board_rooms.append(board_room)
    capacity = (
        facility.capacity
        if facility.capacity is not None
        else sum(1 for r in rooms if r.is_active for b in r.sorted_beds if b.is_active)
    )
    return Board(
        facility=facility,
        rooms=board_rooms,
        unassigned=unassigned,
        occupied=len(stays),
        capacity=capacity,
        free_beds=free,
        overstays=sum(e.overstay for e in entries),
        due_soon=sum(e.due_soon for e in entries),
    )


# --- referral when full ---------------------------------------------------------------------------


def referral_facilities(facility):
    """Other active shelters and centres of the same province (the facility directory), shelters
    first: where to refer a person when this shelter is full."""
    order = sa.case(
        (Facility.type == FacilityType.SHELTER.value, 0),
        (Facility.type == FacilityType.SOCIAL_WORK_CENTER.value, 1),
        (Facility.type == FacilityType.SOCIAL_PROTECTION_CENTER.value, 2),
        else_=3,
    )
    wanted = (
        FacilityType.SHELTER.value,
        FacilityType.SOCIAL_WORK_CENTER.value,
        FacilityType.SOCIAL_PROTECTION_CENTER.value,
        FacilityType.PRIVATE_ASSISTANCE.value,
    )
    return db.session.scalars(
        sa.select(Facility)
        .where(
            Facility.province_code == facility.province_code,
            Facility.id != facility.id,
            Facility.is_active.is_(True),
            Facility.type.in_(wanted),
        )
        .options(joinedload(Facility.commune), joinedload(Facility.province))
        .order_by(order, Facility.name)
    ).all()


def runs_shelter(facility) -> bool:
    """Does the facility house people: a capacity above zero, else (no capacity set) an active bed of an
    active room — as capacity_of counts them? Only then do its menu and home offer the shelter's pages:
    a social-work centre without beds has no bed board and no emergency admission."""
    if facility.capacity is not None:
        return facility.capacity > 0
    active_bed = (
        sa.select(Bed.id)
        .join(Room, Bed.room_id == Room.id)
        .where(Bed.facility_id == facility.id, Bed.is_active.is_(True), Room.is_active.is_(True))
        .limit(1)
    )
    return db.session.scalar(active_bed) is not None
