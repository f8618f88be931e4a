"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the caseload review's pages
with URL parameters: reassigning a case, raising and resolving a flag, marking a notification read.
Each reaches a real record of the acting user's facility, one of another facility, or none."""

from caseapp.cases.caseload import services as caseload
from caseapp.core.timeutil import local_today
from caseapp.notifications.services import notify

from .. import factories


def _side(world, which):
    if which == "own":
        return world.facility, world.users
    return world.other_facility, world.other_users


def _case(world, which):
    """An open case assigned to the facility's social worker (every case-working role may open it)."""
    facility, users = _side(world, which)
    return factories.make_case(facility, worker=users["social_worker"])


def _flag(world, which):
    case = _case(world, which)
    _facility, users = _side(world, which)
    flag = caseload.raise_flag(
        case, to_worker=users["social_worker"], note="Xem lại hồ sơ", due_on=local_today(), by=users["supervisor"]
    )
    return {"case_id": case.id, "flag_id": flag.id}


def _notification(world, which):
    case = _case(world, which)
    _facility, users = _side(world, which)
    note = notify(
        users["social_worker"].id, "case_assigned", case, "case_assigned", unique_key=f"matrix:{which}:{case.id}"
    )
    return {"notification_id": note.id}


def targets(Target, no_record):
    case_target = Target(
        own=lambda w: {"case_id": _case(w, "own").id},
        other=lambda w: {"case_id": _case(w, "other").id},
        missing=lambda w: {"case_id": no_record},
    )
    return {
        "cases.reassign": case_target,
        "cases.raise_flag": case_target,
        "cases.resolve_flag": Target(
            own=lambda w: _flag(w, "own"),
            other=lambda w: _flag(w, "other"),
            missing=lambda w: {"case_id": no_record, "flag_id": no_record},
        ),
        # someone else's notification — of another facility here — answers 404 to everyone
        "notifications.mark_read": Target(
            own=lambda w: _notification(w, "own"),
            other=lambda w: _notification(w, "other"),
            missing=lambda w: {"notification_id": no_record},
        ),
    }
