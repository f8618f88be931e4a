"""The five case forms as PDF, filled from the record:

  intake      Phiếu tiếp nhận đối tượng          (TT 02/2020/TT-BLĐTBXH, bước 0: tiếp nhận)
  assessment  Phiếu đánh giá nhu cầu             (TT 02/2020, bước 1; the newest or a chosen version)
  plan        Kế hoạch trợ giúp                  (TT 02/2020, bước 2; goals, activities, and the safety
                                                  plan of a violence case — Luật PCBLGĐ 2022, NĐ 56/2017)
  referral    Phiếu chuyển gửi                   (one referral; only what the consent allows)
  closure     Biên bản kết thúc trường hợp       (TT 02/2020, bước 5; a closed case)

Rules every form keeps:
- Layout of Nghị định 30/2020/NĐ-CP (templates/pdf/_layout.html): issuing body = the case's facility,
  "Số:" = the case number (+ the version) / the form's abbreviation, the place = the facility's
  province, the date = the date of the record (so a form printed twice reads the same).
- A confidential shelter address is never printed (perpetrators must never learn where a victim
  is): the facility's address goes through org.queries.printable_address, a provider that is a
  confidential facility shows no address, and nothing else of a facility but its name, province
  and phone is printed.
- The referral form shares only what the sender wrote in "information shared" and — when the
  client's active consent to share with this provider covers it — the client's name, sex and year of
  birth (NĐ 13/2023/NĐ-CP: minimisation). Without such a consent (an emergency
  override, or a consent withdrawn since) it names the client by code only.
- Generating a document is audited (`document_generated`: kind, case id, the version's id — no
  personal data), in the request's transaction; the view commits.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..cases.statuses import CaseStatus
from ..core import categories as cat
from ..core.pdf import DocumentHeader, Signature, place_name, render_pdf
from ..core.services import ServiceError
from ..core.timeutil import local_today, to_local
from ..extensions import db
from ..org.queries import printable_address
from . import queries

if TYPE_CHECKING:  # for annotations only
    from ..cases.models import Case
    from ..clients.models import Client
    from ..org.models import Facility
from flask import url_for

from ..cases.workflow.closure import latest_evaluation
from ..plans.blocks import document_blocks
from ..plans.queries import is_violence_case


class DocumentUnavailable(ServiceError):
    """This case has nothing to fill the form with (no intake, no assessment, not closed …) or the
    chosen version is not one of the case's. The view answers 404."""


@dataclass(frozen=True)
class Kind:
    code: str
    doc_type: str  # printed, upper case (Vietnamese official wording)
    abbreviation: str  # in "Số: …/<abbreviation>"
    template: str
    label: object  # the UI's link text (translated)


KINDS = {
    k.code: k
    for k in (
        Kind("intake", "PHIẾU TIẾP NHẬN ĐỐI TƯỢNG", "PTN", "pdf/case_intake.html", _l("Intake form")),
        Kind("assessment", "PHIẾU ĐÁNH GIÁ NHU CẦU", "PĐG", "pdf/case_assessment.html", _l("Needs assessment form")),
        Kind("plan", "KẾ HOẠCH TRỢ GIÚP", "KH", "pdf/case_plan.html", _l("Intervention plan")),
        Kind("referral", "PHIẾU CHUYỂN GỬI", "PCG", "pdf/case_referral.html", _l("Referral form")),
        Kind("closure", "BIÊN BẢN", "BB", "pdf/case_closure.html", _l("Case closure record")),
    )
}

ARCHIVE = "Lưu: hồ sơ đối tượng."
ANSWERS_VI = {"yes": "Có", "no": "Không", "unknown": "Chưa rõ"}
ASSESSMENT_STATUSES_VI = {
    "draft": "Bản nháp",
    "pending": "Chờ phê duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Trả lại để chỉnh sửa",
}
PLAN_STATUSES_VI = {**ASSESSMENT_STATUSES_VI, "superseded": "Đã được thay thế"}
ACTIVITY_STATUSES_VI = {
    "planned": "Dự kiến",
    "in_progress": "Đang thực hiện",
    "done": "Đã hoàn thành",
    "cancelled": "Đã hủy",
}
REFERRAL_STATUSES_VI = {
    "sent": "Đã gửi, chờ phản hồi",
    "accepted": "Đã tiếp nhận",
    "declined": "Từ chối",
    "completed": "Đã hoàn thành",
    "revoked": "Đã thu hồi",
}
SAFETY_PLAN_VI = (
    ("warning_signs", "Dấu hiệu cảnh báo"),
    ("safe_places", "Nơi an toàn có thể đến"),
    ("contacts", "Người, số điện thoại liên hệ khẩn cấp"),
    ("steps", "Các bước cần làm khi gặp nguy hiểm"),
)


def label(categories, code):
    return cat.label(categories, code) if code else ""


