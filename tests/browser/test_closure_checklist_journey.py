"""Asking to close a case with loose ends, in a real browser: the worker sees what is still open,
resolves a follow-up through its link and comes back to a list read again, is refused while the open
referral has no reason (what was typed stays), gives the reason and sends the request; the supervisor,
on a 360-px phone, reads the reason on the approval page and approves. A goal of the approved plan is
resolved straight from the checklist on a phone: its outcome recorded ("not achieved" is an outcome
too) and the checklist shown again without it. Screenshots at 1280 and 360 px go to
test-artifacts/closure-checklist-*.png."""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.cases.followups import services as followups
from caseapp.cases.models import Case
from caseapp.clients.services import create_client
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.org.models import Facility
from caseapp.plans.models import PlanGoal

from .. import factories
from ..documents.helpers import with_assessment, with_plan
from ..referrals.helpers import make_provider, make_referral
from .conftest import DESKTOP, PHONE
from .test_layout import overflow

REASON = "Bệnh viện không trả lời; chị đã tự đi khám ở trạm y tế phường"
SUMMARY = "Chị an toàn, đã có việc làm ở xưởng may"


def _case_with_loose_ends(live_server, name):
    """A case of the demo centre with an unanswered referral and a home visit not done yet."""
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        client = create_client(
            {"full_name": name, "sex": "female", "birth_year": 1990, "birth_precision": "year"},
            facility=facility,
            by=worker,
        )
        case = factories.make_case(facility, client=client, worker=worker, status="implementation")
        make_referral(case, make_provider(facility.province_code, name=f"Bệnh viện {name}"), worker)
        visit = followups.schedule_follow_up(
            case, kind="home_visit", due_at=utcnow() + timedelta(days=2), purpose="Thăm nhà lần cuối", by=worker
        )
        db.session.commit()
        ids = case.id, visit.id
        db.session.remove()
    return ids


def _case_with_a_plan(live_server, name):
    """A case of the demo centre whose approved plan has one goal without an outcome."""
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
        client = create_client(
            {"full_name": name, "sex": "female", "birth_year": 1988, "birth_precision": "year"},
            facility=facility,
            by=worker,
        )
        case = factories.make_case(facility, client=client, worker=worker, status="assessment")
        with_assessment(case, worker, supervisor)
        plan = with_plan(case, worker, supervisor)
        db.session.commit()
        ids = case.id, db.session.scalar(sa.select(PlanGoal.id).where(PlanGoal.plan_id == plan.id))
        db.session.remove()
    return ids


def _status(live_server, case_id):
    with live_server.app.app_context():
        status = db.session.scalar(sa.select(Case.status).where(Case.id == case_id))
        db.session.remove()
    return status


