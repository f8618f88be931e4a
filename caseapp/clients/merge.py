"""Merging two records of the same person (supervisors).

The kept record receives everything attached to the other one — cases, intakes, consents, family
members, beneficiary groups and shelter stays — and the empty fields of the kept record are filled
from the other one. The merged-away record is never deleted: it stays, marked `merged_into_id`,
with its own history, readable from the kept client (queries.merged_ids / client_history). Both
records get a "merged" history row saying what moved and what was filled; the audit trail gets one
event (ids, counts and field names — never the personal data itself).
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from ..audit.services import record
from ..cases.models import Case, CaseEvent
from ..core.services import ServiceError
from ..core.text import fold, nfc
from ..core.timeutil import utcnow
from ..extensions import db
from ..intake.models import Intake
from ..register.models import GroupMembership
from ..shelter.models import ShelterStay
from .models import Client, ClientChange, Consent, FamilyMember
from .queries import digits
from .rights.models import ClientAnonymisation
from .services import _search_name

REASON_MAX_LENGTH = 500

# Filled on the kept record when it has no value and the merged-away record has one. The birth
# fields and the address are handled as units (a date never mixes with another record's year, a
# commune never lands in another province).
FILLABLE_FIELDS = (
    "full_name",
    "alias",
    "sex",
    "ethnicity",
    "nationality",
    "citizen_id",
    "phone",
    "province_code",
    "commune_code",
    "street_address",
    "hometown",
    "disabilities",
)
BIRTH_FIELDS = ("birth_date", "birth_year", "birth_precision")

# Every table whose rows point at a client, and what a merge does with them. A test fails when a
# new table points at clients.id without being listed here, so no record is left behind by accident.
MOVED_TABLES = ("cases", "intakes", "consents", "family_members", "group_memberships", "shelter_stays")
KEPT_TABLES: tuple[str, ...] = (
    "client_changes",
    "import_rows",
)  # history stays with the record it describes (merged_ids)
# the person's data requests, the record's anonymisation and retention notice stay with the record too
# (rights.queries.requests_of reads the merged records'); an anonymised record is never merged
KEPT_TABLES += ("data_subject_requests", "client_anonymisations", "retention_notices")
# a request about the citizen ID another facility registered stays with the record it named (its page
# opens the record, which leads to the kept one)
KEPT_TABLES += ("identity_match_requests",)
SELF_REFERENCES = ("clients",)  # merged_into_id: earlier merges into merge_away now point at keep


@dataclass
class MergeResult:
    keep: Client
    merged: Client
    moved: dict = field(default_factory=dict)  # table → number of rows moved
    filled: dict = field(default_factory=dict)  # field → [old, new] on the kept record


def _empty(name, value):
    return value is None or value == "" or (name == "sex" and value == "unknown")


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def merge_preview(keep, merge_away):
    """What the merge would fill on the kept record: {field: [kept value, value from the other]}."""
    filled = {}
    for name in FILLABLE_FIELDS:
        old, new = getattr(keep, name), getattr(merge_away, name)
        if not _empty(name, old) or _empty(name, new):
            continue
        if name == "commune_code":
            province = keep.province_code or merge_away.province_code
            if province != merge_away.province_code:
                continue
        filled[name] = [old, new]
    if merge_away.birth_year is not None or merge_away.birth_date is not None:
        no_birth = keep.birth_year is None and keep.birth_date is None
        refines = (
            keep.birth_date is None
            and merge_away.birth_date is not None
            and keep.birth_year == merge_away.birth_date.year
        )
        if no_birth or refines:
            for name in BIRTH_FIELDS:
                if getattr(keep, name) != getattr(merge_away, name):
                    filled[name] = [getattr(keep, name), getattr(merge_away, name)]
    if merge_away.is_sensitive and not keep.is_sensitive:
        filled["is_sensitive"] = [False, True]  # a merge never unseals a person
    other_names = _other_names_after(keep, merge_away, filled)
    if other_names != keep.other_names:
        filled["other_names"] = [keep.other_names, other_names]
    return filled


def _other_names_after(keep, merge_away, filled):
    """The merged-away record's names the kept one lacks, added to its other names so that a
    search for them still finds the person (only if they fit the column)."""
    full_name = filled.get("full_name", [None, keep.full_name])[1]
    alias = filled.get("alias", [None, keep.alias])[1]
    known = {fold(n) for n in (full_name, alias) if n}
    known |= {fold(n) for n in (keep.other_names or "").split(";") if n.strip()}
    extra = []
    for name in (merge_away.full_name, merge_away.alias, *(merge_away.other_names or "").split(";")):
        name = nfc(name)
        if name and fold(name) not in known:
            known.add(fold(name))
            extra.append(name)
    if not extra:
        return keep.other_names
    combined = "; ".join(filter(None, [keep.other_names, *extra]))
    return combined if len(combined) <= 255 else keep.other_names


def check_mergeable(keep, merge_away):
    """The refusals, as a ServiceError: itself, across facilities, an already merged record."""
    if keep.id == merge_away.id:
        raise ServiceError(_("A record cannot be merged into itself."))
    if keep.facility_id != merge_away.facility_id:
        raise ServiceError(_("Records of different facilities cannot be merged."))
    if keep.merged_into_id is not None or merge_away.merged_into_id is not None:
        raise ServiceError(_("One of these records was already merged into another one."))
    anonymised = sa.select(ClientAnonymisation.id).where(ClientAnonymisation.client_id.in_((keep.id, merge_away.id)))
    if db.session.scalar(anonymised.limit(1)) is not None:
        raise ServiceError(_("An anonymised record cannot be merged."))


def merge_clients(keep, merge_away, *, by, reason):
    """Move everything of `merge_away` to `keep`, fill keep's empty fields, mark merge_away merged.
    Flushes; the caller commits. Returns a MergeResult."""
    check_mergeable(keep, merge_away)
    reason = nfc(reason)
    if not reason:
        raise ServiceError(_("Give the reason for the merge."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(_("At most %(max)d characters.", max=REASON_MAX_LENGTH), field="reason")
    now = utcnow()
    by_id = getattr(by, "id", None)
    result = MergeResult(keep=keep, merged=merge_away)

    # 1. Rows attached to the merged-away record move to the kept one.
    case_ids = list(db.session.scalars(sa.select(Case.id).where(Case.client_id == merge_away.id).order_by(Case.id)))
    moves = {
        "cases": sa.update(Case).values(client_id=keep.id, version=Case.version + 1, updated_at=now),
        "intakes": sa.update(Intake).values(client_id=keep.id),
        "consents": sa.update(Consent).values(client_id=keep.id),
        "family_members": sa.update(FamilyMember).values(client_id=keep.id),
        "shelter_stays": sa.update(ShelterStay).values(client_id=keep.id, version=ShelterStay.version + 1),
    }
    models = {
        "cases": Case,
        "intakes": Intake,
        "consents": Consent,
        "family_members": FamilyMember,
        "shelter_stays": ShelterStay,
    }
    for table, stmt in moves.items():
        model = models[table]
        moved = db.session.execute(
            stmt.where(model.client_id == merge_away.id), execution_options={"synchronize_session": "fetch"}
        ).rowcount
        result.moved[table] = moved
    # Memberships (with their dated history) of the groups the kept record has never been in move; of
    # a group both were in, the merged-away record keeps its own.
    keep_groups = set(
        db.session.scalars(sa.select(GroupMembership.group_code).where(GroupMembership.client_id == keep.id))
    )
    group_move = sa.update(GroupMembership).where(GroupMembership.client_id == merge_away.id)
    if keep_groups:
        group_move = group_move.where(GroupMembership.group_code.not_in(keep_groups))
    result.moved["group_memberships"] = db.session.execute(
        group_move.values(client_id=keep.id), execution_options={"synchronize_session": "fetch"}
    ).rowcount
    # Records merged earlier into merge_away now point at keep: merged_ids(keep) stays one level deep.
    earlier = db.session.execute(
        sa.update(Client)
        .where(Client.merged_into_id == merge_away.id)
        .values(merged_into_id=keep.id, version=Client.version + 1),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    if earlier:
        result.moved["clients"] = earlier

    # 2. Empty fields of the kept record are filled from the other one.
    filled = merge_preview(keep, merge_away)
    away_changes = {}
    if "citizen_id" in filled:  # unique: it leaves the merged-away record first (kept in its history)
        away_changes["citizen_id"] = [merge_away.citizen_id, None]
        merge_away.citizen_id = None
        db.session.flush()
    for name, (_old, new) in filled.items():
        setattr(keep, name, new)
    keep.phone_digits = digits(keep.phone) or None
    keep.search_name = _search_name(keep)
    keep.updated_at = now
    result.filled = {name: [_jsonable(old), _jsonable(new)] for name, (old, new) in filled.items()}

    # 3. The merged-away record is marked, never deleted.
    merge_away.merged_into_id = keep.id
    merge_away.updated_at = now

    # 4. History on both records, a line on each moved case's timeline, one audit event.
    db.session.add(
        ClientChange(
            client_id=keep.id,
            changed_by_id=by_id,
            kind="merged",
            changed_at=now,
            changes={
                "merged_from": [None, merge_away.code],
                "reason": [None, reason],
                "moved": [None, {k: v for k, v in result.moved.items() if v}],
                **result.filled,
            },
        )
    )
    db.session.add(
        ClientChange(
            client_id=merge_away.id,
            changed_by_id=by_id,
            kind="merged",
            changed_at=now,
            changes={"merged_into": [None, keep.code], "reason": [None, reason], **away_changes},
        )
    )
    for case_id in case_ids:
        db.session.add(
            CaseEvent(
                case_id=case_id,
                kind="client_merged",
                actor_id=by_id,
                occurred_at=now,
                text=f"{merge_away.code} → {keep.code}",
            )
        )
    record(
        "clients_merged",
        by=by,
        entity=keep,
        detail={
            "merged_client_id": merge_away.id,
            "moved": {k: v for k, v in result.moved.items() if v},
            "filled": sorted(result.filled),
        },
    )
    db.session.flush()
    return result
