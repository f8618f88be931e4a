"""SQL conditions: which rows a user may list. One definition serves the lists (a WHERE) and the single
record checks (web.load_case loads inside the same condition), so a page never shows what its list
would not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.orm.util import AliasedClass

from ..auth.models import User, UserSession
from ..cases.access.models import CaseAccessGrant
from ..cases.models import Case
from ..clients.identity.models import IdentityMatchRequest
from ..clients.models import Client
from ..core.sql import prebuilt
from ..core.timeutil import utcnow
from ..extensions import db
from ..org.models import Facility, FacilityType
from ..referrals.models import Provider, ProviderStatus, Transfer, TransferStatus
from ..register.imports.models import ImportBatch
from ..reports.models import CommuneGroup
from ..supervision.models import SupervisionSession, session_workers
from ..workforce.models import Agency, CommunicationActivity, TrainingCourse, WorkforceMember
from .policy import Capability, Perm, Role, _role, capable, has_perm, roles_with

if TYPE_CHECKING:  # for annotations only
    from ..auth.models import User

Condition = sa.ColumnElement[bool]
Column = sa.ColumnElement[Any] | InstrumentedAttribute[Any]


def facility_scope(column: Column, user: User) -> Condition:
    """`column` (a facility id) within the user's reach: every facility for a role that sees every
    facility (settings, users, audit — never case content), else the user's own."""
    if capable(user, Capability.SEES_EVERY_FACILITY):
        return sa.true()
    return column == user.facility_id


def own_facility(column: Column, user: User) -> Condition:
    """`column` (a facility id) is the user's own facility, whatever the role."""
    return column == user.facility_id


def own_sessions(user: User) -> Condition:
    """A user's own sign-in sessions: the only ones they may see and end (an administrator ends all of
    a user's sessions from the user's page, within facility_scope)."""
    return UserSession.user_id == user.id


def provider_scope(user: User) -> Condition:
    """SQL condition on Provider: the directory entries a user reads — every facility of the system and
    the entries shared with every facility (owner None), plus the outside organisations of the user's
    own facility; an administrator reads them all. Another facility's organisation is not found (404)."""
    if capable(user, Capability.SEES_EVERY_FACILITY):
        return sa.true()
    return sa.or_(Provider.owner_facility_id.is_(None), Provider.owner_facility_id == user.facility_id)


def approved_providers(user: User) -> Condition:
    """The entries a referral may go to: in the user's directory and approved by a supervisor."""
    return sa.and_(provider_scope(user), Provider.status == ProviderStatus.APPROVED)


def provider_proposals(user: User) -> Condition:
    """The organisations the facility's social workers proposed, awaiting its supervisors
    (Perm.MANAGE_PROVIDERS): only those of the user's own facility."""
    return sa.and_(Provider.owner_facility_id == user.facility_id, Provider.status == ProviderStatus.PENDING)


def own_province(column: Column, user: User) -> Condition:
    """`column` (a province code) is the province of the user's facility: the communes, commune groups
    and reference data a user's reports can be read by."""
    province_code: str = user.facility.province_code
    return column == province_code


def commune_group_scope(user: User) -> Condition:
    """SQL condition on CommuneGroup: the groups of the user's province (another province's groups are
    neither listed nor opened)."""
    return own_province(CommuneGroup.province_code, user)


def users_with(capability: Capability | Perm, role_column: Column | None = None) -> Condition:
    """SQL condition on User (or on a role column): the user's role has the capability (or permission)."""
    if role_column is None:
        role_column = User.role
    return role_column.in_(roles_with(capability))


def colleagues_with(capability: Capability, facility_id: int | None) -> Condition:
    """SQL condition on User: an active user of that facility whose role has the capability."""
    return sa.and_(User.facility_id == facility_id, User.active.is_(True), users_with(capability))


@dataclass(frozen=True)
class CaseScopeFacts:
    """What case_scope(user) is made of: the user's role, id and facility, and the case ids it lists —
    the cases the user holds an active grant on (workers), or those their facility transferred out
    (supervisors). The condition is built from these alone (case_scope_of), so two readings with equal
    facts get the same condition, and a statement built on it can be kept for the next request with
    the same facts (deadlines.items) — a revoked or expired grant changes the facts, hence the statement."""

    role: Role | None
    user_id: int | None = None
    facility_id: int | None = None
    case_ids: tuple[int, ...] = ()


