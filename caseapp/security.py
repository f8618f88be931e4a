"""The one access policy of caseapp.

- Role permissions are data (ROLE_PERMS), readable on one screen.
- Every endpoint declares the permission it needs with @requires(Perm.X), or is listed in
  PUBLIC_ENDPOINTS. An endpoint that declares nothing is refused (default deny); a test walks
  app.url_map to keep it that way.
- can(user, perm, obj) decides actions on one record; a record of another facility answers 404
  (load_or_404), never 403, so its existence does not leak.
- Lists are built on the access-scoped select()s of each domain's queries.py.
"""
import enum
from functools import wraps

from flask import abort, current_app, has_request_context, redirect, request, url_for
from flask_login import current_user

from .extensions import db


class Role(str, enum.Enum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    SOCIAL_WORKER = "social_worker"
    SHELTER_STAFF = "shelter_staff"
    REPORTER = "reporter"


class Perm(str, enum.Enum):
    USE_APP = "use_app"                  # any signed-in user: home, own password, language
    MANAGE_USERS = "manage_users"
    MANAGE_FACILITIES = "manage_facilities"
    VIEW_AUDIT = "view_audit"
    VIEW_FACILITY_DIRECTORY = "view_facility_directory"
    VIEW_CLIENTS = "view_clients"            # the facility's client registry (minus sealed clients)
    EDIT_CLIENTS = "edit_clients"
    MERGE_CLIENTS = "merge_clients"
    CREATE_INTAKE = "create_intake"
    VIEW_CASES = "view_cases"                # cases in the user's case scope (see case_scope)
    EDIT_CASES = "edit_cases"
    VIEW_FACILITY_CASES = "view_facility_cases"  # "Hồ sơ của cơ sở"
    ADMIT_EMERGENCY = "admit_emergency"
    MANAGE_STAYS = "manage_stays"            # bed board, check-in, check-out
    CONFIGURE_SHELTER = "configure_shelter"  # rooms and beds
    APPROVE = "approve"                      # assessments, plans, closures (never one's own)
    VIEW_PROVIDERS = "view_providers"        # the service directory
    MANAGE_PROVIDERS = "manage_providers"
    OVERRIDE_CONSENT = "override_consent"    # referral without consent in an emergency, with a reason
    DECIDE_TRANSFER = "decide_transfer"      # accept / decline a case transferred to the facility
    REVIEW_CASELOAD = "review_caseload"      # caseload review, reassign, flag
    BREAK_GLASS = "break_glass"              # open a sealed case of the facility, giving a reason
    EXTEND_STAY = "extend_stay"              # extend a shelter stay past its planned end
    # reports: aggregates only — none of these opens a case, a client or a list of them
    VIEW_STATISTICS = "view_statistics"      # statistics and QĐ 112 indicators of the user's facility
    VIEW_PROVINCE_REPORTS = "view_province_reports"  # the province: live aggregates and frozen reports
    FREEZE_REPORTS = "freeze_reports"        # freeze a reporting period (and re-open it with a reason)
    ENTER_REFERENCE_DATA = "enter_reference_data"  # denominators, baselines, province targets (with source)


# Admins manage settings and users but see no case content; reporters see aggregates only.
_CASEWORK = {Perm.VIEW_CLIENTS, Perm.EDIT_CLIENTS, Perm.CREATE_INTAKE, Perm.VIEW_CASES, Perm.EDIT_CASES,
             Perm.VIEW_PROVIDERS}
ROLE_PERMS = {
    Role.ADMIN: {Perm.USE_APP, Perm.MANAGE_USERS, Perm.MANAGE_FACILITIES, Perm.VIEW_AUDIT,
                 Perm.VIEW_FACILITY_DIRECTORY, Perm.CONFIGURE_SHELTER, Perm.VIEW_PROVIDERS,
                 Perm.MANAGE_PROVIDERS},
    Role.SUPERVISOR: {Perm.USE_APP, Perm.VIEW_AUDIT, Perm.VIEW_FACILITY_DIRECTORY, *_CASEWORK,
                      Perm.MERGE_CLIENTS, Perm.VIEW_FACILITY_CASES, Perm.ADMIT_EMERGENCY,
                      Perm.MANAGE_STAYS, Perm.CONFIGURE_SHELTER, Perm.EXTEND_STAY, Perm.APPROVE,
                      Perm.MANAGE_PROVIDERS, Perm.OVERRIDE_CONSENT, Perm.DECIDE_TRANSFER,
                      Perm.REVIEW_CASELOAD, Perm.VIEW_STATISTICS, Perm.FREEZE_REPORTS},
    Role.SOCIAL_WORKER: {Perm.USE_APP, Perm.VIEW_FACILITY_DIRECTORY, *_CASEWORK, Perm.BREAK_GLASS},
    Role.SHELTER_STAFF: {Perm.USE_APP, Perm.VIEW_FACILITY_DIRECTORY, *_CASEWORK, Perm.ADMIT_EMERGENCY,
                         Perm.MANAGE_STAYS, Perm.BREAK_GLASS},
    Role.REPORTER: {Perm.USE_APP, Perm.VIEW_STATISTICS, Perm.VIEW_PROVINCE_REPORTS, Perm.FREEZE_REPORTS,
                    Perm.ENTER_REFERENCE_DATA},
}

# Roles whose permission reaches every facility (settings only, never case content).
ALL_FACILITY_ROLES = {Role.ADMIN}

PUBLIC_ENDPOINTS = frozenset({
    "static",
    "auth.login",
    "main.healthz",
    "main.status",
    "main.set_language",
})


def has_perm(user, perm):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMS.get(Role(user.role), set())


def in_scope(user, obj):
    """Is obj within the user's facility scope? obj exposes facility_id (or is a Facility)."""
    if Role(user.role) in ALL_FACILITY_ROLES:
        return True
    facility_id = getattr(obj, "scope_facility_id", None)
    if facility_id is None:
        facility_id = getattr(obj, "facility_id", None)
    return facility_id is not None and facility_id == user.facility_id


def can(user, perm, obj=None):
    if not has_perm(user, perm):
        return False
    return obj is None or in_scope(user, obj)


def requires(perm):
    """Declare the permission an endpoint needs; refuse (403, audited) without it."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_perm(current_user, perm):
                deny(perm.value)
            return view(*args, **kwargs)

        wrapped.required_perm = perm
        return wrapped

    return decorator


def deny(reason, status=403):
    from .audit.services import record_security_event

    record_security_event("permission_denied", user=current_user,
                          detail={"endpoint": request.endpoint, "need": reason})
    db.session.commit()
    abort(status)


def load_or_404(model, ident, perm, user=None):
    """Load a record and authorise in one step: out of scope → 404, lacking the permission → 403."""
    user = user or current_user
    obj = db.session.get(model, ident)
    if obj is None or not in_scope(user, obj):
        abort(404)
    if not can(user, perm, obj):
        deny(perm.value)
    return obj


# --- record scopes: one definition serves both the lists and the single-record checks -----------

def case_scope(user):
    """SQL condition on Case: the cases this user may open.

    Supervisors see every case of their facility; social workers the
    cases assigned to them; shelter staff the cases of their shelter except sealed ones not assigned
    to them; admins, reporters and deactivated accounts no case content at all. A case is sealed when
    it is flagged sensitive or its client is (a client flagged after the case was opened seals the
    case too). Access granted case by case (shared by a supervisor, or break the glass
    with a reason — caseapp/cases/access.py) opens a case of the user's own facility while the grant
    is active (not expired, not revoked). Supervisors also read the cases their facility transferred
    to another one, read-only: write routes check can_edit_case."""
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased

    from .cases.models import Case
    from .clients.models import Client

    if not has_perm(user, Perm.VIEW_CASES):
        return sa.false()
    role = Role(user.role)
    same_facility = Case.facility_id == user.facility_id
    assigned = Case.assigned_worker_id == user.id
    if role is Role.SUPERVISOR:
        return sa.or_(same_facility, _transferred_out_by(user.facility_id))
    if role is Role.SOCIAL_WORKER:
        return sa.and_(same_facility, sa.or_(assigned, _granted_case_ids(user)))
    if role is Role.SHELTER_STAFF:
        sealed_client = aliased(Client)  # aliased: never correlates with a Client of the enclosing query
        client_is_sealed = sa.exists(sa.select(sealed_client.id).where(
            sealed_client.id == Case.client_id, sealed_client.is_sensitive.is_(True)))
        return sa.and_(same_facility, sa.or_(assigned, sa.and_(Case.is_sensitive.is_(False), ~client_is_sealed),
                                             _granted_case_ids(user)))
    return sa.false()


def granted_case(user, kinds=None, now=None):
    """SQL condition on Case: the user holds an active CaseAccessGrant on it — not
    revoked, not expired; `kinds` narrows to ("shared",) or ("break_glass",). One EXISTS served by
    ix_case_access_grants_user_case (user_id, case_id)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased

    from .cases.models import Case
    from .cases.workflow_models import CaseAccessGrant

    grant = aliased(CaseAccessGrant)  # aliased: never correlates with a grant of the enclosing query
    condition = sa.and_(_active_grant_of(grant, user, now), grant.case_id == Case.id)
    if kinds:
        condition = sa.and_(condition, grant.kind.in_(tuple(kinds)))
    return sa.exists(sa.select(grant.id).where(condition))


def _granted_case_ids(user):
    """SQL condition on Case: one of the cases the user holds an active grant on (granted_case), with
    the ids read first — a user holds few. `assigned = W OR id IN (…)` is two index lookups, where
    `assigned = W OR EXISTS (grant)` made PostgreSQL read every case of the facility to test the
    EXISTS (bench/: 17 ms of the tasks page's follow-ups at 1 M clients)."""
    import sqlalchemy as sa

    from .cases.models import Case
    from .cases.workflow_models import CaseAccessGrant

    case_ids = db.session.scalars(sa.select(CaseAccessGrant.case_id)
                                  .where(_active_grant_of(CaseAccessGrant, user))).all()
    return Case.id.in_(sorted(set(case_ids))) if case_ids else sa.false()


def _active_grant_of(grant, user, now=None):
    """SQL condition on a CaseAccessGrant (the class or an alias): the user's, not revoked, not expired."""
    import sqlalchemy as sa

    from .core.timeutil import utcnow

    return sa.and_(grant.user_id == user.id, grant.revoked_at.is_(None),
                   sa.or_(grant.expires_at.is_(None), grant.expires_at > (now or utcnow())))


def _transferred_out_by(facility_id):
    """SQL condition on Case: the case was transferred out of this facility (an accepted Transfer).
    Its supervisors keep reading the history; can_edit_case refuses their writes.

    The ids are read first (a facility transfers few cases) so that the supervisor's scope,
    `facility_id = X OR id IN (…)`, stays two index lookups; an EXISTS here made PostgreSQL scan
    every case of every facility (bench: 250 ms per dashboard count at 84k cases)."""
    import sqlalchemy as sa

    from .cases.models import Case
    from .core.sql import prebuilt

    memo = request.environ.setdefault("caseapp.transferred_out", {}) if has_request_context() else {}
    if facility_id not in memo:  # once per request: a page builds several scoped statements
        memo[facility_id] = db.session.scalars(*prebuilt(_transferred_out_ids, facility_id=facility_id)).all()
    case_ids = memo[facility_id]
    return Case.id.in_(case_ids) if case_ids else sa.false()


def _transferred_out_ids(facility_id):
    import sqlalchemy as sa

    from .referrals.models import Transfer

    return sa.select(Transfer.case_id).where(Transfer.from_facility_id == facility_id, Transfer.status == "accepted")


def can_edit_case(user, case):
    """May this user change the case (notes, referrals, transfer …)? Only staff of the facility that
    owns it now with Perm.EDIT_CASES: the facility that transferred a case out reads it, never writes.
    Write routes call this after loading the case in the user's case scope."""
    return has_perm(user, Perm.EDIT_CASES) and case is not None and case.facility_id == user.facility_id


def can_steer_case(user, case):
    """May this user move the case through its steps, ask for its closure, or reopen it? The case's
    assigned worker and the supervisors of its facility: social workers make the
    closure requests of their cases, supervisors approve them. Reopening is given to both (not to
    supervisors alone): it brings protection back rather than ending it, and the worker is the one who
    finds a new need at the follow-up after closure; it needs a reason and is recorded. Shelter staff
    and colleagues who only see or share the case do not steer it."""
    return can_edit_case(user, case) and (case.assigned_worker_id == user.id or has_perm(user, Perm.APPROVE))


def can_manage_provider(user, provider):
    """May this user change a service-directory entry? Admins any; supervisors the outside
    organisations of their facility's province and their own facility's entry (never another
    facility's, whose name and address come from the facility itself)."""
    if not has_perm(user, Perm.MANAGE_PROVIDERS):
        return False
    if Role(user.role) in ALL_FACILITY_ROLES:
        return True
    if provider.facility_id is not None:
        return provider.facility_id == user.facility_id
    return provider.province_code == user.facility.province_code


def client_scope(user):
    """SQL condition on Client: the facility's registry for case-working roles, except sealed
    (sensitive) clients, who are seen only by supervisors and by users who can see one of their cases."""
    import sqlalchemy as sa

    from .cases.models import Case
    from .clients.models import Client

    role = Role(user.role)
    if not has_perm(user, Perm.VIEW_CLIENTS):
        return sa.false()
    same_facility = Client.facility_id == user.facility_id
    if role is Role.SUPERVISOR:
        return same_facility
    has_visible_case = sa.exists(sa.select(Case.id).where(Case.client_id == Client.id, case_scope(user)))
    return sa.and_(same_facility, sa.or_(Client.is_sensitive.is_(False), has_visible_case))


def load_in_scope_or_404(model, ident, scope, perm, user=None):
    """Load a record only if the scope condition admits it (else 404), then check the permission."""
    import sqlalchemy as sa

    user = user or current_user
    if not has_perm(user, perm):
        deny(perm.value)
    obj = db.session.scalar(sa.select(model).where(model.id == ident, scope(user)))
    if obj is None:
        abort(404)
    if perm is Perm.EDIT_CASES and getattr(obj, "__tablename__", None) == "cases" and not can_edit_case(user, obj):
        deny(perm.value)  # a case read-only to this user (transferred out of their facility)
    return obj


def enforce_default_deny():
    """before_request: login required unless public; an endpoint without a declared permission is refused."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "required_perm", None) is None:
        deny("undeclared")
    return None