# --- what every form prints about the case and the person ---------------------------------------------


@dataclass
class Common:
    case: "Case"
    client: "Client"
    facility: "Facility"
    facility_address: str | None  # printable_address: None for a confidential shelter
    worker_name: str

    def header(self, kind, *, day, number_suffix: str = "", title: str = "", recipients=(), signature=None):
        return DocumentHeader(
            issuing_body=self.facility.name,
            doc_type=KINDS[kind].doc_type,
            number=f"{self.case.number}{number_suffix}/{KINDS[kind].abbreviation}",
            place=place_name(self.facility.province.name if self.facility.province else ""),
            day=to_local(day).date() if isinstance(day, datetime) else day,
            title=title,
            recipients=list(recipients) or [ARCHIVE],
            signature=signature,
            pdf_title=f"{KINDS[kind].doc_type.capitalize()} — {self.case.number}",
        )


def _common(case):
    facility = db.session.scalar(queries.facility_with_units(case.facility_id))
    worker = case.assigned_worker
    return Common(
        case=case,
        client=case.client,
        facility=facility,
        facility_address=printable_address(facility),  # never a confidential address
        worker_name=worker.full_name if worker else "",
    )


def birth_text(client):
    if client.birth_date:
        return client.birth_date.strftime("%d/%m/%Y")
    if client.birth_year:
        return f"Năm {client.birth_year}" + (" (ước tính)" if client.birth_precision == "estimated" else "")
    return ""


def client_facts(client):
    """The person's identity and contact as (label, value) rows — for the forms kept in the case file
    (intake, assessment, plan, closure). TT 02/2020/TT-BLĐTBXH, bước 1: the information on the person."""
    province, commune = queries.unit_names(client.province_code, client.commune_code)
    address = ", ".join(p for p in (client.street_address, commune, province) if p)
    groups = db.session.scalars(queries.group_codes(client.id)).all()
    rows = [("Họ và tên", client.full_name or "Chưa xác định")]
    if client.alias:
        rows.append(("Tên gọi khác", client.alias))
    rows += [
        ("Mã đối tượng", client.code),
        ("Giới tính", label(cat.SEXES, client.sex)),
        ("Ngày, tháng, năm sinh", birth_text(client)),
        ("Dân tộc", label(cat.ETHNIC_GROUPS, client.ethnicity)),
        ("Quốc tịch", client.nationality or ""),
        ("Số định danh cá nhân", client.citizen_id or ""),
        ("Điện thoại", client.phone or ""),
        ("Nơi cư trú", address),
        ("Nhóm đối tượng", "; ".join(label(cat.BENEFICIARY_GROUPS, g) for g in groups)),
    ]
    return rows


def case_facts(common):
    case = common.case
    return [
        ("Số hồ sơ", case.number),
        ("Loại trường hợp", label(cat.CASE_TYPES, case.case_type)),
        ("Loại hình chăm sóc", label(cat.CARE_KINDS, case.care_kind)),
        ("Mức độ khẩn cấp", label(cat.URGENCY, case.urgency)),
        ("Người quản lý trường hợp", common.worker_name),
        ("Ngày mở hồ sơ", to_local(case.opened_at).strftime("%d/%m/%Y")),
    ]


# --- the five forms --------------------------------------------------------------------------------------


def _intake(common, item_id):
    intake = db.session.scalar(queries.intake_with_author(common.case)) if common.case.intake_id else None
    if intake is None:
        raise DocumentUnavailable(_l("This case has no intake record to print."))
    screening = []
    for code, value in (intake.screening or {}).items():
        if code == "suggested_urgency":
            continue
        question = label(cat.SCREENING_QUESTIONS, code)
        screening.append((question, ANSWERS_VI.get(value, value if isinstance(value, str) else "")))
    stays = db.session.scalars(queries.stays_of_case(common.case.id)).unique().all()
    author = intake.created_by.full_name if intake.created_by else ""
    doc = common.header("intake", day=intake.received_at, signature=Signature(title="NGƯỜI TIẾP NHẬN", name=author))
    return {
        "doc": doc,
        "intake": intake,
        "screening": screening,
        "stays": [stay for stay in stays if stay.accompanying_stay_id is None],
        "children": [_child_facts(stay.client, intake.received_at) for stay in stays if stay.accompanying_stay_id],
        "author": author,
        "problems": [label(cat.PROBLEMS, p) for p in intake.problems or ()],
        "channel": label(cat.CHANNELS, intake.channel),
        "urgency": label(cat.URGENCY, intake.urgency),
        "decision": label(cat.INTAKE_DECISIONS, intake.decision),
        "needs_of": lambda stay: [label(cat.IMMEDIATE_NEEDS, n) for n in stay.immediate_needs or ()],
    }


