"""Organisations outside caseapp (legal aid, Hội LHPN, hospitals, police …): a facility adds its own —
a supervisor at once, a social worker's proposal after a supervisor's approval —, refers to them with
the consent recorded at intake, and records their answer and the outcome itself, since they cannot
answer in caseapp. Another facility's organisation is not found."""

from datetime import timedelta

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case
from caseapp.clients.models import Consent
from caseapp.clients.services import create_client
from caseapp.core.timeutil import local_today
from caseapp.deadlines.rules import due_at
from caseapp.extensions import db
from caseapp.referrals.models import Provider, Referral
from caseapp.referrals.services import consent_names_provider

from .helpers import facility_provider, open_client_case, outside_provider, proposed_provider, share_consent

LEGAL_AID = "Trung tâm Trợ giúp pháp lý Nhà nước tỉnh"


def _provider_form(**extra):
    return {
        "name": LEGAL_AID,
        "kind": "legal_aid",
        "phone": "0203 3825 111",
        "contact_person": "Luật sư Trần Minh",
        "services": ["legal_aid"],
        "opening_hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
        "is_active": "y",
        **extra,
    }


def _referral_form(provider, **extra):
    return {
        "provider_id": str(provider.id),
        "service_type": "legal_aid",
        "reason": "Cần tư vấn thủ tục ly hôn và quyền nuôi con",
        "shared_info": "Họ tên, số điện thoại, tóm tắt vụ việc",
        **extra,
    }


