"""Writes of supervision: recording a supervision session and a case conference (hội chẩn), and
marking one of their actions done. Every write is audited in its transaction; the acting user is an
argument. An action with an owner and a due date is raised as a flag of cases.caseload (a task of its
owner, with reminders, resolved like every flag)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from ..audit.services import record
from ..auth.models import User
from ..cases.caseload import services as caseload
from ..cases.caseload.models import CaseFlag
from ..cases.models import Case
from ..cases.services import add_event, ensure_editable
from ..core.services import ServiceError
from ..core.text import nfc_text
from ..core.timeutil import as_utc, local_today, utcnow
from ..extensions import db
from ..security.policy import Capability, Perm, has_perm
from ..security.rules import can_be_given, can_edit_case
from . import queries
from .models import (
    CaseConference,
    ConferenceDecision,
    ConferenceParticipant,
    SessionKind,
    SupervisionAction,
    SupervisionSession,
)

NOTES_MAX = 8000
TEXT_MAX = caseload.FLAG_NOTE_MAX  # an action's text is its flag's note
RESOLUTION_MAX = caseload.RESOLUTION_MAX
NAME_MAX = 128
ORGANISATION_MAX = 255
ROLE_MAX = 128
PLACE_MAX = 255
CASES_MAX = 30  # case numbers one session discusses at most
CLOCK_SKEW = timedelta(minutes=10)  # a time "now" typed on a phone whose clock runs a little fast


@dataclass(frozen=True)
class ActionInput:
    """An agreed action: what, on which case (a number; a conference's is its case), by whom, by when."""

    text: str | None
    owner_id: int | None
    due_on: date | None
    case_number: str | None = None


@dataclass(frozen=True)
class OutsiderInput:
    name: str | None
    organisation: str | None
    role: str | None


def _clean(text: str | None) -> str:
    return nfc_text(text)


def _ensure_supervisor(by: User) -> None:
    if not has_perm(by, Perm.MANAGE_SUPERVISION):
        raise ServiceError(_("Only a supervisor of the facility can record this."))


def _too_long(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise ServiceError(_("At most %(max)d characters.", max=limit), field=field)


def _action_refused(n: int, reason: object) -> ServiceError:
    return ServiceError(_("Action %(n)d: %(reason)s", n=n, reason=str(reason)))


def _decision_refused(n: int, reason: object) -> ServiceError:
    return ServiceError(_("Decision %(n)d: %(reason)s", n=n, reason=str(reason)))


def _raise_action(
    case: Case, action: ActionInput, *, refused: Callable[[object], ServiceError], by: User, at: datetime
) -> CaseFlag:
    """The action as a flag to its owner; a refusal names the action's row (`refused`)."""
    owner = db.session.get(User, action.owner_id) if action.owner_id else None
    try:
        if owner is None:
            raise ServiceError(_("Choose who carries it out."))
        return caseload.raise_flag(case, to_worker=owner, note=action.text, due_on=action.due_on, by=by, at=at)
    except ServiceError as error:
        raise refused(error) from None


def _is_blank(action: ActionInput) -> bool:
    return not (_clean(action.text) or action.owner_id or action.due_on or (action.case_number or "").strip())


# --- supervision sessions -----------------------------------------------------------------------------


def _session_workers(worker_ids: list[int], kind: str, by: User) -> list[User]:
    ids = sorted(set(worker_ids))
    if not ids:
        raise ServiceError(_("Choose who took part."), field="workers")
    if kind == SessionKind.INDIVIDUAL and len(ids) > 1:
        raise ServiceError(_("An individual session has one worker; choose a group session."), field="workers")
    workers = list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))
    if len(workers) != len(ids) or not all(can_be_given(w, by.facility_id, Capability.HOLDS_CASELOAD) for w in workers):
        raise ServiceError(_("Choose active workers of your facility."), field="workers")
    return workers


