"""Training courses — đào tạo, đào tạo lại, bồi dưỡng, tập huấn — and who attended them, for indicator 2
of Quyết định 112/QĐ-TTg (staff and collaborators trained or retrained in social work).

Reads take the acting user and stay inside training_course_scope / workforce_member_scope (another
facility's course is not found). Writes take the acting user, check, flush and audit in the same
transaction; they never commit. A participant is a person of the workforce register, chosen from it or
added to it on the spot from the course (then in post from the course's first day)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..auth.models import User
from ..core.services import ServiceError
from ..core.text import fold, nfc, nfc_text, people_sorted, person_sort_key, vn_sort_key
from ..extensions import db
from ..org.models import Commune
from ..security.policy import Perm, has_perm
from ..security.scopes import agency_scope, training_course_scope, workforce_member_scope
from .categories import MEMBER_KINDS, TRAINING_KINDS, TRAINING_LEVELS
from .models import Agency, TrainingCourse, TrainingParticipant, WorkforceMember

TITLE_MAX = 255
ORGANISER_MAX = 255
TOPICS_MAX = 4000
NAME_MAX = 128
CERTIFICATE_MAX = 64
HOURS_MAX = 10_000
PER_PAGE = 30
CANDIDATES_LIMIT = 200  # people offered at once; a search by name narrows the list
MEMBERS_AT_ONCE = 200

STALE = _l("Someone else changed this course while you were editing. Your text is kept below; check it and save again.")


@dataclass(frozen=True)
class CourseInput:
    title: str | None
    kind: str | None
    level: str | None
    start_date: date | None
    end_date: date | None
    organiser: str | None
    hours: int | None
    topics: str | None
    commune_code: str | None


@dataclass(frozen=True)
class CourseFilters:
    year: int | None = None
    kind: str | None = None


@dataclass
class CoursePage:
    rows: list[TrainingCourse]
    next_cursor: int | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


# --- reads ------------------------------------------------------------------------------------------------


def courses(user: User, filters: CourseFilters) -> sa.Select[tuple[TrainingCourse]]:
    """The courses the user's facility recorded, with their participants (for the counts)."""
    participants = selectinload(TrainingCourse.participants)  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    stmt = sa.select(TrainingCourse).where(training_course_scope(user)).options(participants)
    if filters.year:
        stmt = stmt.where(
            TrainingCourse.start_date >= date(filters.year, 1, 1),
            TrainingCourse.start_date <= date(filters.year, 12, 31),
        )
    if filters.kind:
        stmt = stmt.where(TrainingCourse.kind == filters.kind)
    return stmt


def course_page(
    user: User, filters: CourseFilters, *, after: int | None = None, per_page: int = PER_PAGE
) -> CoursePage:
    """One page, newest first by (start date, id); the cursor is the last row's id (no OFFSET, no COUNT)."""
    stmt = courses(user, filters)
    if after is not None:
        last = db.session.execute(
            sa.select(TrainingCourse.start_date, TrainingCourse.id).where(TrainingCourse.id == after)
        ).first()
        if last is not None:
            stmt = stmt.where(
                sa.tuple_(TrainingCourse.start_date, TrainingCourse.id)
                < sa.tuple_(sa.literal(last.start_date, sa.Date), sa.literal(last.id))
            )
    stmt = stmt.order_by(TrainingCourse.start_date.desc(), TrainingCourse.id.desc()).limit(per_page + 1)
    rows = list(db.session.scalars(stmt))
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = rows[-1].id
    return CoursePage(rows=rows, next_cursor=next_cursor)


def course_in_scope(user: User, course_id: int) -> TrainingCourse | None:
    return db.session.scalar(
        sa.select(TrainingCourse)
        .where(TrainingCourse.id == course_id, training_course_scope(user))
        .options(joinedload(TrainingCourse.facility))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    )


def commune_of(course: TrainingCourse) -> Commune | None:
    """Where the course was held (the course keeps the commune's code only)."""
    return db.session.get(Commune, course.commune_code) if course.commune_code else None


def participants_of(course: TrainingCourse) -> list[TrainingParticipant]:
    """The course's participants with their person and agency, in Vietnamese order of their names."""
    rows = db.session.scalars(
        sa.select(TrainingParticipant)
        .where(TrainingParticipant.course_id == course.id)
        .options(joinedload(TrainingParticipant.member).joinedload(WorkforceMember.agency))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    ).all()
    return sorted(rows, key=lambda p: (person_sort_key(p.member.full_name), p.id))


def _name_matches(words: str | None) -> list[sa.ColumnElement[bool]]:
    escaped = (w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in fold(words).split())
    return [WorkforceMember.search_name.like(f"%{w}%", escape="\\") for w in escaped]


