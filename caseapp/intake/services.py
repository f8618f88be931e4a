"""Writes of the intake (tiếp nhận, TT 02/2020/TT-BLĐTBXH step 0): receive the person or the report,
screen urgency and safety, decide — open a case / advice only / refer out — and record consent."""

from datetime import timedelta

from flask_babel import gettext as _

from ..audit.services import record
from ..auth.models import User
from ..cases.services import open_case
from ..clients.services import record_consent, update_client
from ..core import categories
from ..core.services import ServiceError
from ..core.text import nfc
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Intake
from .queries import assignable_workers

# The first screening: a short question set, each answered yes / no / unknown.
SCREENING_QUESTIONS = tuple(categories.codes(categories.SCREENING_QUESTIONS))
ANSWERS = tuple(categories.codes(categories.SCREENING_ANSWERS))
CONSENT_FIELDS = {"services": "consent_services", "share_provider": "consent_share", "reports": "consent_reports"}


def suggest_urgency(answers, *, child: bool = False) -> str:
    """The urgency the screening answers call for (pure). The worker may raise it, never lower it.

    - danger right now → khẩn cấp;
    - a child with the alleged perpetrator able to reach them → khẩn cấp: emergency measures within
      12 hours of the report (NĐ 56/2017/NĐ-CP, Điều 26.3);
    - injuries needing care while the perpetrator can reach them or there is no safe place → khẩn cấp;
    - injuries, perpetrator access, or no safe place tonight → cao;
    - a child involved, or danger not known → trung bình; otherwise thấp."""

    def yes(key):
        return answers.get(key) == "yes"

    child = child or yes("child_involved")
    no_safe_place = answers.get("safe_place") == "no"
    if yes("danger_now"):
        return "emergency"
    if child and yes("perpetrator_access"):
        return "emergency"
    if yes("injured") and (yes("perpetrator_access") or no_safe_place):
        return "emergency"
    if yes("injured") or yes("perpetrator_access") or no_safe_place:
        return "high"
    if child or answers.get("danger_now") not in ("no",):
        return "medium"
    return "low"


def _text(data, key, limit):
    value = nfc(data.get(key)) or None
    return value[:limit] if value else None


def _validate(client, data, facility):
    received_at = data.get("received_at")
    if received_at is None:
        raise ServiceError(_("Enter when the person or the report was received."), field="received_at")
    if received_at > utcnow() + timedelta(minutes=5):
        raise ServiceError(_("The time received cannot be in the future."), field="received_at")
    if data.get("channel") not in categories.codes(categories.CHANNELS):
        raise ServiceError(_("Choose how the person or the report came in."), field="channel")
    problems = [p for p in data.get("problems") or [] if p in categories.codes(categories.PROBLEMS)]
    if not problems:
        raise ServiceError(_("Tick at least one presenting problem."), field="problems")
    decision = data.get("decision")
    if decision not in categories.codes(categories.INTAKE_DECISIONS):
        raise ServiceError(_("Choose the decision."), field="decision")
    if decision == "refer_out" and not nfc(data.get("referred_to")):
        raise ServiceError(_("Name where the person is referred to."), field="referred_to")
    if decision == "open_case":
        if data.get("case_type") not in categories.codes(categories.CASE_TYPES):
            raise ServiceError(_("Choose the case type."), field="case_type")
        if data.get("care_kind") and data["care_kind"] not in categories.codes(categories.CARE_KINDS):
            raise ServiceError(_("Choose the kind of care."), field="care_kind")
        worker_id = data.get("assigned_worker_id")
        allowed = db.session.scalar(assignable_workers(facility.id).where(User.id == worker_id)) if worker_id else None
        if allowed is None:
            raise ServiceError(
                _("Choose an active social worker or supervisor of this facility."), field="assigned_worker_id"
            )
    return problems


def create_intake(client, data, *, facility, by):
    """Record an intake in one transaction: the intake, its consents and — decision open_case — the
    case in status 'tiếp nhận' with its number. Flushes and audits; the caller commits.
    Returns (intake, case or None)."""
    if client.facility_id != facility.id:
        raise ServiceError(_("The client belongs to another facility."))
    problems = _validate(client, data, facility)
    answers = {key: (data.get(key) if data.get(key) in ANSWERS else "unknown") for key in SCREENING_QUESTIONS}
    suggested = suggest_urgency(answers, child=client.is_child)
    urgency = data.get("urgency") or suggested
    if urgency not in categories.URGENCY_RANK:
        raise ServiceError(_("Choose the urgency."), field="urgency")
    if categories.URGENCY_RANK[urgency] > categories.URGENCY_RANK[suggested]:
        raise ServiceError(
            _(
                "The screening answers call for at least “%(level)s”: the urgency may be raised, not lowered.",
                level=categories.label(categories.URGENCY, suggested),
            ),
            field="urgency",
        )
    decision = data["decision"]
    intake = Intake(
        facility_id=facility.id,
        client_id=client.id,
        received_at=data["received_at"],
        channel=data["channel"],
        referrer_name=_text(data, "referrer_name", 128),
        referrer_org=_text(data, "referrer_org", 255),
        referrer_contact=_text(data, "referrer_contact", 128),
        problems=problems,
        problem_note=_text(data, "problem_note", 4000),
        screening={**answers, "suggested_urgency": suggested},
        urgency=urgency,
        decision=decision,
        referred_to=_text(data, "referred_to", 255) if decision == "refer_out" else None,
        note=_text(data, "note", 4000),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(intake)
    db.session.flush()

    # Consent per purpose (NĐ 13/2023/NĐ-CP): who gave it, when, for what, to whom.
    purposes = [purpose for purpose, field in CONSENT_FIELDS.items() if data.get(field)]
    if purposes:
        given_by = data.get("consent_given_by")
        if given_by not in ("client", "guardian"):
            raise ServiceError(_("Say who gives the consent."), field="consent_given_by")
        giver_name = nfc(data.get("consent_giver_name")) or None
        if given_by == "guardian" and not giver_name:
            raise ServiceError(_("Enter the name of the guardian who consents."), field="consent_giver_name")
        age = client.age
        # The child's own agreement from age 7 (NĐ 13/2023/NĐ-CP, Điều 20); not asked of others.
        assent = data.get("child_assent") if age is not None and 7 <= age < 16 else None
        for purpose in purposes:
            record_consent(
                client,
                purpose=purpose,
                given_by=given_by,
                by=by,
                giver_name=giver_name or client.full_name or client.alias,
                recipient=data.get("share_recipient") if purpose == "share_provider" else None,
                child_assent=assent,
                intake=intake,
                given_at=data["received_at"],
            )

    case = None
    if decision == "open_case":
        if data.get("is_sensitive") and not client.is_sensitive:
            update_client(client, {"is_sensitive": True}, by=by)  # sealed case → sealed client record
        case = open_case(
            facility=facility,
            client=client,
            case_type=data["case_type"],
            urgency=urgency,
            by=by,
            assigned_worker_id=data["assigned_worker_id"],
            intake=intake,
            care_kind=data.get("care_kind") or None,
            is_sensitive=bool(data.get("is_sensitive")),
        )
    record(
        "intake_created",
        by=by,
        entity=intake,
        detail={
            "decision": decision,
            "urgency": urgency,
            "channel": intake.channel,
            "case_id": case.id if case is not None else None,
        },
    )
    return intake, case
