"""Each kind of due item appears for the right user, with the rule's due date and source, and goes
away when the work is done (or the case is no longer open). Items are read through
caseapp.deadlines.items, which the case page, the tasks page and the reminders all use."""

from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from caseapp.approvals.models import Approval
from caseapp.approvals.services import decide
from caseapp.cases.caseload.models import CaseFlag
from caseapp.cases.followups.models import FollowUp
from caseapp.clients.models import Client
from caseapp.core.timeutil import VN_TZ, as_utc, utcnow
from caseapp.deadlines import items as deadlines
from caseapp.deadlines.rules import due_at, rule_for
from caseapp.extensions import db
from caseapp.plans import queries as plan_queries
from caseapp.plans import services as plan_services
from caseapp.referrals.services import change_referral_status
from caseapp.shelter import services as shelter_services
from caseapp.shelter.services import AdmittedChild, SafetyCheck

from .. import factories
from ..plans.conftest import approved_assessment, assessment_data, plan_data
from ..referrals.helpers import make_provider, make_referral
from ..shelter.test_complete_intake import form as complete_intake_form
from .conftest import new_case


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ).astimezone(timezone.utc)


def items_of(user, kind=None, case=None):
    found = deadlines.user_items(user).items
    return [i for i in found if (kind is None or i.kind == kind) and (case is None or i.case_id == case.id)]


def one(user, kind, case):
    found = items_of(user, kind, case)
    assert len(found) == 1, found
    return found[0]


# --- needs assessment --------------------------------------------------------------------------------


def test_a_new_case_has_its_assessment_due_in_3_working_days_for_its_worker(people):
    case = new_case(people.facility, people.worker, opened_at=vn(2026, 12, 4, 10, 0))  # a Friday
    item = one(people.worker, "assessment", case)
    assert item.due_at == vn(2026, 12, 9, 10, 0)  # Wednesday
    assert item.source == rule_for("assessment").source and item.assignee_id == people.worker.id
    assert item.case_number == case.number and item.client_label == "Nguyễn Thị Lan"
    assert items_of(people.colleague, case=case) == []  # not the colleague's task (nor in their scope)
    assert items_of(people.supervisor, case=case) == []  # the supervisor's own list: cases assigned to them


def test_an_emergency_or_high_risk_case_has_the_assessment_due_in_1_working_day(people):
    emergency = new_case(people.facility, people.worker, urgency="emergency", opened_at=vn(2026, 12, 4, 10, 0))
    assert one(people.worker, "assessment", emergency).due_at == vn(2026, 12, 7, 10, 0)
    high_risk = new_case(people.facility, people.worker, opened_at=vn(2026, 12, 4, 10, 0))
    high_risk.risk_level = "high"
    db.session.flush()
    assert one(people.worker, "assessment", high_risk).due_at == vn(2026, 12, 7, 10, 0)


def test_the_assessment_item_goes_away_when_the_assessment_is_sent_for_approval(people):
    people.facility.requires_assessment_approval = True
    case = new_case(people.facility, people.worker)
    draft = plan_services.create_assessment(case, _assessment(), by=people.worker, submit=False)
    assert draft.status == "draft" and one(people.worker, "assessment", case)  # a draft is not done
    plan_services.update_assessment(draft, case, _assessment(), version=draft.version, by=people.worker)
    assert draft.status == "pending"
    assert items_of(people.worker, case=case) == []  # no assessment due, and no plan before the approval
    approval = db.session.scalar(
        sa.select(Approval).where(Approval.subject_id == draft.id, Approval.subject_type == "assessment")
    )
    decide(approval, approve=True, comment=None, by=people.supervisor)
    plan = one(people.worker, "plan", case)
    # TT 02/2020, bước 2: 7 working days from the approval
    assert plan.due_at == due_at("plan", as_utc(approval.decided_at))


def _assessment():
    return assessment_data()


# --- intervention plan and its review ------------------------------------------------------------------


def test_the_plan_is_due_7_working_days_after_the_assessment_and_done_when_sent(people):
    case = new_case(people.facility, people.worker)
    assessment = approved_assessment(case, people.worker)
    assert items_of(people.worker, "assessment", case) == []
    item = one(people.worker, "plan", case)
    assert item.due_at == due_at("plan", as_utc(assessment.assessed_at))
    assert item.source == "Thông tư 02/2020/TT-BLĐTBXH, bước 2; thời hạn: mặc định của hệ thống"
    plan = plan_services.create_plan(case, plan_data(), by=people.worker, submit=False)
    assert one(people.worker, "plan", case)  # a draft plan is not done
    db.session.expire_all()
    plan = db.session.scalars(plan_queries.plan_of_case(case.id, plan.id)).unique().one()  # goals loaded
    plan_services.request_plan_approval(plan, case, by=people.worker)
    assert items_of(people.worker, "plan", case) == []


