"""Decisions on one object: may this user change this case now, break its glass, supervise it, decide
this approval, be given this case? Services call these before they write; pages call them to show only
the buttons a user may press; templates ask `can(...)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .policy import Capability, Perm, Role, capable, has_perm, roles_with

if TYPE_CHECKING:  # for annotations only: the rules read these records, they never import their domains
    from ..auth.models import User
    from ..cases.models import Case
    from ..referrals.models import Provider


def same_facility(user: User, obj: object) -> bool:
    """Does the record (anything with a facility_id, or a facility) belong to the user's facility?"""
    facility_id = getattr(obj, "scope_facility_id", None)
    if facility_id is None:
        facility_id = getattr(obj, "facility_id", None)
    return obj is not None and facility_id is not None and facility_id == user.facility_id


def in_scope(user: User, obj: object) -> bool:
    """Is the record within the user's facility scope (every facility for an administrator)?"""
    return capable(user, Capability.SEES_EVERY_FACILITY) or same_facility(user, obj)


def can(user: User, what: Perm | Capability, obj: object = None) -> bool:
    """A permission — and, for a record, the record within the user's facility scope — or a capability
    of the user's role. What templates ask."""
    if isinstance(what, Capability):
        return capable(user, what)
    if not has_perm(user, what):
        return False
    return obj is None or in_scope(user, obj)


def sees_every_facility(user: User) -> bool:
    return capable(user, Capability.SEES_EVERY_FACILITY)


def can_edit_case(user: User, case: Case) -> bool:
    """May this user write on the case (notes, referrals, transfer …)? Only staff of the facility that
    owns it now with Perm.EDIT_CASES: the facility that transferred a case out reads it, never writes.
    Write routes call this after loading the case in the user's case scope."""
    return has_perm(user, Perm.EDIT_CASES) and same_facility(user, case)


def can_change_case(user: User, case: Case) -> bool:
    """May this user change the case now: edit rights on it, and the case still open to work (a closed
    case is reopened first, with a reason; a case transferred away is worked by the other facility)."""
    return can_edit_case(user, case) and case.is_open


def can_steer_case(user: User, case: Case) -> bool:
    """May this user move the case through its steps, ask for its closure, or reopen it? The case's
    assigned worker and the supervisors of its facility: workers make the closure requests of their
    cases, supervisors approve them (Thông tư 02/2020/TT-BLĐTBXH, bước 5). Reopening is given to both:
    it brings protection back rather than ending it, and the worker is the one who finds a new need at
    the follow-up after closure; it needs a reason and is recorded. Shelter staff and colleagues who
    only see or share the case do not steer it."""
    return can_edit_case(user, case) and (case.assigned_worker_id == user.id or has_perm(user, Perm.APPROVE))


def supervises(user: User, obj: object) -> bool:
    """A supervisor of the record's facility: reviews caseloads, reassigns, flags, shares a case,
    revokes and reviews accesses."""
    return has_perm(user, Perm.REVIEW_CASELOAD) and same_facility(user, obj)


def can_break_glass(user: User, case: Case | None) -> bool:
    """Offer the restricted page (instead of a 404) for a sealed case or one outside the user's list:
    a user of the case's own facility with the permission. Other facilities never learn that it exists."""
    return case is not None and has_perm(user, Perm.BREAK_GLASS) and same_facility(user, case)


def approval_refusal(user: User, approval: object, *, requested_by_id: int | None, author_id: int | None) -> str | None:
    """Why `user` may not decide an approval — "not_supervisor", "own_request", "own_work" — or None.
    Four eyes: a supervisor of the facility decides, never on their own request or their own work."""
    if not has_perm(user, Perm.APPROVE) or not same_facility(user, approval):
        return "not_supervisor"
    if user.id == requested_by_id:
        return "own_request"
    if author_id is not None and author_id == user.id:
        return "own_work"
    return None


