"""Records for the case-document tests, made through the real services (numbering, events, audit)."""

import io
from datetime import date, timedelta

import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.cases.workflow import closure
from caseapp.clients.services import create_client
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.intake.services import create_intake
from caseapp.plans import services as plan_services
from caseapp.plans.queries import plan_of_case
from caseapp.register.services import set_groups

from ..cases.checklist_helpers import explain_all
from ..plans.conftest import FULL_SAFETY_PLAN, assessment_data, plan_data

CLOSE = {
    "reason": "goals_met",
    "summary": "Chị Lan đã an toàn, có việc làm ổn định",
    "evaluation": "Mục tiêu an toàn và sinh kế đều đạt; chị Lan hài lòng",
}
ALL_SAFETY = {
    "serious_harm": "yes",
    "perpetrator_access": "no",
    "weapons_threats": "unknown",
    "injuries": "no",
    "sexual_abuse": "no",
    "safe_carer": "yes",
    "separation_needed": "yes",
}


def intake_case(facility, worker, *, name="Nguyễn Thị Lan", **client_extra):
    """A client with a known identity and an intake that opens a case (intake.services)."""
    client = create_client(
        {
            "full_name": name,
            "sex": "female",
            "birth_date": date(1990, 3, 5),
            "birth_year": 1990,
            "birth_precision": "exact",
            "phone": "0912 345 678",
            **client_extra,
        },
        facility=facility,
        by=worker,
    )
    set_groups(client, ["em_domestic_violence"], by=worker)
    _, case = create_intake(
        client,
        {
            "received_at": utcnow() - timedelta(hours=2),
            "channel": "hotline_dv",
            "problems": ["domestic_violence"],
            "problem_note": "Bị chồng đánh nhiều lần",
            "danger_now": "yes",
            "injured": "no",
            "decision": "open_case",
            "case_type": "center",
            "assigned_worker_id": worker.id,
            "urgency": "emergency",
            "referrer_org": "Hội Liên hiệp Phụ nữ xã",
        },
        facility=facility,
        by=worker,
    )
    return case


def approve_pending(case, subject_type, subject_id, by):
    approval = db.session.scalar(
        sa.select(Approval).where(
            Approval.case_id == case.id,
            Approval.subject_type == subject_type,
            Approval.subject_id == subject_id,
            Approval.status == "pending",
        )
    )
    if approval is not None:
        approvals.decide(approval, approve=True, comment=None, by=by)


def with_assessment(case, worker, supervisor):
    assessment = plan_services.create_assessment(case, assessment_data(safety=ALL_SAFETY), by=worker, submit=True)
    approve_pending(case, "assessment", assessment.id, supervisor)
    return assessment


def with_plan(case, worker, supervisor):
    plan = plan_services.create_plan(case, plan_data(safety_plan=FULL_SAFETY_PLAN), by=worker)
    plan = db.session.scalar(plan_of_case(case.id, plan.id))
    plan_services.request_plan_approval(plan, case, by=worker)
    approve_pending(case, "plan", plan.id, supervisor)
    return plan


def closed(case, worker, supervisor):
    approval = closure.request_closure(case, by=worker, overrides=explain_all(case.id), **CLOSE)
    approvals.decide(approval, approve=True, comment="Đồng ý kết thúc", by=supervisor)
    db.session.flush()
    return case


def pdf_text(data):
    """The text of a PDF (pypdf), each page's text joined; whitespace runs folded to one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
