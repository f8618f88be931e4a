"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for break the glass, sharing and the
supervisors' actions on an access grant (caseapp/cases/access.views.py). Each reaches a real record
of the acting user's facility, one of another facility, or none."""

from caseapp.cases.access import services as access

from .. import factories

REASON = "Cần hỗ trợ khẩn cấp ngoài giờ làm việc."


def _side(world, which):
    if which == "own":
        return world.facility, world.users
    return world.other_facility, world.other_users


def _case(world, which):
    """A case assigned to the facility's social worker."""
    facility, users = _side(world, which)
    return factories.make_case(facility, worker=users["social_worker"])


def _grant(world, which):
    """A share of such a case with the facility's shelter staff."""
    case = _case(world, which)
    _facility, users = _side(world, which)
    grant = access.share_case(case, with_user=users["shelter_staff"], reason=REASON, by=users["supervisor"])
    return {"grant_id": grant.id}


def targets(Target, no_record):
    case_target = Target(
        own=lambda w: {"case_id": _case(w, "own").id},
        other=lambda w: {"case_id": _case(w, "other").id},
        missing=lambda w: {"case_id": no_record},
    )
    grant_target = Target(
        own=lambda w: _grant(w, "own"), other=lambda w: _grant(w, "other"), missing=lambda w: {"grant_id": no_record}
    )
    return {
        "cases.break_glass": case_target,
        "cases.share": case_target,
        "cases.revoke_access": grant_target,
        "cases.review_access": grant_target,
    }
