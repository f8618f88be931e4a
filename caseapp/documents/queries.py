"""Reads of what the case documents print. The case itself is always loaded first in the user's case
scope (cases.queries.case_for_page); every statement here reads what belongs to that case, so it
takes the case (or its id), never a bare record id."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..approvals.models import Approval
from ..auth.models import User
from ..cases.statuses import ApprovalStatus
from ..cases.workflow.closure import post_closure_follow_ups
from ..clients.models import Consent
from ..core.timeutil import local_today
from ..extensions import db
from ..intake.models import Intake
from ..org.models import Commune, Facility, Province
from ..plans import queries as plan_queries
from ..plans.models import Assessment, CarePlan, PlanStatus
from ..referrals.models import Provider, Referral
from ..register.queries import managed_group_codes
from ..shelter.models import ShelterStay


def facility_with_units(facility_id):
    """The issuing facility with its province and commune (the place name, the printable address)."""
    return (
        sa.select(Facility)
        .where(Facility.id == facility_id)
        .options(joinedload(Facility.province), joinedload(Facility.commune))
    )


def unit_names(province_code, commune_code):
    """(province name, commune name) of a client's address — one small query."""
    province = (
        db.session.scalar(sa.select(Province.name).where(Province.code == province_code)) if province_code else None
    )
    commune = db.session.scalar(sa.select(Commune.name).where(Commune.code == commune_code)) if commune_code else None
    return province, commune


def group_codes(client_id):
    """The client's groups on the day the document is written."""
    return managed_group_codes(client_id, local_today())


def intake_with_author(case):
    if case.intake_id is None:
        return None
    return sa.select(Intake).where(Intake.id == case.intake_id).options(joinedload(Intake.created_by))


def stays_of_case(case_id):
    """The case's shelter stays with their persons, oldest first, the adult's before the children's
    (no room or bed: nothing of where the shelter is)."""
    return (
        sa.select(ShelterStay)
        .where(ShelterStay.case_id == case_id)
        .options(joinedload(ShelterStay.client))
        .order_by(ShelterStay.admitted_at, ShelterStay.accompanying_stay_id.is_not(None), ShelterStay.id)
    )


def assessment_for_document(case_id, assessment_id=None):
    """The chosen version of the case's needs assessment, or the newest one."""
    stmt = sa.select(Assessment).where(Assessment.case_id == case_id).options(joinedload(Assessment.created_by))
    if assessment_id is not None:
        return stmt.where(Assessment.id == assessment_id)
    return stmt.order_by(Assessment.version_no.desc()).limit(1)


def plan_for_document(case_id, plan_id=None):
    """The chosen version of the case's plan, else the one in force (newest approved), else the
    newest — with goals, activities and their responsible users."""
    if plan_id is not None:
        return plan_queries.plan_of_case(case_id, plan_id)
    approved = db.session.scalar(
        sa.select(CarePlan.id)
        .where(CarePlan.case_id == case_id, CarePlan.status == PlanStatus.APPROVED)
        .order_by(CarePlan.version_no.desc())
        .limit(1)
    )
    if approved is not None:
        return plan_queries.plan_of_case(case_id, approved)
    return plan_queries.latest_plan(case_id)


def referral_for_document(case_id, referral_id=None):
    """One referral of the case (the newest when none is chosen), with its provider (and the
    provider's facility, to know whether that facility's address is confidential)."""
    stmt = (
        sa.select(Referral)
        .where(Referral.case_id == case_id)
        .options(joinedload(Referral.provider).joinedload(Provider.facility))
    )
    if referral_id is not None:
        return stmt.where(Referral.id == referral_id)
    return stmt.order_by(Referral.sent_at.desc(), Referral.id.desc()).limit(1)


def consent_of(referral):
    if referral.consent_id is None:
        return None
    return sa.select(Consent).where(Consent.id == referral.consent_id)


def latest_decision(case_id, subject_type, subject_id):
    """The newest approved decision on a subject (who approved, when), or None."""
    return (
        sa.select(Approval)
        .where(
            Approval.case_id == case_id,
            Approval.subject_type == subject_type,
            Approval.subject_id == subject_id,
            Approval.status == ApprovalStatus.APPROVED,
        )
        .options(joinedload(Approval.decided_by), joinedload(Approval.requested_by))
        .order_by(Approval.decided_at.desc(), Approval.id.desc())
        .limit(1)
    )


def closure_follow_ups(case):
    return post_closure_follow_ups(case).order_by("due_at")


def user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).tuples().all())


def referral_ordinal(referral):
    """The referral's place among the case's referrals in the order they were sent (1, 2 …)."""
    return db.session.scalar(
        sa.select(sa.func.count(Referral.id)).where(
            Referral.case_id == referral.case_id,
            sa.or_(
                Referral.sent_at < referral.sent_at,
                sa.and_(Referral.sent_at == referral.sent_at, Referral.id <= referral.id),
            ),
        )
    )


# --- the case page's section ----------------------------------------------------------------------


@dataclass
class DocumentLink:
    kind: str
    label: str
    url: str
    note: str = ""


@dataclass
class DocumentsSection:
    """What templates/cases/_documents.html shows: one link per document the case can print."""

    case: object
    links: list = field(default_factory=list)


__all__ = [
    "facility_with_units",
    "unit_names",
    "group_codes",
    "intake_with_author",
    "stays_of_case",
    "assessment_for_document",
    "plan_for_document",
    "referral_for_document",
    "consent_of",
    "latest_decision",
    "closure_follow_ups",
    "user_names",
    "DocumentLink",
    "DocumentsSection",
    "referral_ordinal",
]