def test_a_child_protection_plan_is_due_5_working_days_from_the_report(people):
    case = new_case(people.facility, people.worker, case_type="child_protection", opened_at=vn(2027, 2, 2, 14, 0))
    item = one(people.worker, "plan", case)  # even before any assessment
    assert item.due_at == vn(2027, 2, 16, 14, 0)  # Tết 2027 (4–10 Feb) is not counted
    assert item.source == "Nghị định 56/2017/NĐ-CP, Điều 27"
    assert one(people.worker, "assessment", case)


def test_the_current_plan_has_its_review_due_on_the_review_date(people):
    case = new_case(people.facility, people.worker)
    approved_assessment(case, people.worker)
    review_on = (utcnow() + timedelta(days=20)).astimezone(VN_TZ).date()
    plan = plan_services.create_plan(case, plan_data(review=review_on), by=people.worker, submit=True)
    assert items_of(people.worker, "plan_review", case) == []  # not in force yet
    approval = db.session.scalar(
        sa.select(Approval).where(Approval.subject_id == plan.id, Approval.subject_type == "plan")
    )
    decide(approval, approve=True, comment=None, by=people.supervisor)
    item = one(people.worker, "plan_review", case)
    assert item.due_at == datetime.combine(review_on, time(23, 59, 59), VN_TZ)
    # a revised plan in force replaces the review date
    later = review_on + timedelta(days=10)
    revised = plan_services.create_plan(case, plan_data(review=later), by=people.worker, submit=True)
    decide(
        db.session.scalar(
            sa.select(Approval).where(Approval.subject_id == revised.id, Approval.subject_type == "plan")
        ),
        approve=True,
        comment=None,
        by=people.supervisor,
    )
    assert [i.due_at.astimezone(VN_TZ).date() for i in items_of(people.worker, "plan_review", case)] == [later]


# --- follow-ups, referrals, flags ------------------------------------------------------------------------


def test_a_scheduled_follow_up_is_due_for_its_assignee_until_done_or_cancelled(people):
    case = new_case(people.facility, people.worker)
    due = utcnow() + timedelta(days=2)
    visit = FollowUp(
        case_id=case.id,
        facility_id=case.facility_id,
        kind="home_visit",
        purpose="Thăm nhà",
        due_at=due,
        created_by_id=people.worker.id,
    )
    call = FollowUp(
        case_id=case.id,
        facility_id=case.facility_id,
        kind="phone",
        due_at=due + timedelta(days=1),
        assigned_to_id=people.supervisor.id,
        created_by_id=people.worker.id,
    )
    db.session.add_all([visit, call])
    db.session.flush()
    item = one(people.worker, "follow_up", case)  # unassigned: the case worker's
    assert (item.ref_id, item.due_at, item.detail, item.sub_kind) == (visit.id, due, "Thăm nhà", "home_visit")
    assert [i.ref_id for i in items_of(people.supervisor, "follow_up")] == [call.id]
    visit.done_at = utcnow()
    call.cancelled_at = utcnow()
    db.session.flush()
    assert items_of(people.worker, "follow_up") == [] and items_of(people.supervisor, "follow_up") == []


def test_a_referral_awaits_its_answer_for_the_sender_until_answered(people):
    case = new_case(people.facility, people.worker)
    provider = make_provider(people.facility.province_code)
    referral = make_referral(case, provider, people.worker, urgent=True)
    item = one(people.worker, "referral_answer", case)
    assert item.due_at == as_utc(referral.answer_due_at) == as_utc(referral.sent_at) + timedelta(hours=4)
    assert item.detail == provider.name and item.ref_id == referral.id
    assert (
        item.is_overdue(referral.sent_at + timedelta(hours=5))
        == referral.is_overdue(referral.sent_at + timedelta(hours=5))
        is True
    )
    change_referral_status(referral, "accepted", by=people.worker, side="sender", note="Đã nhận")
    assert items_of(people.worker, "referral_answer") == []


def test_a_supervisor_flag_is_due_for_the_flagged_worker_until_resolved(people):
    case = new_case(people.facility, people.worker)
    flag = CaseFlag(
        case_id=case.id,
        facility_id=case.facility_id,
        raised_by_id=people.supervisor.id,
        to_user_id=people.worker.id,
        note="Cần gọi lại cho gia đình",
        due_at=utcnow() + timedelta(days=1),
    )
    db.session.add(flag)
    db.session.flush()
    item = one(people.worker, "flag", case)
    assert item.detail == "Cần gọi lại cho gia đình" and item.assignee_id == people.worker.id
    assert items_of(people.supervisor, "flag") == []
    flag.resolved_at = utcnow()
    db.session.flush()
    assert items_of(people.worker, "flag") == []


# --- emergency admission: intake record and shelter stay ----------------------------------------------------


