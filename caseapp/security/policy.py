"""Roles, permissions and capabilities: who may do what, on one screen.

- A permission (Perm) is an action a route or a page offers; every endpoint declares one (web.requires).
- A capability says what part a role plays in the work — who holds a caseload, who receives escalations —
  where code used to list roles. Code asks for a capability, never for a role.
- Admins manage settings and users but see no case content; reporters see aggregates only
  (Thông tư 02/2020/TT-BLĐTBXH gives case work to the facility's staff; personal data of victims and
  children is sensitive under Nghị định 13/2023/NĐ-CP and goes only to those who work the case).
"""

from __future__ import annotations

import enum
from typing import Any, Protocol


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    SOCIAL_WORKER = "social_worker"
    SHELTER_STAFF = "shelter_staff"
    REPORTER = "reporter"


class Perm(enum.StrEnum):
    USE_APP = "use_app"  # any signed-in user: home, own password, language
    MANAGE_USERS = "manage_users"
    MANAGE_FACILITIES = "manage_facilities"
    VIEW_AUDIT = "view_audit"
    VIEW_FACILITY_DIRECTORY = "view_facility_directory"
    VIEW_CLIENTS = "view_clients"  # the facility's client registry (minus sealed clients)
    EDIT_CLIENTS = "edit_clients"
    MERGE_CLIENTS = "merge_clients"
    CREATE_INTAKE = "create_intake"
    VIEW_CASES = "view_cases"  # cases in the user's case scope (scopes.case_scope)
    EDIT_CASES = "edit_cases"
    VIEW_FACILITY_CASES = "view_facility_cases"  # "Hồ sơ của cơ sở"
    ADMIT_EMERGENCY = "admit_emergency"
    MANAGE_STAYS = "manage_stays"  # bed board, check-in, check-out
    CONFIGURE_SHELTER = "configure_shelter"  # rooms and beds
    APPROVE = "approve"  # assessments, plans, closures (never one's own)
    VIEW_PROVIDERS = "view_providers"  # the service directory
    MANAGE_PROVIDERS = "manage_providers"  # add outside organisations, edit entries, approve proposals
    PROPOSE_PROVIDERS = "propose_providers"  # add an outside organisation (a worker's waits for approval)
    OVERRIDE_CONSENT = "override_consent"  # referral without consent in an emergency, with a reason
    DECIDE_TRANSFER = "decide_transfer"  # accept / decline a case transferred to the facility
    REVIEW_CASELOAD = "review_caseload"  # caseload review, reassign, flag
    BREAK_GLASS = "break_glass"  # open a sealed case of the facility, giving a reason
    EXTEND_STAY = "extend_stay"  # extend a shelter stay past its planned end
    # reports: aggregates only — none of these opens a case, a client or a list of them
    VIEW_STATISTICS = "view_statistics"  # statistics and QĐ 112/QĐ-TTg indicators of the user's facility
    VIEW_PROVINCE_REPORTS = "view_province_reports"  # the province: live aggregates and frozen reports
    FREEZE_REPORTS = "freeze_reports"  # freeze a reporting period (and re-open it with a reason)
    ENTER_REFERENCE_DATA = "enter_reference_data"  # denominators, baselines, local targets (with source)
    # put the reference numbers of the province's reporters in force (four eyes: never one's own entry);
    # a number entered by someone who holds it is in force at once
    CONFIRM_REFERENCE_DATA = "confirm_reference_data"
    # name the groups of communes of the province (a former district's communes) that reports and targets
    # can be read by: the province's reporters, who enter its reference data (admins read no report)
    MANAGE_COMMUNE_GROUPS = "manage_commune_groups"
    # bring the facility's beneficiary register in from a file, and undo it: supervisors (the rows are
    # personal data, which the all-facility admin role never reads)
    IMPORT_REGISTER = "import_register"
    # the requests telling the facility that another one registered a client with the citizen ID of one
    # of its clients (clients.identity): supervisors, who may share or transfer the case
    HANDLE_IDENTITY_MATCHES = "handle_identity_matches"
    # the rights of the people whose data the facility holds (Nghị định 13/2023/NĐ-CP, Điều 9; Luật Bảo vệ
    # dữ liệu cá nhân 2025): record a person's written request, export their data, anonymise a record
    # whose retention has run out — supervisors of the client's facility (admins read no personal data)
    HANDLE_DATA_REQUESTS = "handle_data_requests"
    # the register of processing activities (Nghị định 13/2023/NĐ-CP, Điều 24): what caseapp processes,
    # why, for whom, how long — describes the system, holds no personal data
    VIEW_PROCESSING_REGISTER = "view_processing_register"
    # professional supervision (Thông tư 02/2020/TT-BLĐTBXH: the leaders supervise the case work):
    # supervisors record supervision sessions and case conferences (hội chẩn) of their facility; the
    # workers read the sessions they took part in
    MANAGE_SUPERVISION = "manage_supervision"
    VIEW_SUPERVISION = "view_supervision"
    # the workforce register (staff and collaborators of the facility and of the agencies it keeps),
    # their training and the communication activities: the facility's admins and supervisors; the
    # reports count them (reporters read the aggregates only, never the people)
    MANAGE_WORKFORCE = "manage_workforce"


