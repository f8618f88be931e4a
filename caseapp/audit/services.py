"""Writing the audit trail. Services call record() before they flush; the view's commit stores both."""

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent

# Security events: sign-in and sign-out, refused access, password and account changes.
SECURITY_ACTIONS = (
    "login_ok",
    "login_failed",
    "login_throttled",
    "logout",
    "permission_denied",
    "password_changed",
    "password_reset",
    "user_deactivated",
    "session_expired",
    "login_second_factor_ok",
    "login_second_factor_failed",
    "recovery_code_used",
    "two_factor_enrolment_started",
    "two_factor_enrolled",
    "two_factor_reset",
)


# Actions that change no data: reading, downloading, printing (the rest are writes).
READ_ONLY_ACTIONS = frozenset(
    {
        "attachment_downloaded",
        "attachment_unreadable",
        "client_lookup",
        "clients_listed",
        "document_generated",
        "report_exported",
        "report_export_queued",
        "report_export_unreadable",
    }
)


def changes_data(action: str) -> bool:
    return not (action.endswith("_viewed") or action in READ_ONLY_ACTIONS or action in SECURITY_ACTIONS)


def _request_origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    agent = (request.user_agent.string or "")[:255] or None
    return request.remote_addr, agent


def record(
    action: str,
    *,
    by: Any,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: object = None,
    facility_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event to the current transaction. `by` is the acting user (or None)."""
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
        if facility_id is None:
            facility_id = getattr(entity, "scope_facility_id", None) or getattr(entity, "facility_id", None)
    user_id = getattr(by, "id", None) if by is not None and getattr(by, "is_authenticated", True) else None
    if facility_id is None and user_id is not None:
        facility_id = getattr(by, "facility_id", None)
    ip, agent = _request_origin()
    event = AuditEvent(
        action=action,
        user_id=user_id,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        facility_id=facility_id,
        ip=ip,
        user_agent=agent,
        detail=detail or None,
    )
    db.session.add(event)
    return event


# Security events are about an account: the record type record(entity=user) gives (auth's User
# table), so one filter on the audit page finds every event about an account.
ACCOUNT_ENTITY_TYPE = "users"


def record_security_event(action: str, *, user: Any = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    return record(
        action,
        by=user,
        entity_type=ACCOUNT_ENTITY_TYPE if user is not None else None,
        entity_id=getattr(user, "id", None),
        detail=detail,
    )