def _child_facts(child, on):
    """A child admitted with the adult, as the intake form lists them: name, code, sex, age."""
    age = child.age_on(to_local(on).date())
    return (child.display_name, child.code, label(cat.SEXES, child.sex), "" if age is None else f"{age} tuổi")


def _assessment(common, item_id):
    assessment = db.session.scalar(queries.assessment_for_document(common.case.id, item_id))
    if assessment is None:
        raise DocumentUnavailable(_l("This case has no needs assessment to print."))
    domains = []
    for domain in cat.NEED_DOMAINS:
        entry = (assessment.domains or {}).get(domain.code) or {}
        domains.append(
            {
                "name": domain.vi,
                "situation": entry.get("situation") or "",
                "level": label(cat.NEED_LEVELS, entry.get("need_level") or "none"),
                "strengths": entry.get("strengths") or "",
                "client_view": entry.get("client_view") or "",
            }
        )
    safety = [
        (q.vi, ANSWERS_VI.get((assessment.safety or {}).get(q.code), ""))
        for q in cat.SAFETY_QUESTIONS
        if (assessment.safety or {}).get(q.code)
    ]
    decision = db.session.scalar(queries.latest_decision(common.case.id, "assessment", assessment.id))
    author = assessment.created_by.full_name if assessment.created_by else ""
    doc = common.header(
        "assessment",
        day=assessment.assessed_at,
        number_suffix=f"-{assessment.version_no:02d}",
        title=f"Đánh giá nhu cầu chăm sóc, trợ giúp (lần {assessment.version_no})",
        signature=Signature(title="NGƯỜI ĐÁNH GIÁ", name=author),
    )
    return {
        "doc": doc,
        "assessment": assessment,
        "general": document_blocks(assessment.blocks, ("general",)),
        "situation": document_blocks(
            assessment.blocks, ("health", "psychology", "family", "economy", "education_work")
        ),
        "views": document_blocks(assessment.blocks, ("view",)),
        "domains": domains,
        "safety": safety,
        "decision": decision,
        "status": ASSESSMENT_STATUSES_VI.get(assessment.status, assessment.status),
        "risk": label(cat.RISK_LEVELS, assessment.risk_level),
        "author": author,
    }


def _plan(common, item_id):
    plan = db.session.scalars(queries.plan_for_document(common.case.id, item_id)).unique().first()
    if plan is None:
        raise DocumentUnavailable(_l("This case has no intervention plan to print."))
    goal_numbers = {goal.id: n for n, goal in enumerate(plan.goals, start=1)}
    activities = [
        {
            "goal": goal_numbers.get(a.goal_id, ""),
            "service": label(cat.SERVICE_TYPES, a.service_type),
            "description": a.description,
            "responsible": ", ".join(
                p for p in ((a.responsible_user.full_name if a.responsible_user else None), a.responsible_org) if p
            ),
            "start_on": a.start_on,
            "due_on": a.due_on,
            "status": ACTIVITY_STATUSES_VI.get(a.status, a.status),
        }
        for a in plan.activities
    ]
    violence = is_violence_case(common.case)
    safety_plan = [(title, (plan.safety_plan or {}).get(code) or "") for code, title in SAFETY_PLAN_VI]
    decision = db.session.scalar(queries.latest_decision(common.case.id, "plan", plan.id))
    author = plan.created_by.full_name if plan.created_by else ""
    doc = common.header(
        "plan",
        day=plan.approved_at or plan.created_at,
        number_suffix=f"-{plan.version_no:02d}",
        title=f"Chăm sóc, trợ giúp đối tượng (phiên bản {plan.version_no})",
        signature=Signature(title="NGƯỜI LẬP KẾ HOẠCH", name=author),
    )
    return {
        "doc": doc,
        "plan": plan,
        "goals": [(goal_numbers[g.id], label(cat.NEED_DOMAINS, g.need_domain), g) for g in plan.goals],
        "activities": activities,
        "violence": violence,
        "safety_plan": safety_plan,
        "decision": decision,
        "status": PLAN_STATUSES_VI.get(plan.status, plan.status),
        "author": author,
    }


def _referral(common, item_id):
    referral = db.session.scalar(queries.referral_for_document(common.case.id, item_id))
    if referral is None:
        raise DocumentUnavailable(_l("This case has no referral to print."))
    provider = referral.provider
    consent = db.session.scalar(queries.consent_of(referral)) if referral.consent_id else None
    # NĐ 13/2023/NĐ-CP: the person's identity goes to the provider only under an active
    # consent to share with it; otherwise (emergency override, consent withdrawn) the code alone.
    consented = consent is not None and consent.is_active and consent.child_assent is not False
    provider_confidential = provider.facility is not None and provider.facility.confidential_address
    names = queries.user_names([referral.created_by_id])
    sender = names.get(referral.created_by_id, "")
    doc = common.header(
        "referral",
        day=referral.sent_at,
        number_suffix=f"-{queries.referral_ordinal(referral):02d}",
        title=f"Về việc chuyển gửi đối tượng đến {provider.name}",
        recipients=[f"{provider.name};", ARCHIVE],
        signature=Signature(title="NGƯỜI CHUYỂN GỬI", name=sender),
    )
    return {
        "doc": doc,
        "referral": referral,
        "provider": provider,
        "consent": consent,
        "consented": consented,
        "provider_address": None if provider_confidential else provider.address,
        "service": label(cat.SERVICE_TYPES, referral.service_type),
        "sender": sender,
        "status": REFERRAL_STATUSES_VI.get(referral.status, referral.status),
        "client_birth": str(common.client.birth_year or "") if consented else "",
    }


