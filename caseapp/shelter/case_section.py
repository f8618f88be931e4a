"""The case page's shelter section: the stays of the case — the person's and the accompanying
children's —, the bed, the arrival and the planned end, with the links to check out and to extend
the stay. The closure of a case waits for the check-out (a stay never ends silently),
so the case page links to it. Built by cases.page.case_sections; templates/shelter/_case_stay.html
runs no query."""

from dataclasses import dataclass

import sqlalchemy as sa

from ..core.sql import prebuilt
from ..extensions import db
from ..security.policy import Perm, has_perm
from ..security.rules import can_edit_case, same_facility
from .models import Bed, Room, ShelterStay


@dataclass(frozen=True)
class StayRow:
    stay: object
    bed_label: str | None  # "P1 · G1", None while waiting for a bed
    is_child: bool  # an accompanying child's stay (ends with the person's)


@dataclass(frozen=True)
class StaySection:
    rows: list  # the person's stays first, newest first, each followed by the children's
    can_check_out: bool
    can_extend: bool
    can_see_board: bool


def _stays_of_case(case_id):
    return (
        sa.select(ShelterStay, Room.name, Bed.label)
        .outerjoin(Bed, Bed.id == ShelterStay.bed_id)
        .outerjoin(Room, Room.id == Bed.room_id)
        .where(ShelterStay.case_id == case_id)
        .order_by(ShelterStay.admitted_at.desc(), ShelterStay.accompanying_stay_id.is_not(None), ShelterStay.id)
    )


def case_section(case, user):
    """The stays of `case` (already loaded in the user's scope), or None when it has none: one query."""
    found = db.session.execute(*prebuilt(_stays_of_case, case_id=case.id)).all()
    if not found:
        return None
    rows = [
        StayRow(stay=stay, bed_label=f"{room} · {bed}" if bed else None, is_child=stay.accompanying_stay_id is not None)
        for stay, room, bed in found
    ]
    writable = case.is_open and can_edit_case(user, case)
    return StaySection(
        rows=rows,
        can_check_out=writable and has_perm(user, Perm.MANAGE_STAYS),
        can_extend=writable and has_perm(user, Perm.EXTEND_STAY),
        can_see_board=has_perm(user, Perm.MANAGE_STAYS) and same_facility(user, case),
    )
