"""The workforce figures of a report: QĐ 112/QĐ-TTg indicators 1 and 2 counted from the register, the
coverage of the communes by social-work collaborators, and the tables of the workforce, training and
communication — counts only (no person's name leaves this module; the agencies list of indicator 1
names agencies, which are not personal data).

Whose figures (a report's Scope: the facilities counted, and for a commune or a commune group its
communes):
- the register of a scope is the agencies the facilities in scope keep (Agency.owner_facility_id; the
  whole province: the agencies of the province, Agency.province_code) — each agency is kept by one
  facility and each person belongs to one agency, so the facilities' figures add up to the province's
  without counting anyone twice; a commune or group keeps the agencies standing in its communes
  (indicator 1) and the people working there (the person's commune, else the agency's);
- "in post on D": from_date ≤ D and (no to_date or to_date ≥ D), D the period's last day;
- indicator 1: active agencies of the kinds QĐ 112 names (categories.INDICATOR_1_AGENCY_KINDS), and of
  them those with at least one person in post on D;
- indicator 2: people in post on D, and of them those who attended a course (đào tạo, đào tạo lại, bồi
  dưỡng, tập huấn) ending from the programme's start (01/01/2021) to D — each person once;
- coverage: communes of the scope (of the province for a facility or the province; the group's; the
  one commune) with at least one collaborator in post on D; a collaborator works in their own commune,
  else the agency's;
- training in the period: courses recorded by the facilities in scope (held in the scope's communes)
  ending in the period, their hours; the attendances, people and certificates of the scope's register
  at courses ending in the period, whoever recorded the course;
- communication in the period: activities recorded by the facilities in scope (held in the scope's
  communes), by kind and topic.

Every count is one SQL aggregate; Python only lays the grouped counts out as JSON-able data, which a
frozen report stores (reports.services.snapshot_data).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from ..core.text import vn_sort_key
from ..extensions import db
from ..org.models import Commune
from . import categories
from .models import Agency, CommunicationActivity, TrainingCourse, TrainingParticipant, WorkforceMember

PROGRAMME_START = date(2021, 1, 1)  # Quyết định 112/QĐ-TTg: Chương trình giai đoạn 2021–2030
FULL_TIME, PART_TIME = "collaborator_full_time", "collaborator_part_time"
NOT_RECORDED = "unknown"

Condition = sa.ColumnElement[bool]


class ReportScope(Protocol):
    """What the counts read of a report's scope (reports.queries.Scope)."""

    @property
    def facility_id(self) -> int | None: ...

    @property
    def province_code(self) -> str | None: ...

    @property
    def communes(self) -> tuple[str, ...] | None: ...

    def holds(self, column: InstrumentedAttribute[int]) -> Condition: ...


class ReportPeriod(Protocol):
    """What the counts read of a report's period (reports.periods.Period): its first and last day."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


def _kept(scope: ReportScope) -> Condition:
    """SQL on Agency: kept by the facilities in scope."""
    if scope.facility_id is not None:
        return Agency.owner_facility_id == scope.facility_id
    return Agency.province_code == scope.province_code


def _works_in() -> sa.ColumnElement[str | None]:
    """SQL: the commune a person works in — their own, else their agency's."""
    return sa.func.coalesce(WorkforceMember.commune_code, Agency.commune_code)


def _in_post(day: date) -> Condition:
    return sa.and_(
        WorkforceMember.from_date <= day, sa.or_(WorkforceMember.to_date.is_(None), WorkforceMember.to_date >= day)
    )


def _register(scope: ReportScope) -> list[Condition]:
    """SQL on WorkforceMember joined with Agency: the people of the scope's register (any dates)."""
    conditions = [_kept(scope)]
    if scope.communes is not None:
        conditions.append(_works_in().in_(scope.communes))
    return conditions


def _members(*columns: Any) -> sa.Select[Any]:
    return sa.select(*columns).select_from(WorkforceMember).join(Agency, Agency.id == WorkforceMember.agency_id)


# --- indicator 1 -------------------------------------------------------------------------------------------


def _indicator_1_agencies(scope: ReportScope) -> list[Condition]:
    conditions = [_kept(scope), Agency.active.is_(True), Agency.kind.in_(sorted(categories.INDICATOR_1_AGENCY_KINDS))]
    if scope.communes is not None:
        conditions.append(Agency.commune_code.in_(scope.communes))
    return conditions


def _staffed(day: date) -> Condition:
    """SQL on Agency: at least one person in post at it on `day`."""
    return sa.exists().where(WorkforceMember.agency_id == Agency.id, _in_post(day))


def indicator_1(scope: ReportScope, day: date) -> dict[str, int]:
    """{"total": agencies in scope, "staffed": of them, with someone in post on `day`}."""
    total, staffed = db.session.execute(
        sa.select(sa.func.count(Agency.id), sa.func.count(sa.case((_staffed(day), Agency.id)))).where(
            *_indicator_1_agencies(scope)
        )
    ).one()
    return {"total": int(total or 0), "staffed": int(staffed or 0)}


