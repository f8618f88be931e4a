"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the training and communication pages
with URL parameters — a course (with one participant) or an activity of the acting user's facility, of
another facility, or none. The record makers are used by the training and communication tests too."""

from datetime import timedelta

from caseapp.core.text import fold
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.workforce.models import (
    Agency,
    CommunicationActivity,
    TrainingCourse,
    TrainingParticipant,
    WorkforceMember,
)


def make_agency(facility, name="Ủy ban nhân dân xã Thử", kind="commune", **kwargs):
    agency = Agency(
        owner_facility_id=facility.id,
        province_code=facility.province_code,
        commune_code=kwargs.pop("commune_code", facility.commune_code),
        kind=kind,
        name=name,
        search_name=fold(name),
        **kwargs,
    )
    db.session.add(agency)
    db.session.flush()
    return agency


def make_member(agency, full_name="Nguyễn Thị Cộng Tác", kind="collaborator_part_time", **kwargs):
    member = WorkforceMember(
        agency_id=agency.id,
        full_name=full_name,
        search_name=fold(full_name),
        kind=kind,
        commune_code=agency.commune_code,
        from_date=kwargs.pop("from_date", local_today() - timedelta(days=400)),
        **kwargs,
    )
    db.session.add(member)
    db.session.flush()
    return member


def make_course(facility, title="Tập huấn kỹ năng công tác xã hội", **kwargs):
    start = kwargs.pop("start_date", local_today() - timedelta(days=30))
    course = TrainingCourse(
        facility_id=facility.id,
        title=title,
        kind=kwargs.pop("kind", "workshop"),
        level=kwargs.pop("level", "province"),
        start_date=start,
        end_date=kwargs.pop("end_date", start + timedelta(days=2)),
        organiser=kwargs.pop("organiser", "Sở Y tế tỉnh"),
        **kwargs,
    )
    db.session.add(course)
    db.session.flush()
    return course


def make_participant(course, member, **kwargs):
    participant = TrainingParticipant(course_id=course.id, member_id=member.id, **kwargs)
    db.session.add(participant)
    db.session.flush()
    return participant


def make_activity(facility, title="Nói chuyện chuyên đề Ngày Công tác xã hội", **kwargs):
    activity = CommunicationActivity(
        facility_id=facility.id,
        kind=kwargs.pop("kind", "event"),
        title=title,
        held_on=kwargs.pop("held_on", local_today() - timedelta(days=10)),
        topic=kwargs.pop("topic", "social_work_day"),
        **kwargs,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def _facility(world, which):
    return world.facility if which == "own" else world.other_facility


def _course(world, which):
    return {"course_id": make_course(_facility(world, which)).id}


def _participant(world, which):
    facility = _facility(world, which)
    course = make_course(facility)
    member = make_member(make_agency(facility))
    return {"course_id": course.id, "participant_id": make_participant(course, member).id}


def _activity(world, which):
    return {"activity_id": make_activity(_facility(world, which)).id}


def _missing(no_record, *names):
    return lambda w: dict.fromkeys(names, no_record)


def targets(Target, no_record):
    course = Target(
        own=lambda w: _course(w, "own"),
        other=lambda w: _course(w, "other"),
        missing=_missing(no_record, "course_id"),
    )
    participant = Target(
        own=lambda w: _participant(w, "own"),
        other=lambda w: _participant(w, "other"),
        missing=_missing(no_record, "course_id", "participant_id"),
    )
    activity = Target(
        own=lambda w: _activity(w, "own"),
        other=lambda w: _activity(w, "other"),
        missing=_missing(no_record, "activity_id"),
    )
    return {
        "training.course": course,
        "training.edit_course": course,
        "training.delete_course": course,
        "training.add_participants": course,
        "training.new_participant": course,
        "training.update_participant": participant,
        "training.remove_participant": participant,
        "communication.edit_activity": activity,
        "communication.delete_activity": activity,
    }