def candidates(user: User, course: TrainingCourse, q: str | None = None) -> list[WorkforceMember]:
    """People of the register the user keeps who are not on the course yet, found by name (folded):
    those in post on the course's first day first, then the others, each in Vietnamese order of names."""
    on_course = sa.select(TrainingParticipant.member_id).where(TrainingParticipant.course_id == course.id)
    in_post = sa.and_(
        WorkforceMember.from_date <= course.start_date,
        sa.or_(WorkforceMember.to_date.is_(None), WorkforceMember.to_date >= course.start_date),
    )
    rows = db.session.scalars(
        sa.select(WorkforceMember)
        .where(workforce_member_scope(user), WorkforceMember.id.not_in(on_course), *_name_matches(q))
        .options(joinedload(WorkforceMember.agency))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
        .order_by(sa.case((in_post, 0), else_=1), WorkforceMember.search_name, WorkforceMember.id)
        .limit(CANDIDATES_LIMIT)
    ).all()
    return sorted(rows, key=lambda m: (not m.in_post_on(course.start_date), person_sort_key(m.full_name), m.id))


def agencies_for(user: User) -> list[Agency]:
    """The active agencies whose register the user keeps, by name (a person added on the spot joins one)."""
    rows = db.session.scalars(sa.select(Agency).where(agency_scope(user), Agency.active.is_(True))).all()
    return sorted(rows, key=lambda a: (vn_sort_key(a.name), a.id))


def participant_of(course: TrainingCourse, participant_id: int) -> TrainingParticipant | None:
    return db.session.scalar(
        sa.select(TrainingParticipant)
        .where(TrainingParticipant.id == participant_id, TrainingParticipant.course_id == course.id)
        .options(joinedload(TrainingParticipant.member))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    )


# --- writes -----------------------------------------------------------------------------------------------


def _ensure_may_manage(by: User) -> None:
    if not has_perm(by, Perm.MANAGE_WORKFORCE):
        raise ServiceError(_l("Only an administrator or a supervisor of the facility can do this."))


def _line(value: str | None, limit: int, field: str, missing: object | None = None) -> str | None:
    text = nfc(value) or None
    if text is None and missing is not None:
        raise ServiceError(missing, field=field)
    if text is not None and len(text) > limit:
        raise ServiceError(_l("At most %(max)d characters.", max=limit), field=field)
    return text


def _code(value: str | None, allowed: tuple, field: str, message: object) -> str:
    if value not in {c.code for c in allowed}:
        raise ServiceError(message, field=field)
    return str(value)


def check_commune(code: str | None, field: str = "commune_code") -> str | None:
    """A commune code the units table holds, or none."""
    if not code:
        return None
    if db.session.get(Commune, code) is None:
        raise ServiceError(_l("Choose a commune from the list."), field=field)
    return code


def _course_values(data: CourseInput) -> dict[str, object]:
    if data.start_date is None:
        raise ServiceError(_l("Give the first day of the course."), field="start_date")
    if data.end_date is None:
        raise ServiceError(_l("Give the last day of the course."), field="end_date")
    if data.end_date < data.start_date:
        raise ServiceError(_l("The last day cannot be before the first day."), field="end_date")
    if data.hours is not None and not 0 <= data.hours <= HOURS_MAX:
        raise ServiceError(_l("Give a number of hours from 0 to %(max)d.", max=HOURS_MAX), field="hours")
    topics = nfc_text(data.topics)
    if len(topics) > TOPICS_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=TOPICS_MAX), field="topics")
    return {
        "title": _line(data.title, TITLE_MAX, "title", _l("Give the title of the course.")),
        "kind": _code(data.kind, TRAINING_KINDS, "kind", _l("Choose the kind of course.")),
        "level": _code(data.level, TRAINING_LEVELS, "level", _l("Choose the level that organised it.")),
        "start_date": data.start_date,
        "end_date": data.end_date,
        "organiser": _line(data.organiser, ORGANISER_MAX, "organiser", _l("Say who organised the course.")),
        "hours": data.hours,
        "topics": topics or None,
        "commune_code": check_commune(data.commune_code),
    }


def create_course(data: CourseInput, *, by: User) -> TrainingCourse:
    """A course recorded by `by`'s facility."""
    _ensure_may_manage(by)
    course = TrainingCourse(facility_id=by.facility_id, created_by_id=by.id, **_course_values(data))
    db.session.add(course)
    db.session.flush()
    record(
        "training_course_created",
        by=by,
        entity=course,
        detail={"kind": course.kind, "year": course.start_date.year},
    )
    return course


def update_course(course: TrainingCourse, data: CourseInput, *, by: User, seen_version: int) -> TrainingCourse:
    """Change a course; refused when someone changed it since the form was opened (`seen_version`)."""
    _ensure_may_manage(by)
    if course.version != seen_version:
        raise ServiceError(STALE)
    values = _course_values(data)
    changed = sorted(key for key, value in values.items() if getattr(course, key) != value)
    for key, value in values.items():
        setattr(course, key, value)
    db.session.flush()
    record("training_course_changed", by=by, entity=course, detail={"fields": changed})
    return course


