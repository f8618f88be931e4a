"""Due items: the one place that knows every deadline of a case and of a user.

Each due item is computed from the case data with the rules of deadlines.rules (their legal sources
are in RULES): the emergency safety check of a child, intake completion, needs assessment,
intervention plan, plan review, scheduled follow-ups, referral answers awaited by the sender, the
planned end of a shelter stay and the supervisor's flags. Only open cases of the viewer's facility,
inside the viewer's case scope (security.case_scope), count — and the follow-ups after closure of
closed ones.

Reads are a fixed number of statements whatever the number of cases (one per source: the case row
with its assessment/plan facts, follow-ups, referrals, stays, flags); the database filters, Python
only adds working days. The case page (case_items), "Việc cần làm" (user_items) and later the
reminders feature all read due items from here.
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from ..approvals.models import Approval
from ..cases.caseload.models import CaseFlag
from ..cases.followups.models import FollowUp
from ..cases.models import Case
from ..cases.statuses import OPEN_STATUSES, ApprovalStatus, ApprovalSubject, CaseStatus
from ..clients.models import Client
from ..core.categories import URGENCY_RANK
from ..core.timeutil import UTCDateTime, as_utc, utcnow
from ..extensions import db
from ..intake.models import Intake
from ..plans.models import Assessment, AssessmentStatus, CarePlan, PlanStatus
from ..referrals.models import Provider, Referral, ReferralStatus
from ..security.rules import same_facility
from ..security.scopes import CaseScopeFacts, Column, case_scope_facts, own_cases_of
from ..shelter.models import ShelterStay
from .rules import due_at, end_of_day, is_due_soon, review_variant, rule_for, urgency_variant

if TYPE_CHECKING:  # for annotations only
    from ..auth.models import User

# A statement of due-item rows: the case's columns of _base, then each source's own (read by label).
Statement = sa.Select[Any]
Statements = tuple[Statement, Statement, Statement, Statement, Statement]

KIND_LIMIT = 500  # rows a page reads per source at most (a caseload far beyond any real one)

# Assessments the worker has finished (sent for approval or approved) and plans that are no longer the
# worker's to write (sent for approval, in force, or replaced by a newer one).
SUBMITTED_ASSESSMENTS = ("pending", "approved")
DONE_PLANS = ("pending", "approved", "superseded")

# Items whose date a person chose (not a rule of deadlines.rules): where they come from.
FOLLOW_UP_SOURCE = "Thông tư 02/2020/TT-BLĐTBXH, bước 3–4 (lịch theo dõi)"
FLAG_SOURCE = "Thông tư 02/2020/TT-BLĐTBXH, bước 4 (yêu cầu của lãnh đạo)"

KINDS: dict[str, LazyString] = {
    "safety_check": _l("Emergency safety check of the child"),
    "intake_completion": _l("Complete the intake record"),
    "assessment": _l("Needs assessment"),
    "plan": _l("Intervention plan"),
    "plan_review": _l("Plan review"),
    "follow_up": _l("Scheduled follow-up"),
    "referral_answer": _l("Answer to a referral"),
    "shelter_stay_end": _l("Planned end of the shelter stay"),
    "flag": _l("Supervisor's flag"),
}
# Where on the case page each item is dealt with (the anchor of its section).
ANCHORS = {
    "plan": "assessment-plan",
    "assessment": "assessment-plan",
    "plan_review": "assessment-plan",
    "referral_answer": "referrals",
    "safety_check": "contact",
}


@dataclass(frozen=True)
class DueItem:
    kind: str  # a key of KINDS
    case_id: int
    case_number: str
    client_label: str  # the client's name, alias or code (the viewer may open the case)
    due_at: datetime  # UTC
    source: str  # the rule's legal source (deadlines.rules.RULES) or FOLLOW_UP/FLAG_SOURCE
    urgency: str  # the case's urgency
    risk_level: str | None  # the case's risk level (from its assessment)
    assignee_id: int | None  # whose task it is
    ref_id: int | None = None  # the follow-up, referral, stay or flag row (None for case-level items)
    detail: str | None = None  # follow-up kind and purpose, provider name, flag note …
    sub_kind: str | None = None  # follow-up kind code
    endpoint: str = "cases.show"
    endpoint_args: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, int | None]:
        """Stable identity of the item (the reminders feature keys its rows on it)."""
        return (self.kind, self.case_id, self.ref_id)

    @property
    def title(self) -> LazyString:
        return KINDS[self.kind]

    @property
    def anchor(self) -> str:
        return ANCHORS.get(self.kind, "deadlines")

    @property
    def urgency_rank(self) -> int:
        """0 most urgent: the case's urgency, raised to 'high' when the assessed risk is high."""
        rank = URGENCY_RANK.get(self.urgency, len(URGENCY_RANK))
        return min(rank, URGENCY_RANK["high"]) if self.risk_level == "high" else rank

    @property
    def sort_key(self) -> tuple[int, datetime, str, str, int]:
        return (self.urgency_rank, self.due_at, self.case_number, self.kind, self.ref_id or 0)

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at < as_utc(now)

    def is_due_soon(self, now: datetime) -> bool:
        return is_due_soon(self.due_at, now)

    def state(self, now: datetime) -> str | None:
        """'overdue', 'soon' (within DUE_SOON) or None: the list entry's badge and class."""
        return "overdue" if self.is_overdue(now) else "soon" if self.is_due_soon(now) else None


