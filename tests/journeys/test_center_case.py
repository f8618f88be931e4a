"""A centre case (Trung tâm CTXH) run from intake to closure and reopened, through the pages, as the
social worker and the supervisors do it (TT 02/2020/TT-BLĐTBXH: step 0 intake, steps 1–5). At each
step the case page shows the step the case is in, and the due items of the one deadline engine
change as the rules say (deadlines.rules): the assessment is due until it is submitted, the plan
once the assessment is approved (7 working days), the plan review once the plan is approved,
the follow-ups until they are done, and after closure the 30- and 90-day follow-ups."""

import re
from datetime import timedelta

import sqlalchemy as sa

from caseapp.cases.followups.models import FollowUp
from caseapp.cases.models import Case
from caseapp.clients.models import Consent
from caseapp.clients.services import create_client
from caseapp.core.timeutil import VN_TZ, format_datetime, local_today, utcnow
from caseapp.deadlines.rules import due_at, rule_for
from caseapp.extensions import db
from caseapp.intake.models import Intake
from caseapp.plans.models import Assessment, CarePlan
from caseapp.referrals.models import Referral

from ..cases.checklist_helpers import with_reasons
from ..plans.conftest import assessment_form, plan_form
from ..referrals.helpers import make_provider
from .conftest import (
    current_step,
    deadline_titles,
    due,
    end_of_day,
    event_kinds,
    local_input,
    ok,
    page_of,
    pending_approval,
    reload,
)

NUMBER = re.compile(r"^CTXHHT-(\d{4})-(\d{6})$")


def intake_form(worker, received_at, **extra):
    data = {
        "received_at": local_input(received_at),
        "channel": "walk_in",
        "referrer_name": "",
        "referrer_org": "",
        "referrer_contact": "",
        "problems": ["domestic_violence"],
        "problem_note": "Bị chồng đánh nhiều lần, muốn được giúp đỡ",
        "danger_now": "no",
        "injured": "no",
        "child_involved": "no",
        "perpetrator_access": "no",
        "safe_place": "yes",
        "urgency": "",
        "decision": "open_case",
        "case_type": "center",
        "care_kind": "continuous",
        "assigned_worker_id": str(worker.id),
        "referred_to": "",
        "note": "",
        "consent_services": "y",
        "consent_share": "y",
        "share_recipient": "Bệnh viện Đa khoa tỉnh",
        "consent_reports": "y",
        "consent_given_by": "client",
        "consent_giver_name": "",
    }
    data.update(extra)
    return data