def test_an_emergency_admission_brings_the_intake_record_and_the_stay_end(people, signed_in):
    shelter = factories.make_facility(code="NTLDL", name="Nhà tạm lánh", type="shelter", max_stay_days=30)
    shelter_services.add_room(shelter, name="P1", beds=2, by=None)
    staff = factories.make_user(role="shelter_staff", facility=shelter)
    arrived = utcnow() - timedelta(hours=1)
    admission = shelter_services.admit_emergency(
        shelter,
        by=staff,
        alias="Chị H.",
        sex="female",
        approximate_age=30,
        arrived_at=arrived,
        brought_by="police",
        children=[AdmittedChild(age=6, sex="female")],
        immediate_needs=[],
        immediate_danger=True,
    )
    case = admission.case
    intake = one(staff, "intake_completion", case)
    assert intake.due_at == as_utc(arrived) + timedelta(hours=24) and intake.urgency == "emergency"
    stay_end = one(staff, "shelter_stay_end", case)  # one item for the adult and her child
    assert stay_end.due_at == as_utc(arrived) + timedelta(days=30) and stay_end.ref_id == admission.stay.id
    assert one(staff, "assessment", case).due_at == due_at("assessment", as_utc(case.opened_at), variant="urgent")
    person = db.session.get(Client, admission.stay.client_id)
    response = signed_in(staff).post(
        f"/shelter/cases/{case.id}/complete-intake", data=complete_intake_form(case, person)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert items_of(staff, "intake_completion") == [] and one(staff, "shelter_stay_end", case)
    shelter_services.check_out(
        admission.stay, destination="relatives", reason="Về nhà mẹ đẻ", safety=SafetyCheck("safe"), by=staff
    )
    db.session.flush()
    assert items_of(staff, "intake_completion") == [] and items_of(staff, "shelter_stay_end") == []


# --- open cases only, per case -------------------------------------------------------------------------------


def test_a_closed_case_keeps_only_its_follow_ups_and_a_transferred_one_nothing(people):
    case = new_case(people.facility, people.worker)
    db.session.add(FollowUp(case_id=case.id, facility_id=case.facility_id, kind="phone", due_at=utcnow()))
    db.session.add(
        CaseFlag(
            case_id=case.id,
            facility_id=case.facility_id,
            raised_by_id=people.supervisor.id,
            to_user_id=people.worker.id,
            note="Kiểm tra",
            due_at=utcnow(),
        )
    )
    db.session.flush()
    assert {i.kind for i in items_of(people.worker, case=case)} == {"assessment", "follow_up", "flag"}
    case.status = "closed"
    db.session.flush()
    # the follow-ups after closure are worked on the closed case (TT 02/2020, bước 5)
    assert [(i.kind, i.source) for i in items_of(people.worker, case=case)] == [
        ("follow_up", "Thông tư 02/2020/TT-BLĐTBXH, bước 5; thời hạn: mặc định của hệ thống")
    ]
    assert [i.kind for i in deadlines.case_items(case, people.worker)] == ["follow_up"]
    case.status = "transferred"
    db.session.flush()
    assert items_of(people.worker, case=case) == [] and deadlines.case_items(case, people.worker) == []


def test_case_items_list_every_due_item_of_the_case_whoever_it_is_for(people):
    case = new_case(people.facility, people.worker)
    other = new_case(people.facility, people.worker, name="Trần Văn Bình")
    db.session.add(
        CaseFlag(
            case_id=case.id,
            facility_id=case.facility_id,
            raised_by_id=people.supervisor.id,
            to_user_id=people.colleague.id,
            note="Hỗ trợ",
            due_at=utcnow() + timedelta(days=3),
        )
    )
    db.session.flush()
    found = deadlines.case_items(case, people.supervisor)
    assert {i.kind for i in found} == {"assessment", "flag"} and {i.case_id for i in found} == {case.id}
    assert other.id not in {i.case_id for i in found}


def test_facility_items_for_jobs_cover_every_worker_of_the_facility_and_no_other(people, monkeypatch):
    monkeypatch.setattr(deadlines, "KIND_LIMIT", 1)  # a page's cap; a job reads everything
    mine = new_case(people.facility, people.worker)
    colleagues = new_case(people.facility, people.colleague, name="Trần Văn Bình")
    unassigned = new_case(people.facility, None, by=people.supervisor, name="Chưa Phân Công")
    theirs = new_case(people.other_facility, people.outside_worker, name="Khách Cơ Sở Khác")
    found = deadlines.facility_items(people.facility.id)
    assert not found.truncated
    assert {i.case_id for i in found.items} == {mine.id, colleagues.id, unassigned.id}
    assert theirs.id not in {i.case_id for i in found.items}
    assert {i.key for i in found.items} == {("assessment", c.id, None) for c in (mine, colleagues, unassigned)}
