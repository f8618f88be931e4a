"""Anonymising a client record: irreversible, by a supervisor of the client's facility, with a reason.

When the retention period has run out (retention.py) or the person asked for erasure (Nghị định
13/2023/NĐ-CP, Điều 9 and Điều 16), whatever identifies the person is removed from the record and from
every record about them; what the statistics count is kept, so the numbers of past and present reports
do not move (frozen reports hold numbers only and are never touched).

Kept (categories, dates and counts — what reports count, none of which names anyone):
- the client code (the record's key in the reports, the audit trail and the case numbers), the facility,
  sex, year of birth (the age group), ethnicity, nationality, province and commune of residence, the
  sealed flag, the dates the record was created and changed;
- the cases with their numbers, kinds, statuses, urgency, risk level, dates, closure reason and
  timeline (kinds and dates of the events); the assessments' need and risk levels and safety answers,
  plans' review dates, goals' domains and activities' service types and statuses, referrals' providers,
  services, statuses and dates, transfers, follow-ups' kinds and dates, shelter stays' dates and needs,
  approvals and their decisions;
- the intakes' channel, problems, screening answers, urgency and decision; consents' purposes,
  recipients and dates; beneficiary-group memberships with their dated statuses and allowances;
- the history of changes (who changed which field, when) without the values; the data requests without
  the representative's name; the audit trail (which never held personal data).

Removed or replaced by "Đã ẩn danh":
- the name (the alias reads "Đã ẩn danh"), other names, exact date of birth, citizen ID, phone, street
  address, home town, disabilities;
- family members and guardians (deleted), consent givers' names, referrers' names and contacts;
- every free text written about the person in their cases: notes and event texts, closure summaries,
  assessments' situations, strengths, views and risk reasons, plans' participation and safety plans,
  goals and activities, referrals' reasons, shared information, answers and outcomes, transfers'
  reasons, follow-ups' purposes and outcomes, approvals' comments, supervisors' flags, access reasons,
  shelter stays' "brought by" and check-out reasons, membership reasons and decision numbers;
- the values of the history of changes, and the rows of register imports about the person;
- attachments: the files are deleted from storage and their rows removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _

from ...approvals.models import Approval
from ...audit.services import record
from ...cases.access.models import CaseAccessGrant
from ...cases.attachments.models import Attachment
from ...cases.caseload.models import CaseFlag
from ...cases.followups.models import FollowUp
from ...cases.models import Case, CaseEvent
from ...cases.statuses import OPEN_STATUSES
from ...cases.workflow.models import ClosureOverride
from ...core.services import ServiceError
from ...core.storage import files
from ...core.text import fold, nfc
from ...core.timeutil import local_today, utcnow
from ...extensions import db
from ...intake.models import Intake
from ...plans.models import Assessment, CarePlan, PlanActivity, PlanGoal
from ...referrals.models import Referral, Transfer
from ...register.imports.models import ImportRow
from ...register.models import GroupMembership, MembershipVersion
from ...shelter.models import ShelterStay
from ..models import Client, ClientChange, Consent, FamilyMember
from ..queries import merged_ids
from . import queries
from .models import ClientAnonymisation, DataSubjectRequest, RetentionNotice
from .retention import is_due
from .services import finish_erasure

if TYPE_CHECKING:  # for annotations only
    from ...auth.models import User

# What replaces a text that may not be empty, and the alias of an anonymised person (stored data,
# in Vietnamese like the rest of the record).
ANONYMISED = "Đã ẩn danh"
REASON_MAX = 255

# The client's own fields: None removes, a string replaces.
CLIENT_FIELDS: dict[str, str | None] = {
    "full_name": None,
    "alias": ANONYMISED,
    "other_names": None,
    "birth_date": None,
    "citizen_id": None,
    "phone": None,
    "phone_digits": None,
    "street_address": None,
    "hometown": None,
    "disabilities": None,
}
# Free texts of the rows about the client's cases, per table: (model, the column naming the case, {column: value}).
CASE_TEXTS: tuple[tuple[Any, Any, dict[str, str | None]], ...] = (
    (Case, Case.id, {"closure_summary": None}),
    (CaseEvent, CaseEvent.case_id, {"text": None}),
    (Assessment, Assessment.case_id, {"risk_reasons": None, "client_view": None}),
    (CarePlan, CarePlan.case_id, {"client_participation": None, "safety_plan": None}),
    (
        Referral,
        Referral.case_id,
        {"reason": ANONYMISED, "shared_info": ANONYMISED, "answer_note": None, "outcome": None, "revoke_reason": None},
    ),
    (Transfer, Transfer.case_id, {"reason": ANONYMISED, "decision_note": None}),
    (FollowUp, FollowUp.case_id, {"purpose": None, "outcome": None}),
    (Approval, Approval.case_id, {"comment": None}),
    (ClosureOverride, ClosureOverride.case_id, {"item_text": ANONYMISED, "reason": ANONYMISED}),
    (CaseFlag, CaseFlag.case_id, {"note": ANONYMISED, "resolution_note": None}),
    (CaseAccessGrant, CaseAccessGrant.case_id, {"reason": ANONYMISED}),
)
# Free texts of the rows about the client themself: (model, the column naming the client, {column: value}).
CLIENT_TEXTS: tuple[tuple[Any, Any, dict[str, Any]], ...] = (
    (Intake, Intake.client_id, {"referrer_name": None, "referrer_contact": None, "problem_note": None, "note": None}),
    (ShelterStay, ShelterStay.client_id, {"brought_by": None, "checkout_reason": None}),
    (Consent, Consent.client_id, {"giver_name": None, "withdrawal_reason": None}),
    (DataSubjectRequest, DataSubjectRequest.client_id, {"representative_name": None, "details": None}),
    (ImportRow, ImportRow.client_id, {"cells": [], "values": {}, "options": []}),
)


def anonymisation_refusal(client: Client, *, today: Any = None) -> str | None:
    """Why this client may not be anonymised now, or None: a case still open, or neither the retention
    period run out nor an erasure request waiting; anonymised already."""
    if queries.anonymisation_of(client.id) is not None:
        return _("This record was already anonymised.")
    if client.merged_into_id is not None:
        return _("This record was merged into another one: anonymise the kept record.")
    ids = merged_ids(client.id)
    if db.session.scalar(sa.select(sa.func.count()).where(Case.client_id.in_(ids), Case.status.in_(OPEN_STATUSES))):
        return _("A case of this person is still open: close it first.")
    if queries.open_erasure_request(client.id) is None and not is_due(client, today or local_today()):
        return _("Neither has the retention period run out, nor has the person asked for erasure.")
    return None


def anonymise_client(client: Client, *, reason: str | None, by: User) -> ClientAnonymisation:
    """Remove whatever identifies the person (see the module's docstring). Irreversible."""
    reason = (nfc(reason) or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the anonymisation."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("At most %(max)d characters.", max=REASON_MAX), field="reason")
    refusal = anonymisation_refusal(client)
    if refusal:
        raise ServiceError(refusal)
    erasure = queries.open_erasure_request(client.id)
    client_ids = merged_ids(client.id)
    case_ids = list(db.session.scalars(sa.select(Case.id).where(Case.client_id.in_(client_ids))))
    cleared: dict[str, int] = {}
    file_keys: list[str] = []
    cleared["clients"] = _clear_identity(client_ids)
    cleared["family_members"] = _delete(FamilyMember, FamilyMember.client_id.in_(client_ids))
    cleared["history"] = _clear_history(client_ids)
    cleared["memberships"] = _clear_memberships(client_ids)
    for model, column, values in CLIENT_TEXTS:
        cleared[model.__tablename__] = _update(model, column.in_(client_ids), values)
    if case_ids:
        for model, column, values in CASE_TEXTS:
            cleared[model.__tablename__] = _update(model, column.in_(case_ids), values)
        _clear_override_reasons(case_ids)
        cleared["assessment_texts"] = _clear_assessment_texts(case_ids)
        cleared["plan_goals"], cleared["plan_activities"] = _clear_plan_rows(case_ids)
        cleared["attachments"], file_keys = _delete_attachment_rows(case_ids)
    anonymisation = ClientAnonymisation(
        client_id=client.id,
        facility_id=client.facility_id,
        anonymised_at=utcnow(),
        anonymised_by_id=by.id,
        reason=reason,
        request_id=erasure.id if erasure is not None else None,
        cleared={key: n for key, n in cleared.items() if n},
    )
    db.session.add(anonymisation)
    db.session.add(ClientChange(client_id=client.id, changed_by_id=by.id, kind="anonymised", reason=reason))
    finish_erasure(erasure, by=by)
    db.session.execute(sa.delete(RetentionNotice).where(RetentionNotice.client_id == client.id))
    record(
        "client_anonymised",
        by=by,
        entity=client,
        detail={"client_ids": client_ids, "case_ids": case_ids, "request_id": anonymisation.request_id},
    )
    db.session.flush()
    _delete_files(file_keys)
    db.session.expire_all()  # the rows were changed by bulk statements: read them again
    return anonymisation


def _update(model: Any, where: sa.ColumnElement[bool], values: dict[str, Any]) -> int:
    result = db.session.execute(
        sa.update(model).where(where).values(**values), execution_options={"synchronize_session": False}
    )
    return cast("sa.CursorResult[Any]", result).rowcount


def _delete(model: Any, where: sa.ColumnElement[bool]) -> int:
    result = db.session.execute(sa.delete(model).where(where), execution_options={"synchronize_session": False})
    return cast("sa.CursorResult[Any]", result).rowcount


def _clear_identity(client_ids: list[int]) -> int:
    """The identifying fields; a date of birth becomes its year (the age group stays), the search column
    holds the code only. A record merged into this one loses its identity too."""
    now = utcnow()
    for client in db.session.scalars(sa.select(Client).where(Client.id.in_(client_ids))):
        if client.birth_date is not None:
            client.birth_year, client.birth_precision = client.birth_date.year, "year"
        for name, value in CLIENT_FIELDS.items():
            setattr(client, name, value)
        client.search_name = " ".join(filter(None, (fold(ANONYMISED), fold(client.code))))
        client.updated_at = now
    db.session.flush()  # the version check of each record
    return len(client_ids)


def _clear_history(client_ids: list[int]) -> int:
    """The history keeps who changed which field and when, not the values (old nor new), nor the reasons."""
    rows = db.session.scalars(sa.select(ClientChange).where(ClientChange.client_id.in_(client_ids))).all()
    for row in rows:
        row.changes = dict.fromkeys(row.changes or {}) or None
        row.reason = None
    return len(rows)


def _clear_memberships(client_ids: list[int]) -> int:
    """Memberships keep their dated statuses and allowances (the "under management" counts); their
    reasons (required for a stop) read "Đã ẩn danh", and the decision and certificate numbers go."""
    memberships = sa.select(GroupMembership.id).where(GroupMembership.client_id.in_(client_ids))
    in_memberships = MembershipVersion.membership_id.in_(memberships)
    _update(MembershipVersion, sa.and_(in_memberships, MembershipVersion.reason.is_not(None)), {"reason": ANONYMISED})
    return _update(MembershipVersion, in_memberships, {"decision_number": None, "certificate_number": None})


def _clear_override_reasons(case_ids: list[int]) -> None:
    """A referral sent without consent keeps that fact (the reason may not be empty), not the reason."""
    _update(
        Referral,
        sa.and_(Referral.case_id.in_(case_ids), Referral.consent_override_reason.is_not(None)),
        {"consent_override_reason": ANONYMISED},
    )


def _clear_assessment_texts(case_ids: list[int]) -> int:
    """Each domain of an assessment keeps its need level; its situation, strengths and views go."""
    rows = db.session.scalars(sa.select(Assessment).where(Assessment.case_id.in_(case_ids))).all()
    for row in rows:
        row.domains = {code: {"need_level": (values or {}).get("need_level")} for code, values in row.domains.items()}
    db.session.flush()
    return len(rows)


def _clear_plan_rows(case_ids: list[int]) -> tuple[int, int]:
    plans = sa.select(CarePlan.id).where(CarePlan.case_id.in_(case_ids))
    goals = _update(PlanGoal, PlanGoal.plan_id.in_(plans), {"description": ANONYMISED})
    activities = _update(PlanActivity, PlanActivity.plan_id.in_(plans), {"description": ANONYMISED})
    return goals, activities


def _delete_attachment_rows(case_ids: list[int]) -> tuple[int, list[str]]:
    """The documents' rows go; returns how many, and the storage keys of their files."""
    keys = list(db.session.scalars(sa.select(Attachment.storage_key).where(Attachment.case_id.in_(case_ids))))
    return _delete(Attachment, Attachment.case_id.in_(case_ids)), keys


def _delete_files(keys: list[str]) -> None:
    """The documents themselves, deleted from storage — last, once every row is written: in the database
    store they go with the transaction; on disk they cannot come back, whatever happens next."""
    store = files("attachments")
    for key in keys:
        store.delete(key)
