"""Writes of the service directory, referrals (chuyển gửi) and transfers of a case to another facility.
Services validate, flush and audit; the view commits. The acting user is always an argument."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _

from ..audit.services import record
from ..cases.models import Case
from ..cases.services import add_event, ensure_editable
from ..clients.models import Client
from ..clients.services import record_consent
from ..core import categories
from ..core.services import ServiceError
from ..core.text import fold, nfc, nfc_text
from ..core.timeutil import as_utc, to_local, utcnow
from ..deadlines.rules import due_at
from ..extensions import db
from ..org.models import Commune, Facility
from ..security.policy import Perm, has_perm
from ..security.rules import adds_providers_approved, can_decide_provider, provider_owner_for, provider_serves_case
from .models import Provider, ProviderStatus, Referral, ReferralStatus, Transfer, TransferStatus

TEXT_MAX = 4000
REASON_MAX = 2000


def _text(value, field, *, required_message=None, max_length=TEXT_MAX):
    """NFC, line breaks kept; refused when required and empty or when too long."""
    value = nfc_text(value)
    if required_message is not None and not value:
        raise ServiceError(required_message, field=field)
    if len(value) > max_length:
        raise ServiceError(_("At most %(max)d characters.", max=max_length), field=field)
    return value or None


# --- the service directory -------------------------------------------------------------------------

PROVIDER_FIELDS = (
    "name",
    "kind",
    "province_code",
    "commune_code",
    "address",
    "phone",
    "email",
    "contact_person",
    "services",
    "capacity_note",
    "opening_hours",
    "is_active",
)
# A facility's own entry: name, kind, place and address come from the facility (never a confidential
# address); the directory editor keeps its contacts, services and capacity up to date.
FACILITY_ENTRY_FIELDS = ("phone", "email", "contact_person", "services", "capacity_note", "opening_hours")


def search_text(provider):
    parts = (provider.name, provider.contact_person, provider.address, provider.phone, provider.email)
    return fold(" ".join(p for p in parts if p))[:1200]


def _clean_provider(data, *, fields):
    data = {key: data.get(key) for key in fields if key in data}
    for key in ("name", "address", "phone", "email", "contact_person", "capacity_note", "opening_hours"):
        if key in data:
            data[key] = nfc(data[key]) or None
    if "name" in data and not data["name"]:
        raise ServiceError(_("Enter the name of the organisation."), field="name")
    if "kind" in data:
        manual_kinds = set(categories.codes(categories.PROVIDER_KINDS)) - {"facility"}
        if data["kind"] not in manual_kinds:
            raise ServiceError(_("Choose the kind of organisation."), field="kind")
    if "province_code" in data and not data["province_code"]:
        raise ServiceError(_("Choose the province."), field="province_code")
    if "commune_code" in data:
        data["commune_code"] = data["commune_code"] or None
        if data["commune_code"]:
            commune = db.session.get(Commune, data["commune_code"])
            if commune is None or commune.province_code != data.get("province_code"):
                raise ServiceError(_("The commune does not belong to the chosen province."), field="commune_code")
    if "services" in data:
        known = set(categories.codes(categories.SERVICE_TYPES))
        services = list(dict.fromkeys(data["services"] or []))
        if any(code not in known for code in services):
            raise ServiceError(_("Choose the services from the list."), field="services")
        data["services"] = services
    if data.get("email") and "@" not in data["email"]:
        raise ServiceError(_("Enter a valid e-mail address."), field="email")
    if "is_active" in data:
        data["is_active"] = bool(data["is_active"])
    return data


def create_provider(data, *, by):
    """An outside organisation (hospital, police, legal aid, Hội LHPN, school, commune …), which belongs
    to the facility of the user who adds it (security.rules.provider_owner_for). A supervisor's is in
    the directory at once; a social worker's is a proposal a supervisor of the facility approves."""
    data = _clean_provider(data, fields=PROVIDER_FIELDS)
    data.setdefault("services", [])
    approved = adds_providers_approved(by)
    provider = Provider(
        **data,
        owner_facility_id=provider_owner_for(by),
        status=ProviderStatus.APPROVED if approved else ProviderStatus.PENDING,
        proposed_by_id=by.id,
    )
    provider.search_text = search_text(provider)
    db.session.add(provider)
    db.session.flush()
    record(
        "provider_created" if approved else "provider_proposed",
        by=by,
        entity=provider,
        facility_id=getattr(by, "facility_id", None),
        detail={"kind": provider.kind},
    )
    return provider


