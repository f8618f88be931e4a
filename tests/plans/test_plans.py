"""Intervention plan (kế hoạch trợ giúp, TT 02/2020/TT-BLĐTBXH bước 2): goals tied to assessed needs,
activities, the review date from the deadline engine, the client's participation, the safety plan
of violence cases, versions kept, approval → superseded and implementation."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.approvals.models import Approval
from caseapp.approvals.services import decide
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import local_today, to_local, utcnow
from caseapp.deadlines.rules import due_at
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.models import CarePlan, PlanActivity, PlanGoal

from .conftest import FULL_SAFETY_PLAN, approved_assessment, new_case, plan_data, plan_form, reload


def _plans(case):
    return db.session.scalars(
        sa.select(CarePlan).where(CarePlan.case_id == case.id).order_by(CarePlan.version_no)
    ).all()


def _approval_of(plan):
    return db.session.scalar(
        sa.select(Approval).where(
            Approval.subject_type == "plan", Approval.subject_id == plan.id, Approval.status == "pending"
        )
    )


@pytest.fixture()
def planning_case(people, case):
    approved_assessment(case, people.worker, levels={"safety": "high", "mental_health": "medium", "legal": "none"})
    return case


def test_a_plan_needs_an_approved_assessment(people, case, signed_in):
    response = signed_in(people.worker).get(f"/cases/{case.id}/plans/new")
    assert response.status_code == 200
    assert "Hồ sơ này chưa có" in response.get_data(as_text=True)
    with pytest.raises(ServiceError):
        services.create_plan(case, plan_data(), by=people.worker)


def test_saving_a_plan_through_the_page_keeps_goals_activities_and_participation(people, planning_case, signed_in):
    case = planning_case
    data = plan_form(
        goals=[("safety", "An toàn cho chị"), ("mental_health", "Ổn định tâm lý")],
        activities=[
            {
                "goal": "2",
                "service_type": "counselling",
                "description": "Tham vấn",
                "responsible_user_id": str(people.colleague.id),
                "start_on": "2030-01-05",
                "due_on": "2030-02-05",
                "status": "in_progress",
            },
            {
                "goal": "",
                "service_type": "legal_aid",
                "description": "Trợ giúp pháp lý",
                "responsible_org": "Trung tâm TGPL tỉnh",
            },
        ],
        participation="Chị tự chọn mục tiêu",
        guardian_participated="y",
    )
    response = signed_in(people.worker).post(f"/cases/{case.id}/plans/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [plan] = _plans(case)
    assert (plan.version_no, plan.status, plan.created_by_id) == (1, "draft", people.worker.id)
    assert plan.client_participation == "Chị tự chọn mục tiêu" and plan.guardian_participated
    goals = db.session.scalars(sa.select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.position)).all()
    assert [(g.need_domain, g.description) for g in goals] == [
        ("safety", "An toàn cho chị"),
        ("mental_health", "Ổn định tâm lý"),
    ]
    activities = db.session.scalars(
        sa.select(PlanActivity).where(PlanActivity.plan_id == plan.id).order_by(PlanActivity.position)
    ).all()
    first, second = activities
    assert (first.goal_id, first.responsible_user_id, first.status, str(first.due_on)) == (
        goals[1].id,
        people.colleague.id,
        "in_progress",
        "2030-02-05",
    )
    assert (second.goal_id, second.responsible_org, second.service_type) == (None, "Trung tâm TGPL tỉnh", "legal_aid")
    page = signed_in(people.worker).get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    for text in (
        "Ổn định tâm lý",
        "Phạm Thị Đồng Nghiệp",
        "Trung tâm TGPL tỉnh",
        "Tư vấn, tham vấn tâm lý",
        "Đang thực hiện",
        "05/02/2030",
        "Chị tự chọn mục tiêu",
        "Bản nháp",
    ):
        assert text in page, text


def test_goals_address_only_the_needs_the_assessment_found(people, planning_case, signed_in):
    page = signed_in(people.worker).get(f"/cases/{planning_case.id}/plans/new").get_data(as_text=True)
    assert '<option value="safety">An toàn</option>' in page
    assert '<option value="legal">' not in page  # assessed as "no need"
    response = signed_in(people.worker).post(
        f"/cases/{planning_case.id}/plans/new", data=plan_form(goals=[("legal", "Làm giấy tờ")])
    )
    assert response.status_code == 422
    assert "Mục tiêu 1: chọn một nhu cầu đã xác định trong đánh giá." in response.get_data(as_text=True)
    assert _plans(planning_case) == []


def test_an_activity_is_refused_with_its_row_number_and_the_input_stays(people, planning_case, signed_in):
    data = plan_form(
        activities=[
            {
                "goal": "1",
                "service_type": "counselling",
                "description": "Tham vấn",
                "responsible_org": "Hội LHPN",
                "start_on": "2030-03-01",
                "due_on": "2030-02-01",
            }
        ]
    )
    response = signed_in(people.worker).post(f"/cases/{planning_case.id}/plans/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Hoạt động 1: hạn hoàn thành sớm hơn ngày bắt đầu." in page
    assert "Đảm bảo an toàn cho chị Lan" in page and 'value="2030-03-01"' in page


def test_the_responsible_person_must_work_at_the_facility(people, planning_case):
    with pytest.raises(ServiceError) as refused:
        services.create_plan(planning_case, plan_data(responsible=people.outsider), by=people.worker)
    assert "người của cơ sở" in str(refused.value)


def test_add_more_rows_re_renders_with_the_input_kept(people, planning_case, signed_in):
    data = plan_form(goals=[("safety", "Mục tiêu đã gõ")], add_rows="goals")
    response = signed_in(people.worker).post(f"/cases/{planning_case.id}/plans/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mục tiêu đã gõ" in page
    assert 'name="goals-4-description"' in page  # 2 rows offered + 3 added
    assert "<script" not in page.split("</head>")[1]  # no inline script: the rows come from the server
    assert _plans(planning_case) == []


def test_review_date_defaults_from_the_deadline_engine(people, case, signed_in):
    approved_assessment(case, people.worker, risk="medium")
    page = signed_in(people.worker).get(f"/cases/{case.id}/plans/new").get_data(as_text=True)
    thirty = to_local(due_at("plan_review", utcnow())).date()
    assert f'value="{thirty.isoformat()}"' in page
    case2 = new_case(people.facility, people.worker, name="Trần Thị B")
    approved_assessment(case2, people.worker, risk="high")
    page = signed_in(people.worker).get(f"/cases/{case2.id}/plans/new").get_data(as_text=True)
    fourteen = to_local(due_at("plan_review", utcnow(), variant="urgent")).date()
    assert f'value="{fourteen.isoformat()}"' in page
    assert (thirty - fourteen).days == 16


def test_sending_for_approval_needs_a_complete_plan(people, planning_case):
    plan = services.create_plan(planning_case, plan_data(participation=""), by=people.worker)
    plan = db.session.scalar(
        sa.select(CarePlan)
        .where(CarePlan.id == plan.id)
        .execution_options(populate_existing=True)
        .options(sa.orm.selectinload(CarePlan.goals), sa.orm.selectinload(CarePlan.activities))
    )
    with pytest.raises(ServiceError) as refused:
        services.request_plan_approval(plan, planning_case, by=people.worker)
    assert refused.value.field == "client_participation"
    with pytest.raises(ServiceError) as refused:
        services.create_plan(planning_case, plan_data(goals=(), activities=[]), by=people.worker, submit=True)


def test_violence_cases_need_the_safety_plan(people, signed_in):
    case = new_case(people.facility, people.worker, case_type="emergency_shelter")
    from .conftest import ALL_NO

    approved_assessment(case, people.worker, safety=ALL_NO)
    client = signed_in(people.worker)
    response = client.post(f"/cases/{case.id}/plans/new", data=plan_form(action="submit"))
    assert response.status_code == 422
    assert "Trường hợp bạo lực cần có kế hoạch an toàn đầy đủ." in response.get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/plans/new", data=plan_form(action="submit", safety_plan=FULL_SAFETY_PLAN))
    assert response.status_code == 302
    [plan] = _plans(case)
    assert plan.status == "pending" and plan.safety_plan == FULL_SAFETY_PLAN
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert "Nhà mẹ đẻ" in page and "Kế hoạch an toàn" in page


def test_approval_supersedes_the_plan_in_force_and_moves_the_case_to_implementation(people, planning_case):
    case = planning_case
    first = services.create_plan(case, plan_data(), by=people.worker, submit=True)
    decide(_approval_of(first), approve=True, comment=None, by=people.supervisor)
    first = reload(first)
    assert (first.status, first.approved_by_id) == ("approved", people.supervisor.id) and first.approved_at
    assert reload(case).status == "implementation"

    second = services.create_plan(
        case, plan_data(goals=[("mental_health", "Ổn định tâm lý")]), by=people.worker, submit=True
    )
    assert second.version_no == 2
    assert reload(first).status == "approved"  # still in force while the revision waits
    decide(_approval_of(second), approve=True, comment="Đồng ý", by=people.supervisor)
    assert [(p.version_no, p.status) for p in _plans(case)] == [(1, "superseded"), (2, "approved")]
    # the superseded version keeps its goals
    assert (
        db.session.scalar(sa.select(PlanGoal.description).where(PlanGoal.plan_id == first.id))
        == "Đảm bảo an toàn cho chị Lan"
    )


def test_a_new_plan_starts_from_the_last_version(people, planning_case, signed_in):
    plan = services.create_plan(
        planning_case, plan_data(goals=[("mental_health", "Mục tiêu cũ rất riêng")]), by=people.worker, submit=True
    )
    decide(_approval_of(plan), approve=True, comment=None, by=people.supervisor)
    page = signed_in(people.worker).get(f"/cases/{planning_case.id}/plans/new").get_data(as_text=True)
    assert "Mục tiêu cũ rất riêng" in page and "Tham vấn tâm lý hằng tuần" in page


def test_an_unapproved_plan_blocks_a_second_one(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    response = signed_in(people.worker).get(f"/cases/{planning_case.id}/plans/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{plan.id}")
    with pytest.raises(ServiceError):
        services.create_plan(planning_case, plan_data(), by=people.worker)


def test_past_review_date_is_refused_when_sending(people, planning_case):
    with pytest.raises(ServiceError) as refused:
        services.create_plan(
            planning_case, plan_data(review=local_today() - timedelta(days=1)), by=people.worker, submit=True
        )
    assert refused.value.field == "review_due_on"


def test_only_a_draft_or_returned_plan_is_sent_for_approval(people, planning_case, signed_in):
    plan = services.create_plan(planning_case, plan_data(), by=people.worker, submit=True)
    client = signed_in(people.worker)
    response = client.post(f"/cases/{planning_case.id}/plans/{plan.id}/request-approval")
    assert response.status_code == 302
    page = client.get(f"/cases/{planning_case.id}/plans/{plan.id}").get_data(as_text=True)
    assert "Chỉ gửi phê duyệt được bản nháp hoặc kế hoạch bị trả lại." in page
    assert db.session.scalar(sa.select(sa.func.count(Approval.id)).where(Approval.subject_id == plan.id)) == 1


def test_a_planned_activity_reads_as_planned_not_as_a_scheduled_follow_up(people, planning_case, signed_in):
    """ "Planned" is a plan activity's status here (msgctxt "plan activity"), not a follow-up's."""
    response = signed_in(people.worker).post(f"/cases/{planning_case.id}/plans/new", data=plan_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    [plan] = _plans(planning_case)
    page = signed_in(people.worker).get(f"/cases/{planning_case.id}/plans/{plan.id}").get_data(as_text=True)
    assert ">Đã lên kế hoạch</td>" in page
    assert "Đã lên lịch" not in page