def _actions(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _named(name):
    return db.session.scalar(sa.select(Provider).where(Provider.name == name))


# --- adding and approving ------------------------------------------------------------------------


def test_supervisor_adds_an_outside_organisation_of_the_facility(staff, signed_in):
    response = signed_in(staff.supervisor).post(
        "/providers/new", data=_provider_form(province_code=staff.facility.province_code)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    provider = _named(LEGAL_AID)
    assert provider.status == "approved" and provider.owner_facility_id == staff.facility.id
    assert provider.opening_hours == "Thứ Hai – Thứ Sáu, 7:30–17:00"
    assert [e.entity_id for e in _actions("provider_created")] == [str(provider.id)]
    page = signed_in(staff.worker).get("/providers").get_data(as_text=True)
    assert LEGAL_AID in page and "7:30–17:00" in page
    case = open_client_case(staff.facility, staff.worker)
    assert LEGAL_AID in signed_in(staff.worker).get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)


def test_a_workers_proposal_waits_for_a_supervisors_approval(staff, signed_in):
    worker = signed_in(staff.worker)
    response = worker.post("/providers/new", data=_provider_form(province_code=staff.facility.province_code))
    assert response.status_code == 302 and response.headers["Location"].endswith("/providers/proposals")
    provider = _named(LEGAL_AID)
    assert provider.status == "pending" and provider.proposed_by_id == staff.worker.id
    assert _actions("provider_proposed") and not _actions("provider_created")
    # neither in the directory nor in the referral form until approved
    listed = f"<strong>{LEGAL_AID}</strong>"
    assert listed not in worker.get("/providers").get_data(as_text=True)
    case = open_client_case(staff.facility, staff.worker)
    share_consent(case, provider, staff.worker)
    refused = worker.post(f"/cases/{case.id}/referrals/new", data=_referral_form(provider, consent_mode="record"))
    assert refused.status_code == 422
    assert "Chờ lãnh đạo phê duyệt" in worker.get("/providers/proposals").get_data(as_text=True)
    # the worker cannot approve it
    assert (
        worker.post(f"/providers/{provider.id}/decide", data={f"p{provider.id}-decision": "approve"}).status_code == 403
    )

    supervisor = signed_in(staff.supervisor)
    assert LEGAL_AID in supervisor.get("/providers/proposals").get_data(as_text=True)
    approved = supervisor.post(f"/providers/{provider.id}/decide", data={f"p{provider.id}-decision": "approve"})
    assert approved.status_code == 302
    db.session.refresh(provider)
    assert provider.status == "approved" and provider.decided_by_id == staff.supervisor.id
    assert [e.user_id for e in _actions("provider_approved")] == [staff.supervisor.id]
    assert listed in worker.get("/providers").get_data(as_text=True)


def test_a_rejection_needs_its_reason_which_the_worker_reads(staff, signed_in):
    provider = proposed_provider(staff.facility, staff.worker)
    supervisor = signed_in(staff.supervisor)
    key = f"p{provider.id}"
    no_reason = supervisor.post(f"/providers/{provider.id}/decide", data={f"{key}-decision": "reject"})
    assert no_reason.status_code == 422
    db.session.refresh(provider)
    assert provider.status == "pending"
    reason = "Đã có Hội LHPN tỉnh trong danh bạ"
    rejected = supervisor.post(
        f"/providers/{provider.id}/decide", data={f"{key}-decision": "reject", f"{key}-reason": reason}
    )
    assert rejected.status_code == 302
    db.session.refresh(provider)
    assert provider.status == "rejected" and provider.rejection_reason == reason
    assert _actions("provider_rejected")
    assert reason in signed_in(staff.worker).get("/providers/proposals").get_data(as_text=True)
    again = supervisor.post(f"/providers/{provider.id}/decide", data={f"{key}-decision": "approve"})
    assert again.status_code == 422 and "Tổ chức này đã được quyết định rồi." in again.get_data(as_text=True)


# --- referring with consent ----------------------------------------------------------------------


def _case_from_intake(staff, signed_in, recipient):
    """A case opened at intake where the client consented to share with `recipient`."""
    client = create_client({"full_name": "Phạm Thị Hòa", "sex": "female"}, facility=staff.facility, by=staff.worker)
    response = signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}",
        data={
            "received_at": "2026-12-07T09:00",
            "channel": "walk_in",
            "problems": ["domestic_violence"],
            "danger_now": "no",
            "injured": "no",
            "child_involved": "no",
            "perpetrator_access": "no",
            "safe_place": "yes",
            "decision": "open_case",
            "case_type": "center",
            "care_kind": "continuous",
            "assigned_worker_id": str(staff.worker.id),
            "consent_share": "y",
            "share_recipient": recipient,
            "consent_given_by": "client",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db.session.scalar(sa.select(Case).where(Case.client_id == client.id))
    consent = db.session.scalar(
        sa.select(Consent).where(Consent.client_id == client.id, Consent.purpose == "share_provider")
    )
    return case, consent


def test_the_legal_aid_consent_given_at_intake_covers_an_outside_legal_aid_centre(staff, signed_in):
    legal_aid = outside_provider(staff.facility, name=LEGAL_AID)
    case, consent = _case_from_intake(staff, signed_in, "Trợ giúp pháp lý")
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/referrals/new",
        data=_referral_form(legal_aid, consent_mode="existing", consent_id=str(consent.id)),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalar(sa.select(Referral).where(Referral.case_id == case.id))
    assert referral.provider_id == legal_aid.id and referral.consent_id == consent.id
    # the answer is due by the one deadline engine's rule, as for any referral
    assert referral.answer_due_at == due_at("referral_answer", referral.sent_at)
    assert [e.detail["consent"] for e in _actions("referral_sent")] == ["existing"]


def test_a_consent_names_a_provider_or_the_kind_of_an_outside_one(staff):
    legal_aid = outside_provider(staff.facility, name=LEGAL_AID)
    for recipient in (LEGAL_AID, "trợ giúp pháp lý", "TRO GIUP PHAP LY", "Legal aid", "TGPL"):
        assert consent_names_provider(recipient, legal_aid), recipient
    for recipient in ("Hội LHPN", "Trung tâm Trợ giúp pháp lý tỉnh bạn", "", None):
        assert not consent_names_provider(recipient, legal_aid), recipient
    # a facility of the system is named, never covered by a kind
    assert not consent_names_provider("Facility in the system", facility_provider(staff.other_facility))


def test_referring_to_legal_aid_without_its_consent_is_refused(staff, signed_in):
    legal_aid = outside_provider(staff.facility, name=LEGAL_AID)
    case, consent = _case_from_intake(staff, signed_in, "Hội LHPN")  # consent for the Women's Union only
    worker = signed_in(staff.worker)
    wrong = worker.post(
        f"/cases/{case.id}/referrals/new",
        data=_referral_form(legal_aid, consent_mode="existing", consent_id=str(consent.id)),
    )
    assert wrong.status_code == 422
    assert "Hãy ghi nhận sự đồng ý" in wrong.get_data(as_text=True)
    none = worker.post(f"/cases/{case.id}/referrals/new", data=_referral_form(legal_aid))
    assert none.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Referral.id)).where(Referral.case_id == case.id)) == 0
    assert "Cần tư vấn thủ tục ly hôn" in wrong.get_data(as_text=True)  # what was typed is kept


