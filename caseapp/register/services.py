"""Writes of the register. A membership changes only by a new version taking effect on a date; every
write is kept in the client's history and audited (without personal data) in the same transaction.
The one validation here serves the client page's forms and the import of a register alike."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.models import User
from ..clients.models import ClientChange
from ..core import categories
from ..core.services import ServiceError
from ..core.sql import copy_rows, insert_many
from ..core.text import nfc
from ..core.timeutil import local_today
from ..extensions import db
from .models import GroupMembership, MembershipVersion
from .statuses import MembershipStatus

# What a version holds besides its date and status; a change copies what it does not set.
DETAIL_FIELDS = (
    "legal_basis",
    "decision_number",
    "decision_date",
    "decision_issuer",
    "allowance_coefficient",
    "allowance_amount",
    "care_mode",
    "disability_type",
    "disability_degree",
    "certificate_number",
    "certificate_date",
)
DISABILITY_FIELDS = ("disability_type", "disability_degree", "certificate_number", "certificate_date")
MAX_COEFFICIENT = Decimal("20")
MAX_MONTHLY_AMOUNT = 100_000_000  # đồng: far above any allowance, below a typing slip of three zeros
ENDED_BY_CLIENT_FORM = _l("Removed from the client's groups")
STALE_MEMBERSHIP = _l(
    "Someone else changed this membership while you were editing. Your entry is kept below; "
    "check the history and save again."
)


def clean(
    group_code: str, data: dict[str, Any], *, today: date | None = None, details_known: bool = True
) -> dict[str, Any]:
    """The version's values from `data`, checked; a ServiceError names the field of the first refusal.
    details_known=False: a disability group ticked on the client form, whose type and degree are not
    asked there — left unrecorded (counted as such) until the membership's page records them."""
    today = today or local_today()
    if group_code not in {c.code for c in categories.BENEFICIARY_GROUPS}:
        raise ServiceError(_("Choose a beneficiary group."), field="group_code")
    values = {key: data.get(key) for key in ("effective_from", "status", "reason", *DETAIL_FIELDS)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = nfc(value).strip() or None
    values["status"] = values["status"] or MembershipStatus.RECEIVING
    _check_dates_and_status(values, today)
    _check_allowance(values)
    if details_known or values["disability_type"] or values["disability_degree"]:
        _check_disability(group_code, values)
    if values["care_mode"] and values["care_mode"] not in categories.codes(categories.CARE_MODES):
        raise ServiceError(_("Choose a care mode from the list."), field="care_mode")
    return values


def _check_dates_and_status(values: dict[str, Any], today: date) -> None:
    if values["effective_from"] is None:
        raise ServiceError(_("Enter the date this takes effect."), field="effective_from")
    if values["status"] not in set(MembershipStatus):
        raise ServiceError(_("Choose a status from the list."), field="status")
    if values["status"] != MembershipStatus.RECEIVING and not values["reason"]:
        # Nghị định 20/2021/NĐ-CP, Điều 8: a suspension or an end is decided with its reason.
        raise ServiceError(_("Give the reason for the suspension or the end."), field="reason")
    for field in ("decision_date", "certificate_date"):
        if values[field] is not None and values[field] > today:
            raise ServiceError(_("This date cannot be in the future."), field=field)


def _check_allowance(values: dict[str, Any]) -> None:
    coefficient = values["allowance_coefficient"]
    if coefficient is not None:
        try:
            coefficient = Decimal(str(coefficient).replace(",", "."))
        except InvalidOperation:
            raise ServiceError(
                _("Enter the coefficient as a number, e.g. 1,5."), field="allowance_coefficient"
            ) from None
        if not Decimal(0) < coefficient <= MAX_COEFFICIENT:
            raise ServiceError(_("The coefficient must be above 0 and at most 20."), field="allowance_coefficient")
        values["allowance_coefficient"] = coefficient.quantize(Decimal("0.01"))
    amount = values["allowance_amount"]
    if amount is not None and not 0 <= amount <= MAX_MONTHLY_AMOUNT:
        raise ServiceError(_("The monthly amount must be between 0 and 100.000.000 đồng."), field="allowance_amount")


def _check_disability(group_code: str, values: dict[str, Any]) -> None:
    if group_code not in categories.DISABILITY_GROUPS:
        for field in DISABILITY_FIELDS:  # a disability's details belong to a disability group only
            values[field] = None
        return
    if values["disability_type"] not in categories.codes(categories.DISABILITY_TYPES):
        raise ServiceError(_("Choose the type of disability."), field="disability_type")
    if values["disability_degree"] not in categories.codes(categories.DISABILITY_DEGREES):
        raise ServiceError(_("Choose the degree of disability."), field="disability_degree")
    if group_code in categories.SEVERE_DISABILITY_GROUPS and values["disability_degree"] == "mild":
        raise ServiceError(
            _("This group is for severe or very severe disability (Nghị định 20/2021/NĐ-CP, Điều 5)."),
            field="disability_degree",
        )


def add_membership(client, group_code: str, data: dict[str, Any], *, by, details_known=True) -> GroupMembership:
    """A new membership of `client` in a group, from data["effective_from"]."""
    return start_membership(client, group_code, data, by=by, details_known=details_known)[0]


def start_membership(
    client, group_code: str, data: dict[str, Any], *, by, details_known=True
) -> tuple[GroupMembership, MembershipVersion]:
    """add_membership, with the membership's first version."""
    values = clean(group_code, data, details_known=details_known)
    current = open_membership(client.id, group_code)
    if current is not None:
        raise ServiceError(
            _("This client is already in this group. Change or end that membership instead."), field="group_code"
        )
    membership = GroupMembership(client_id=client.id, group_code=group_code, created_by_id=getattr(by, "id", None))
    db.session.add(membership)
    db.session.flush()
    version = _add_version(membership, values, by=by)
    _history(client.id, by, "membership_added", group_code, version)
    record("membership_added", by=by, entity=client, detail={"group": group_code, "membership": membership.id})
    return membership, version


def start_memberships(items, *, by, source_batch_id: int | None = None) -> list[tuple[int, int]]:
    """start_membership for many new clients at once (a register's import): `items` are (client id,
    group, data) of clients with no membership yet; one INSERT of the memberships, one of their first
    versions, one of the history rows, one audit event. The (membership, version) ids, in order."""
    if not items:
        return []
    by_id = getattr(by, "id", None)
    values = [clean(group, data) for _client, group, data in items]
    membership_ids = insert_many(
        GroupMembership,
        [{"client_id": client_id, "group_code": group, "created_by_id": by_id} for client_id, group, _d in items],
    )
    version_ids = insert_many(
        MembershipVersion,
        [
            {**v, "membership_id": m, "recorded_by_id": by_id, "source_batch_id": source_batch_id}
            for m, v in zip(membership_ids, values, strict=True)
        ],
    )
    copy_rows(
        ClientChange,
        [
            _history_row(client_id, by, "membership_added", group, v["status"], v["effective_from"])
            for (client_id, group, _d), v in zip(items, values, strict=True)
        ],
    )
    record(
        "memberships_added",
        by=by,
        entity_type="import_batches",
        entity_id=source_batch_id,
        detail={"count": len(items)},
    )
    return list(zip(membership_ids, version_ids, strict=True))


def change_membership(
    membership, data: dict[str, Any], *, by, seen_version_id: int | None, details_known=True
) -> MembershipVersion:
    """A new version of the membership from data["effective_from"]: a suspension, an end, a resumption,
    a new decision or allowance, or a correction. Refused if another version was recorded since the
    form was opened (the user's entry is kept by the form)."""
    versions = _versions(membership.id)
    if seen_version_id != versions[-1].id:
        raise ServiceError(STALE_MEMBERSHIP)
    values = clean(membership.group_code, {**_carried(versions[-1]), **data}, details_known=details_known)
    if values["effective_from"] < versions[0].effective_from:
        raise ServiceError(
            _("A change cannot take effect before the membership began."),
            field="effective_from",
        )
    version = _add_version(membership, values, by=by)
    _history(membership.client_id, by, "membership_changed", membership.group_code, version)
    record(
        "membership_changed",
        by=by,
        entity_type="client",
        entity_id=membership.client_id,
        detail={"group": membership.group_code, "membership": membership.id, "status": version.status},
    )
    return version


def set_groups(client, codes, *, by) -> bool:
    """The client form's list of groups: a group ticked starts a membership today, a group unticked ends
    its membership today; earlier dates, and past counts, are untouched. True if anything changed."""
    valid = set(categories.codes(categories.BENEFICIARY_GROUPS))
    wanted = {c for c in codes if c in valid}
    today = local_today()
    current = {m.group_code: m for m in _open_memberships(client.id)}
    for code in sorted(wanted - current.keys()):
        add_membership(client, code, {"effective_from": today}, by=by, details_known=False)
    for code in sorted(current.keys() - wanted):
        membership = current[code]
        change_membership(
            membership,
            {"effective_from": today, "status": MembershipStatus.ENDED, "reason": str(ENDED_BY_CLIENT_FORM)},
            by=by,
            seen_version_id=_versions(membership.id)[-1].id,
            details_known=False,
        )
    return wanted != current.keys()


def open_membership(client_id: int, group_code: str | None) -> GroupMembership | None:
    """The client's membership of the group that has not ended, if any."""
    return next((m for m in _open_memberships(client_id) if m.group_code == group_code), None)


def _open_memberships(client_id: int) -> list[GroupMembership]:
    """The client's memberships whose last version is not an end (whatever date it takes effect)."""
    memberships = db.session.scalars(sa.select(GroupMembership).where(GroupMembership.client_id == client_id)).all()
    return [m for m in memberships if _versions(m.id)[-1].status != MembershipStatus.ENDED]


def _versions(membership_id: int) -> list[MembershipVersion]:
    return list(
        db.session.scalars(
            sa.select(MembershipVersion)
            .where(MembershipVersion.membership_id == membership_id)
            .order_by(MembershipVersion.effective_from, MembershipVersion.id)
        )
    )


def _carried(version: MembershipVersion) -> dict[str, Any]:
    return {field: getattr(version, field) for field in DETAIL_FIELDS}


def _add_version(membership, values: dict[str, Any], *, by) -> MembershipVersion:
    version = MembershipVersion(membership_id=membership.id, recorded_by_id=getattr(by, "id", None), **values)
    db.session.add(version)
    db.session.flush()
    chain_versions(membership.id)
    return version


def chain_versions(membership_id: int) -> None:
    """Each version of the membership ends where the next takes effect (of two taking effect the
    same day, the later recorded is the one in force); the last has no end. After a version is
    added, or removed (an import undone)."""
    versions = _versions(membership_id)
    for version, following in zip(versions, [*versions[1:], None], strict=True):
        end = following.effective_from if following else None
        if version.effective_to != end:
            version.effective_to = end
    db.session.flush()


def _history(client_id: int, by, kind: str, group_code: str, version: MembershipVersion) -> None:
    db.session.add(
        ClientChange(**_history_row(client_id, by, kind, group_code, version.status, version.effective_from))
    )


def _history_row(client_id: int, by, kind: str, group_code: str, status: str, effective_from: date) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "changed_by_id": getattr(by, "id", None),
        "kind": kind,
        "changes": {
            "groups": [None, [group_code]],
            "membership_status": [None, str(status)],
            "effective_from": [None, effective_from.isoformat()],
        },
    }


@dataclass
class Timeline:
    """One membership as the client page shows it: the version in force today, its start and end."""

    membership: GroupMembership
    versions: list[MembershipVersion]
    current: MembershipVersion
    began: date
    ended: date | None


def timelines(memberships, versions, *, today: date) -> list[Timeline]:
    by_membership: dict[int, list[MembershipVersion]] = {}
    for version in versions:
        by_membership.setdefault(version.membership_id, []).append(version)
    rows = []
    for membership in memberships:
        history = by_membership.get(membership.id, [])
        if not history:
            continue
        in_force = [v for v in history if v.effective_from <= today] or history[:1]
        last = history[-1]
        rows.append(
            Timeline(
                membership=membership,
                versions=history,
                current=in_force[-1],
                began=history[0].effective_from,
                ended=last.effective_from if last.status == MembershipStatus.ENDED else None,
            )
        )
    return rows


def latest_version(membership_id: int) -> MembershipVersion:
    return _versions(membership_id)[-1]


def recorder_names(versions) -> dict[int, str]:
    ids = {v.recorded_by_id for v in versions if v.recorded_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).tuples().all())