def sort_items(items: Iterable[DueItem]) -> list[DueItem]:
    """Urgency first (emergency, high or high risk …), then the earliest due."""
    return sorted(items, key=lambda item: item.sort_key)


@dataclass
class Groups:
    """The tasks page: overdue / within 7 days / later, each sorted by urgency then due date."""

    overdue: list[DueItem]
    soon: list[DueItem]
    later: list[DueItem]

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.soon) + len(self.later)


def group_items(items: Iterable[DueItem], now: datetime | None = None) -> Groups:
    now = as_utc(now) if now else utcnow()
    overdue: list[DueItem] = []
    soon: list[DueItem] = []
    later: list[DueItem] = []
    for item in sort_items(items):
        (overdue if item.is_overdue(now) else soon if item.is_due_soon(now) else later).append(item)
    return Groups(overdue=overdue, soon=soon, later=later)


# --- the statements -----------------------------------------------------------------------------------


def _client_label() -> sa.ColumnElement[str]:
    return sa.func.coalesce(Client.full_name, Client.alias, Client.code)


@dataclass(frozen=True)
class _Reading:
    """Whose due items: the viewer's case scope (None: a job's read, no user scope), narrowed to one
    worker's items (or those of nobody: `unassigned`), one case or one facility. Hashable: the
    statements of a reading are built once and kept (_statements_of)."""

    scope: CaseScopeFacts | None = None
    worker_id: int | None = None
    unassigned: bool = False
    limited: bool = True  # pages read at most KIND_LIMIT rows per source; jobs read everything
    case_id: int | sa.BindParameter[int] | None = None  # a bind parameter in the prebuilt statements
    facility_id: int | None = None


def _base(r: _Reading, columns: Sequence[Column], *, statuses: Sequence[CaseStatus] = OPEN_STATUSES) -> Statement:
    """select(columns) over the open cases of the reading (the viewer's facility and case scope),
    with the client joined."""
    stmt = (
        sa.select(
            Case.id,
            Case.number,
            _client_label().label("client_label"),
            Case.urgency,
            Case.risk_level,
            Case.assigned_worker_id,
            *columns,
        )
        .join(Client, Client.id == Case.client_id)
        .where(Case.status.in_(statuses))
    )
    if r.scope is not None:
        stmt = stmt.where(own_cases_of(r.scope))
    if r.facility_id is not None:
        stmt = stmt.where(Case.facility_id == r.facility_id)
    if r.case_id is not None:
        stmt = stmt.where(Case.id == r.case_id)
    return stmt