def indicator_1_agencies(scope: ReportScope, day: date) -> list[list[Any]]:
    """The agencies indicator 1 counts: [name, kind, commune code, people in post on `day`], those without
    anyone first, then in Vietnamese order of their names."""
    people = sa.func.count(WorkforceMember.id)
    rows = db.session.execute(
        sa.select(Agency.name, Agency.kind, Agency.commune_code, people)
        .outerjoin(WorkforceMember, sa.and_(WorkforceMember.agency_id == Agency.id, _in_post(day)))
        .where(*_indicator_1_agencies(scope))
        .group_by(Agency.id, Agency.name, Agency.kind, Agency.commune_code)
    ).all()
    listed = [[name, kind, commune or "", int(n)] for name, kind, commune, n in rows]
    return sorted(listed, key=lambda row: (row[3] > 0, vn_sort_key(row[0])))


# --- indicator 2 -------------------------------------------------------------------------------------------


def _trained(since: date, until: date) -> Condition:
    """SQL on WorkforceMember: attended a course ending from `since` to `until`."""
    return sa.exists().where(
        TrainingParticipant.member_id == WorkforceMember.id,
        TrainingParticipant.attended.is_(True),
        TrainingCourse.id == TrainingParticipant.course_id,
        TrainingCourse.end_date >= since,
        TrainingCourse.end_date <= until,
    )


def indicator_2(scope: ReportScope, day: date) -> dict[str, int]:
    """{"total": people in post on `day`, "trained": of them, trained since the programme's start}."""
    total, trained = db.session.execute(
        _members(
            sa.func.count(WorkforceMember.id),
            sa.func.count(sa.case((_trained(PROGRAMME_START, day), WorkforceMember.id))),
        ).where(*_register(scope), _in_post(day))
    ).one()
    return {"total": int(total or 0), "trained": int(trained or 0)}


# --- collaborators by commune ------------------------------------------------------------------------------


def _scope_communes(scope: ReportScope) -> sa.Select[tuple[str]]:
    if scope.communes is not None:
        return sa.select(Commune.code).where(Commune.code.in_(scope.communes))
    return sa.select(Commune.code).where(Commune.province_code == scope.province_code)


def _collaborators(scope: ReportScope, day: date) -> list[Condition]:
    return [
        _kept(scope),
        _in_post(day),
        WorkforceMember.kind.in_(sorted(categories.COLLABORATOR_KINDS)),
        _works_in().in_(_scope_communes(scope)),
    ]


def coverage(scope: ReportScope, day: date) -> dict[str, int]:
    """The communes of the scope, those with a collaborator in post on `day` (any, full-time, part-time),
    and the collaborators full-time and part-time."""
    communes = db.session.scalar(sa.select(sa.func.count()).select_from(_scope_communes(scope).subquery())) or 0
    commune, kind = _works_in(), WorkforceMember.kind
    row = db.session.execute(
        _members(
            sa.func.count(sa.distinct(commune)),
            sa.func.count(sa.distinct(sa.case((kind == FULL_TIME, commune)))),
            sa.func.count(sa.distinct(sa.case((kind == PART_TIME, commune)))),
            sa.func.count(sa.case((kind == FULL_TIME, WorkforceMember.id))),
            sa.func.count(sa.case((kind == PART_TIME, WorkforceMember.id))),
        ).where(*_collaborators(scope, day))
    ).one()
    keys = ("covered", "covered_full_time", "covered_part_time", "full_time", "part_time")
    return {"communes": int(communes), **{key: int(value or 0) for key, value in zip(keys, row, strict=True)}}


def collaborators_by_commune(scope: ReportScope, day: date) -> dict[str, dict[str, int]]:
    """{commune code: {"full_time": n, "part_time": n}} of the communes with a collaborator on `day`."""
    commune, kind = _works_in().label("commune"), WorkforceMember.kind
    rows = db.session.execute(
        _members(
            commune,
            sa.func.count(sa.case((kind == FULL_TIME, WorkforceMember.id))),
            sa.func.count(sa.case((kind == PART_TIME, WorkforceMember.id))),
        )
        .where(*_collaborators(scope, day))
        .group_by(commune)
    )
    return {code: {"full_time": int(full), "part_time": int(part)} for code, full, part in rows}


# --- the workforce -----------------------------------------------------------------------------------------


def workforce_cells(scope: ReportScope, day: date) -> dict[str, int]:
    """People in post on `day` by kind of post, qualification, sex and kind of agency:
    {"kind|qualification|sex|agency kind": n} (the tables add up the margins)."""
    sex = sa.func.coalesce(WorkforceMember.sex, NOT_RECORDED).label("sex")
    keys = (WorkforceMember.kind, WorkforceMember.qualification, sex, Agency.kind)
    rows = db.session.execute(
        _members(*keys, sa.func.count(WorkforceMember.id)).where(*_register(scope), _in_post(day)).group_by(*keys)
    )
    return {f"{kind}|{qualification}|{sex_}|{agency}": int(n) for kind, qualification, sex_, agency, n in rows}