def decide_provider(provider, *, approve, reason, by, at=None):
    """A supervisor of the facility approves a proposed organisation (it enters the directory and the
    referral form) or rejects it with the reason, which the proposer reads."""
    if provider.status != ProviderStatus.PENDING:
        raise ServiceError(_("This organisation was already decided."))
    if not can_decide_provider(by, provider):
        raise ServiceError(_("Another supervisor of the facility decides on your own proposal."))
    reason = _text(
        reason,
        "reason",
        max_length=REASON_MAX,
        required_message=None if approve else _("Give the reason for rejecting."),
    )
    provider.status = ProviderStatus.APPROVED if approve else ProviderStatus.REJECTED
    provider.decided_by_id = by.id
    provider.decided_at = as_utc(at) if at else utcnow()
    provider.rejection_reason = None if approve else reason
    db.session.flush()
    record(
        "provider_approved" if approve else "provider_rejected",
        by=by,
        entity=provider,
        facility_id=provider.owner_facility_id,
        detail={"kind": provider.kind, "proposed_by_id": provider.proposed_by_id},
    )
    return provider


def update_provider(provider, data, *, by):
    fields = FACILITY_ENTRY_FIELDS if provider.is_facility else PROVIDER_FIELDS
    data = _clean_provider(data, fields=fields)
    changed = sorted(key for key, value in data.items() if getattr(provider, key) != value)
    for key, value in data.items():
        setattr(provider, key, value)
    provider.search_text = search_text(provider)
    record(
        "provider_updated",
        by=by,
        entity=provider,
        facility_id=getattr(by, "facility_id", None),
        detail={"fields": changed},
    )
    db.session.flush()
    return provider


def _facility_entry_values(facility):
    """What a facility's directory entry shows of it. A confidential address (and the commune, which
    narrows it down) is never copied into the directory, which every facility reads: perpetrators
    must never learn where a victim is."""
    confidential = facility.confidential_address
    return {
        "name": facility.name,
        "kind": "facility",
        "province_code": facility.province_code,
        "commune_code": None if confidential else facility.commune_code,
        "address": None if confidential else facility.street_address,
        "is_active": facility.is_active,
    }


def sync_facility_provider(facility):
    """Keep the facility's directory entry in step with it: called where a facility is created or
    changed (the facility admin pages, `flask setup`, the demo seed), never when the directory is read."""
    return ensure_facility_providers(facility_id=facility.id)


