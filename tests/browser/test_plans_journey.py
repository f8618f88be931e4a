"""Needs assessment → intervention plan → supervisor approval in a real browser (CSRF on), at 360 px
and at 1280 px: each screen fits, "add more rows" keeps what was typed, no script is needed."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.cases.services import open_case
from caseapp.clients.services import create_client
from caseapp.core import categories as cat
from caseapp.extensions import db
from caseapp.org.models import Facility
from caseapp.register.services import set_groups

from .test_layout import assert_header_fits, overflow


def _violence_case(live_server, name):
    """A domestic-violence case of the demo social worker at CTXHQN (status intake)."""
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=worker)
        set_groups(client, ["em_domestic_violence"], by=worker)
        case_id = open_case(
            facility=facility,
            client=client,
            case_type="center",
            urgency="high",
            by=worker,
            assigned_worker_id=worker.id,
        ).id
        db.session.commit()
        db.session.remove()
    return case_id


def _fits(page):
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px wider than the screen"
    assert_header_fits(page)


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_assess_plan_and_approve(request, viewport, live_server, browser, login_as, shoot):
    page = request.getfixturevalue(viewport)
    case_id = _violence_case(live_server, f"Trần Thị Hành Trình {viewport}")
    login_as(page, "ctxh.nhanvien")

    # 1. the needs assessment, with the safety questions of a violence case
    page.goto(f"/cases/{case_id}/assessments/new")
    expect(page.get_by_role("heading", name="Đánh giá nhu cầu mới")).to_be_visible()
    _fits(page)
    # the blocks of the TT 02/2020 form, required answers marked before anything is sent
    for block in ("Sức khỏe", "Gia đình và các mối quan hệ", "Kinh tế và điều kiện sống"):
        expect(page.locator("details.block > summary", has_text=block)).to_be_visible()
    expect(page.locator("legend", has_text="Nhu cầu và điểm mạnh")).to_be_visible()
    expect(page.get_by_text("Bắt buộc khi lưu phiếu đánh giá; lưu nháp thì có thể để trống.")).to_be_visible()
    expect(page.locator(f"#q_{cat.SAFETY_QUESTIONS[0].code} .req")).to_be_visible()
    page.locator("details.block > summary", has_text="Sức khỏe").click()  # empty blocks fold on a phone
    page.locator("textarea[name=b_health__illnesses]").fill("Đau đầu, mất ngủ")
    page.locator("details.domain summary").first.click()  # the need areas fold on a phone: "An toàn" first
    page.locator("input[name=d_safety__need_level][value=high]").check()
    page.locator("textarea[name=d_safety__situation]").fill("Chồng đánh nhiều lần")
    page.locator("input[name=risk_level][value=high]").check()
    page.locator("textarea[name=risk_reasons]").fill("Bạo lực leo thang")
    for question in cat.SAFETY_QUESTIONS:
        page.locator(f"input[name=q_{question.code}][value=no]").check()
    shoot(page, f"plans-assessment-form-{viewport}")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu đánh giá").click()
    expect(page.get_by_text("Đã lưu đánh giá.")).to_be_visible()
    expect(page.get_by_role("heading", name="Đánh giá nhu cầu, phiên bản 1")).to_be_visible()
    _fits(page)
    shoot(page, f"plans-assessment-{viewport}")

    # 2. the plan: a goal typed, more rows added (server-side), the rest filled, sent for approval
    page.goto(f"/cases/{case_id}/plans/new")
    page.locator("select[name=goals-0-need_domain]").select_option("safety")
    page.locator("textarea[name=goals-0-description]").fill("Chị an toàn khỏi bạo lực")
    with page.expect_navigation():
        page.get_by_role("button", name="Thêm dòng mục tiêu").click()
    expect(page.locator("textarea[name=goals-0-description]")).to_have_value("Chị an toàn khỏi bạo lực")
    expect(page.locator("textarea[name=goals-4-description]")).to_be_visible()
    page.locator("select[name=activities-0-service_type]").select_option("counselling")
    page.locator("select[name=activities-0-goal]").select_option("1")
    page.locator("textarea[name=activities-0-description]").fill("Tham vấn tâm lý hằng tuần")
    page.locator("input[name=activities-0-responsible_org]").fill("Hội LHPN xã")
    page.locator("textarea[name=client_participation]").fill("Chị tự chọn mục tiêu")
    for name, text in (
        ("warning_signs", "Chồng uống rượu"),
        ("safe_places", "Nhà mẹ đẻ"),
        ("contacts", "Công an xã"),
        ("steps", "Gọi 111"),
    ):
        page.locator(f"textarea[name=safety_{name}]").fill(text)
    _fits(page)
    shoot(page, f"plans-plan-form-{viewport}")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và gửi phê duyệt").click()
    expect(page.get_by_text("Đã lưu kế hoạch và gửi lãnh đạo / giám sát phê duyệt.")).to_be_visible()
    plan_url = page.url
    _fits(page)
    shoot(page, f"plans-plan-{viewport}")

    # 3. the supervisor approves from the queue
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=page.viewport_size)
    supervisor = context.new_page()
    try:
        login_as(supervisor, "ctxh.giamsat")
        supervisor.goto("/approvals")
        item = supervisor.locator("li.approval").filter(has=supervisor.locator(f"a[href*='/cases/{case_id}/plans/']"))
        expect(item).to_be_visible()
        _fits(supervisor)
        shoot(supervisor, f"plans-approvals-{viewport}")
        with supervisor.expect_navigation():
            item.get_by_role("button", name="Phê duyệt").click()
        expect(supervisor.get_by_text("Đã phê duyệt.")).to_be_visible()
        supervisor.goto(plan_url)
        expect(supervisor.locator(".badges").get_by_text("Đã phê duyệt")).to_be_visible()
    finally:
        context.close()
