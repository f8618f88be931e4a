"""Referrals on a case: consent required (or a supervisor's audited emergency override), the answer
deadline from the deadline engine, the table of allowed status changes, events and audit."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseEvent
from caseapp.clients.models import Consent
from caseapp.clients.services import withdraw_consent
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import VN_TZ, local_today
from caseapp.extensions import db
from caseapp.referrals import services
from caseapp.referrals.models import Referral

from .helpers import facility_provider, make_provider, make_referral, open_client_case, share_consent


@pytest.fixture()
def case(staff):
    return open_client_case(staff.facility, staff.worker)


@pytest.fixture()
def hospital(staff):
    return make_provider(staff.facility.province_code, name="Bệnh viện Đa khoa tỉnh")


def _form(provider, **extra):
    return {
        "provider_id": str(provider.id),
        "service_type": "medical",
        "reason": "Cần khám vết thương",
        "shared_info": "Họ tên, tuổi; vết thương ở tay",
        **extra,
    }


def _referrals(case):
    return db.session.scalars(sa.select(Referral).where(Referral.case_id == case.id)).all()


def _actions(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


# --- consent ---------------------------------------------------------------------------------------


def test_worker_refers_with_consent_recorded_on_the_spot(staff, case, hospital, signed_in):
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/referrals/new",
        data=_form(hospital, consent_mode="record", consent_given_by="client", is_urgent="y"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [referral] = _referrals(case)
    consent = db.session.get(Consent, referral.consent_id)
    assert consent.purpose == "share_provider" and consent.recipient == hospital.name
    assert referral.status == "sent" and referral.is_urgent and referral.facility_id == staff.facility.id
    assert referral.consent_override_reason is None
    kinds = db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "referral_sent" in kinds
    assert [e.detail["consent"] for e in _actions("referral_sent")] == ["recorded"]
    assert _actions("consent_recorded")


def test_worker_refers_with_a_consent_recorded_before(staff, case, hospital, signed_in):
    consent = share_consent(case, hospital, staff.worker)
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/referrals/new", data=_form(hospital, consent_mode="existing", consent_id=str(consent.id))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [r.consent_id for r in _referrals(case)] == [consent.id]


def test_referral_without_consent_is_refused(staff, case, hospital, signed_in):
    response = signed_in(staff.worker).post(f"/cases/{case.id}/referrals/new", data=_form(hospital))
    assert response.status_code == 422
    assert _referrals(case) == []
    with pytest.raises(ServiceError):
        services.create_referral(
            case,
            provider=hospital,
            service_type="medical",
            reason="x",
            shared_info="y",
            is_urgent=False,
            by=staff.worker,
        )


@pytest.mark.parametrize("problem", ["other_recipient", "withdrawn", "other_client", "child_refused"])
def test_a_consent_that_does_not_cover_this_sharing_is_refused(staff, case, hospital, problem):
    if problem == "other_recipient":
        consent = share_consent(case, hospital, staff.worker, recipient="Công an xã")
    elif problem == "withdrawn":
        consent = share_consent(case, hospital, staff.worker)
        withdraw_consent(consent, reason="Không muốn nữa", by=staff.worker)
    elif problem == "other_client":
        other = open_client_case(staff.facility, staff.worker, full_name="Trần Văn Khác")
        consent = share_consent(other, hospital, staff.worker)
    else:
        consent = share_consent(case, hospital, staff.worker)
        consent.child_assent = False
    with pytest.raises(ServiceError) as refused:
        services.create_referral(
            case,
            provider=hospital,
            service_type="medical",
            reason="x",
            shared_info="y",
            is_urgent=False,
            by=staff.worker,
            consent=consent,
        )
    assert refused.value.field == "consent_id"
    assert _referrals(case) == []


def test_worker_cannot_override_consent(staff, case, hospital, signed_in):
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/referrals/new", data=_form(hospital, consent_mode="override", override_reason="Khẩn cấp")
    )
    assert response.status_code == 403
    assert _referrals(case) == [] and _actions("referral_consent_override") == []
    assert [e.detail["need"] for e in _actions("permission_denied")] == ["override_consent"]
    with pytest.raises(ServiceError):  # the service refuses too, whoever calls it
        services.create_referral(
            case,
            provider=hospital,
            service_type="medical",
            reason="x",
            shared_info="y",
            is_urgent=True,
            by=staff.worker,
            override_reason="Khẩn cấp",
        )


def test_supervisor_overrides_consent_with_a_reason_audited(staff, case, hospital, signed_in):
    client = signed_in(staff.supervisor)
    refused = client.post(f"/cases/{case.id}/referrals/new", data=_form(hospital, consent_mode="override"))
    assert refused.status_code == 422 and _referrals(case) == []  # no reason, no override

    response = client.post(
        f"/cases/{case.id}/referrals/new",
        data=_form(
            hospital, consent_mode="override", override_reason="Trẻ bị thương nặng, không liên lạc được người giám hộ"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [referral] = _referrals(case)
    assert referral.consent_id is None and referral.consent_override_by_id == staff.supervisor.id
    assert referral.consent_override_reason.startswith("Trẻ bị thương nặng")
    [audit] = _actions("referral_consent_override")
    assert audit.user_id == staff.supervisor.id and audit.entity_id == str(referral.id)
    assert "Trẻ" not in str(audit.detail)  # the audit trail never holds the text itself


def test_the_form_shows_the_minimum_sharing_hint_and_no_override_for_workers(staff, case, signed_in):
    page = signed_in(staff.worker).get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    assert "Nghị định 13/2023" in page
    assert 'value="override"' not in page
    assert 'value="override"' in signed_in(staff.supervisor).get(f"/cases/{case.id}/referrals/new").get_data(
        as_text=True
    )


def test_a_case_is_not_referred_to_its_own_facility_nor_when_closed(staff, case):
    own = facility_provider(staff.facility)
    with pytest.raises(ServiceError):
        make_referral(case, own, staff.worker)
    case.status = "closed"
    with pytest.raises(ServiceError):
        make_referral(case, make_provider(staff.facility.province_code, name="Trường học"), staff.worker)


# --- the answer deadline (2 working days, urgent 4 hours) -------------------------------------------------


def test_answer_is_due_in_two_working_days_over_a_weekend(staff, case, hospital):
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=VN_TZ)
    referral = make_referral(case, hospital, staff.worker, at=friday)
    assert referral.answer_due_at == datetime(2026, 3, 10, 10, 0, tzinfo=VN_TZ)  # Tuesday, same hour
    assert referral.answer_due_at.tzinfo is not None


def test_answer_over_a_public_holiday_skips_it(staff, case, hospital):
    before_30_4 = datetime(2026, 4, 29, 9, 0, tzinfo=VN_TZ)  # Wed; 30/4 and 1/5 are days off
    referral = make_referral(case, hospital, staff.worker, at=before_30_4)
    assert referral.answer_due_at == datetime(2026, 5, 5, 9, 0, tzinfo=VN_TZ)  # Mon 4/5, Tue 5/5


def test_urgent_answer_is_due_in_four_hours(staff, case, hospital):
    saturday_night = datetime(2026, 3, 7, 22, 30, tzinfo=VN_TZ)
    referral = make_referral(case, hospital, staff.worker, urgent=True, at=saturday_night)
    assert referral.answer_due_at == saturday_night + timedelta(hours=4)


# --- status changes ----------------------------------------------------------------------------------

STATUSES = ("sent", "accepted", "declined", "completed", "revoked")
ALLOWED = {
    ("sent", "accepted"),
    ("sent", "declined"),
    ("sent", "revoked"),
    ("accepted", "completed"),
    ("accepted", "revoked"),
}


def _at(referral, status):
    referral.status = status
    db.session.commit()  # as the request that moved it would: a refused request later rolls back
    return referral


def _move(referral, to_status, by, side="sender"):
    return services.change_referral_status(
        referral,
        to_status,
        by=by,
        side=side,
        note="Đã gọi điện",
        outcome="Đã được khám",
        outcome_date=local_today(),
        reason="Không cần nữa",
    )


def test_the_transitions_table_is_the_one_tested_here():
    assert {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize("from_status,to_status", [(a, b) for a in STATUSES for b in STATUSES if a != b])
def test_only_allowed_transitions_happen(staff, case, hospital, from_status, to_status):
    referral = _at(make_referral(case, hospital, staff.worker), from_status)
    if (from_status, to_status) in ALLOWED:
        _move(referral, to_status, staff.worker)
        assert referral.status == to_status
    else:
        with pytest.raises(ServiceError):
            _move(referral, to_status, staff.worker)
        assert referral.status == from_status


def test_each_move_is_a_case_event_and_an_audit_event(staff, case, hospital, signed_in):
    referral = make_referral(case, hospital, staff.worker)
    client = signed_in(staff.worker)
    assert (
        client.post(
            f"/referrals/{referral.id}/status",
            data={"to_status": "answer", "decision": "accepted", "note": "Chị Hà khoa Nhi nhận qua điện thoại"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/referrals/{referral.id}/status",
            data={
                "to_status": "completed",
                "outcome": "Đã khám và điều trị",
                "outcome_date": local_today().isoformat(),
            },
        ).status_code
        == 302
    )
    db.session.refresh(referral)
    assert referral.status == "completed" and referral.answer_note.startswith("Chị Hà")
    assert referral.outcome_date == local_today() and referral.completed_at is not None
    kinds = db.session.scalars(
        sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    assert kinds[-3:] == ["referral_sent", "referral_accepted", "referral_completed"]
    assert len(_actions("referral_accepted")) == 1 and len(_actions("referral_completed")) == 1


def test_a_refusal_needs_its_note_and_an_outcome_its_text_and_date(staff, case, hospital, signed_in):
    referral = make_referral(case, hospital, staff.worker)
    client = signed_in(staff.worker)
    assert (
        client.post(
            f"/referrals/{referral.id}/status", data={"to_status": "answer", "decision": "declined"}
        ).status_code
        == 422
    )
    _at(referral, "accepted")
    tomorrow = (local_today() + timedelta(days=2)).isoformat()
    assert (
        client.post(
            f"/referrals/{referral.id}/status",
            data={"to_status": "completed", "outcome": "Xong", "outcome_date": tomorrow},
        ).status_code
        == 422
    )
    assert client.post(f"/referrals/{referral.id}/status", data={"to_status": "revoked"}).status_code == 422
    db.session.refresh(referral)
    assert referral.status == "accepted"


def test_a_facility_of_the_system_answers_its_own_referrals(staff, case, signed_in):
    receiving = facility_provider(staff.other_facility)
    referral = make_referral(case, receiving, staff.worker)
    with pytest.raises(ServiceError):  # the sender does not answer for a facility of the system
        _move(referral, "accepted", staff.worker)
    page = signed_in(staff.outsider).get("/referrals/incoming").get_data(as_text=True)
    assert staff.facility.name in page
    detail = signed_in(staff.outsider).get(f"/referrals/incoming/{referral.id}").get_data(as_text=True)
    assert "vết thương" not in detail and "Cần khám sức khỏe" in detail  # only what was shared
    assert "Nguyễn Thị Lan" not in detail  # never the case itself
    response = signed_in(staff.outsider).post(
        f"/referrals/incoming/{referral.id}",
        data={"to_status": "answer", "decision": "accepted", "note": "Nhận, hẹn thứ Hai"},
    )
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "accepted"
    with pytest.raises(ServiceError):  # the receiver cannot revoke the sender's referral
        _move(referral, "revoked", staff.outsider, side="receiver")
    # another facility's supervisor does not see it at all
    assert signed_in(staff.supervisor).get(f"/referrals/incoming/{referral.id}").status_code == 404


def test_referral_page_is_audited_and_read_only_for_colleagues_outside_the_case(staff, case, hospital, signed_in):
    referral = make_referral(case, hospital, staff.worker)
    assert signed_in(staff.worker).get(f"/referrals/{referral.id}").status_code == 200
    assert [e.user_id for e in _actions("referral_viewed")] == [staff.worker.id]
    assert signed_in(staff.colleague).get(f"/referrals/{referral.id}").status_code == 404
    assert signed_in(staff.outside_worker).get(f"/referrals/{referral.id}").status_code == 404
    assert (
        signed_in(staff.colleague)
        .post(f"/referrals/{referral.id}/status", data={"to_status": "revoked", "reason": "x"})
        .status_code
        == 404
    )