def case_scope_facts(user: User) -> CaseScopeFacts:
    if not has_perm(user, Perm.VIEW_CASES):
        return CaseScopeFacts(role=None)
    role = _role(user)
    if role is Role.SUPERVISOR:
        case_ids = _transferred_out_ids_of(user.facility_id)
    elif role in (Role.SOCIAL_WORKER, Role.SHELTER_STAFF):
        case_ids = _granted_ids(user)
    else:
        return CaseScopeFacts(role=None)
    return CaseScopeFacts(role=role, user_id=user.id, facility_id=user.facility_id, case_ids=tuple(case_ids))


def case_scope(user: User) -> Condition:
    """SQL condition on Case: the cases this user may open.

    Supervisors see every case of their facility; social workers the cases assigned to them; shelter
    staff the cases of their shelter except sealed ones not assigned to them; admins, reporters and
    deactivated accounts no case content at all. A case is sealed when it is flagged sensitive or its
    client is (a client flagged after the case was opened seals the case too). Access granted case by
    case (shared by a supervisor, or break the glass with a reason) opens a case of the user's own
    facility while the grant is active (not expired, not revoked). Supervisors also read the cases
    their facility transferred to another one, read-only: rules.can_edit_case refuses their writes."""
    return case_scope_of(case_scope_facts(user))


def case_scope_of(facts: CaseScopeFacts) -> Condition:
    """case_scope from its facts, without reading anything."""
    same_facility = Case.facility_id == facts.facility_id
    assigned = Case.assigned_worker_id == facts.user_id
    listed = _listed(facts.case_ids)
    if facts.role is Role.SUPERVISOR:
        return sa.or_(same_facility, listed)
    if facts.role is Role.SOCIAL_WORKER:
        return sa.and_(same_facility, sa.or_(assigned, listed))
    if facts.role is Role.SHELTER_STAFF:
        sealed_client = aliased(Client)  # aliased: never correlates with a Client of the enclosing query
        client_is_sealed = sa.exists(
            sa.select(sealed_client.id).where(sealed_client.id == Case.client_id, sealed_client.is_sensitive.is_(True))
        )
        return sa.and_(
            same_facility,
            sa.or_(assigned, sa.and_(Case.is_sensitive.is_(False), ~client_is_sealed), listed),
        )
    return sa.false()


def own_cases_of(facts: CaseScopeFacts) -> Condition:
    """SQL condition on Case: the cases of the user's own facility within their case scope (not those
    a supervisor reads after their transfer out: they are worked at the receiver)."""
    return sa.and_(Case.facility_id == facts.facility_id, case_scope_of(facts))


def _listed(case_ids: tuple[int, ...]) -> Condition:
    """`id IN (…)` of the few ids read first: with `assigned = W OR id IN (…)` PostgreSQL makes two index
    lookups, where `OR EXISTS (grant)` made it read every case of the facility to test the EXISTS
    (bench/: 17 ms of the tasks page's follow-ups at 1 M clients), and `facility_id = X OR EXISTS
    (transfer)` every case of every facility (250 ms per dashboard count at 84k cases)."""
    return Case.id.in_(case_ids) if case_ids else sa.false()


def granted_case(user: User, kinds: Iterable[str] | None = None, now: datetime | None = None) -> Condition:
    """SQL condition on Case: the user holds an active CaseAccessGrant on it — not revoked, not expired;
    `kinds` narrows to ("shared",) or ("break_glass",). One EXISTS served by
    ix_case_access_grants_user_case (user_id, case_id)."""
    grant = aliased(CaseAccessGrant)  # aliased: never correlates with a grant of the enclosing query
    condition = sa.and_(active_grant(grant, user, now), grant.case_id == Case.id)
    if kinds:
        condition = sa.and_(condition, grant.kind.in_(tuple(kinds)))
    return sa.exists(sa.select(grant.id).where(condition))