def parse_case_numbers(text: str | None) -> list[str]:
    """ "A-2026-000001, A-2026-000002" → the numbers, upper case, each once, in order."""
    parts = (p.strip().upper() for p in (text or "").replace(";", ",").replace("\n", ",").split(","))
    return list(dict.fromkeys(p for p in parts if p))


def _cases(numbers: list[str], by: User, field: str) -> dict[str, Case]:
    if len(numbers) > CASES_MAX:
        raise ServiceError(_("At most %(max)d cases.", max=CASES_MAX), field=field)
    found = {c.number: c for c in db.session.scalars(queries.cases_by_number(by, numbers))} if numbers else {}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ServiceError(
            _("No case of your facility has the number %(numbers)s.", numbers=", ".join(unknown)), field=field
        )
    return found


def create_session(
    *,
    kind: str,
    held_on: date | None,
    worker_ids: list[int],
    case_numbers: list[str],
    notes: str | None,
    actions: list[ActionInput],
    by: User,
    at: datetime | None = None,
) -> SupervisionSession:
    """Record a supervision session of `by`'s facility; each agreed action becomes a flag (a task with
    reminders) to its owner on its case. Audited: who, which cases, which flags — not the notes."""
    _ensure_supervisor(by)
    if kind not in set(SessionKind):
        raise ServiceError(_("Choose the kind of session."), field="kind")
    if held_on is None:
        raise ServiceError(_("Give the date of the session."), field="held_on")
    if held_on > local_today():
        raise ServiceError(_("The date cannot be in the future."), field="held_on")
    workers = _session_workers(worker_ids, kind, by)
    notes = _clean(notes)
    _too_long(notes, NOTES_MAX, "notes")
    actions = [a for a in actions if not _is_blank(a)]
    cases = _cases(case_numbers, by, "cases")
    at = at or utcnow()
    session = SupervisionSession(
        facility_id=by.facility_id, kind=kind, held_on=held_on, supervisor_id=by.id, notes=notes or None, created_at=at
    )
    session.workers = workers
    session.cases = list(cases.values())
    session.actions = []
    db.session.add(session)
    db.session.flush()
    flags = [_session_action(session, action, n, by=by, at=at) for n, action in enumerate(actions, start=1)]
    db.session.flush()
    record(
        "supervision_session_recorded",
        by=by,
        entity=session,
        detail={
            "kind": kind,
            "workers": [w.id for w in workers],
            "case_ids": [c.id for c in session.cases],
            "flag_ids": [f.id for f in flags],
        },
    )
    return session


def _session_action(session: SupervisionSession, action: ActionInput, n: int, *, by: User, at: datetime) -> CaseFlag:
    """An action of a session is on one case: one of those discussed, or another of the facility's
    (it is then counted among those discussed)."""
    refused = partial(_action_refused, n)
    if action.owner_id is not None and action.owner_id not in {w.id for w in session.workers}:
        raise refused(_("Choose one of the workers who took part."))
    numbers = parse_case_numbers(action.case_number)
    if not numbers:
        raise refused(_("Give the number of the case it is about."))
    number = numbers[0]
    try:
        case = _cases([number], by, "actions")[number]
    except ServiceError as error:
        raise refused(error) from None
    if case not in session.cases:
        session.cases.append(case)
    flag = _raise_action(case, action, refused=refused, by=by, at=at)
    session.actions.append(SupervisionAction(position=n, flag_id=flag.id))
    return flag


# --- case conferences ----------------------------------------------------------------------------------


def _staff(user_ids: list[int], by: User) -> list[User]:
    ids = sorted(set(user_ids))
    staff = list(db.session.scalars(sa.select(User).where(User.id.in_(ids)))) if ids else []
    if len(staff) != len(ids) or not all(can_be_given(u, by.facility_id, Capability.TAKES_CASE_TASKS) for u in staff):
        raise ServiceError(_("Choose active staff of your facility."), field="participants")
    return sorted(staff, key=lambda u: (u.full_name, u.id))