# --- the sender records the answer and closes --------------------------------------------------


def test_the_sender_records_the_answer_its_date_and_the_outcome(staff, signed_in):
    legal_aid = outside_provider(staff.facility, name=LEGAL_AID)
    case = open_client_case(staff.facility, staff.worker)
    consent = share_consent(case, legal_aid, staff.worker, recipient="trợ giúp pháp lý")
    worker = signed_in(staff.worker)
    sent = worker.post(
        f"/cases/{case.id}/referrals/new",
        data=_referral_form(legal_aid, consent_mode="existing", consent_id=str(consent.id)),
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    referral = db.session.scalar(sa.select(Referral).where(Referral.case_id == case.id))
    page = worker.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Ngày nhận được trả lời" in page

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = worker.post(
        f"/referrals/{referral.id}/status",
        data={"to_status": "answer", "decision": "accepted", "received_on": tomorrow},
    )
    assert future.status_code == 422
    answered = worker.post(
        f"/referrals/{referral.id}/status",
        data={
            "to_status": "answer",
            "decision": "accepted",
            "note": "Luật sư Trần Minh nhận qua điện thoại, hẹn gặp thứ Năm",
            "received_on": local_today().isoformat(),
        },
    )
    assert answered.status_code == 302, answered.get_data(as_text=True)
    closed = worker.post(
        f"/referrals/{referral.id}/status",
        data={
            "to_status": "completed",
            "outcome": "Đã được tư vấn, luật sư nhận bảo vệ quyền lợi",
            "outcome_date": local_today().isoformat(),
        },
    )
    assert closed.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "completed" and referral.answer_received_on == local_today()
    assert referral.outcome.startswith("Đã được tư vấn") and referral.outcome_date == local_today()
    assert _actions("referral_accepted") and _actions("referral_completed")


# --- one facility's organisations are its own ----------------------------------------------------


def test_another_facilitys_organisation_is_not_found(staff, signed_in):
    ours = outside_provider(staff.facility, name=LEGAL_AID)
    proposal = proposed_provider(staff.facility, staff.worker)
    outsider = signed_in(staff.outsider)
    assert outsider.get(f"/providers/{ours.id}/edit").status_code == 404
    assert (
        outsider.post(f"/providers/{proposal.id}/decide", data={f"p{proposal.id}-decision": "approve"}).status_code
        == 404
    )
    assert LEGAL_AID not in outsider.get("/providers").get_data(as_text=True)
    assert "Hội Liên hiệp Phụ nữ phường" not in outsider.get("/providers/proposals").get_data(as_text=True)
    # nor offered to, nor accepted from, the other facility's referral form
    their_case = open_client_case(staff.other_facility, staff.outside_worker, full_name="Lê Văn Ngoài")
    form = signed_in(staff.outside_worker)
    assert LEGAL_AID not in form.get(f"/cases/{their_case.id}/referrals/new").get_data(as_text=True)
    refused = form.post(
        f"/cases/{their_case.id}/referrals/new",
        data=_referral_form(ours, consent_mode="record", consent_given_by="client"),
    )
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Referral.id)).where(Referral.provider_id == ours.id)) == 0
    db.session.refresh(proposal)
    assert proposal.status == "pending"
    # the own facility's supervisor edits it
    assert signed_in(staff.supervisor).get(f"/providers/{ours.id}/edit").status_code == 200