def _granted_ids(user: User) -> list[int]:
    """The cases the user holds an active grant on (a user holds few)."""
    case_ids = db.session.scalars(sa.select(CaseAccessGrant.case_id).where(active_grant(CaseAccessGrant, user))).all()
    return sorted(set(case_ids))


def active_grant(
    grant: type[CaseAccessGrant] | AliasedClass[CaseAccessGrant], user: User, now: datetime | None = None
) -> Condition:
    """SQL condition on a CaseAccessGrant (the class or an alias): the user's, not revoked, not expired."""
    return sa.and_(
        grant.user_id == user.id,
        grant.revoked_at.is_(None),
        sa.or_(grant.expires_at.is_(None), grant.expires_at > (now or utcnow())),
    )


def _transferred_out_ids_of(facility_id: int | None) -> list[int]:
    """The cases transferred out of this facility (an accepted Transfer), read once per request (a page
    builds several scoped statements; a facility transfers few cases). Its supervisors keep reading
    the history; rules.can_edit_case refuses their writes."""
    memo = request.environ.setdefault("caseapp.transferred_out", {}) if has_request_context() else {}
    if facility_id not in memo:
        memo[facility_id] = db.session.scalars(*prebuilt(_transferred_out_ids, facility_id=facility_id)).all()
    return list(memo[facility_id])


def _transferred_out_ids(facility_id: int | None) -> sa.Select[tuple[int]]:
    return sa.select(Transfer.case_id).where(
        Transfer.from_facility_id == facility_id, Transfer.status == TransferStatus.ACCEPTED
    )


def client_scope(user: User) -> Condition:
    """SQL condition on Client: the facility's registry for case-working roles, except sealed
    (sensitive) clients, who are seen only by supervisors, by users who can see one of their cases, and
    by the user who registered the person until a case is opened (sealed_awaiting_intake)."""
    if not has_perm(user, Perm.VIEW_CLIENTS):
        return sa.false()
    same_facility = Client.facility_id == user.facility_id
    if _role(user) is Role.SUPERVISOR:
        return same_facility
    has_visible_case = sa.exists(sa.select(Case.id).where(Case.client_id == Client.id, case_scope(user)))
    return sa.and_(
        same_facility, sa.or_(Client.is_sensitive.is_(False), has_visible_case, sealed_awaiting_intake(user))
    )


def sealed_awaiting_intake(user: User) -> Condition:
    """SQL condition on Client: a person this user registered, with no case yet. The worker who marks a
    new person as sealed goes on to the intake (and back to the person's page) — what they typed in
    themselves hides nothing from them. Once a case is opened, the case decides who sees the person."""
    any_case = aliased(Case)  # aliased: never correlates with a Case of the enclosing query
    return sa.and_(
        Client.created_by_id == user.id, ~sa.exists(sa.select(any_case.id).where(any_case.client_id == Client.id))
    )


def data_subject_scope(user: User) -> Condition:
    """SQL condition on Client: the clients whose data requests, export and anonymisation this user
    handles — every client of the user's own facility, sealed ones too, for a holder of
    HANDLE_DATA_REQUESTS (the facility's supervisors, who see its sealed records already); nobody else.
    A worker who broke the glass into a sealed case reads that case, never the person's whole record."""
    if not has_perm(user, Perm.HANDLE_DATA_REQUESTS):
        return sa.false()
    return own_facility(Client.facility_id, user)


__all__ = [
    "facility_scope",
    "own_facility",
    "own_province",
    "commune_group_scope",
    "users_with",
    "colleagues_with",
    "case_scope",
    "granted_case",
    "active_grant",
    "client_scope",
    "sealed_awaiting_intake",
    "data_subject_scope",
]


def import_batch_scope(user: User) -> Condition:
    """SQL condition on ImportBatch: the imports a user may open — of a beneficiary register, those of
    the user's own facility, for a holder of IMPORT_REGISTER; of a workforce list, those of the
    facilities whose workforce register the user keeps (as agency_scope), for a holder of
    MANAGE_WORKFORCE."""
    beneficiaries = (
        sa.and_(ImportBatch.kind == "beneficiaries", own_facility(ImportBatch.facility_id, user))
        if has_perm(user, Perm.IMPORT_REGISTER)
        else sa.false()
    )
    workforce = (
        sa.and_(ImportBatch.kind == "workforce", facility_scope(ImportBatch.facility_id, user))
        if has_perm(user, Perm.MANAGE_WORKFORCE)
        else sa.false()
    )
    return sa.or_(beneficiaries, workforce)