def test_centre_case_from_intake_to_closure_and_reopening(world, as_user):
    worker, supervisor, supervisor2 = world.worker, world.supervisor, world.supervisor2
    w, s = as_user(worker), as_user(supervisor)
    person = create_client(
        {"full_name": "Phan Thị Hành", "sex": "female", "birth_year": 1990, "birth_precision": "year"},
        facility=world.centre,
        by=worker,
    )
    db.session.commit()

    # 0. intake with consent → the case is opened with its number, in step "Tiếp nhận"
    received_at = utcnow() - timedelta(hours=2)
    response = ok(w.post(f"/intake/new?client_id={person.id}", data=intake_form(worker, received_at)))
    intake = db.session.scalar(sa.select(Intake).where(Intake.client_id == person.id))
    case = db.session.scalar(sa.select(Case).where(Case.intake_id == intake.id))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert NUMBER.match(case.number).group(1) == str(case.opened_at.astimezone(VN_TZ).year)
    assert (case.status, case.case_type, case.assigned_worker_id) == ("intake", "center", worker.id)
    consents = db.session.scalars(sa.select(Consent).where(Consent.client_id == person.id)).all()
    assert {c.purpose for c in consents} == {"services", "share_provider", "reports"}
    html = page_of(w, case)
    assert current_step(html) == "Tiếp nhận" and case.number in html
    # the needs assessment is due in 3 working days from the opening (TT 02/2020, bước 1)
    items = due(case, worker)
    assert set(items) == {"assessment"}
    [assessment_due] = items["assessment"]
    assert assessment_due.due_at == due_at("assessment", case.opened_at)
    assert assessment_due.source == rule_for("assessment").source
    assert deadline_titles(html) == ["Đánh giá nhu cầu"]

    # 1. needs assessment with the risk: submitted, waiting for the supervisor (the facility requires it)
    ok(w.post(f"/cases/{case.id}/assessments/new", data=assessment_form(risk="medium", safety=_all_safety("no"))))
    case = reload(case)
    assessment = db.session.scalar(sa.select(Assessment).where(Assessment.case_id == case.id))
    assert (assessment.status, case.status, case.risk_level) == ("pending", "assessment", "medium")
    html = page_of(w, case)
    assert current_step(html) == "Đánh giá nhu cầu"
    assert due(case, worker) == {}  # submitted: no longer due; the plan not yet
    assert deadline_titles(html) == []
    approval = pending_approval(case, "assessment")
    assert approval is not None
    # the author cannot approve it (a social worker has no approval right at all)
    assert w.post(f"/approvals/{approval.id}/decide", data=_decide(approval)).status_code == 403
    assert pending_approval(case, "assessment") is not None
    ok(s.post(f"/approvals/{approval.id}/decide", data=_decide(approval)))
    case = reload(case)
    approval = db.session.get(type(approval), approval.id)
    assert db.session.get(Assessment, assessment.id).status == "approved" and case.status == "planning"
    # approved: the plan is due 7 working days later (TT 02/2020, bước 2)
    items = due(case, worker)
    assert set(items) == {"plan"}
    assert items["plan"][0].due_at == due_at("plan", approval.decided_at)
    html = page_of(w, case)
    assert current_step(html) == "Lập kế hoạch" and deadline_titles(html) == ["Kế hoạch trợ giúp"]

    # 2. intervention plan with goals and activities, drafted, then sent for approval
    review_on = local_today() + timedelta(days=30)
    ok(
        w.post(
            f"/cases/{case.id}/plans/new",
            data=plan_form(
                goals=(("safety", "Chị Hành an toàn khỏi bạo lực"), ("mental_health", "Ổn định tâm lý")),
                activities=[
                    {
                        "goal": "1",
                        "service_type": "counselling",
                        "description": "Tham vấn hằng tuần",
                        "responsible_user_id": str(worker.id),
                    },
                    {
                        "goal": "2",
                        "service_type": "medical",
                        "description": "Khám sức khỏe",
                        "responsible_org": "Bệnh viện Đa khoa tỉnh",
                    },
                ],
                review=review_on,
                safety_plan=_safety_plan(),
                action="draft",
            ),
        )
    )
    plan = db.session.scalar(sa.select(CarePlan).where(CarePlan.case_id == case.id))
    assert plan.status == "draft" and set(due(case, worker)) == {"plan"}  # a draft is not the plan yet
    ok(w.post(f"/cases/{case.id}/plans/{plan.id}/request-approval"))
    plan_approval = pending_approval(case, "plan")
    assert db.session.get(CarePlan, plan.id).status == "pending"
    assert due(case, worker) == {}
    # supervisor2 writes nothing here: they approve; the author cannot
    assert w.post(f"/approvals/{plan_approval.id}/decide", data=_decide(plan_approval)).status_code == 403
    ok(as_user(supervisor2).post(f"/approvals/{plan_approval.id}/decide", data=_decide(plan_approval)))
    case = reload(case)
    assert db.session.get(CarePlan, plan.id).status == "approved"
    assert case.status == "implementation"
    # in force: the plan review is due on the date the plan set (TT 02/2020, bước 4)
    items = due(case, worker)
    assert set(items) == {"plan_review"}
    assert items["plan_review"][0].due_at == end_of_day(review_on)
    html = page_of(w, case)
    assert current_step(html) == "Thực hiện kế hoạch" and deadline_titles(html) == ["Rà soát kế hoạch"]

    # 3. implementation: a referral to a provider, accepted, completed (the provider is outside the system:
    #    the worker records its answer)
    hospital = make_provider(world.centre.province_code, name="Bệnh viện Đa khoa tỉnh")
    db.session.commit()
    consent = next(c for c in consents if c.purpose == "share_provider")
    ok(
        w.post(
            f"/cases/{case.id}/referrals/new",
            data={
                "provider_id": str(hospital.id),
                "service_type": "medical",
                "reason": "Khám vết thương",
                "shared_info": "Họ tên, tuổi; vết thương ở tay",
                "consent_mode": "existing",
                "consent_id": str(consent.id),
            },
        )
    )
    referral = db.session.scalar(sa.select(Referral).where(Referral.case_id == case.id))
    assert referral.status == "sent"
    items = due(case, worker)
    assert set(items) == {"plan_review", "referral_answer"}
    assert items["referral_answer"][0].due_at == due_at("referral_answer", referral.sent_at)
    ok(
        w.post(
            f"/referrals/{referral.id}/status",
            data={"to_status": "answer", "decision": "accepted", "note": "Bệnh viện hẹn khám sáng mai"},
        )
    )
    assert set(due(case, worker)) == {"plan_review"}  # answered: no longer awaited
    ok(
        w.post(
            f"/referrals/{referral.id}/status",
            data={
                "to_status": "completed",
                "outcome": "Đã khám, vết thương lành",
                "outcome_date": local_today().isoformat(),
            },
        )
    )
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "completed"

    # follow-up scheduled, then done: the last contact is updated
    follow_due = utcnow() + timedelta(days=3)
    ok(
        w.post(
            f"/cases/{case.id}/follow-ups/new",
            data={
                "kind": "home_visit",
                "due_at": local_input(follow_due),
                "purpose": "Thăm nhà sau khám",
                "assigned_to": "",
            },
        )
    )
    follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.case_id == case.id))
    items = due(case, worker)
    assert set(items) == {"plan_review", "follow_up"}
    assert items["follow_up"][0].ref_id == follow_up.id and items["follow_up"][0].assignee_id == worker.id
    assert "Lịch theo dõi" in deadline_titles(page_of(w, case))
    assert reload(case).last_contact_at is None
    done_at = utcnow() - timedelta(minutes=5)
    ok(
        w.post(
            f"/cases/{case.id}/follow-ups/{follow_up.id}/outcome",
            data={"done_at": local_input(done_at), "outcome": "Chị Hành ổn, không còn bị đánh"},
        )
    )
    case = reload(case)
    assert case.last_contact_at is not None and abs(case.last_contact_at - done_at) < timedelta(minutes=1)
    assert set(due(case, worker)) == {"plan_review"}

    # 4. review
    ok(w.post(f"/cases/{case.id}/status", data={"to_status": "review", "reason": "Rà soát sau 1 tháng"}))
    assert current_step(page_of(w, reload(case))) == "Theo dõi, rà soát"

    # 5. closure request → the author cannot decide → the supervisor approves → closed, read-only
    closing = {
        "reason": "goals_met",
        "summary": "Chị Hành an toàn, sức khỏe ổn định",
        "evaluation": "Hai mục tiêu đều đạt",
    }
    ok(w.post(f"/cases/{case.id}/close", data=with_reasons(case.id, closing)))
    assert reload(case).status == "review" and pending_approval(case, "closure") is not None
    assert w.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""}).status_code == 403
    assert reload(case).status == "review"
    ok(s.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""}))
    case = reload(case)
    assert case.status == "closed" and case.closure_reason == "goals_met"
    html = page_of(w, case)
    assert current_step(html) == "Kết thúc"
    assert "Hồ sơ đã kết thúc" in html or "chỉ xem" in html
    # read-only: a note is refused and nothing is written
    before = len(event_kinds(case))
    w.post(f"/cases/{case.id}/notes", data={"text": "Ghi chép sau khi đóng"})
    assert len(event_kinds(reload(case))) == before
    assert "Ghi chép sau khi đóng" not in page_of(w, case)
    # the follow-ups after closure (30 and 90 days, TT 02/2020 bước 5) are due, the plan review no longer
    items = due(case, worker)
    assert set(items) == {"follow_up"}
    after = sorted(item.due_at for item in items["follow_up"])
    assert after == [case.closed_at + timedelta(days=30), case.closed_at + timedelta(days=90)]
    assert {item.source for item in items["follow_up"]} == {rule_for("follow_up_after_closure", "first").source}
    assert format_datetime(after[0]) in page_of(w, case)

    # reopened with a reason: back to review, writable again
    assert w.post(f"/cases/{case.id}/reopen", data={"reason": ""}).status_code == 422
    assert reload(case).status == "closed"
    ok(w.post(f"/cases/{case.id}/reopen", data={"reason": "Chị Hành lại bị đe dọa"}))
    case = reload(case)
    assert case.status == "review" and case.closed_at is None
    assert event_kinds(case)[-1] == "reopened"
    # the follow-ups after closure are cancelled; the plan in force is watched again
    assert set(due(case, worker)) == {"plan_review"}
    assert current_step(page_of(w, case)) == "Theo dõi, rà soát"
    ok(w.post(f"/cases/{case.id}/notes", data={"text": "Đã liên hệ lại với chị Hành"}))
    assert "Đã liên hệ lại với chị Hành" in page_of(w, case)


def _decide(approval, approve=True):
    return {
        f"a{approval.id}-approve": "1" if approve else "",
        f"a{approval.id}-comment": "",
        f"a{approval.id}-next": "/approvals",
    }


def _all_safety(answer):
    from caseapp.core import categories as cat

    return {q.code: answer for q in cat.SAFETY_QUESTIONS}


def _safety_plan():
    return {
        "warning_signs": "Chồng uống rượu",
        "safe_places": "Nhà mẹ đẻ",
        "contacts": "Công an xã",
        "steps": "Gọi 111, đến nhà mẹ đẻ",
    }
