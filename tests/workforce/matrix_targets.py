"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the workforce pages with URL
parameters — of the acting user's facility, of another facility, or none: an agency outside the system
and a person in post at it, entered by the facility's supervisor."""

from caseapp.core.timeutil import local_today
from caseapp.workforce import services


def _agency(world, which):
    users = world.users if which == "own" else world.other_users
    return services.create_agency({"kind": "commune", "name": "Ủy ban nhân dân xã Thử"}, by=users["supervisor"])


def _member(world, which):
    agency = _agency(world, which)
    users = world.users if which == "own" else world.other_users
    values = {
        "full_name": "Trần Văn Cộng Tác",
        "kind": "collaborator_part_time",
        "agency_id": agency.id,
        "from_date": local_today(),
    }
    return services.create_member(values, by=users["supervisor"])


def targets(Target, no_record):
    member = Target(
        own=lambda w: {"member_id": _member(w, "own").id},
        other=lambda w: {"member_id": _member(w, "other").id},
        missing=lambda w: {"member_id": no_record},
    )
    agency = Target(
        own=lambda w: {"agency_id": _agency(w, "own").id},
        other=lambda w: {"agency_id": _agency(w, "other").id},
        missing=lambda w: {"agency_id": no_record},
    )
    return {
        "workforce.member": member,
        "workforce.edit_member": member,
        "workforce.end_member": member,
        "workforce.edit_agency": agency,
        "workforce.deactivate_agency": agency,
        "workforce.reactivate_agency": agency,
    }