def test_worker_closes_with_one_loose_end_overridden_and_the_supervisor_reads_the_reason(
    live_server, page, phone_page, login_as, shoot
):
    name = f"Đinh Thị Kết {uuid.uuid4().hex[:4].upper()}"
    case_id, visit_id = _case_with_loose_ends(live_server, name)
    login_as(page, "ctxh.nhanvien")

    # 1. the checklist: the open referral and the home visit, each with the page that resolves it
    page.goto(f"/cases/{case_id}/close")
    checklist = page.locator("#checklist")
    expect(checklist.locator(".checklist-item")).to_have_count(2)
    expect(checklist).to_contain_text(f"Bệnh viện {name}")
    expect(checklist).to_contain_text("Thăm nhà lần cuối")
    shoot(page, "closure-checklist-1-desktop")

    # 2. the home visit is resolved where it lives; back on the closure page the list is read again
    checklist.locator(f"#item-follow_up-{visit_id}").get_by_role("link", name="Ghi nhận kết quả").click()
    page.locator("textarea[name=outcome]").fill("Đã thăm nhà, gia đình ổn định")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu kết quả").click()
    page.goto(f"/cases/{case_id}/close")
    expect(checklist.locator(".checklist-item")).to_have_count(1)
    expect(checklist).not_to_contain_text("Thăm nhà lần cuối")

    # 3. sent without a reason for the referral: refused in Vietnamese, what was typed stays
    page.get_by_label("Lý do kết thúc").select_option("goals_met")
    page.get_by_label("Tóm tắt kết quả").fill(SUMMARY)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đề nghị kết thúc để phê duyệt").click()
    expect(page.locator(".flash-error")).to_contain_text("Hãy giải quyết từng mục")
    expect(page.get_by_label("Tóm tắt kết quả")).to_have_value(SUMMARY)

    # 4. the reason, on a phone too; then sent
    checklist.get_by_label("Lý do vẫn kết thúc hồ sơ").fill(REASON)
    page.set_viewport_size(PHONE)
    assert overflow(page) == 0
    shoot(page, "closure-checklist-2-phone-request")
    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đề nghị kết thúc để phê duyệt").click()
    expect(page.locator(".flash-success")).to_contain_text("Đề nghị kết thúc")

    # 5. the supervisor, on a 360-px phone, reads the reason and approves
    login_as(phone_page, "ctxh.giamsat")
    phone_page.goto(f"/cases/{case_id}/close")
    review = phone_page.locator("#checklist")
    expect(review).to_contain_text(f"Bệnh viện {name}")
    expect(review).to_contain_text(REASON)
    assert overflow(phone_page) == 0
    shoot(phone_page, "closure-checklist-3-phone-supervisor")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Phê duyệt kết thúc").click()
    assert _status(live_server, case_id) == "closed"
    page.set_viewport_size(DESKTOP)
    page.goto(f"/cases/{case_id}/close")
    expect(page.locator(".checklist-history")).to_contain_text(REASON)
    shoot(page, "closure-checklist-4-desktop-history")


def test_worker_on_a_phone_records_a_goals_outcome_from_the_checklist(live_server, phone_page, login_as, shoot):
    name = f"Lò Thị Mục {uuid.uuid4().hex[:4].upper()}"
    case_id, goal_id = _case_with_a_plan(live_server, name)
    login_as(phone_page, "ctxh.nhanvien")
    phone_page.goto(f"/cases/{case_id}/close")
    item = phone_page.locator(f"#item-goal-{goal_id}")
    expect(item).to_contain_text("Mục tiêu kế hoạch chưa có kết quả")

    # the link opens the goal's outcome form, which goes back to the checklist once saved
    item.get_by_role("link", name="Ghi nhận kết quả").click()
    expect(phone_page.get_by_role("heading", name="Kết quả của mục tiêu")).to_be_visible()
    phone_page.get_by_label("Kết quả", exact=True).select_option("not_achieved")
    phone_page.get_by_label("Ghi chú về kết quả").fill("Chị chuyển đi tỉnh khác trước khi hoàn thành")
    assert overflow(phone_page) == 0
    shoot(phone_page, "closure-checklist-5-phone-goal-outcome")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Lưu kết quả").click()
    assert phone_page.url.endswith(f"/cases/{case_id}/close#checklist")
    expect(phone_page.locator(".flash-success")).to_contain_text("Đã ghi nhận kết quả của mục tiêu")
    expect(phone_page.locator(f"#item-goal-{goal_id}")).to_have_count(0)
    expect(phone_page.locator("#checklist")).to_contain_text("Hồ sơ không còn việc nào dở dang.")
    assert overflow(phone_page) == 0
    shoot(phone_page, "closure-checklist-6-phone-goal-resolved")

    # the case page's plan section shows the outcome, with the form to change it
    phone_page.goto(f"/cases/{case_id}?section=assessment-plan")
    goal = phone_page.locator(f"#goal-{goal_id}")
    expect(goal).to_contain_text("Không đạt")
    goal.get_by_text("Sửa kết quả").click()
    assert overflow(phone_page) == 0
    shoot(phone_page, "closure-checklist-7-phone-case-page-goal")