class Capability(enum.StrEnum):
    SEES_EVERY_FACILITY = "sees_every_facility"  # settings, users, audit of every facility — no case content
    HOLDS_CASELOAD = "holds_caseload"  # cases are assigned to them, shared with them, reassigned to them
    TAKES_CASE_TASKS = "takes_case_tasks"  # follow-ups and plan activities; a task list and a 07:00 digest
    ASSIGNED_AT_INTAKE = "assigned_at_intake"  # an intake may hand the new case to them
    RECEIVES_ESCALATIONS = "receives_escalations"  # the workers' overdue items are escalated to them
    # signs in with a second factor wherever they work: they manage every account, or read and reassign
    # every case of their facility — a password alone is not enough (OWASP ASVS 5.0 V6.3.3); the other
    # roles as their facility decides (rules.second_factor_required)
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    # the account manages every account and setting, or signs off its facility's casework: a longer
    # password (auth.services.min_password_length, NIST SP 800-63B §5.1.1.2)
    PRIVILEGED_ACCOUNT = "privileged_account"


_CASEWORK = {
    Perm.VIEW_CLIENTS,
    Perm.EDIT_CLIENTS,
    Perm.CREATE_INTAKE,
    Perm.VIEW_CASES,
    Perm.EDIT_CASES,
    Perm.VIEW_PROVIDERS,
}
ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(
        {
            Perm.USE_APP,
            Perm.MANAGE_USERS,
            Perm.MANAGE_FACILITIES,
            Perm.VIEW_AUDIT,
            Perm.VIEW_FACILITY_DIRECTORY,
            Perm.CONFIGURE_SHELTER,
            Perm.VIEW_PROVIDERS,
            Perm.MANAGE_PROVIDERS,
            Perm.PROPOSE_PROVIDERS,
            Perm.VIEW_PROCESSING_REGISTER,
            Perm.MANAGE_WORKFORCE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Perm.USE_APP,
            Perm.VIEW_AUDIT,
            Perm.VIEW_FACILITY_DIRECTORY,
            *_CASEWORK,
            Perm.MERGE_CLIENTS,
            Perm.VIEW_FACILITY_CASES,
            Perm.ADMIT_EMERGENCY,
            Perm.MANAGE_STAYS,
            Perm.CONFIGURE_SHELTER,
            Perm.EXTEND_STAY,
            Perm.APPROVE,
            Perm.MANAGE_PROVIDERS,
            Perm.PROPOSE_PROVIDERS,
            Perm.OVERRIDE_CONSENT,
            Perm.DECIDE_TRANSFER,
            Perm.REVIEW_CASELOAD,
            Perm.VIEW_STATISTICS,
            Perm.FREEZE_REPORTS,
            Perm.ENTER_REFERENCE_DATA,
            Perm.CONFIRM_REFERENCE_DATA,
            Perm.IMPORT_REGISTER,
            Perm.HANDLE_DATA_REQUESTS,
            Perm.HANDLE_IDENTITY_MATCHES,
            Perm.MANAGE_SUPERVISION,
            Perm.VIEW_SUPERVISION,
            Perm.MANAGE_WORKFORCE,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            Perm.USE_APP,
            Perm.VIEW_FACILITY_DIRECTORY,
            *_CASEWORK,
            Perm.BREAK_GLASS,
            Perm.PROPOSE_PROVIDERS,
            Perm.VIEW_SUPERVISION,
        }
    ),
    Role.SHELTER_STAFF: frozenset(
        {
            Perm.USE_APP,
            Perm.VIEW_FACILITY_DIRECTORY,
            *_CASEWORK,
            Perm.ADMIT_EMERGENCY,
            Perm.MANAGE_STAYS,
            Perm.BREAK_GLASS,
            Perm.VIEW_SUPERVISION,
        }
    ),
    Role.REPORTER: frozenset(
        {
            Perm.USE_APP,
            Perm.VIEW_STATISTICS,
            Perm.VIEW_PROVINCE_REPORTS,
            Perm.FREEZE_REPORTS,
            Perm.ENTER_REFERENCE_DATA,
            Perm.MANAGE_COMMUNE_GROUPS,
        }
    ),
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        {Capability.SEES_EVERY_FACILITY, Capability.NEEDS_SECOND_FACTOR, Capability.PRIVILEGED_ACCOUNT}
    ),
    # Supervisors see every case of their facility already: nothing is shared with or reassigned to them.
    Role.SUPERVISOR: frozenset(
        {
            Capability.TAKES_CASE_TASKS,
            Capability.ASSIGNED_AT_INTAKE,
            Capability.RECEIVES_ESCALATIONS,
            Capability.NEEDS_SECOND_FACTOR,
            Capability.PRIVILEGED_ACCOUNT,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {Capability.HOLDS_CASELOAD, Capability.TAKES_CASE_TASKS, Capability.ASSIGNED_AT_INTAKE}
    ),
    # Shelter staff hold the shelter's cases; a new case of a centre's intake goes to a social worker.
    Role.SHELTER_STAFF: frozenset({Capability.HOLDS_CASELOAD, Capability.TAKES_CASE_TASKS}),
    Role.REPORTER: frozenset(),
}


class HasRole(Protocol):
    role: str


def _role(person: HasRole | str | None) -> Role | None:
    value = person if isinstance(person, str) else getattr(person, "role", None)
    try:
        return Role(value) if value is not None else None
    except ValueError:
        return None


def has_perm(user: Any, perm: Perm) -> bool:  # a User, the anonymous user or None
    """Does the signed-in, active user's role give this permission?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = _role(user)
    return role is not None and perm in ROLE_PERMS[role]


def capable(person: HasRole | str | None, capability: Capability) -> bool:
    """Does this person's role (a user, or a role's value) play that part? Not about being signed in:
    it is asked of colleagues too (may this worker be given the case?)."""
    role = _role(person)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def roles_with(what: Capability | Perm) -> tuple[str, ...]:
    """The roles' values that have a capability (or a permission), for a query on users' roles."""
    table = ROLE_PERMS if isinstance(what, Perm) else ROLE_CAPABILITIES
    return tuple(sorted(role.value for role, granted in table.items() if what in granted))


__all__ = ["Role", "Perm", "Capability", "ROLE_PERMS", "ROLE_CAPABILITIES", "has_perm", "capable", "roles_with"]