# --- training and communication in the period ------------------------------------------------------------------


def _courses_of(scope: ReportScope, period: ReportPeriod) -> list[Condition]:
    conditions = [
        scope.holds(TrainingCourse.facility_id),
        TrainingCourse.end_date >= period.start,
        TrainingCourse.end_date <= period.end,
    ]
    if scope.communes is not None:
        conditions.append(TrainingCourse.commune_code.in_(scope.communes))
    return conditions


def _attended_in(period: ReportPeriod) -> list[Condition]:
    return [
        TrainingParticipant.attended.is_(True),
        TrainingCourse.end_date >= period.start,
        TrainingCourse.end_date <= period.end,
    ]


def _attendances(*columns: Any) -> sa.Select[Any]:
    return (
        sa.select(*columns)
        .select_from(TrainingParticipant)
        .join(TrainingCourse, TrainingCourse.id == TrainingParticipant.course_id)
        .join(WorkforceMember, WorkforceMember.id == TrainingParticipant.member_id)
        .join(Agency, Agency.id == WorkforceMember.agency_id)
    )


def training(scope: ReportScope, period: ReportPeriod) -> dict[str, Any]:
    """{"by_kind": {kind: {courses, hours, attendances, people, certificates}}, "people": distinct people
    of the register trained in the period (each once, whatever the number of courses)}."""
    by_kind: dict[str, dict[str, int]] = {}
    courses = db.session.execute(
        sa.select(TrainingCourse.kind, sa.func.count(TrainingCourse.id), sa.func.sum(TrainingCourse.hours))
        .where(*_courses_of(scope, period))
        .group_by(TrainingCourse.kind)
    )
    for kind, n, hours in courses:
        by_kind[kind] = {"courses": int(n), "hours": int(hours or 0)}
    attendances = db.session.execute(
        _attendances(
            TrainingCourse.kind,
            sa.func.count(TrainingParticipant.id),
            sa.func.count(sa.distinct(TrainingParticipant.member_id)),
            sa.func.count(TrainingParticipant.certificate_number),
        )
        .where(*_register(scope), *_attended_in(period))
        .group_by(TrainingCourse.kind)
    )
    for kind, n, people, certificates in attendances:
        counts = by_kind.setdefault(kind, {"courses": 0, "hours": 0})
        counts.update(attendances=int(n), people=int(people), certificates=int(certificates))
    for counts in by_kind.values():
        for key in ("attendances", "people", "certificates"):
            counts.setdefault(key, 0)
    people = db.session.scalar(
        _attendances(sa.func.count(sa.distinct(TrainingParticipant.member_id))).where(
            *_register(scope), *_attended_in(period)
        )
    )
    return {"by_kind": by_kind, "people": int(people or 0)}


def communication(scope: ReportScope, period: ReportPeriod) -> dict[str, dict[str, int]]:
    """{"kind|topic": {activities, participants, copies}} of the activities held in the period."""
    conditions = [
        scope.holds(CommunicationActivity.facility_id),
        CommunicationActivity.held_on >= period.start,
        CommunicationActivity.held_on <= period.end,
    ]
    if scope.communes is not None:
        conditions.append(CommunicationActivity.commune_code.in_(scope.communes))
    keys = (CommunicationActivity.kind, CommunicationActivity.topic)
    rows = db.session.execute(
        sa.select(
            *keys,
            sa.func.count(CommunicationActivity.id),
            sa.func.sum(CommunicationActivity.participants),
            sa.func.sum(CommunicationActivity.copies),
        )
        .where(*conditions)
        .group_by(*keys)
    )
    return {
        f"{kind}|{topic}": {"activities": int(n), "participants": int(reached or 0), "copies": int(copies or 0)}
        for kind, topic, n, reached, copies in rows
    }


# --- everything at once ------------------------------------------------------------------------------------


def workforce_numbers(scope: ReportScope, period: ReportPeriod) -> dict[str, Any]:
    """Every workforce figure of a report as plain JSON-able data (what a frozen report stores)."""
    day = period.end
    agencies = indicator_1_agencies(scope, day)
    by_commune = collaborators_by_commune(scope, day)
    codes = {row[2] for row in agencies} | set(by_commune)
    return {
        "on": day.isoformat(),
        "since": PROGRAMME_START.isoformat(),
        "indicator_1": indicator_1(scope, day),
        "agencies": agencies,
        "indicator_2": indicator_2(scope, day),
        "coverage": coverage(scope, day),
        "collaborators": by_commune,
        "members": workforce_cells(scope, day),
        "training": training(scope, period),
        "communication": communication(scope, period),
        "commune_names": _commune_names(codes),
    }


def _commune_names(codes: set[str]) -> dict[str, str]:
    codes = {code for code in codes if code}
    if not codes:
        return {}
    rows = db.session.execute(sa.select(Commune.code, Commune.name).where(Commune.code.in_(sorted(codes))))
    return {code: name for code, name in rows}
