"""Writes of cases: opening a case with its number, timeline events, notes."""

from flask_babel import lazy_gettext as _

from ..audit.services import record
from ..core.sequences import next_value
from ..core.services import ServiceError
from ..core.text import nfc_text
from ..core.timeutil import VN_TZ, utcnow
from ..extensions import db
from .models import Case, CaseEvent
from .statuses import ENDED_STATUSES, CaseStatus


def format_case_number(facility_code, year, value) -> str:
    """<facility code>-<year>-<6-digit sequence>, e.g. CTXHQN-2026-000042."""
    return f"{facility_code}-{year}-{value:06d}"


def open_case(
    *,
    facility,
    client,
    case_type,
    urgency,
    by,
    assigned_worker_id=None,
    intake=None,
    care_kind=None,
    is_sensitive: bool = False,
    intake_incomplete: bool = False,
    intake_due_at=None,
    opened_at=None,
    primary_group=None,
):
    """Create a case in status 'intake' with the next number of the facility's year."""
    opened_at = opened_at or utcnow()
    year = opened_at.astimezone(VN_TZ).year
    number = format_case_number(facility.code, year, next_value(facility.id, "case", year))
    case = Case(
        number=number,
        facility_id=facility.id,
        client_id=client.id,
        intake_id=intake.id if intake is not None else None,
        case_type=case_type,
        care_kind=care_kind,
        status=CaseStatus.INTAKE,
        urgency=urgency,
        assigned_worker_id=assigned_worker_id,
        is_sensitive=is_sensitive or client.is_sensitive,
        intake_incomplete=intake_incomplete,
        intake_due_at=intake_due_at,
        opened_at=opened_at,
        primary_group=primary_group,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(case)
    db.session.flush()
    add_event(case, "opened", by=by, to_status="intake")
    record("case_opened", by=by, entity=case, detail={"case_type": case_type, "urgency": urgency})
    return case


def add_event(case, kind, *, by, text=None, from_status=None, to_status=None, at=None):
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        actor_id=getattr(by, "id", None),
        text=text,
        from_status=from_status,
        to_status=to_status,
        occurred_at=at or utcnow(),
    )
    db.session.add(event)
    return event


def ensure_editable(case) -> None:
    """A closed (or transferred-away) case is read-only until reopened."""
    if case.status in ENDED_STATUSES:
        raise ServiceError(_("This case is closed and read-only. Reopen it to make changes."))


NOTE_MAX_LENGTH = 4000


def add_note(case, text, *, by):
    """A case note (ghi chép) on the timeline. NFC, line breaks kept; audited without its text.
    A closed case takes no new note until it is reopened (ensure_editable)."""
    ensure_editable(case)
    text = nfc_text(text)
    if not text:
        raise ServiceError(_("Write the note before saving it."), field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise ServiceError(_("A note has at most %(max)d characters.", max=NOTE_MAX_LENGTH), field="text")
    event = add_event(case, "note", by=by, text=text)
    db.session.flush()
    record("case_note_added", by=by, entity=case, detail={"event_id": event.id, "length": len(text)})
    return event
