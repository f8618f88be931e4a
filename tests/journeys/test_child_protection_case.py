"""A child-protection case reported through Tổng đài 111 (Luật Trẻ em 2016; NĐ 56/2017/NĐ-CP,
Chương III): the emergency safety check within 12 hours of the report (Điều 26.3) and the
intervention plan within 5 working days of the report (Điều 27) are due items from the moment the
case is opened; the assessment, the plan and its approval; then a transfer to another facility of
the system: its supervisor accepts, the case and its history move, the sender's supervisor still
reads it but writes nothing, and the receiving facility closes it.

The report is dated 15:00 on a fixed Friday in the past (see conftest.last_friday_afternoon), so
the working-day count is deterministic and crosses a weekend."""

from datetime import timedelta

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.clients.services import create_client
from caseapp.core.timeutil import format_datetime, local_today
from caseapp.deadlines.rules import rule_for
from caseapp.extensions import db
from caseapp.intake.models import Intake
from caseapp.plans.models import CarePlan
from caseapp.referrals.models import Transfer

from ..cases.checklist_helpers import with_reasons
from ..plans.conftest import assessment_form, plan_form
from .conftest import (
    current_step,
    deadline_titles,
    due,
    event_kinds,
    last_friday_afternoon,
    local,
    local_input,
    ok,
    page_of,
    pending_approval,
    reload,
)
from .test_center_case import _all_safety, _decide, _safety_plan


def hotline_report(worker, received_at):
    return {
        "received_at": local_input(received_at),
        "channel": "hotline_111",
        "referrer_name": "Tổng đài 111",
        "referrer_org": "Tổng đài quốc gia bảo vệ trẻ em",
        "referrer_contact": "111",
        "problems": ["child_abuse"],
        "problem_note": "Hàng xóm báo cháu bị cha dượng đánh",
        "danger_now": "no",
        "injured": "no",
        "child_involved": "yes",
        "perpetrator_access": "yes",
        "safe_place": "unknown",
        "urgency": "",
        "decision": "open_case",
        "case_type": "child_protection",
        "care_kind": "emergency",
        "assigned_worker_id": str(worker.id),
        "referred_to": "",
        "note": "",
        "consent_services": "y",
        "consent_given_by": "guardian",
        "consent_giver_name": "Nguyễn Thị Mẹ",
        "child_assent": "yes",
    }


