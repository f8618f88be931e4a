"""Reads of the service directory, referrals and transfers, scoped to the acting user.

- The directory is reference data every case-working user reads (no personal data); facilities of the
  system appear in it without a confidential address (services.sync_facility_provider, where a
  facility is created or changed). An outside organisation a facility added is its own: another
  facility neither lists nor opens it (security.scopes.provider_scope); a social worker's proposal
  is listed for the facility's supervisors until one approves it.
- A referral is seen through its case (security.case_scope) on the sending side, and by the
  receiving facility's supervisors when the provider is a facility of the system (incoming).
- A transfer is decided by the receiving facility's supervisors (incoming) and seen on the case.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..auth.models import User
from ..cases.models import Case
from ..clients.models import Consent
from ..core.sql import prebuilt
from ..core.text import fold
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..org.models import Facility
from ..security.policy import Perm, has_perm
from ..security.rules import can_edit_case, same_facility
from ..security.scopes import approved_providers, case_scope, own_facility, provider_proposals, provider_scope
from .models import Provider, ProviderStatus, Referral, ReferralStatus, Transfer, TransferStatus

DIRECTORY_PAGE = 50
OVERDUE_LIMIT = 200


# --- the service directory -------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    province_code: str | None = None  # None: every province
    kind: str | None = None
    service: str | None = None
    q: str | None = None
    include_inactive: bool = False


def _like_escaped(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def directory(filters: DirectoryFilters, user):
    """The approved entries of the user's directory, sorted by name (keyset on name, id). Search: every
    word of the folded query must occur in the folded search column (core.text.fold, the same on both
    databases)."""
    stmt = sa.select(Provider).where(approved_providers(user)).options(joinedload(Provider.facility))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property, not an attribute
    if filters.province_code:
        stmt = stmt.where(Provider.province_code == filters.province_code)
    if filters.kind:
        stmt = stmt.where(Provider.kind == filters.kind)
    if filters.service:
        # services is a JSON list of codes: its text holds "code" with the quotes on both databases.
        stmt = stmt.where(
            sa.cast(Provider.services, sa.Text).like(f'%"{_like_escaped(filters.service)}"%', escape="\\")
        )
    for word in fold(filters.q or "").split():
        stmt = stmt.where(Provider.search_text.like(f"%{_like_escaped(word)}%", escape="\\"))
    if not filters.include_inactive:
        stmt = stmt.where(Provider.is_active.is_(True))
    return stmt


@dataclass
class DirectoryPage:
    rows: list
    next_cursor: int | None

    @property
    def has_next(self):
        return self.next_cursor is not None


def directory_page(filters: DirectoryFilters, user, *, after=None, per_page=DIRECTORY_PAGE):
    """One page sorted by (name, id); the cursor is the last row's id (no OFFSET, no COUNT)."""
    stmt = directory(filters, user)
    if after is not None:
        last = db.session.execute(sa.select(Provider.name, Provider.id).where(Provider.id == after)).first()
        if last is not None:
            stmt = stmt.where(
                sa.tuple_(Provider.name, Provider.id) > sa.tuple_(sa.literal(last.name), sa.literal(last.id))
            )
    rows = list(db.session.scalars(stmt.order_by(Provider.name, Provider.id).limit(per_page + 1)).unique())
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = rows[-1].id
    return DirectoryPage(rows=rows, next_cursor=next_cursor)


def provider_in_scope(user, provider_id):
    """One entry of the user's directory (any status): another facility's organisation is not found."""
    return sa.select(Provider).where(Provider.id == provider_id, provider_scope(user))


PROPOSALS_LIMIT = 200


def proposals(user):
    """The proposed organisations a user follows, oldest first: a supervisor those of the facility
    awaiting a decision; a social worker their own, awaiting or rejected (with the reason)."""
    if has_perm(user, Perm.MANAGE_PROVIDERS):
        condition = provider_proposals(user)
    else:
        condition = sa.and_(
            provider_scope(user),
            Provider.proposed_by_id == user.id,
            Provider.status.in_((ProviderStatus.PENDING, ProviderStatus.REJECTED)),
        )
    return sa.select(Provider).where(condition).order_by(Provider.created_at, Provider.id)


def user_province(user):
    return user.facility.province_code if getattr(user, "facility", None) is not None else None


def referral_providers(user, case, *, include_id=None):
    """Providers the referral form offers: the active entries of the user's province (and one chosen
    from the directory elsewhere), never the case's own facility."""
    stmt = sa.select(Provider).where(
        approved_providers(user),
        Provider.is_active.is_(True),
        sa.or_(Provider.facility_id.is_(None), Provider.facility_id != case.facility_id),
    )
    province = user_province(user)
    if include_id:
        stmt = stmt.where(sa.or_(Provider.province_code == province, Provider.id == include_id))
    else:
        stmt = stmt.where(Provider.province_code == province)
    return stmt.order_by(Provider.name, Provider.id)


# --- referrals: the sending side --------------------------------------------------------------------


def visible_referrals(user):
    """Referrals of the cases the user may open (security.case_scope)."""
    return sa.select(Referral).join(Case, Referral.case_id == Case.id).where(case_scope(user))


def referral_for_page(user, referral_id):
    return (
        visible_referrals(user)
        .where(Referral.id == referral_id)
        .options(contains_eager(Referral.case).joinedload(Case.client), joinedload(Referral.provider))
    )


