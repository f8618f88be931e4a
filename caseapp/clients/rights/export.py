"""Everything caseapp holds about a client, for the person's request for their data (Nghị định 13/2023/NĐ-CP,
Điều 9 and Điều 14): one structure, written out as JSON (machine-readable, codes as stored) and as a PDF
in the administrative layout (templates/pdf/client_data.html, labels in Vietnamese).

What it holds: the record's identity and the records merged into it, family members and guardians,
beneficiary-group memberships with their dated versions, consents, intakes, the cases the handling
supervisor may read (security.scopes.case_scope: the facility's own and those it transferred out) with
their timeline (steps, notes), assessments, plans (with the outcomes of their goals), referrals, transfers,
follow-ups, approvals, the closure checklist's items left open with their reasons, and the
attachments listed (name, type, size, date — never their content), shelter stays, the history of changes
of the record, and the data requests. No address of a facility is given (a shelter's address is
confidential), and nothing of other people but staff names and the family members the record holds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...approvals.models import Approval
from ...auth.models import User
from ...cases.attachments.models import Attachment
from ...cases.followups.models import FollowUp
from ...cases.models import Case, CaseEvent
from ...cases.workflow.models import ClosureOverride
from ...core.pdf import DocumentHeader, Signature, place_name, render_pdf
from ...core.text import fold
from ...core.timeutil import local_today, to_local, utcnow
from ...extensions import db
from ...intake.models import Intake
from ...org.models import Facility, Province
from ...plans.blocks import BLOCKS, document_blocks
from ...plans.models import Assessment, CarePlan, PlanActivity, PlanGoal
from ...referrals.models import Provider, Referral, Transfer
from ...register.models import GroupMembership, MembershipVersion
from ...register.services import DETAIL_FIELDS
from ...security.scopes import case_scope
from ...shelter.models import ShelterStay
from ..models import Client, ClientChange, Consent, FamilyMember
from ..queries import merged_ids, place_names
from ..services import CLIENT_FIELDS
from . import queries
from .models import DataSubjectRequest, Requester

FORMAT = "caseapp-personal-data/1"
CLIENT_COLUMNS = ("code", *CLIENT_FIELDS, "created_at", "updated_at")


def _row(obj: Any, columns: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in columns}


def _by_case(model: Any, case_ids: list[int], *order: Any) -> dict[int, list[Any]]:
    """The rows of `model` of those cases, grouped by case (one query)."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    if case_ids:
        for row in db.session.scalars(sa.select(model).where(model.case_id.in_(case_ids)).order_by(*order)):
            grouped[row.case_id].append(row)
    return grouped


@dataclass
class Export:
    """The structure (JSON-able through `as_json`) and what the PDF needs besides it."""

    data: dict[str, Any]
    client: Client
    facility: Facility
    request: DataSubjectRequest

    def as_json(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=2, default=_jsonable).encode("utf-8")

    @property
    def filename_stem(self) -> str:
        return f"du-lieu-ca-nhan-{self.client.code}-{local_today().isoformat()}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