def ensure_facility_providers(province_code=None, *, facility_id=None):
    """Make the facilities of the system (of one province, or all) appear in the directory: one
    Provider row of kind 'facility' per facility, created when missing and kept in step with the
    facility (name, place, active; a confidential address is never copied, and is removed from an
    entry if the facility became confidential). Idempotent; returns the number of rows written.
    Cheap when nothing changed: one read."""
    stmt = sa.select(Facility, Provider).outerjoin(Provider, Provider.facility_id == Facility.id).order_by(Facility.id)
    if province_code:
        stmt = stmt.where(sa.or_(Facility.province_code == province_code, Provider.province_code == province_code))
    if facility_id is not None:
        stmt = stmt.where(Facility.id == facility_id)
    written = 0
    for facility, provider in db.session.execute(stmt).all():
        wanted = _facility_entry_values(facility)
        if provider is None:
            if not facility.is_active:
                continue
            provider = Provider(facility_id=facility.id, phone=facility.phone, services=[], **wanted)
            provider.search_text = search_text(provider)
            try:
                with db.session.begin_nested():  # another request may have created it a moment ago
                    db.session.add(provider)
            except sa.exc.IntegrityError:
                continue
            written += 1
            continue
        if any(getattr(provider, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(provider, key, value)
            provider.search_text = search_text(provider)
            written += 1
    if written:
        db.session.flush()
    return written


# --- referrals -----------------------------------------------------------------------------------

# Allowed moves of a referral: from-status → statuses it may move to.
TRANSITIONS = {
    "sent": {"accepted", "declined", "revoked"},
    "accepted": {"completed", "revoked"},
    "declined": set(),
    "completed": set(),
    "revoked": set(),
}
# Who records each move: "answer" — the receiving facility's supervisor when the provider is a facility
# of the system, else the sender (the outside provider answered by phone or letter); "either" — the
# sender or, for a facility of the system, the receiver; "sender" — only the sending side.
RECORDED_BY = {"accepted": "answer", "declined": "answer", "completed": "either", "revoked": "sender"}
SIDES = ("sender", "receiver")


def may_record(referral, to_status, side):
    """Does the `side` ("sender" | "receiver") record this move? `referral.provider` must be loaded."""
    who = RECORDED_BY.get(to_status)
    in_system = referral.provider.is_facility
    if who == "answer":
        return side == ("receiver" if in_system else "sender")
    if who == "either":
        return side == "sender" or (side == "receiver" and in_system)
    return who == "sender" and side == "sender"


def allowed_moves(referral, side):
    """The statuses this side may move the referral to now, in a stable order."""
    order = ("accepted", "declined", "completed", "revoked")
    return [s for s in order if s in TRANSITIONS.get(referral.status, ()) and may_record(referral, s, side)]


# A consent recorded at intake often names the kind of organisation rather than one of them ("trợ giúp
# pháp lý", "Hội LHPN"): it covers the outside organisations of that kind (folded, core.text.fold).
KIND_RECIPIENT_NAMES = {
    "legal_aid": ("legal aid", "trợ giúp pháp lý", "trung tâm trợ giúp pháp lý", "tgpl"),
    "women_union": ("women's union", "hội liên hiệp phụ nữ", "hội lhpn", "hội phụ nữ"),
    "hospital": ("hospital", "bệnh viện", "cơ sở y tế"),
    "police": ("police", "công an"),
    "school": ("school", "trường học", "nhà trường"),
    "commune": ("commune people's committee", "ủy ban nhân dân xã", "ubnd xã", "ubnd phường"),
    "ngo": ("ngo", "tổ chức xã hội", "tổ chức phi chính phủ"),
}


def consent_names_provider(recipient, provider):
    """Does the recipient a consent names cover this provider: its name, or — for an outside
    organisation — its kind (KIND_RECIPIENT_NAMES)?"""
    named = fold(recipient or "").strip()
    if named == fold(provider.name):
        return True
    kind_names = () if provider.is_facility else KIND_RECIPIENT_NAMES.get(provider.kind, ())
    return named in {fold(name) for name in kind_names}


def consent_problem(consent, case, provider):
    """Why this consent does not cover sharing with the provider (or None when it does): it must be
    the client's, for sharing with a named provider, this one (or its kind, consent_names_provider),
    not withdrawn, and — for a child of 7 or more — with the child's own agreement
    (NĐ 13/2023/NĐ-CP, Điều 20)."""
    if consent is None or consent.client_id != case.client_id or consent.purpose != "share_provider":
        return _("Choose a consent of this client to share information with a provider.")
    if not consent.is_active:
        return _("This consent was withdrawn.")
    if consent.child_assent is False:
        return _("The child did not agree to this sharing.")
    if not consent_names_provider(consent.recipient, provider):
        return _(
            "This consent names another recipient (%(recipient)s). Record the client's consent to share "
            "with %(provider)s.",
            recipient=consent.recipient or "—",
            provider=provider.name,
        )
    return None


def create_referral(
    case,
    *,
    provider,
    service_type,
    reason,
    shared_info,
    is_urgent,
    by,
    consent=None,
    new_consent=None,
    override_reason=None,
    at=None,
):
    """Refer the client of `case` to `provider`. Consent is required (NĐ 13/2023/NĐ-CP): an active consent
    of the client to share with this provider (`consent`), or one recorded now (`new_consent`: given_by,
    giver_name, child_assent), or — a supervisor only, in an emergency — an override with its reason,
    audited as referral_consent_override. The answer is due by the deadline rule 'referral_answer'."""
    ensure_editable(case)
    if (
        provider is None
        or not provider.is_active
        or not provider.is_approved
        or not provider_serves_case(provider, case)
    ):
        raise ServiceError(_("Choose a provider from the directory."), field="provider_id")
    if provider.facility_id is not None and provider.facility_id == case.facility_id:
        raise ServiceError(_("A case cannot be referred to its own facility."), field="provider_id")
    if service_type not in categories.codes(categories.SERVICE_TYPES):
        raise ServiceError(_("Choose the service."), field="service_type")
    reason = _text(reason, "reason", required_message=_("Give the reason for the referral."), max_length=REASON_MAX)
    shared_info = _text(
        shared_info, "shared_info", required_message=_("Write what information is shared with the provider.")
    )

    modes = [
        m
        for m, given in (
            ("existing", consent is not None),
            ("recorded", new_consent is not None),
            ("override", override_reason is not None),
        )
        if given
    ]
    if len(modes) != 1:
        raise ServiceError(
            _("The client's consent is required to share information with a provider."), field="consent_mode"
        )
    mode = modes[0]
    override_text = None
    if mode == "existing":
        problem = consent_problem(consent, case, provider)
        if problem is not None:
            raise ServiceError(problem, field="consent_id")
    elif mode == "recorded":
        client = db.session.get(Client, case.client_id)
        given_by = new_consent.get("given_by")
        if given_by not in ("client", "guardian"):
            raise ServiceError(_("Say who gives the consent."), field="consent_given_by")
        giver_name = nfc(new_consent.get("giver_name")) or None
        if given_by == "guardian" and not giver_name:
            raise ServiceError(_("Enter the name of the guardian who consents."), field="consent_giver_name")
        age = client.age
        assent = new_consent.get("child_assent") if age is not None and 7 <= age < 16 else None
        if assent is False:
            raise ServiceError(_("The child did not agree to this sharing."), field="child_assent")
        consent = record_consent(
            client,
            purpose="share_provider",
            given_by=given_by,
            by=by,
            giver_name=giver_name or client.full_name or client.alias,
            recipient=provider.name,
            child_assent=assent,
            given_at=at,
        )
    else:
        if not has_perm(by, Perm.OVERRIDE_CONSENT):
            raise ServiceError(_("Only a supervisor may refer without the client's consent."), field="consent_mode")
        override_text = _text(
            override_reason,
            "override_reason",
            required_message=_("Give the reason for referring without consent."),
            max_length=REASON_MAX,
        )

    sent_at = as_utc(at) if at else utcnow()
    referral = Referral(
        case_id=case.id,
        facility_id=case.facility_id,
        provider_id=provider.id,
        service_type=service_type,
        reason=reason,
        shared_info=shared_info,
        is_urgent=bool(is_urgent),
        consent_id=consent.id if consent is not None else None,
        consent_override_reason=override_text,
        consent_override_by_id=by.id if override_text else None,
        status="sent",
        sent_at=sent_at,
        # The receiver answers within 2 working days (emergency: 4 hours), the facility's default.
        answer_due_at=due_at("referral_answer", sent_at, variant="urgent" if is_urgent else "default"),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(referral)
    db.session.flush()
    add_event(case, "referral_sent", by=by, text=provider.name, at=sent_at)
    record(
        "referral_sent",
        by=by,
        entity=referral,
        detail={
            "case_id": case.id,
            "provider_id": provider.id,
            "service_type": service_type,
            "urgent": bool(is_urgent),
            "consent": mode,
        },
    )
    if override_text:
        record(
            "referral_consent_override", by=by, entity=referral, detail={"case_id": case.id, "provider_id": provider.id}
        )
    return referral


def _received_on(received_on, referral, at):
    """The day an outside provider's answer reached the sender: today unless given; between the day
    the referral was sent and today."""
    if received_on is None:
        return to_local(at).date()
    if received_on > to_local(at).date() or received_on < to_local(referral.sent_at).date():
        raise ServiceError(_("The date is between the day the referral was sent and today."), field="received_on")
    return received_on


def change_referral_status(
    referral,
    to_status,
    *,
    by,
    side,
    note=None,
    outcome=None,
    outcome_date=None,
    reason=None,
    received_on=None,
    at=None,
):
    """Move a referral along TRANSITIONS, recorded by the side RECORDED_BY allows: accepted / declined
    with the answer note (and, from an outside provider, the day it was received), completed with the
    outcome and its date, revoked with the reason. Each move is a CaseEvent on the case and an audit
    event. `referral.provider` must be loaded."""
    if side not in SIDES:
        raise ValueError(side)
    if side == "sender":  # the sender's case is read-only once closed, until reopened
        ensure_editable(db.session.get(Case, referral.case_id))
    from_status = referral.status
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise ServiceError(_("A referral cannot move from this status to the chosen one."), field="to_status")
    if not may_record(referral, to_status, side):
        if side == "sender":
            raise ServiceError(_("The receiving facility records this answer in caseapp."), field="to_status")
        raise ServiceError(_("Only the sending facility records this."), field="to_status")
    at = as_utc(at) if at else utcnow()
    text = None
    if to_status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        note = _text(
            note,
            "note",
            max_length=REASON_MAX,
            required_message=_("Write the provider's answer.") if to_status == ReferralStatus.DECLINED else None,
        )
        if not referral.provider.is_facility:  # answered by phone or letter, recorded by the sender
            referral.answer_received_on = _received_on(received_on, referral, at)
        referral.answered_at = at
        referral.answer_note = note
        text = note
    elif to_status == ReferralStatus.COMPLETED:
        outcome = _text(outcome, "outcome", required_message=_("Write the outcome of the referral."))
        if outcome_date is None:
            raise ServiceError(_("Enter the date of the outcome."), field="outcome_date")
        if outcome_date > to_local(at).date() or outcome_date < to_local(referral.sent_at).date():
            raise ServiceError(_("The date is between the day the referral was sent and today."), field="outcome_date")
        referral.completed_at = at
        referral.outcome = outcome
        referral.outcome_date = outcome_date
        text = outcome
    elif to_status == ReferralStatus.REVOKED:
        reason = _text(
            reason, "reason", max_length=REASON_MAX, required_message=_("Give the reason for revoking the referral.")
        )
        referral.revoked_at = at
        referral.revoke_reason = reason
        text = reason
    referral.status = to_status
    case = db.session.get(Case, referral.case_id)
    label = referral.provider.name
    add_event(case, f"referral_{to_status}", by=by, text=f"{label}\n{text}" if text else label, at=at)
    record(
        f"referral_{to_status}",
        by=by,
        entity=referral,
        facility_id=getattr(by, "facility_id", None) if side == "receiver" else None,
        detail={"case_id": referral.case_id, "from": from_status, "to": to_status, "side": side},
    )
    db.session.flush()
    return referral


def escalation_due_at(referral):
    """When an unanswered referral escalates to the sender's supervisor (1 working day
    for an urgent one, 3 otherwise, counted from the answer deadline)."""
    return due_at("escalation", referral.answer_due_at, variant="urgent" if referral.is_urgent else "default")


def escalate_overdue(now=None):
    """Mark escalated_at, once, on every referral still unanswered past its escalation time; return
    those marked now (the reminders feature notifies the supervisors). A plain function: idempotent,
    safe with two schedulers (each row is claimed with a conditional UPDATE), flushes, never commits."""
    now = as_utc(now) if now else utcnow()
    candidates = db.session.scalars(
        sa.select(Referral)
        .where(Referral.status == ReferralStatus.SENT, Referral.escalated_at.is_(None), Referral.answer_due_at < now)
        .order_by(Referral.id)
    ).all()
    escalated = []
    for referral in candidates:
        if escalation_due_at(referral) > now:
            continue
        claimed = db.session.execute(
            sa.update(Referral)
            .where(Referral.id == referral.id, Referral.status == ReferralStatus.SENT, Referral.escalated_at.is_(None))
            .values(escalated_at=now, version=Referral.version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        db.session.refresh(referral)
        add_event(db.session.get(Case, referral.case_id), "referral_escalated", by=None, at=now)
        record("referral_escalated", by=None, entity=referral, detail={"case_id": referral.case_id})
        escalated.append(referral)
    db.session.flush()
    return escalated


# --- transfers -------------------------------------------------------------------------------------


def pending_transfer_of(case_id):
    return db.session.scalar(
        sa.select(Transfer).where(Transfer.case_id == case_id, Transfer.status == TransferStatus.PENDING)
    )


def request_transfer(case, *, to_facility, reason, by, at=None):
    """Ask another facility of the system to take over the case; its supervisor decides. One pending
    transfer per case (also a partial unique index)."""
    ensure_editable(case)
    if to_facility is None or not to_facility.is_active or to_facility.id == case.facility_id:
        raise ServiceError(_("Choose another active facility of the system."), field="to_facility_id")
    reason = _text(reason, "reason", required_message=_("Give the reason for the transfer."), max_length=REASON_MAX)
    # Lock the case row (PostgreSQL) so two requests at the same moment cannot both pass the check.
    db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update())
    if pending_transfer_of(case.id) is not None:
        raise ServiceError(_("A transfer of this case is already awaiting an answer."), field="to_facility_id")
    at = as_utc(at) if at else utcnow()
    transfer = Transfer(
        case_id=case.id,
        from_facility_id=case.facility_id,
        to_facility_id=to_facility.id,
        reason=reason,
        status="pending",
        requested_by_id=getattr(by, "id", None),
        requested_at=at,
    )
    db.session.add(transfer)
    case.updated_at = at  # bumps the case's version: a concurrent change of the case fails, not overwrites
    db.session.flush()
    add_event(case, "transfer_requested", by=by, text=f"→ {to_facility.name}\n{reason}", at=at)
    record(
        "transfer_requested",
        by=by,
        entity=case,
        detail={"transfer_id": transfer.id, "from": case.facility_id, "to": to_facility.id},
    )
    return transfer


def _claim_pending(transfer, values):
    """Decide a pending transfer exactly once: a conditional UPDATE, so two decisions cannot both win."""
    claimed = db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer.id, Transfer.status == TransferStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise ServiceError(_("This transfer was already decided."))
    db.session.refresh(transfer)


def decide_transfer(transfer, *, accept, note, by, at=None):
    """The receiving facility's supervisor accepts or declines. On accept, in this one transaction,
    the case moves to the receiving facility with no worker assigned (its supervisor assigns one); the
    case keeps its status and its whole history; the sending facility's supervisors keep reading it
    (security.case_scope). On decline nothing moves; the sender sees the decision on the case."""
    if transfer.status != TransferStatus.PENDING:
        raise ServiceError(_("This transfer was already decided."))
    if getattr(by, "facility_id", None) != transfer.to_facility_id:
        raise ServiceError(_("Only the receiving facility decides on a transfer."))
    note = _text(
        note, "note", max_length=REASON_MAX, required_message=None if accept else _("Give the reason for declining.")
    )
    at = as_utc(at) if at else utcnow()
    case = db.session.get(Case, transfer.case_id)
    if accept:
        ensure_editable(case)
        if case.facility_id != transfer.from_facility_id:
            raise ServiceError(_("The case is no longer at the facility that asked for the transfer."))
    status = "accepted" if accept else "declined"
    _claim_pending(
        transfer, {"status": status, "decided_by_id": getattr(by, "id", None), "decided_at": at, "decision_note": note}
    )
    names = dict(
        db.session.execute(
            sa.select(Facility.id, Facility.name).where(
                Facility.id.in_((transfer.from_facility_id, transfer.to_facility_id))
            )
        ).all()
    )
    moved = f"{names.get(transfer.from_facility_id)} → {names.get(transfer.to_facility_id)}"
    if accept:
        previous_worker = case.assigned_worker_id
        case.facility_id = transfer.to_facility_id
        case.assigned_worker_id = None
        case.updated_at = at
        add_event(case, "transfer_accepted", by=by, text=f"{moved}\n{note}" if note else moved, at=at)
        record(
            "transfer_accepted",
            by=by,
            entity=case,
            detail={
                "transfer_id": transfer.id,
                "from": transfer.from_facility_id,
                "to": transfer.to_facility_id,
                "previous_worker_id": previous_worker,
            },
        )
    else:
        add_event(case, "transfer_declined", by=by, text=f"{moved}\n{note}", at=at)
        record(
            "transfer_declined",
            by=by,
            entity=case,
            facility_id=transfer.to_facility_id,
            detail={"transfer_id": transfer.id, "from": transfer.from_facility_id, "to": transfer.to_facility_id},
        )
    db.session.flush()
    return transfer


def cancel_transfer(transfer, *, by, at=None):
    """The sending side withdraws a transfer request that is still pending."""
    if transfer.status != TransferStatus.PENDING:
        raise ServiceError(_("This transfer was already decided."))
    at = as_utc(at) if at else utcnow()
    _claim_pending(transfer, {"status": "cancelled", "decided_by_id": getattr(by, "id", None), "decided_at": at})
    case = db.session.get(Case, transfer.case_id)
    add_event(case, "transfer_cancelled", by=by, at=at)
    record("transfer_cancelled", by=by, entity=case, detail={"transfer_id": transfer.id})
    db.session.flush()
    return transfer
