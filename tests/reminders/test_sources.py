"""Every kind of due item gets its reminder rows, made by the services of its own domain with no
call of their own (the flush hook of reminders.services): referral answers, the emergency
admission's intake record and shelter stay end, the needs assessment."""

from datetime import timedelta

import pytest

from caseapp.core.timeutil import as_utc, utcnow
from caseapp.extensions import db
from caseapp.referrals import services as referral_services
from caseapp.shelter import services as shelter_services

from .. import factories
from ..referrals.helpers import make_provider, make_referral, open_client_case
from .conftest import rows


@pytest.fixture(autouse=True)
def request_context(app, session):
    with app.test_request_context():  # services raise translated refusals
        yield


def test_referral_answer_is_reminded_and_escalates_when_the_referral_page_says(staff):
    case = open_client_case(staff.facility, staff.worker)
    hospital = make_provider(staff.facility.province_code)
    referral = make_referral(case, hospital, staff.worker, urgent=True)
    db.session.commit()
    found = {r.slot: r for r in rows(case.id, "referral_answer")}
    assert set(found) == {"0", "escalation"}  # answered within 4 hours: no "one day before"
    assert as_utc(found["0"].due_at) == as_utc(referral.answer_due_at)
    # one rule for the referral page and the reminder (an urgent referral escalates after 1 working day)
    assert as_utc(found["escalation"].remind_at) == as_utc(referral_services.escalation_due_at(referral))

    referral_services.change_referral_status(
        referral, "revoked", by=staff.worker, side="sender", reason="Gia đình tự đưa đi khám"
    )
    db.session.commit()
    assert rows(case.id, "referral_answer", "pending") == []


def test_emergency_admission_reminds_the_intake_record_and_the_end_of_the_stay(staff):
    shelter = factories.make_facility(code="NTLNHAC", name="Nhà tạm lánh nhắc việc", type="shelter")
    shelter_services.add_room(shelter, name="P1", beds=2, by=None)
    shelter_staff = factories.make_user(role="shelter_staff", facility=shelter)
    factories.make_user(role="supervisor", facility=shelter)
    admission = shelter_services.admit_emergency(
        shelter,
        by=shelter_staff,
        alias="Chị H.",
        sex="female",
        approximate_age=30,
        arrived_at=utcnow() - timedelta(minutes=5),
        brought_by="police",
        children=[],
        immediate_needs=["medical"],
        immediate_danger=True,
    )
    db.session.commit()
    case_id = admission.case.id
    kinds = {r.item_kind for r in rows(case_id, status="pending")}
    assert {"intake_completion", "shelter_stay_end"} <= kinds
    intake = {r.slot: r for r in rows(case_id, "intake_completion")}
    assert as_utc(intake["0"].due_at) <= utcnow() + timedelta(hours=24)


def test_submitting_the_assessment_cancels_its_reminders(staff, case):
    from caseapp.plans import services as plan_services

    from ..plans.conftest import assessment_data

    assert rows(case.id, "assessment", "pending")
    plan_services.create_assessment(case, assessment_data(), by=staff.worker, submit=True)
    db.session.commit()
    assert rows(case.id, "assessment", "pending") == []
    # approved at once or sent for approval: either way the worker is no longer reminded of it
    assert {r.status for r in rows(case.id, "assessment")} == {"cancelled"}
