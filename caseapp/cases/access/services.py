"""Access to a case beyond the default scope: sealed cases, break the glass
and sharing — the reads and the writes of CaseAccessGrant.

- A *sealed* case (it or its client is flagged sensitive) is seen by its worker and the facility's
  supervisors only (security.case_scope): being a victim, health and children's data are
  sensitive personal data (Nghị định 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 2025).
- *Break the glass*: a user of the case's own facility holding Perm.BREAK_GLASS who needs a case
  outside their scope gives a reason and gets a grant that expires (BREAK_GLASS_HOURS). The reason is
  kept in the grant row, never in the audit detail; the supervisors review every such access.
- *Sharing*: a supervisor shares a case with a worker of the facility (with a reason) and revokes it.
- security.case_scope admits a case while the user holds an active grant on it (security.granted_case).
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...auth.models import User
from ...core.services import ServiceError
from ...core.sql import prebuilt
from ...core.text import nfc_text
from ...core.timeutil import as_utc, utcnow
from ...extensions import db
from ...security.policy import Capability, Perm, has_perm
from ...security.rules import can_be_given, can_break_glass, can_edit_case, supervises
from ...security.scopes import case_scope, colleagues_with, own_facility
from ..models import Case
from ..services import add_event, ensure_editable
from ..statuses import ENDED_STATUSES, GrantKind
from .models import CaseAccessGrant

DEFAULT_BREAK_GLASS_HOURS = 8  # app.config["BREAK_GLASS_HOURS"] overrides it
REASON_MIN_LENGTH = 15
REASON_MAX_LENGTH = 1000
LOG_PER_PAGE = 50
COUNT_CAP = 100  # the menu shows "99+" beyond: the count stays a bounded read


# --- reads -------------------------------------------------------------------------------------------


def facility_case(user, case_id):
    """The case if it belongs to the user's facility (whatever the user's scope), else None: what
    the restricted page may be offered for. Another facility's case is never found here."""
    return db.session.scalar(sa.select(Case).where(Case.id == case_id, own_facility(Case.facility_id, user)))


def in_case_scope(user, case_id):
    return db.session.scalar(sa.select(Case.id).where(Case.id == case_id, case_scope(user))) is not None


def _is_active(grant, now):
    expires = as_utc(grant.expires_at)
    return grant.revoked_at is None and (expires is None or expires > now)


def grant_status(grant, now=None):
    """active | expired | revoked."""
    now = now or utcnow()
    if grant.revoked_at is not None:
        return "revoked"
    return "active" if _is_active(grant, now) else "expired"


def facility_grants(user):
    """Rows (grant, case) of the grants on the cases of the user's facility."""
    return (
        sa.select(CaseAccessGrant, Case)
        .join(Case, CaseAccessGrant.case_id == Case.id)
        .where(own_facility(Case.facility_id, user))
    )


def grant_of_facility(user, grant_id):
    """(grant, case) of one grant on a case of the user's facility, else None (another facility's
    grant is a 404)."""
    return db.session.execute(facility_grants(user).where(CaseAccessGrant.id == grant_id)).first()


@dataclass
class LogPage:
    rows: list  # (grant, case) pairs, grant.user loaded
    next_cursor: int | None

    @property
    def has_next(self):
        return self.next_cursor is not None


def access_log(user, *, unreviewed_only=True, after=None, per_page=LOG_PER_PAGE):
    """The break-the-glass accesses of the supervisor's facility, newest first (keyset on the grant
    id, no OFFSET), with who and which case loaded in the same query."""
    if not has_perm(user, Perm.REVIEW_CASELOAD):
        return LogPage(rows=[], next_cursor=None)
    stmt = (
        facility_grants(user)
        .where(CaseAccessGrant.kind == GrantKind.BREAK_GLASS)
        .options(joinedload(CaseAccessGrant.user))
    )
    if unreviewed_only:
        stmt = stmt.where(CaseAccessGrant.reviewed_at.is_(None))
    if after is not None:
        stmt = stmt.where(CaseAccessGrant.id < after)
    rows = [tuple(r) for r in db.session.execute(stmt.order_by(CaseAccessGrant.id.desc()).limit(per_page + 1))]
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = rows[-1][0].id
    return LogPage(rows=rows, next_cursor=next_cursor)


