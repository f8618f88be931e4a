"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the supervision pages with URL
parameters: a session (with both case-holding roles among its workers, and one agreed action) and a
case conference of a case assigned to the facility's social worker — of the acting user's facility,
of another facility, or none."""

from datetime import timedelta

from caseapp.core.timeutil import local_today, utcnow
from caseapp.supervision import services

from .. import factories


def _side(world, which):
    if which == "own":
        return world.facility, world.users
    return world.other_facility, world.other_users


def _case(world, which):
    facility, users = _side(world, which)
    return factories.make_case(facility, worker=users["social_worker"])


def _session(world, which):
    case = _case(world, which)
    _facility, users = _side(world, which)
    session = services.create_session(
        kind="group",
        held_on=local_today(),
        worker_ids=[users["social_worker"].id, users["shelter_staff"].id],
        case_numbers=[case.number],
        notes="Thảo luận hồ sơ",
        actions=[
            services.ActionInput(
                text="Thăm gia đình", owner_id=users["social_worker"].id, due_on=local_today(), case_number=case.number
            )
        ],
        by=users["supervisor"],
    )
    return {"session_id": session.id, "action_id": session.actions[0].id}


def _conference(world, which):
    case = _case(world, which)
    _facility, users = _side(world, which)
    conference = services.create_conference(
        case,
        held_at=utcnow() - timedelta(hours=1),
        place="Phòng họp",
        situation="Tình hình ổn định",
        participant_ids=[users["social_worker"].id],
        outsiders=[services.OutsiderInput(name="Nguyễn Văn Công An", organisation="Công an xã", role="Cán bộ")],
        decisions=[services.ActionInput(text="Tiếp tục theo dõi", owner_id=None, due_on=None)],
        by=users["supervisor"],
    )
    return {"case_id": case.id, "conference_id": conference.id}


def _missing(no_record, *names):
    return lambda w: dict.fromkeys(names, no_record)


def targets(Target, no_record):
    session = Target(
        own=lambda w: {"session_id": _session(w, "own")["session_id"]},
        other=lambda w: {"session_id": _session(w, "other")["session_id"]},
        missing=_missing(no_record, "session_id"),
    )
    conference = Target(
        own=lambda w: _conference(w, "own"),
        other=lambda w: _conference(w, "other"),
        missing=_missing(no_record, "case_id", "conference_id"),
    )
    case = Target(
        own=lambda w: {"case_id": _case(w, "own").id},
        other=lambda w: {"case_id": _case(w, "other").id},
        missing=_missing(no_record, "case_id"),
    )
    return {
        "supervision.show_session": session,
        "supervision.action_done": Target(
            own=lambda w: _session(w, "own"),
            other=lambda w: _session(w, "other"),
            missing=_missing(no_record, "session_id", "action_id"),
        ),
        "supervision.conferences": case,
        "supervision.new_conference": case,
        "supervision.conference": conference,
        "supervision.conference_pdf": conference,
    }