def test_child_protection_case_from_a_111_report_to_transfer_and_closure(world, as_user):
    worker, supervisor = world.worker, world.supervisor
    w, s = as_user(worker), as_user(supervisor)
    child = create_client(
        {"full_name": "Nguyễn Văn Bé", "sex": "male", "birth_year": local_today().year - 9, "birth_precision": "year"},
        facility=world.centre,
        by=worker,
    )
    db.session.commit()

    # the report: Friday 15:00 (Vietnam time); a child the alleged perpetrator can reach → emergency
    reported_at = last_friday_afternoon()
    friday = local(reported_at).date()
    assert friday.weekday() == 4
    ok(w.post(f"/intake/new?client_id={child.id}", data=hotline_report(worker, reported_at)))
    intake = db.session.scalar(sa.select(Intake).where(Intake.client_id == child.id))
    case = db.session.scalar(sa.select(Case).where(Case.intake_id == intake.id))
    assert (case.case_type, case.urgency, intake.received_at) == ("child_protection", "emergency", reported_at)

    items = due(case, worker)
    assert set(items) == {"safety_check", "assessment", "plan"}
    # NĐ 56/2017 Điều 26.3: 12 hours after the report — 03:00 on Saturday
    [safety] = items["safety_check"]
    assert local(safety.due_at) == local(reported_at) + timedelta(hours=12)
    assert local(safety.due_at).date() == friday + timedelta(days=1)
    assert safety.source == rule_for("safety_check").source == "Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26"
    # NĐ 56/2017 Điều 27: the plan 5 working days from the report — over the weekend, the next Friday 15:00
    [plan_due] = items["plan"]
    assert local(plan_due.due_at) == local(reported_at) + timedelta(days=7)
    assert plan_due.source == "Nghị định 56/2017/NĐ-CP, Điều 27"
    html = page_of(w, case)
    assert current_step(html) == "Tiếp nhận"
    titles = deadline_titles(html)
    assert "Kiểm tra an toàn khẩn cấp cho trẻ" in titles and "Kế hoạch trợ giúp" in titles
    assert format_datetime(safety.due_at) in html and format_datetime(plan_due.due_at) in html

    # the worker visits the child: the safety check is done, the plan deadline stays
    ok(
        w.post(
            f"/cases/{case.id}/contacts",
            data={
                "contact_kind": "visit",
                "contacted_at": local_input(reported_at + timedelta(hours=5)),
                "contact_text": "Đã đến nhà, đưa cháu sang ở tạm với bà ngoại",
            },
        )
    )
    items = due(case, worker)
    assert "safety_check" not in items and set(items) == {"assessment", "plan"}
    assert "Kiểm tra an toàn khẩn cấp cho trẻ" not in deadline_titles(page_of(w, case))

    # the specific risk assessment (safety questions of a child-protection case), approved
    ok(
        w.post(
            f"/cases/{case.id}/assessments/new",
            data=assessment_form(risk="high", reasons="Cha dượng vẫn có thể tiếp cận cháu", safety=_all_safety("yes")),
        )
    )
    assert set(due(case, worker)) == {"plan"}
    approval = pending_approval(case, "assessment")
    ok(s.post(f"/approvals/{approval.id}/decide", data=_decide(approval)))
    case = reload(case)
    assert (case.status, case.risk_level) == ("planning", "high")
    # still counted from the report, not from the approval (NĐ 56/2017 Điều 27)
    assert [i.due_at for i in due(case, worker)["plan"]] == [plan_due.due_at]

    # the plan with its safety plan, sent for approval at once and approved
    ok(
        w.post(
            f"/cases/{case.id}/plans/new",
            data=plan_form(
                goals=(("safety", "Cháu an toàn, không còn bị đánh"),),
                participation="Cháu và bà ngoại cùng tham gia",
                safety_plan=_safety_plan(),
                action="submit",
            ),
        )
    )
    plan_approval = pending_approval(case, "plan")
    assert due(case, worker) == {}
    ok(s.post(f"/approvals/{plan_approval.id}/decide", data=_decide(plan_approval)))
    case = reload(case)
    plan = db.session.scalar(sa.select(CarePlan).where(CarePlan.case_id == case.id))
    assert plan.status == "approved" and case.status == "implementation"
    assert set(due(case, worker)) == {"plan_review"}

    # transfer to another facility of the system: its supervisor accepts
    ok(
        w.post(
            f"/cases/{case.id}/transfer",
            data={
                "to_facility_id": str(world.receiving.id),
                "reason": "Gia đình chuyển về ở với bà ngoại tại tỉnh khác",
            },
        )
    )
    transfer = db.session.scalar(sa.select(Transfer).where(Transfer.case_id == case.id))
    receiver = as_user(world.receiving_supervisor)
    assert receiver.get(f"/cases/{case.id}").status_code == 404  # not theirs before they accept
    # the receiving supervisor finds it from the home page: incoming referrals → case transfers
    assert 'href="/referrals/incoming"' in receiver.get("/").get_data(as_text=True)
    assert 'href="/transfers/incoming"' in receiver.get("/referrals/incoming").get_data(as_text=True)
    assert case.number in receiver.get("/transfers/incoming").get_data(as_text=True)
    ok(receiver.post(f"/transfers/{transfer.id}/decide", data={"decision": "accept", "note": "Đồng ý tiếp nhận"}))
    case = reload(case)
    assert case.facility_id == world.receiving.id and case.assigned_worker_id is None
    assert case.status == "implementation"  # it stays in its step

    # the sender's supervisor reads the history but writes nothing; the sender's due items are gone
    html = page_of(s, case)
    assert "Đã đến nhà, đưa cháu sang ở tạm với bà ngoại" in html
    assert f'action="/cases/{case.id}/notes"' not in html
    before = len(event_kinds(case))
    assert s.post(f"/cases/{case.id}/notes", data={"text": "Ghi chép của nơi gửi"}).status_code == 403
    assert s.post(f"/cases/{case.id}/close", data={"reason": "transferred", "summary": "x"}).status_code == 403
    assert len(event_kinds(reload(case))) == before
    assert due(case, supervisor) == {} and due(case, worker) == {}
    assert w.get(f"/cases/{case.id}").status_code == 404  # the worker is no longer on it

    # the receiving facility: its supervisor assigns a worker, who asks to close; the supervisor approves
    ok(receiver.post(f"/cases/{case.id}/reassign", data={"worker": str(world.receiving_worker.id)}))
    new_worker = as_user(world.receiving_worker)
    assert current_step(page_of(new_worker, case)) == "Thực hiện kế hoạch"
    assert set(due(case, world.receiving_worker)) == {"plan_review"}
    ok(
        new_worker.post(
            f"/cases/{case.id}/close",
            data=with_reasons(
                case.id,
                {"reason": "goals_met", "summary": "Cháu an toàn, ở với bà ngoại, đi học lại", "evaluation": ""},
            ),
        )
    )
    ok(receiver.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""}))
    case = reload(case)
    assert case.status == "closed" and case.facility_id == world.receiving.id
    assert current_step(page_of(receiver, case)) == "Kết thúc"
    assert current_step(page_of(s, case)) == "Kết thúc"  # the sender still reads the whole history
    assert set(due(case, world.receiving_worker)) == {"follow_up"}


# --- the 12-hour safety check (a due item this feature added to caseapp.deadlines.items) -------------------


def _child_case(world, urgency, case_type="child_protection", opened_at=None):
    from .. import factories

    child = factories.make_client(world.centre, full_name="Trần Văn Nhỏ")
    return factories.make_case(
        world.centre, client=child, worker=world.worker, case_type=case_type, urgency=urgency, opened_at=opened_at
    )


def test_safety_check_is_due_12_hours_after_an_urgent_child_report(world, app):
    from caseapp.cases.followups import services as followups

    opened = last_friday_afternoon()
    case = _child_case(world, "high", opened_at=opened)
    [item] = due(case, world.worker)["safety_check"]
    assert item.due_at == opened + timedelta(hours=12) and item.anchor == "contact"
    # a contact noted from before the report does not count; one after it does
    with app.test_request_context():
        followups.add_contact_note(
            case,
            kind="phone",
            contacted_at=opened - timedelta(hours=1),
            text="Cuộc gọi trước khi có tin báo",
            by=world.worker,
        )
        assert "safety_check" in due(case, world.worker)
        followups.add_contact_note(
            case,
            kind="visit",
            contacted_at=opened + timedelta(hours=3),
            text="Đến nhà kiểm tra an toàn của cháu",
            by=world.worker,
        )
    assert "safety_check" not in due(case, world.worker)


def test_safety_check_only_for_urgent_child_protection_cases(world):
    assert "safety_check" not in due(_child_case(world, "medium"), world.worker)
    assert "safety_check" not in due(_child_case(world, "emergency", case_type="center"), world.worker)
    assert "safety_check" in due(_child_case(world, "emergency"), world.worker)