def unreviewed_count(user, cap=COUNT_CAP):
    """How many break-the-glass accesses of the facility no supervisor has reviewed yet (counted up
    to `cap`, so the menu's number never costs more than a small bounded read)."""
    if not has_perm(user, Perm.REVIEW_CASELOAD):
        return 0
    # at most `cap` ids: no COUNT on a page view
    return len(db.session.scalars(*prebuilt(_unreviewed_ids, facility_id=user.facility_id, cap=cap)).all())


def _unreviewed_ids(facility_id, cap):
    return (
        sa.select(CaseAccessGrant.id)
        .join(Case, CaseAccessGrant.case_id == Case.id)
        .where(
            Case.facility_id == facility_id,
            CaseAccessGrant.kind == GrantKind.BREAK_GLASS,
            CaseAccessGrant.reviewed_at.is_(None),
        )
        .limit(cap)
    )


def user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


def shareable_users(case):
    """Whom a supervisor may share the case with: active social workers and shelter staff of the
    case's facility, except its assigned worker."""
    stmt = (
        sa.select(User)
        .where(colleagues_with(Capability.HOLDS_CASELOAD, case.facility_id))
        .order_by(User.full_name, User.id)
    )
    if case.assigned_worker_id:
        stmt = stmt.where(User.id != case.assigned_worker_id)
    return stmt


@dataclass
class AccessSection:
    """What templates/cases/_access.html shows (see its header): supervisors only."""

    case: object
    visible: bool = False  # the reader reviews the facility's caseload (a supervisor)
    grants: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    can_share: bool = False
    share_form: object = None  # set by cases.access.section when the case can be shared
    now: object = None


def active_grants_of_case(case_id, now):
    return (
        sa.select(CaseAccessGrant)
        .where(
            CaseAccessGrant.case_id == case_id,
            CaseAccessGrant.revoked_at.is_(None),
            sa.or_(CaseAccessGrant.expires_at.is_(None), CaseAccessGrant.expires_at > now),
        )
        .options(joinedload(CaseAccessGrant.user))
        .order_by(CaseAccessGrant.granted_at.desc(), CaseAccessGrant.id.desc())
    )


def case_section(case, user, now=None):
    """The active grants on a case for its page (two queries: grants with their user, the names of
    who granted them). Shown to supervisors only; `can_share` when the case may be shared now."""
    now = as_utc(now) if now else utcnow()
    if not supervises(user, case):
        return AccessSection(case=case, now=now)
    grants = db.session.scalars(*prebuilt(active_grants_of_case, case_id=case.id, now=now)).all()
    return AccessSection(
        case=case,
        visible=True,
        grants=list(grants),
        now=now,
        can_share=can_edit_case(user, case) and case.status not in ENDED_STATUSES,
        names=user_names({g.granted_by_id for g in grants}),
    )


# --- writes ------------------------------------------------------------------------------------------


def clean_reason(reason):
    """NFC, line breaks kept, trimmed; at least REASON_MIN_LENGTH characters so "xem" is not a reason."""
    text = nfc_text(reason)
    if not text:
        raise ServiceError(_("Give the reason."), field="reason")
    if len(text) < REASON_MIN_LENGTH:
        raise ServiceError(
            _("The reason must have at least %(min)d characters: say why you need this case.", min=REASON_MIN_LENGTH),
            field="reason",
        )
    if len(text) > REASON_MAX_LENGTH:
        raise ServiceError(_("The reason has at most %(max)d characters.", max=REASON_MAX_LENGTH), field="reason")
    return text