def identity_match_scope(user: User) -> Condition:
    """SQL condition on IdentityMatchRequest: the requests a user handles — those about the clients of the
    user's own facility, for a holder of HANDLE_IDENTITY_MATCHES (its supervisors)."""
    if not has_perm(user, Perm.HANDLE_IDENTITY_MATCHES):
        return sa.false()
    return own_facility(IdentityMatchRequest.facility_id, user)


def identity_disclosable(client: type[Client] | AliasedClass[Client] = Client) -> Condition:
    """SQL condition on Client (or an alias of it): may another facility be told that this person is a client here (the
    request after a citizen ID registered at two facilities)? Never for a sealed client (the record is
    flagged sensitive, or one of its cases is), and never at a shelter or a facility whose address is
    confidential: where a survivor of violence stays is told to no one (Luật Phòng, chống bạo lực gia
    đình 2022; Nghị định 13/2023/NĐ-CP, dữ liệu cá nhân nhạy cảm). Checked on both sides — the client
    who holds the number and the one just registered with it."""
    sealed_case = aliased(Case)  # aliased: never correlates with a Case of the enclosing query
    hidden_place = aliased(Facility)
    return sa.and_(
        client.is_sensitive.is_(False),
        ~sa.exists(
            sa.select(sealed_case.id).where(sealed_case.client_id == client.id, sealed_case.is_sensitive.is_(True))
        ),
        ~sa.exists(
            sa.select(hidden_place.id).where(
                hidden_place.id == client.facility_id,
                sa.or_(hidden_place.type == FacilityType.SHELTER.value, hidden_place.confidential_address.is_(True)),
            )
        ),
    )


def identity_match_recipients(facility_id: int) -> Condition:
    """SQL condition on User: who is told of a request about a client of that facility — its active
    holders of HANDLE_IDENTITY_MATCHES."""
    return sa.and_(User.facility_id == facility_id, User.active.is_(True), users_with(Perm.HANDLE_IDENTITY_MATCHES))


def supervision_session_scope(user: User) -> Condition:
    """SQL condition on SupervisionSession: the sessions a user may open — every session of the
    facility for who records them (MANAGE_SUPERVISION), only those they took part in for a worker."""
    facility = own_facility(SupervisionSession.facility_id, user)
    if has_perm(user, Perm.MANAGE_SUPERVISION):
        return facility
    if not has_perm(user, Perm.VIEW_SUPERVISION):
        return sa.false()
    took_part = sa.select(session_workers.c.session_id).where(session_workers.c.user_id == user.id)
    return sa.and_(facility, SupervisionSession.id.in_(took_part))


def agency_scope(user: User) -> Condition:
    """SQL condition on Agency: the agencies whose register a user keeps — those their facility entered
    (its own staff, and the communes, schools, hospitals… it keeps the records of); every one for a
    role that sees every facility. Another facility's agency is not found (404)."""
    if not has_perm(user, Perm.MANAGE_WORKFORCE):
        return sa.false()
    return facility_scope(Agency.owner_facility_id, user)


def workforce_member_scope(user: User) -> Condition:
    """SQL condition on WorkforceMember: the people of the agencies in agency_scope."""
    return WorkforceMember.agency_id.in_(sa.select(Agency.id).where(agency_scope(user)))


def training_course_scope(user: User) -> Condition:
    """SQL condition on TrainingCourse: the courses the user's facility recorded."""
    if not has_perm(user, Perm.MANAGE_WORKFORCE):
        return sa.false()
    return facility_scope(TrainingCourse.facility_id, user)


def communication_scope(user: User) -> Condition:
    """SQL condition on CommunicationActivity: the activities the user's facility recorded."""
    if not has_perm(user, Perm.MANAGE_WORKFORCE):
        return sa.false()
    return facility_scope(CommunicationActivity.facility_id, user)