def _outsiders(rows: list[OutsiderInput]) -> list[ConferenceParticipant]:
    people = []
    for row in rows:
        name, organisation, role = _clean(row.name), _clean(row.organisation), _clean(row.role)
        if not (name or organisation or role):
            continue
        if not name:
            raise ServiceError(_("Give the name of each participant from outside."), field="outsiders")
        for text, limit in ((name, NAME_MAX), (organisation, ORGANISATION_MAX), (role, ROLE_MAX)):
            _too_long(text, limit, "outsiders")
        people.append(ConferenceParticipant(name=name, organisation=organisation or None, role=role or None))
    return people


def create_conference(
    case: Case,
    *,
    held_at: datetime | None,
    place: str | None,
    situation: str | None,
    participant_ids: list[int],
    outsiders: list[OutsiderInput],
    decisions: list[ActionInput],
    by: User,
    at: datetime | None = None,
) -> CaseConference:
    """Record a case conference chaired by `by` on an open case of their facility. A decision given an
    owner or a due date becomes a flag (a task with reminders) to its owner. On the case timeline; audited
    without its content."""
    _ensure_supervisor(by)
    if not can_edit_case(by, case):
        raise ServiceError(_("Only a supervisor of the facility that holds the case can do this."))
    ensure_editable(case)
    at = at or utcnow()
    if held_at is None:
        raise ServiceError(_("Give the date and time of the conference."), field="held_at")
    held_at = as_utc(held_at)
    if held_at > at + CLOCK_SKEW:
        raise ServiceError(_("The time cannot be in the future."), field="held_at")
    place, situation = _clean(place), _clean(situation)
    _too_long(place, PLACE_MAX, "place")
    if not situation:
        raise ServiceError(_("Describe the situation of the case."), field="situation")
    _too_long(situation, NOTES_MAX, "situation")
    staff = _staff(participant_ids, by)
    people = [ConferenceParticipant(user_id=u.id) for u in staff] + _outsiders(outsiders)
    decisions = [d for d in decisions if not _is_blank(d)]
    if not decisions:
        raise ServiceError(_("Write at least one decision."), field="decisions")
    conference = CaseConference(
        facility_id=case.facility_id,
        case_id=case.id,
        held_at=held_at,
        place=place or None,
        chaired_by_id=by.id,
        situation=situation,
        created_at=at,
    )
    db.session.add(conference)
    db.session.flush()
    for n, person in enumerate(people, start=1):
        person.conference_id, person.position = conference.id, n
        db.session.add(person)
    flags = [_decision(conference, case, d, n, by=by, at=at) for n, d in enumerate(decisions, start=1)]
    add_event(case, "case_conference", by=by, at=held_at, text=_timeline_text(decisions))
    record(
        "case_conference_recorded",
        by=by,
        entity=case,
        detail={
            "conference_id": conference.id,
            "participants": len(people),
            "decisions": len(decisions),
            "flag_ids": [f.id for f in flags if f is not None],
        },
    )
    return conference


def _decision(
    conference: CaseConference, case: Case, decision: ActionInput, n: int, *, by: User, at: datetime
) -> CaseFlag | None:
    refused = partial(_decision_refused, n)
    text = _clean(decision.text)
    if not text:
        raise refused(_("Write the decision."))
    if len(text) > TEXT_MAX:
        raise refused(_("At most %(max)d characters.", max=TEXT_MAX))
    flag = None
    if decision.owner_id or decision.due_on:
        flag = _raise_action(case, decision, refused=refused, by=by, at=at)
    db.session.add(ConferenceDecision(conference_id=conference.id, position=n, text=text, flag_id=flag and flag.id))
    return flag


def _timeline_text(decisions: list[ActionInput]) -> str:
    return "\n".join(f"{n}. {_clean(d.text)}" for n, d in enumerate(decisions, start=1))


# --- an action done -------------------------------------------------------------------------------------


def mark_done(flag: CaseFlag, case: Case, *, note: str | None, by: User, at: datetime | None = None) -> CaseFlag:
    """The owner (or a supervisor) marks an agreed action done: its flag is resolved with the note."""
    return caseload.resolve_flag(flag, case, note=note, by=by, at=at)