def can_be_given(person: User | None, facility_id: int | None, capability: Capability) -> bool:
    """May a case (or a share of one, a follow-up, a flag …) go to this person: an active member of
    that facility whose role plays the part?"""
    return person is not None and person.active and person.facility_id == facility_id and capable(person, capability)


def can_manage_provider(user: User, provider: Provider) -> bool:
    """May this user change a service-directory entry? Admins any; supervisors the outside
    organisations of their facility's province and their own facility's entry (never another
    facility's, whose name and address come from the facility itself)."""
    if not has_perm(user, Perm.MANAGE_PROVIDERS):
        return False
    if sees_every_facility(user):
        return True
    if provider.facility_id is not None:
        return same_facility(user, provider)
    if provider.owner_facility_id is not None:  # an outside organisation a facility added for itself
        return bool(provider.owner_facility_id == user.facility_id)
    return bool(provider.province_code == user.facility.province_code)


def provider_serves_case(provider: Provider, case: Case) -> bool:
    """May the case be referred to this entry: a shared one, or an outside organisation of the case's
    own facility (never another facility's)."""
    return provider.owner_facility_id is None or provider.owner_facility_id == case.facility_id


def provider_owner_for(user: User) -> int | None:
    """The facility an outside organisation added by this user belongs to: the user's own; None (an
    entry shared with every facility of its province) when an administrator adds it."""
    return None if sees_every_facility(user) else user.facility_id


def adds_providers_approved(user: User) -> bool:
    """An organisation a supervisor (or an admin) adds is in the directory at once; a social worker's
    proposal waits for a supervisor of the facility."""
    return has_perm(user, Perm.MANAGE_PROVIDERS)


def can_decide_provider(user: User, provider: Provider) -> bool:
    """May this user approve or reject a proposed organisation? A supervisor of the facility it was
    proposed for, never for their own proposal (four eyes)."""
    return (
        has_perm(user, Perm.MANAGE_PROVIDERS)
        and provider.owner_facility_id is not None
        and provider.owner_facility_id == user.facility_id
        and provider.proposed_by_id != user.id
    )


def can_manage_commune_group(user: User, group: object) -> bool:
    """May this user rename, change or delete a group of communes? A reporter of the group's province."""
    return has_perm(user, Perm.MANAGE_COMMUNE_GROUPS) and getattr(group, "province_code", None) == (
        user.facility.province_code
    )


def reference_confirmation_refusal(user: User, value: object) -> str | None:
    """Why `user` may not put a reference number in force — "not_confirmer", "own_entry" — or None.
    Four eyes: a holder of CONFIRM_REFERENCE_DATA of the number's province, never for their own entry."""
    if not has_perm(user, Perm.CONFIRM_REFERENCE_DATA):
        return "not_confirmer"
    if getattr(value, "province_code", None) != user.facility.province_code:
        return "not_confirmer"
    if getattr(value, "entered_by_id", None) == user.id:
        return "own_entry"
    return None


def second_factor_required(user: User) -> bool:
    """Must this user sign in with a second factor (OWASP ASVS 5.0 V6.3.3)? Always where the role needs
    one (Capability.NEEDS_SECOND_FACTOR); in the other roles, as the user's facility decides."""
    return capable(user, Capability.NEEDS_SECOND_FACTOR) or user.role in user.facility.second_factor_role_list


def roles_choosing_second_factor() -> tuple[str, ...]:
    """The roles whose second factor a facility decides on (the others always need one), in role order."""
    always = set(roles_with(Capability.NEEDS_SECOND_FACTOR))
    return tuple(role.value for role in Role if role.value not in always)


__all__ = [
    "same_facility",
    "in_scope",
    "can",
    "sees_every_facility",
    "can_edit_case",
    "can_change_case",
    "can_steer_case",
    "supervises",
    "can_break_glass",
    "approval_refusal",
    "can_be_given",
    "can_manage_provider",
    "provider_owner_for",
    "provider_serves_case",
    "adds_providers_approved",
    "can_decide_provider",
    "can_manage_commune_group",
    "reference_confirmation_refusal",
    "second_factor_required",
    "roles_choosing_second_factor",
]
