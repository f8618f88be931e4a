"""The closure checklist (TT 02/2020/TT-BLĐTBXH, bước 5 "Đánh giá và kết thúc quản lý đối tượng"): what
is still open in a case when its closure is asked for and when a supervisor decides on it — one list
for both pages and for the services that refuse a closure while an item is left unexplained.

Loose ends: an assessment or a plan waiting for approval, a referral not answered or not completed, a
follow-up not done, a goal of the approved plan without an outcome (any outcome settles it, "not
achieved" too), a stay in the shelter not ended.
Each is either resolved where it lives (the pages link there; the list is read again on return) or
overridden by the worker with a reason, kept with the closure request (ClosureOverride). A stay in
the shelter cannot be overridden: the person leaves the shelter (check-out) before the case closes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...approvals.models import Approval
from ...core import categories as cat
from ...core.timeutil import format_date, format_datetime
from ...extensions import db
from ...plans.labels import SUBJECT_LABELS
from ...plans.models import CarePlan, PlanGoal, PlanStatus
from ...referrals.models import Provider, Referral, ReferralStatus
from ...shelter.models import ShelterStay
from ..followups.models import FollowUp
from ..statuses import ApprovalStatus, ApprovalSubject
from .models import ClosureOverride

ITEM_TEXT_MAX = 255
OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class LooseEndKind(StrEnum):
    APPROVAL = "approval"
    REFERRAL = "referral"
    FOLLOW_UP = "follow_up"
    GOAL = "goal"
    STAY = "stay"


KIND_LABELS = {
    LooseEndKind.APPROVAL: _l("Waiting for approval"),
    LooseEndKind.REFERRAL: _l("Referral still open"),
    LooseEndKind.FOLLOW_UP: _l("Follow-up not done"),
    LooseEndKind.GOAL: _l("Plan goal without an outcome"),
    LooseEndKind.STAY: _l("Stay in the shelter not ended"),
}


@dataclass(frozen=True)
class LooseEnd:
    """One open item of the case. `ref_id` is the record that resolves it (the approval's subject for a
    pending approval, the plan for a goal); `link_to` is what the page links to."""

    kind: LooseEndKind
    item_id: int
    text: str
    link_to: str = ""  # approval subject type, or "" for the kind's own page
    ref_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.item_id}"

    @property
    def overridable(self) -> bool:
        return self.kind != LooseEndKind.STAY

    @property
    def label(self):
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class ChecklistEntry:
    """A loose end as the pages show it: with the reason it is overridden with, if any."""

    loose_end: LooseEnd
    reason: str = ""

    @property
    def settled(self) -> bool:
        return bool(self.reason) and self.loose_end.overridable


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= ITEM_TEXT_MAX else text[: ITEM_TEXT_MAX - 1] + "…"


def _pending_approvals(case_id: int) -> list[LooseEnd]:
    rows = db.session.execute(
        sa.select(Approval.id, Approval.subject_type, Approval.subject_id, Approval.requested_at)
        .where(
            Approval.case_id == case_id,
            Approval.status == ApprovalStatus.PENDING,
            Approval.subject_type != ApprovalSubject.CLOSURE,
        )
        .order_by(Approval.requested_at, Approval.id)
    ).all()
    return [
        LooseEnd(
            LooseEndKind.APPROVAL,
            row.id,
            str(
                _l(
                    "%(subject)s, sent for approval on %(when)s",
                    subject=SUBJECT_LABELS.get(row.subject_type, row.subject_type),
                    when=format_datetime(row.requested_at),
                )
            ),
            link_to=row.subject_type,
            ref_id=row.subject_id,
        )
        for row in rows
    ]


def _open_referrals(case_id: int) -> list[LooseEnd]:
    rows = db.session.execute(
        sa.select(Referral.id, Referral.status, Referral.service_type, Referral.sent_at, Provider.name)
        .join(Provider, Provider.id == Referral.provider_id)
        .where(Referral.case_id == case_id, Referral.status.in_(OPEN_REFERRAL_STATUSES))
        .order_by(Referral.sent_at, Referral.id)
    ).all()
    return [
        LooseEnd(
            LooseEndKind.REFERRAL,
            row.id,
            _short(
                str(
                    _l(
                        "%(service)s — %(provider)s (sent %(when)s): no answer yet",
                        service=cat.label(cat.SERVICE_TYPES, row.service_type),
                        provider=row.name,
                        when=format_date(row.sent_at),
                    )
                    if row.status == ReferralStatus.SENT
                    else _l(
                        "%(service)s — %(provider)s (sent %(when)s): accepted, no outcome recorded",
                        service=cat.label(cat.SERVICE_TYPES, row.service_type),
                        provider=row.name,
                        when=format_date(row.sent_at),
                    )
                )
            ),
        )
        for row in rows
    ]


def _open_follow_ups(case_id: int) -> list[LooseEnd]:
    rows = db.session.execute(
        sa.select(FollowUp.id, FollowUp.kind, FollowUp.purpose, FollowUp.due_at)
        .where(FollowUp.case_id == case_id, FollowUp.done_at.is_(None), FollowUp.cancelled_at.is_(None))
        .order_by(FollowUp.due_at, FollowUp.id)
    ).all()
    return [
        LooseEnd(
            LooseEndKind.FOLLOW_UP,
            row.id,
            _short(
                str(
                    _l(
                        "%(kind)s, due %(when)s",
                        kind=cat.label(cat.FOLLOW_UP_KINDS, row.kind),
                        when=format_datetime(row.due_at),
                    )
                )
                + (f": {row.purpose}" if row.purpose else "")
            ),
        )
        for row in rows
    ]


def _goals_without_outcome(case_id: int) -> list[LooseEnd]:
    approved_plan = (
        sa.select(CarePlan.id)
        .where(CarePlan.case_id == case_id, CarePlan.status == PlanStatus.APPROVED)
        .order_by(CarePlan.version_no.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(PlanGoal.id, PlanGoal.plan_id, PlanGoal.description)
        .where(PlanGoal.plan_id == approved_plan, PlanGoal.outcome.is_(None))
        .order_by(PlanGoal.position, PlanGoal.id)
    ).all()
    return [LooseEnd(LooseEndKind.GOAL, row.id, _short(row.description), ref_id=row.plan_id) for row in rows]


def _open_stays(case_id: int) -> list[LooseEnd]:
    rows = db.session.execute(
        sa.select(ShelterStay.id, ShelterStay.admitted_at)
        .where(ShelterStay.case_id == case_id, ShelterStay.checked_out_at.is_(None))
        .order_by(ShelterStay.admitted_at, ShelterStay.id)
    ).all()
    return [
        LooseEnd(
            LooseEndKind.STAY, row.id, str(_l("In the shelter since %(when)s", when=format_datetime(row.admitted_at)))
        )
        for row in rows
    ]


def loose_ends(case_id: int) -> list[LooseEnd]:
    """Everything still open in the case, in the order the pages show it."""
    return [
        *_open_stays(case_id),
        *_pending_approvals(case_id),
        *_open_referrals(case_id),
        *_open_follow_ups(case_id),
        *_goals_without_outcome(case_id),
    ]


def overrides_of(*approval_ids: int) -> sa.Select[tuple[ClosureOverride]]:
    """The loose ends closure requests went ahead despite, in the order they were written."""
    return (
        sa.select(ClosureOverride)
        .where(ClosureOverride.approval_id.in_(approval_ids))
        .order_by(ClosureOverride.approval_id, ClosureOverride.id)
    )


def checklist(items: Iterable[LooseEnd], reasons: Mapping[str, str]) -> list[ChecklistEntry]:
    """The loose ends with the reason each is overridden with (typed or stored), keyed by LooseEnd.key."""
    return [ChecklistEntry(item, (reasons.get(item.key) or "").strip() if item.overridable else "") for item in items]


def unsettled(entries: Iterable[ChecklistEntry]) -> list[LooseEnd]:
    """The loose ends neither resolved nor overridden: a closure waits for them."""
    return [entry.loose_end for entry in entries if not entry.settled]


def stored_overrides(
    overrides: Iterable[ClosureOverride], items: Iterable[LooseEnd], *, resolved: bool
) -> list[ClosureOverride]:
    """The stored overrides whose loose end is resolved since (resolved=True), or still open."""
    open_keys = {item.key for item in items}
    return [o for o in overrides if (o.key not in open_keys) == resolved]