def delete_course(course: TrainingCourse, *, by: User) -> None:
    """Remove a course recorded by mistake, with its list of participants (the people stay in the register)."""
    _ensure_may_manage(by)
    on_course = TrainingParticipant.course_id == course.id
    removed = db.session.scalar(sa.select(sa.func.count()).select_from(TrainingParticipant).where(on_course))
    db.session.execute(sa.delete(TrainingParticipant).where(on_course))
    record(
        "training_course_deleted",
        by=by,
        entity=course,
        detail={"kind": course.kind, "year": course.start_date.year, "count": removed},
    )
    db.session.delete(course)
    db.session.flush()


def _participate(course: TrainingCourse, members: list[WorkforceMember], *, by: User) -> list[TrainingParticipant]:
    rows = [TrainingParticipant(course_id=course.id, member_id=m.id, attended=True) for m in members]
    db.session.add_all(rows)
    db.session.flush()
    record("training_participants_added", by=by, entity=course, detail={"member_ids": [m.id for m in members]})
    return rows


def add_participants(course: TrainingCourse, member_ids: list[int], *, by: User) -> list[TrainingParticipant]:
    """Put people of the register the user keeps on the course (those on it already are left as they are)."""
    _ensure_may_manage(by)
    ids = sorted(set(member_ids))
    if not ids:
        raise ServiceError(_l("Choose at least one person."), field="members")
    if len(ids) > MEMBERS_AT_ONCE:
        raise ServiceError(_l("Choose at most %(max)d people at once.", max=MEMBERS_AT_ONCE), field="members")
    members = list(
        db.session.scalars(sa.select(WorkforceMember).where(WorkforceMember.id.in_(ids), workforce_member_scope(by)))
    )
    if len(members) != len(ids):
        raise ServiceError(_l("Choose people of the register your facility keeps."), field="members")
    on_course = set(
        db.session.scalars(
            sa.select(TrainingParticipant.member_id).where(
                TrainingParticipant.course_id == course.id, TrainingParticipant.member_id.in_(ids)
            )
        )
    )
    new = people_sorted(m for m in members if m.id not in on_course)
    return _participate(course, new, by=by) if new else []


def add_new_person(
    course: TrainingCourse, *, full_name: str | None, kind: str | None, agency_id: int | None, by: User
) -> TrainingParticipant:
    """A person not in the register yet: added to it (in post from the course's first day, at an agency the
    user keeps) and put on the course."""
    _ensure_may_manage(by)
    name = _line(full_name, NAME_MAX, "full_name", _l("Give the person's full name."))
    kind = _code(kind, MEMBER_KINDS, "kind", _l("Choose the kind of post."))
    agency = (
        db.session.scalar(sa.select(Agency).where(Agency.id == agency_id, agency_scope(by), Agency.active.is_(True)))
        if agency_id
        else None
    )
    if agency is None:
        raise ServiceError(_l("Choose the agency where the person works."), field="agency")
    member = WorkforceMember(
        agency_id=agency.id,
        full_name=name,
        search_name=fold(name),
        kind=kind,
        commune_code=agency.commune_code,
        from_date=course.start_date,
        created_by_id=by.id,
    )
    db.session.add(member)
    db.session.flush()
    record(
        "training_member_added",
        by=by,
        entity=member,
        facility_id=course.facility_id,
        detail={"course_id": course.id, "kind": kind},
    )
    return _participate(course, [member], by=by)[0]


def update_participant(
    course: TrainingCourse,
    participant: TrainingParticipant,
    *,
    attended: bool,
    certificate_number: str | None,
    certificate_date: date | None,
    by: User,
) -> TrainingParticipant:
    """Attendance and certificate of one participant."""
    _ensure_may_manage(by)
    number = _line(certificate_number, CERTIFICATE_MAX, "certificate_number")
    if not attended and (number or certificate_date):
        raise ServiceError(_l("A person who did not attend has no certificate."), field="attended")
    if certificate_date is not None and certificate_date < course.start_date:
        raise ServiceError(_l("The certificate cannot be dated before the course began."), field="certificate_date")
    values = {"attended": attended, "certificate_number": number, "certificate_date": certificate_date}
    changed = sorted(key for key, value in values.items() if getattr(participant, key) != value)
    for key, value in values.items():
        setattr(participant, key, value)
    db.session.flush()
    record(
        "training_participant_changed",
        by=by,
        entity=course,
        detail={"member_id": participant.member_id, "attended": attended, "fields": changed},
    )
    return participant


def remove_participant(course: TrainingCourse, participant: TrainingParticipant, *, by: User) -> None:
    """Take a person off the course (they stay in the register)."""
    _ensure_may_manage(by)
    member_id = participant.member_id
    db.session.delete(participant)
    db.session.flush()
    record("training_participant_removed", by=by, entity=course, detail={"member_id": member_id})