def _for_worker(stmt: Statement, r: _Reading, assignee: Column) -> Statement:
    """Narrow to the items whose assignee column is the reading's worker (or no one)."""
    if r.unassigned:
        return stmt.where(assignee.is_(None))
    if r.worker_id is not None:
        return stmt.where(assignee == r.worker_id)
    return stmt


def _case_level_statement(r: _Reading) -> Statement:
    """One row per open case that has a case-level item (intake, assessment, plan, review), with the
    facts the items are computed from as correlated sub-selects."""
    submitted = (
        sa.exists().where(Assessment.case_id == Case.id, Assessment.status.in_(SUBMITTED_ASSESSMENTS)).correlate(Case)
    )
    # The plan is due 7 working days after the (first) approved assessment: when it was approved, or
    # when it was saved if the facility approves assessments at once (TT 02/2020, bước 2).
    approved_at = sa.type_coerce(
        sa.select(sa.func.min(sa.func.coalesce(Approval.decided_at, Assessment.assessed_at)))
        .select_from(Assessment)
        .outerjoin(
            Approval,
            sa.and_(
                Approval.subject_type == ApprovalSubject.ASSESSMENT,
                Approval.subject_id == Assessment.id,
                Approval.status == ApprovalStatus.APPROVED,
            ),
        )
        .where(Assessment.case_id == Case.id, Assessment.status == AssessmentStatus.APPROVED)
        .correlate(Case)
        .scalar_subquery(),
        UTCDateTime(),
    )
    plan_done = sa.exists().where(CarePlan.case_id == Case.id, CarePlan.status.in_(DONE_PLANS)).correlate(Case)
    review_on = sa.type_coerce(
        sa.select(CarePlan.review_due_on)
        .where(CarePlan.case_id == Case.id, CarePlan.status == PlanStatus.APPROVED)
        .order_by(CarePlan.version_no.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery(),
        sa.Date(),
    )
    received_at = sa.type_coerce(
        sa.select(Intake.received_at).where(Intake.id == Case.intake_id).correlate(Case).scalar_subquery(),
        UTCDateTime(),
    )
    child = Case.case_type == "child_protection"
    stmt = _base(
        r,
        [
            Case.case_type,
            Case.opened_at,
            Case.intake_incomplete,
            Case.intake_due_at,
            Case.last_contact_at,
            submitted.label("submitted"),
            approved_at.label("approved_at"),
            plan_done.label("plan_done"),
            review_on.label("review_on"),
            received_at.label("received_at"),
        ],
    )
    stmt = stmt.where(
        sa.or_(
            sa.and_(Case.intake_incomplete.is_(True), Case.intake_due_at.is_not(None)),
            ~submitted,
            sa.and_(sa.or_(child, approved_at.is_not(None)), ~plan_done),
            review_on.is_not(None),
        )
    )
    stmt = _for_worker(stmt, r, Case.assigned_worker_id)
    return stmt.order_by(Case.id)


def _item(
    row: sa.Row[Any],
    kind: str,
    due: datetime,
    source: str,
    *,
    assignee_id: int | None = None,
    ref_id: int | None = None,
    detail: str | None = None,
    sub_kind: str | None = None,
) -> DueItem:
    return DueItem(
        kind=kind,
        case_id=row.id,
        case_number=row.number,
        client_label=row.client_label,
        due_at=as_utc(due),
        source=source,
        urgency=row.urgency,
        risk_level=row.risk_level,
        assignee_id=assignee_id if assignee_id is not None else row.assigned_worker_id,
        ref_id=ref_id,
        detail=detail,
        sub_kind=sub_kind,
        endpoint_args={"case_id": row.id},
    )


def _safety_check_due(row: sa.Row[Any]) -> datetime | None:
    """A child-protection case reported in, or at risk of, serious harm (urgency emergency / high): the
    emergency safety check — protective measures or separation from the harmful person — within 12
    hours of the report (NĐ 56/2017/NĐ-CP, Điều 26.3). Done once a contact with the child after the
    report is recorded (a visit, meeting or call note, a follow-up done) or the risk assessment is
    submitted (Điều 26–27, Mẫu số 02/03). Returns the report time it counts from, or None."""
    if row.case_type != "child_protection" or row.urgency not in ("emergency", "high") or row.submitted:
        return None
    reported: datetime = as_utc(row.received_at or row.opened_at)
    if row.last_contact_at is not None and as_utc(row.last_contact_at) >= reported:
        return None
    return reported


def _case_level_items(row: sa.Row[Any]) -> list[DueItem]:
    items: list[DueItem] = []
    reported = _safety_check_due(row)
    if reported is not None:
        items.append(_item(row, "safety_check", due_at("safety_check", reported), rule_for("safety_check").source))
    if row.intake_incomplete and row.intake_due_at is not None:
        # Emergency admission: the intake record within 24 hours.
        items.append(_item(row, "intake_completion", row.intake_due_at, rule_for("intake_completion").source))
    if not row.submitted:
        # Needs assessment: 3 working days from the opening, 1 in an emergency / high risk (TT 02/2020, bước 1).
        variant = urgency_variant(row.urgency, row.risk_level)
        items.append(
            _item(
                row,
                "assessment",
                due_at("assessment", row.opened_at, variant=variant),
                rule_for("assessment", variant).source,
            )
        )
    if not row.plan_done:
        if row.case_type == "child_protection":
            # NĐ 56/2017/NĐ-CP: the intervention plan within 5 working days of the report.
            start = row.received_at or row.opened_at
            items.append(
                _item(
                    row,
                    "plan",
                    due_at("plan", start, variant="child_protection"),
                    rule_for("plan", "child_protection").source,
                )
            )
        elif row.approved_at is not None:
            # TT 02/2020, bước 2: the plan within 7 working days of the assessment.
            items.append(_item(row, "plan", due_at("plan", row.approved_at), rule_for("plan").source))
    if row.review_on is not None:
        # TT 02/2020, bước 4: the review date the plan set (30 days, 14 at high risk, by default) — due that day.
        variant = review_variant(row.risk_level)
        items.append(_item(row, "plan_review", end_of_day(row.review_on), rule_for("plan_review", variant).source))
    return items


def _follow_up_statement(r: _Reading) -> Statement:
    """Follow-ups not done nor cancelled, of open cases and of closed ones: the follow-ups after
    closure (30 and 90 days, TT 02/2020 bước 5) are worked on the closed case (cases.followups)."""
    assignee = sa.func.coalesce(FollowUp.assigned_to_id, Case.assigned_worker_id)
    stmt = (
        _base(
            r,
            [
                FollowUp.id.label("ref_id"),
                FollowUp.kind,
                FollowUp.purpose,
                FollowUp.due_at,
                assignee.label("assignee_id"),
                Case.status,
            ],
            statuses=(*OPEN_STATUSES, CaseStatus.CLOSED),
        )
        .join(FollowUp, FollowUp.case_id == Case.id)
        .where(FollowUp.done_at.is_(None), FollowUp.cancelled_at.is_(None))
    )
    stmt = _for_worker(stmt, r, assignee)
    return stmt.order_by(FollowUp.due_at, FollowUp.id)


def _referral_statement(r: _Reading) -> Statement:
    """Referrals the case's facility sent that still await the receiver's answer (the sender's side of
    the closed loop; overdue as in Referral.is_overdue)."""
    stmt = (
        _base(
            r,
            [
                Referral.id.label("ref_id"),
                Referral.answer_due_at,
                Referral.is_urgent,
                Referral.escalated_at,
                Provider.name.label("provider_name"),
            ],
        )
        .join(Referral, Referral.case_id == Case.id)
        .join(Provider, Provider.id == Referral.provider_id)
        .where(Referral.status == ReferralStatus.SENT, Referral.facility_id == Case.facility_id)
    )
    stmt = _for_worker(stmt, r, Case.assigned_worker_id)
    return stmt.order_by(Referral.answer_due_at, Referral.id)


def _stay_statement(r: _Reading) -> Statement:
    """The open stay of the case's client (accompanying children's stays end with it)."""
    stmt = (
        _base(r, [ShelterStay.id.label("ref_id"), ShelterStay.planned_end_at])
        .join(ShelterStay, ShelterStay.case_id == Case.id)
        .where(ShelterStay.checked_out_at.is_(None), ShelterStay.accompanying_stay_id.is_(None))
    )
    stmt = _for_worker(stmt, r, Case.assigned_worker_id)
    return stmt.order_by(ShelterStay.planned_end_at, ShelterStay.id)


def _flag_statement(r: _Reading) -> Statement:
    stmt = (
        _base(r, [CaseFlag.id.label("ref_id"), CaseFlag.note, CaseFlag.due_at, CaseFlag.to_user_id])
        .join(CaseFlag, CaseFlag.case_id == Case.id)
        .where(CaseFlag.resolved_at.is_(None))
    )
    stmt = _for_worker(stmt, r, CaseFlag.to_user_id)
    return stmt.order_by(CaseFlag.due_at, CaseFlag.id)


@dataclass
class DueItems:
    items: list[DueItem]
    truncated: bool = False  # a source had more than KIND_LIMIT rows (the oldest are shown)


def _statements(reading: _Reading) -> Statements:
    statements = (
        _case_level_statement(reading),
        _follow_up_statement(reading),
        _referral_statement(reading),
        _stay_statement(reading),
        _flag_statement(reading),
    )
    if not reading.limited:
        return statements
    return tuple(stmt.limit(KIND_LIMIT + 1) for stmt in statements)  # type: ignore[return-value]


# A page's five statements, kept per reading: building them (and their cache keys) took a fifth of the
# tasks page's time, more than PostgreSQL takes to run them (bench/page_timing.py). A reading holds
# everything its statements are made of (CaseScopeFacts: ids, not the user), so a kept statement
# is never another reading's. Bounded: one entry per user and list in use, the oldest dropped.
_statements_of = functools.lru_cache(maxsize=1024)(_statements)


_CASE_ID = "due_items_case_id"


@functools.cache
def _one_case_statements() -> Statements:
    """The five statements of one case's items, whoever they are for, built once with the case id as a
    parameter: building them cost more than running them (bench/: the reminders sync runs them for
    every case a request changes, the case page for its case)."""
    return _statements(_Reading(case_id=sa.bindparam(_CASE_ID, type_=sa.Integer()), limited=False))


def _read(reading: _Reading, statements: Statements | None = None, params: dict[str, int] | None = None) -> DueItems:
    """Every due item of the reading, sorted by urgency then due date: five statements."""
    items: list[DueItem] = []
    truncated = False
    case_level, follow_ups, referrals, stays, flags = statements or _statements_of(reading)

    def rows(stmt: Statement) -> Sequence[sa.Row[Any]]:
        nonlocal truncated
        if not reading.limited:
            return db.session.execute(stmt, params).all()
        result = db.session.execute(stmt, params).all()
        if len(result) > KIND_LIMIT:
            truncated = True
        return result[:KIND_LIMIT]

    for row in rows(case_level):
        items.extend(_case_level_items(row))
    for row in rows(follow_ups):
        source = (
            rule_for("follow_up_after_closure", "first").source if row.status == CaseStatus.CLOSED else FOLLOW_UP_SOURCE
        )
        items.append(
            _item(
                row,
                "follow_up",
                row.due_at,
                source,
                assignee_id=row.assignee_id,
                ref_id=row.ref_id,
                detail=row.purpose,
                sub_kind=row.kind,
            )
        )
    for row in rows(referrals):
        # Receiver's answer: 2 working days, an urgent referral 4 hours.
        variant = "urgent" if row.is_urgent else "default"
        items.append(
            _item(
                row,
                "referral_answer",
                row.answer_due_at,
                rule_for("referral_answer", variant).source,
                ref_id=row.ref_id,
                detail=row.provider_name,
            )
        )
    for row in rows(stays):
        # Warn before the planned end: a stay never ends silently.
        items.append(
            _item(row, "shelter_stay_end", row.planned_end_at, rule_for("shelter_stay").source, ref_id=row.ref_id)
        )
    for row in rows(flags):
        items.append(
            _item(row, "flag", row.due_at, FLAG_SOURCE, assignee_id=row.to_user_id, ref_id=row.ref_id, detail=row.note)
        )
    return DueItems(items=sort_items(items), truncated=truncated)


def case_items(case: Case, viewer: "User") -> list[DueItem]:
    """The due items of one case already loaded in the viewer's scope, sorted by due date — those of
    the viewer's facility only (a case transferred out is read there, but worked at the receiver)."""
    if not same_facility(viewer, case):
        return []
    items = _one_case_items(case.id)
    return sorted(items, key=lambda item: (item.due_at, item.kind, item.ref_id or 0))


def _one_case_items(case_id: int) -> list[DueItem]:
    return _read(_Reading(case_id=case_id, limited=False), _one_case_statements(), {_CASE_ID: case_id}).items


def user_items(viewer: "User", worker: "User | None" = None) -> DueItems:
    """The due items assigned to `worker` (default: the viewer) within the viewer's case scope."""
    worker_id = (worker or viewer).id
    return _read(_Reading(scope=case_scope_facts(viewer), worker_id=worker_id))


def scope_items(viewer: "User") -> DueItems:
    """Every due item of the open cases in the viewer's scope, whoever it is for (the supervisor
    dashboard's overdue counts per worker: the per-worker pages' reading, unnarrowed)."""
    return _read(_Reading(scope=case_scope_facts(viewer)))


def unassigned_items(viewer: "User") -> DueItems:
    """The due items of the viewer's open cases that are nobody's: no worker on the case (and, for
    a follow-up, no one named on it) — what a supervisor assigns."""
    return _read(_Reading(scope=case_scope_facts(viewer), unassigned=True))


def facility_items(facility_id: int) -> DueItems:
    """Every due item of a facility, whoever it is for — for jobs (the reminders turn these into
    reminder rows keyed on DueItem.key), never for a page: there is no user scope here."""
    return _read(_Reading(facility_id=facility_id, limited=False))


def job_case_items(case_id: int) -> list[DueItem]:
    """Every due item of one case, whoever it is for — for jobs (reminders.services syncs the case's
    reminder rows from these), never for a page: there is no user scope here."""
    return _one_case_items(case_id)


# --- what the pages show ------------------------------------------------------------------------------


@dataclass
class CaseSection:
    """What templates/cases/_deadlines.html shows: the case's due items and the moment they are judged at."""

    items: list[DueItem]
    now: datetime
    texts: "ItemTexts"

    def is_overdue(self, item: DueItem) -> bool:
        return item.is_overdue(self.now)

    def is_due_soon(self, item: DueItem) -> bool:
        return item.is_due_soon(self.now)


def case_section(case: Case, viewer: "User", now: datetime | None = None) -> CaseSection:
    return CaseSection(items=case_items(case, viewer), now=as_utc(now) if now else utcnow(), texts=item_texts())


@dataclass(frozen=True)
class ItemTexts:
    """The words of a list of due items (templates/cases/_deadline_macros.html), translated once per
    page: per item they were most of the tasks page's time (bench/: hundreds of items, each gettext
    or lazy title ≈ 10–20 µs). `due` and `basis` keep their %(when)s / %(source)s placeholder."""

    titles: dict[str, str]
    overdue: str
    due_soon: str
    legal_basis: str
    due: str
    basis: str


def item_texts() -> ItemTexts:
    return ItemTexts(
        titles={kind: str(title) for kind, title in KINDS.items()},
        overdue=gettext("Overdue"),
        due_soon=gettext("Due soon"),
        legal_basis=gettext("Legal basis"),
        due=gettext("Due %(when)s"),
        basis=gettext("Basis: %(source)s"),
    )


__all__ = [
    "DueItem",
    "DueItems",
    "Groups",
    "KINDS",
    "KIND_LIMIT",
    "sort_items",
    "group_items",
    "case_items",
    "user_items",
    "scope_items",
    "unassigned_items",
    "facility_items",
    "job_case_items",
    "CaseSection",
    "case_section",
    "ItemTexts",
    "item_texts",
]