class _Names:
    """Staff names by id, read once for the whole export."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.names: dict[int, str] = {}

    def want(self, *ids: int | None) -> None:
        self.ids.update(i for i in ids if i)

    def load(self) -> None:
        if self.ids:
            rows = db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(self.ids)))
            self.names = dict(rows.tuples().all())

    def __call__(self, user_id: int | None) -> str | None:
        return self.names.get(user_id) if user_id else None


def build_export(client: Client, request: DataSubjectRequest, *, by: User) -> Export:
    """Everything held about `client` that `by` (a supervisor of its facility) may read."""
    client_ids = merged_ids(client.id)
    cases = db.session.scalars(
        sa.select(Case).where(Case.client_id.in_(client_ids), case_scope(by)).order_by(Case.opened_at, Case.id)
    ).all()
    case_ids = [c.id for c in cases]
    names = _Names()
    sections = _CaseSections(case_ids, names)
    changes = db.session.scalars(
        sa.select(ClientChange)
        .where(ClientChange.client_id.in_(client_ids))
        .order_by(ClientChange.changed_at, ClientChange.id)
    ).all()
    requests = db.session.scalars(queries.requests_of(client_ids)).all()
    consents = db.session.scalars(
        sa.select(Consent).where(Consent.client_id.in_(client_ids)).order_by(Consent.given_at)
    ).all()
    intakes = db.session.scalars(
        sa.select(Intake).where(Intake.client_id.in_(client_ids)).order_by(Intake.received_at)
    ).all()
    names.want(*(c.changed_by_id for c in changes), *(r.recorded_by_id for r in requests))
    names.want(*(r.handled_by_id for r in requests), *(c.recorded_by_id for c in consents))
    names.want(*(i.created_by_id for i in intakes), *(c.assigned_worker_id for c in cases))
    names.load()
    facilities = dict(db.session.execute(sa.select(Facility.id, Facility.name)).tuples().all())
    places = place_names([client.province_code], [client.commune_code])
    facility = db.session.scalars(sa.select(Facility).where(Facility.id == client.facility_id)).one()
    data = {
        "format": FORMAT,
        "generated_at": utcnow(),
        "generated_by": by.full_name,
        "controller": {"facility": facility.name, "facility_code": facility.code},
        "request": _request(request, names),
        "client": {
            **_row(client, CLIENT_COLUMNS),
            "province": places.get(client.province_code),
            "commune": places.get(client.commune_code),
        },
        "merged_records": _merged_records(client_ids[1:]),
        "family": [
            _row(
                m,
                (
                    "full_name",
                    "relationship",
                    "phone",
                    "lives_with_client",
                    "is_guardian",
                    "is_alleged_perpetrator",
                    "note",
                ),
            )
            for m in db.session.scalars(
                sa.select(FamilyMember).where(FamilyMember.client_id.in_(client_ids)).order_by(FamilyMember.id)
            )
        ],
        "memberships": _memberships(client_ids),
        "consents": [
            {
                **_row(c, ("purpose", "recipient", "given_by", "giver_name", "child_assent", "given_at")),
                "recorded_by": names(c.recorded_by_id),
                **_row(c, ("withdrawn_at", "withdrawal_reason")),
            }
            for c in consents
        ],
        "intakes": [
            {
                **_row(
                    i,
                    (
                        "received_at",
                        "channel",
                        "referrer_name",
                        "referrer_org",
                        "referrer_contact",
                        "problems",
                        "problem_note",
                        "screening",
                        "urgency",
                        "decision",
                        "referred_to",
                        "note",
                        "is_emergency_admission",
                    ),
                ),
                "facility": facilities.get(i.facility_id),
                "recorded_by": names(i.created_by_id),
            }
            for i in intakes
        ],
        "cases": [sections.case(c, facilities, names) for c in cases],
        "shelter_stays": _stays(client_ids, {c.id: c.number for c in cases}, facilities),
        "history": [
            {
                "changed_at": c.changed_at,
                "changed_by": names(c.changed_by_id),
                "kind": c.kind,
                "changes": c.changes,
                "reason": c.reason,
            }
            for c in changes
        ],
        "data_requests": [_request(r, names) for r in requests],
    }
    return Export(data=data, client=client, facility=facility, request=request)


def _request(request: DataSubjectRequest, names: _Names) -> dict[str, Any]:
    return {
        **_row(
            request,
            ("id", "kind", "requester", "representative_name", "representative_relation", "received_on", "reference"),
        ),
        "details": request.details,
        "recorded_at": request.recorded_at,
        "recorded_by": names(request.recorded_by_id),
        "handled_at": request.handled_at,
        "handled_by": names(request.handled_by_id),
        "outcome": request.outcome,
        "outcome_note": request.outcome_note,
    }


def _merged_records(client_ids: list[int]) -> list[dict[str, Any]]:
    if not client_ids:
        return []
    rows = db.session.scalars(sa.select(Client).where(Client.id.in_(client_ids)).order_by(Client.id))
    return [_row(c, CLIENT_COLUMNS) for c in rows]


def _memberships(client_ids: list[int]) -> list[dict[str, Any]]:
    memberships = db.session.scalars(
        sa.select(GroupMembership)
        .where(GroupMembership.client_id.in_(client_ids))
        .order_by(GroupMembership.group_code, GroupMembership.id)
    ).all()
    versions: dict[int, list[MembershipVersion]] = defaultdict(list)
    if memberships:
        for version in db.session.scalars(
            sa.select(MembershipVersion)
            .where(MembershipVersion.membership_id.in_([m.id for m in memberships]))
            .order_by(MembershipVersion.effective_from, MembershipVersion.id)
        ):
            versions[version.membership_id].append(version)
    columns = ("effective_from", "effective_to", "status", "reason", *DETAIL_FIELDS)
    return [
        {"group_code": m.group_code, "created_at": m.created_at, "versions": [_row(v, columns) for v in versions[m.id]]}
        for m in memberships
    ]


def _stays(client_ids: list[int], numbers: dict[int, str], facilities: dict[int, str]) -> list[dict[str, Any]]:
    """The client's shelter stays, by the shelter's name only (its address is confidential)."""
    stays = db.session.scalars(
        sa.select(ShelterStay).where(ShelterStay.client_id.in_(client_ids)).order_by(ShelterStay.admitted_at)
    )
    columns = (
        "admitted_at",
        "planned_end_at",
        "brought_by",
        "immediate_needs",
        "immediate_danger",
        "checked_out_at",
        "checkout_destination",
        "checkout_reason",
    )
    return [
        {
            "shelter": facilities.get(s.facility_id),
            "case_number": numbers.get(s.case_id) if s.case_id else None,
            **_row(s, columns),
        }
        for s in stays
    ]


class _CaseSections:
    """The rows of every case, each table read once for all the cases."""

    def __init__(self, case_ids: list[int], names: _Names) -> None:
        self.events = _by_case(CaseEvent, case_ids, CaseEvent.occurred_at, CaseEvent.id)
        self.assessments = _by_case(Assessment, case_ids, Assessment.version_no)
        self.plans = _by_case(CarePlan, case_ids, CarePlan.version_no)
        self.referrals = _by_case(Referral, case_ids, Referral.sent_at, Referral.id)
        self.transfers = _by_case(Transfer, case_ids, Transfer.requested_at, Transfer.id)
        self.follow_ups = _by_case(FollowUp, case_ids, FollowUp.due_at, FollowUp.id)
        self.approvals = _by_case(Approval, case_ids, Approval.requested_at, Approval.id)
        self.attachments = _by_case(Attachment, case_ids, Attachment.uploaded_at, Attachment.id)
        self.overrides = _by_case(ClosureOverride, case_ids, ClosureOverride.created_at, ClosureOverride.id)
        plan_ids = [p.id for rows in self.plans.values() for p in rows]
        self.goals = self._of_plans(PlanGoal, plan_ids)
        self.activities = self._of_plans(PlanActivity, plan_ids)
        provider_ids = {r.provider_id for rows in self.referrals.values() for r in rows}
        self.providers = (
            dict(
                db.session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(provider_ids)))
                .tuples()
                .all()
            )
            if provider_ids
            else {}
        )
        for rows in self.events.values():
            names.want(*(e.actor_id for e in rows))
        for rows in self.attachments.values():
            names.want(*(a.uploaded_by_id for a in rows))
        for rows in self.overrides.values():
            names.want(*(o.created_by_id for o in rows))
        for rows in self.goals.values():
            names.want(*(g.outcome_by_id for g in rows))

    @staticmethod
    def _of_plans(model: Any, plan_ids: list[int]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        if plan_ids:
            for row in db.session.scalars(
                sa.select(model).where(model.plan_id.in_(plan_ids)).order_by(model.position, model.id)
            ):
                grouped[row.plan_id].append(row)
        return grouped

    def case(self, case: Case, facilities: dict[int, str], names: _Names) -> dict[str, Any]:
        columns = (
            "number",
            "case_type",
            "care_kind",
            "status",
            "urgency",
            "risk_level",
            "is_sensitive",
            "opened_at",
            "closed_at",
            "closure_reason",
            "closure_summary",
        )
        return {
            **_row(case, columns),
            "facility": facilities.get(case.facility_id),
            "assigned_worker": names(case.assigned_worker_id),
            "events": [
                {**_row(e, ("occurred_at", "kind", "from_status", "to_status", "text")), "by": names(e.actor_id)}
                for e in self.events[case.id]
            ],
            "assessments": [
                {
                    **_row(
                        a,
                        (
                            "version_no",
                            "assessed_at",
                            "status",
                            "risk_level",
                            "risk_reasons",
                            "domains",
                            "safety",
                            "client_view",
                            "blocks",
                        ),
                    ),
                    "block_rows": document_blocks(a.blocks, tuple(b.code for b in BLOCKS)),
                }
                for a in self.assessments[case.id]
            ],
            "plans": [self._plan(p, names) for p in self.plans[case.id]],
            "referrals": [
                {
                    "provider": self.providers.get(r.provider_id),
                    **_row(
                        r,
                        (
                            "service_type",
                            "reason",
                            "shared_info",
                            "is_urgent",
                            "consent_override_reason",
                            "status",
                            "sent_at",
                            "answered_at",
                            "answer_note",
                            "completed_at",
                            "outcome",
                            "outcome_date",
                        ),
                    ),
                }
                for r in self.referrals[case.id]
            ],
            "transfers": [
                {
                    "from": facilities.get(t.from_facility_id),
                    "to": facilities.get(t.to_facility_id),
                    **_row(t, ("reason", "status", "requested_at", "decided_at", "decision_note")),
                }
                for t in self.transfers[case.id]
            ],
            "follow_ups": [
                _row(f, ("kind", "purpose", "due_at", "done_at", "cancelled_at", "outcome"))
                for f in self.follow_ups[case.id]
            ],
            "approvals": [
                _row(a, ("subject_type", "status", "requested_at", "decided_at", "comment"))
                for a in self.approvals[case.id]
            ],
            # the loose ends of the closure checklist a closure request went ahead despite, with the reason
            "closure_overrides": [
                {**_row(o, ("item_kind", "item_text", "reason", "created_at")), "by": names(o.created_by_id)}
                for o in self.overrides[case.id]
            ],
            # listed only: the documents themselves are given separately, each read through its own page
            "attachments": [
                {
                    **_row(a, ("filename", "content_type", "size", "description", "uploaded_at")),
                    "uploaded_by": names(a.uploaded_by_id),
                }
                for a in self.attachments[case.id]
            ],
        }

    def _plan(self, plan: CarePlan, names: _Names) -> dict[str, Any]:
        columns = (
            "version_no",
            "status",
            "review_due_on",
            "client_participation",
            "guardian_participated",
            "safety_plan",
            "created_at",
            "approved_at",
        )
        return {
            **_row(plan, columns),
            "goals": [
                {
                    **_row(g, ("need_domain", "description", "target_on", "achieved", "outcome", "outcome_note")),
                    **_row(g, ("outcome_on", "outcome_recorded_at")),
                    "outcome_by": names(g.outcome_by_id),
                }
                for g in self.goals[plan.id]
            ],
            "activities": [
                _row(a, ("service_type", "description", "responsible_org", "start_on", "due_on", "status"))
                for a in self.activities[plan.id]
            ],
        }


# --- a representative who may be the person's abuser ------------------------------------------------


def representative_is_alleged_perpetrator(request: DataSubjectRequest) -> bool:
    """Is the representative who asked named, in the person's family list, as an alleged perpetrator?
    (A victim's data, or a child's shelter, must never reach the person they are protected from.)"""
    if request.requester != Requester.REPRESENTATIVE or not request.representative_name:
        return False
    flagged = db.session.scalars(
        sa.select(FamilyMember.full_name).where(
            FamilyMember.client_id.in_(merged_ids(request.client_id)), FamilyMember.is_alleged_perpetrator.is_(True)
        )
    ).all()
    return fold(request.representative_name) in {fold(name) for name in flagged}


# --- the PDF ----------------------------------------------------------------------------------------


def render_export_pdf(export: Export, *, by: User, **labels: Any) -> bytes:
    """The export in the administrative layout (Nghị định 30/2020/NĐ-CP), in Vietnamese."""
    province = db.session.scalar(sa.select(Province.name).where(Province.code == export.facility.province_code))
    doc = DocumentHeader(
        issuing_body=export.facility.name,
        doc_type="PHIẾU CUNG CẤP DỮ LIỆU CÁ NHÂN",
        number=f"{export.request.id}/PCCDL",
        place=place_name(province),
        day=local_today(),
        title=f"Dữ liệu cá nhân của đối tượng mã {export.client.code}",
        recipients=["Người yêu cầu;", "Lưu: hồ sơ đối tượng."],
        signature=Signature(title="NGƯỜI XỬ LÝ YÊU CẦU", name=by.full_name),
        pdf_title=f"Dữ liệu cá nhân — {export.client.code}",
    )
    # labels: the code lists and label tables the page names things with (lists, event_labels, field_labels)
    return render_pdf("pdf/client_data.html", doc=doc, data=export.data, **labels)