def break_glass(case, *, reason, by, hours=DEFAULT_BREAK_GLASS_HOURS, now=None):
    """Open a case outside the user's scope for `hours`, giving a reason. The reason is in
    the grant row; the audit event references the grant (its detail holds no personal data)."""
    if not can_break_glass(by, case):
        raise ServiceError(_("You may not open this case."))
    reason = clean_reason(reason)
    now = now or utcnow()
    grant = CaseAccessGrant(
        case_id=case.id,
        user_id=by.id,
        kind=GrantKind.BREAK_GLASS,
        reason=reason,
        granted_at=now,
        granted_by_id=by.id,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(grant)
    db.session.flush()
    add_event(case, "access_break_glass", by=by, at=now)
    record(
        "case_break_glass",
        by=by,
        entity=case,
        detail={"grant_id": grant.id, "expires_at": grant.expires_at.isoformat(), "hours": hours},
    )
    return grant


def share_case(case, *, with_user, reason, by, now=None):
    """A supervisor shares the case with a worker of the facility, until revoked."""
    if not (supervises(by, case) and can_edit_case(by, case)):
        raise ServiceError(_("Only a supervisor of the case's facility may share it."))
    ensure_editable(case)
    if not can_be_given(with_user, case.facility_id, Capability.HOLDS_CASELOAD):
        raise ServiceError(_("Choose a worker of the facility."), field="user_id")
    if with_user.id == case.assigned_worker_id:
        raise ServiceError(_("This worker is assigned to the case and sees it already."), field="user_id")
    reason = clean_reason(reason)
    now = now or utcnow()
    already = db.session.scalar(
        sa.select(CaseAccessGrant.id).where(
            CaseAccessGrant.case_id == case.id,
            CaseAccessGrant.user_id == with_user.id,
            CaseAccessGrant.kind == GrantKind.SHARED,
            CaseAccessGrant.revoked_at.is_(None),
            sa.or_(CaseAccessGrant.expires_at.is_(None), CaseAccessGrant.expires_at > now),
        )
    )
    if already is not None:
        raise ServiceError(_("The case is already shared with this worker."), field="user_id")
    grant = CaseAccessGrant(
        case_id=case.id,
        user_id=with_user.id,
        kind=GrantKind.SHARED,
        reason=reason,
        granted_at=now,
        granted_by_id=by.id,
        reviewed_at=now,
    )  # a supervisor's own decision: nothing to review
    db.session.add(grant)
    db.session.flush()
    add_event(case, "access_shared", by=by, text=with_user.full_name, at=now)
    record("case_shared", by=by, entity=case, detail={"grant_id": grant.id, "user_id": with_user.id})
    return grant


def revoke_grant(grant, case, *, by, now=None):
    """End a share or a break-the-glass access now. An access revoked without review counts as reviewed."""
    if not supervises(by, case):
        raise ServiceError(_("Only a supervisor of the case's facility may revoke an access."))
    now = now or utcnow()
    if not _is_active(grant, now):
        raise ServiceError(_("This access has already ended."))
    grant.revoked_at = now
    if grant.reviewed_at is None:
        grant.reviewed_at = now
    db.session.flush()
    add_event(case, "access_revoked", by=by, at=now)
    record(
        "case_access_revoked",
        by=by,
        entity=case,
        detail={"grant_id": grant.id, "kind": grant.kind, "user_id": grant.user_id},
    )
    return grant


def mark_reviewed(grant, case, *, by, now=None):
    """A supervisor has looked at a break-the-glass access (the review is audited; it changes nothing
    on the case, so it writes no timeline event)."""
    if not supervises(by, case):
        raise ServiceError(_("Only a supervisor of the case's facility may review an access."))
    if grant.reviewed_at is not None:
        raise ServiceError(_("This access was already reviewed."))
    grant.reviewed_at = now or utcnow()
    db.session.flush()
    record("case_access_reviewed", by=by, entity=case, detail={"grant_id": grant.id})
    return grant


__all__ = [
    "facility_case",
    "in_case_scope",
    "grant_status",
    "facility_grants",
    "grant_of_facility",
    "LogPage",
    "access_log",
    "unreviewed_count",
    "shareable_users",
    "active_grants_of_case",
    "case_section",
    "AccessSection",
    "clean_reason",
    "break_glass",
    "share_case",
    "revoke_grant",
    "mark_reviewed",
]