def _closure(common, item_id):
    case = common.case
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        raise DocumentUnavailable(_l("Only a closed case has a closure record."))
    decision = db.session.scalar(queries.latest_decision(case.id, "closure", case.id))
    evaluation = db.session.scalar(latest_evaluation(case.id))
    follow_ups = db.session.scalars(queries.closure_follow_ups(case)).all()
    approver = decision.decided_by.full_name if decision and decision.decided_by else ""
    doc = common.header(
        "closure",
        day=case.closed_at,
        title="Kết thúc quản lý trường hợp",
        recipients=["Đối tượng/người giám hộ;", ARCHIVE],
        signature=Signature(title="LÃNH ĐẠO PHÊ DUYỆT", name=approver),
    )
    return {
        "doc": doc,
        "decision": decision,
        "evaluation": evaluation,
        "follow_ups": follow_ups,
        "reason": label(cat.CLOSURE_REASONS, case.closure_reason),
        "approver": approver,
        "follow_up_kind": lambda f: label(cat.FOLLOW_UP_KINDS, f.kind),
    }


BUILDERS = {"intake": _intake, "assessment": _assessment, "plan": _plan, "referral": _referral, "closure": _closure}


@dataclass
class GeneratedDocument:
    kind: str
    pdf: bytes
    filename: str


def generate(case, kind, *, by, item_id=None):
    """Render one form of `case` (already loaded in `by`'s case scope, with client, worker and intake)
    and audit it. `item_id` chooses the assessment / plan version or the referral. Raises
    DocumentUnavailable for an unknown kind or a form the case cannot fill."""
    if kind not in KINDS:
        raise DocumentUnavailable(_l("There is no such document."))
    with force_locale("vi"):  # an official Vietnamese document, whatever the user's UI language
        common = _common(case)
        data = BUILDERS[kind](common, item_id)
        pdf = render_pdf(
            KINDS[kind].template,
            case=case,
            client=case.client,
            facility=common.facility,
            facility_address=common.facility_address,
            client_facts=client_facts(case.client),
            case_facts=case_facts(common),
            printed_on=local_today(),
            **data,
        )
    subject = data.get(kind) if kind in ("assessment", "plan", "referral") else None
    record(
        "document_generated",
        by=by,
        entity=case,
        detail={"kind": kind, "case_id": case.id, "subject_id": getattr(subject, "id", None)},
    )
    return GeneratedDocument(kind=kind, pdf=pdf, filename=f"{kind}-{case.number}.pdf")


# --- the links on the case page --------------------------------------------------------------------------


def case_section(case, *, assessments, plans, referrals):
    """The documents the case can print, for templates/cases/_documents.html, from the versions the
    case page has already loaded (newest first, referrals with their provider): no query."""

    def url(kind, item=None):
        return url_for("documents.case_document", case_id=case.id, kind=kind, **({"id": item} if item else {}))

    links = []
    if case.intake_id:
        links.append(queries.DocumentLink("intake", str(KINDS["intake"].label), url("intake")))
    for row in assessments:
        links.append(
            queries.DocumentLink(
                "assessment",
                str(KINDS["assessment"].label),
                url("assessment", row.id),
                note=str(_l("version %(n)s", n=row.version_no)),
            )
        )
    for row in plans:
        links.append(
            queries.DocumentLink(
                "plan", str(KINDS["plan"].label), url("plan", row.id), note=str(_l("version %(n)s", n=row.version_no))
            )
        )
    for row in referrals:
        links.append(
            queries.DocumentLink(
                "referral", str(KINDS["referral"].label), url("referral", row.id), note=row.provider.name
            )
        )
    if case.status == CaseStatus.CLOSED and case.closed_at is not None:
        links.append(queries.DocumentLink("closure", str(KINDS["closure"].label), url("closure")))
    return queries.DocumentsSection(case=case, links=links)


__all__ = [
    "KINDS",
    "Kind",
    "DocumentUnavailable",
    "GeneratedDocument",
    "generate",
    "case_section",
    "client_facts",
    "case_facts",
    "birth_text",
]