def overdue_referrals(user, now=None):
    """The closed loop: referrals sent by the user's facility, still unanswered past
    their deadline, in the user's case scope — a worker's of their cases, a supervisor's of the
    facility. Escalated ones first, then the longest overdue."""
    now = as_utc(now) if now else utcnow()
    return (
        visible_referrals(user)
        .where(
            own_facility(Referral.facility_id, user),
            Referral.status == ReferralStatus.SENT,
            Referral.answer_due_at < now,
        )
        .options(contains_eager(Referral.case).joinedload(Case.client), joinedload(Referral.provider))
        .order_by(sa.case((Referral.escalated_at.is_(None), 1), else_=0), Referral.answer_due_at, Referral.id)
    )


def share_consents(client_id):
    """The client's active consents to share information with a named provider, newest first."""
    return (
        sa.select(Consent)
        .where(Consent.client_id == client_id, Consent.purpose == "share_provider", Consent.withdrawn_at.is_(None))
        .order_by(Consent.given_at.desc(), Consent.id.desc())
    )


# --- the receiving side ----------------------------------------------------------------------------


def incoming_referrals(user):
    """Referrals to the user's facility (a provider of kind 'facility'): its supervisors answer them.
    Only what the sender chose to share is shown to them, never the case."""
    if not has_perm(user, Perm.DECIDE_TRANSFER):
        return sa.select(Referral).where(sa.false())
    return (
        sa.select(Referral)
        .join(Provider, Referral.provider_id == Provider.id)
        .where(own_facility(Provider.facility_id, user))
        .options(contains_eager(Referral.provider), joinedload(Referral.facility))
    )


def open_incoming_referrals(user):
    return (
        incoming_referrals(user)
        .where(Referral.status.in_(("sent", "accepted")))
        .order_by(sa.case((Referral.status == ReferralStatus.SENT, 0), else_=1), Referral.answer_due_at, Referral.id)
    )


def incoming_transfers(user):
    """Transfers to the user's facility awaiting its supervisors' decision, oldest first."""
    if not has_perm(user, Perm.DECIDE_TRANSFER):
        return sa.select(Transfer).where(sa.false())
    return (
        sa.select(Transfer)
        .where(own_facility(Transfer.to_facility_id, user), Transfer.status == TransferStatus.PENDING)
        .options(joinedload(Transfer.case), joinedload(Transfer.from_facility))
        .order_by(Transfer.requested_at, Transfer.id)
    )


def transfer_to_decide(user, transfer_id):
    return incoming_transfers(user).where(Transfer.id == transfer_id)


def transfer_of_sender(user, transfer_id):
    """A transfer of a case the user may open (the sending side: to cancel it)."""
    return (
        sa.select(Transfer)
        .join(Case, Transfer.case_id == Case.id)
        .where(Transfer.id == transfer_id, case_scope(user))
        .options(contains_eager(Transfer.case))
    )


def transfer_targets(case):
    """Facilities the case may be transferred to: the active ones of the system but its own."""
    return (
        sa.select(Facility)
        .where(Facility.is_active.is_(True), Facility.id != case.facility_id)
        .options(joinedload(Facility.province))
        .order_by(Facility.province_code, Facility.name)
    )


def user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


# --- the case page's section -------------------------------------------------------------------------


@dataclass
class CaseSection:
    """What templates/referrals/_case_section.html shows (see its header)."""

    case: object
    referrals: list = field(default_factory=list)
    transfers: list = field(default_factory=list)
    now: object = None
    can_edit: bool = False
    transferred_away: bool = False  # the case now belongs to another facility (read-only history here)

    @property
    def overdue(self):
        return [r for r in self.referrals if r.is_overdue(self.now)]

    @property
    def pending_transfer(self):
        return next((t for t in self.transfers if t.status == TransferStatus.PENDING), None)

    @property
    def can_refer(self):
        return self.can_edit and self.case.is_open

    @property
    def can_transfer(self):
        return self.can_edit and self.case.is_open and self.pending_transfer is None

    def is_overdue(self, referral):
        return referral.is_overdue(self.now)


def referrals_of_case(case_id):
    return (
        sa.select(Referral)
        .where(Referral.case_id == case_id)
        .options(joinedload(Referral.provider))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )


def transfers_of_case(case_id):
    from_facility, to_facility = aliased(Facility), aliased(Facility)
    return (
        sa.select(Transfer)
        .join(from_facility, Transfer.from_facility_id == from_facility.id)
        .join(to_facility, Transfer.to_facility_id == to_facility.id)
        .where(Transfer.case_id == case_id)
        .options(
            contains_eager(Transfer.from_facility.of_type(from_facility)),
            contains_eager(Transfer.to_facility.of_type(to_facility)),
        )
        .order_by(Transfer.requested_at.desc(), Transfer.id.desc())
    )


def case_section(case, user, now=None):
    """The referrals and transfers of a case for its page, in two queries (providers and facility
    names loaded with them). `case` is already loaded in the user's scope by the case page."""
    referrals = db.session.scalars(*prebuilt(referrals_of_case, case_id=case.id)).all()
    transfers = db.session.scalars(*prebuilt(transfers_of_case, case_id=case.id)).all()
    return CaseSection(
        case=case,
        referrals=list(referrals),
        transfers=list(transfers),
        now=as_utc(now) if now else utcnow(),
        can_edit=can_edit_case(user, case),
        transferred_away=not same_facility(user, case),
    )


__all__ = [
    "DirectoryFilters",
    "directory",
    "directory_page",
    "referral_providers",
    "provider_in_scope",
    "proposals",
    "visible_referrals",
    "referral_for_page",
    "overdue_referrals",
    "share_consents",
    "incoming_referrals",
    "open_incoming_referrals",
    "incoming_transfers",
    "transfer_to_decide",
    "transfer_of_sender",
    "transfer_targets",
    "referrals_of_case",
    "transfers_of_case",
    "case_section",
    "CaseSection",
]
