"""A centre case from intake to closure in a real browser (CSRF on), through the links and buttons of
the case page: the social worker records the intake, assesses, plans and sends the plan for
approval; the supervisor approves it; the worker moves the case on, schedules a follow-up and
records it, and asks to close; the supervisor approves the closure on a 360-px phone. Screenshots
of the key steps go to test-artifacts/case-journey-*.png."""

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.clients.services import create_client
from caseapp.core import categories as cat
from caseapp.extensions import db
from caseapp.org.models import Facility
from caseapp.register.services import set_groups

from .conftest import DESKTOP, LOCALE, PHONE, TIMEZONE
from .test_layout import overflow


def _client(live_server, name):
    """A client of the demo centre (CTXHQN), a domestic-violence victim, without any case yet."""
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        client = create_client(
            {"full_name": name, "sex": "female", "birth_year": 1991, "birth_precision": "year"},
            facility=facility,
            by=worker,
        )
        set_groups(client, ["em_domestic_violence"], by=worker)
        db.session.commit()
        client_id = client.id
        db.session.remove()
    return client_id


def _step(page):
    """The case's step, as the summary at the top of every section of the case page shows it."""
    return page.locator(".case-head .badges [class*='status-']")


def _deadlines(page):
    """The case's deadlines: the overview section of the case the browser is on."""
    case_id = re.search(r"/cases/(\d+)", page.url).group(1)
    page.goto(f"/cases/{case_id}?section=overview")
    return page.locator("#deadlines")


def _open_section(page, name):
    """A section of the case page, through its menu (one section at a time)."""
    with page.expect_navigation():
        page.locator("nav.section-menu").get_by_role("link", name=name, exact=True).click()


def test_worker_and_supervisor_run_a_centre_case_from_intake_to_closure(
    live_server, browser, page, phone_page, login_as, shoot
):
    name = f"Lương Thị Hành Trình {uuid.uuid4().hex[:4].upper()}"
    client_id = _client(live_server, name)
    login_as(page, "ctxh.nhanvien")

    # 0. the intake, from the client's page
    page.goto(f"/clients/{client_id}")
    page.get_by_role("link", name="Tiếp nhận mới").click()
    page.get_by_label("Nguồn tiếp nhận").select_option("walk_in")
    page.get_by_text("Bạo lực gia đình", exact=True).click()
    page.get_by_label("Sự việc (theo lời người được tiếp nhận)").fill("Bị chồng đánh, xin được giúp đỡ.")
    screening = page.locator("fieldset.section").filter(has_text="Sàng lọc ban đầu")
    screening.locator("fieldset").filter(has_text="nguy hiểm ngay lúc này").get_by_text("Không", exact=True).click()
    page.get_by_text("Mở hồ sơ quản lý trường hợp").click()
    page.get_by_text("Nhận dịch vụ trợ giúp").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận tiếp nhận").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"CTXHQN-\d{4}-\d{6}"))
    expect(_step(page)).to_have_text("Tiếp nhận")
    expect(_deadlines(page)).to_contain_text("Đánh giá nhu cầu")
    shoot(page, "case-journey-1-opened")

    # 1. the needs assessment, from the case page (this centre approves assessments at once)
    _open_section(page, "Đánh giá và kế hoạch")
    page.locator(f"#assessment-plan a[href='/cases/{case_id}/assessments/new']").click()
    page.locator("input[name=d_safety__need_level][value=high]").check()
    page.locator("textarea[name=d_safety__situation]").fill("Chồng đánh nhiều lần")
    page.locator("input[name=risk_level][value=medium]").check()
    page.locator("textarea[name=risk_reasons]").fill("Bạo lực lặp lại, có nơi ở tạm an toàn")
    for question in cat.SAFETY_QUESTIONS:
        page.locator(f"input[name=q_{question.code}][value=no]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu đánh giá").click()
    expect(page.get_by_text("Đã lưu đánh giá.")).to_be_visible()
    page.goto(f"/cases/{case_id}")
    expect(_step(page)).to_have_text("Lập kế hoạch")
    expect(_deadlines(page)).to_contain_text("Kế hoạch trợ giúp")
    expect(_deadlines(page)).not_to_contain_text("Đánh giá nhu cầu")

    # 2. the plan, from the case page, sent for approval
    _open_section(page, "Đánh giá và kế hoạch")
    page.locator(f"#assessment-plan a[href='/cases/{case_id}/plans/new']").click()
    page.locator("select[name=goals-0-need_domain]").select_option("safety")
    page.locator("textarea[name=goals-0-description]").fill("Chị an toàn khỏi bạo lực")
    page.locator("select[name=activities-0-service_type]").select_option("counselling")
    page.locator("select[name=activities-0-goal]").select_option("1")
    page.locator("textarea[name=activities-0-description]").fill("Tham vấn tâm lý hằng tuần")
    page.locator("input[name=activities-0-responsible_org]").fill("Hội LHPN xã")
    page.locator("textarea[name=client_participation]").fill("Chị tự chọn mục tiêu")
    for field, text in (
        ("warning_signs", "Chồng uống rượu"),
        ("safe_places", "Nhà mẹ đẻ"),
        ("contacts", "Công an xã"),
        ("steps", "Gọi 111"),
    ):
        page.locator(f"textarea[name=safety_{field}]").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và gửi phê duyệt").click()
    expect(page.get_by_text("Đã lưu kế hoạch và gửi lãnh đạo / giám sát phê duyệt.")).to_be_visible()
    shoot(page, "case-journey-2-plan-sent")

    # 3. the supervisor approves the plan from the case page
    context = browser.new_context(base_url=live_server.url, locale=LOCALE, timezone_id=TIMEZONE, viewport=DESKTOP)
    supervisor = context.new_page()
    try:
        login_as(supervisor, "ctxh.giamsat")
        supervisor.goto(f"/cases/{case_id}?section=assessment-plan")
        supervisor.locator("#assessment-plan .flash-warning a").first.click()
        with supervisor.expect_navigation():
            supervisor.get_by_role("button", name="Phê duyệt").first.click()
        expect(supervisor.get_by_text("Đã phê duyệt.")).to_be_visible()
        shoot(supervisor, "case-journey-3-plan-approved")
    finally:
        context.close()
    page.goto(f"/cases/{case_id}")
    expect(_step(page)).to_have_text("Thực hiện kế hoạch")
    expect(_deadlines(page)).to_contain_text("Rà soát kế hoạch")

    # 4. a follow-up scheduled and recorded, from the case page
    _open_section(page, "Theo dõi")
    page.locator("#follow-ups").get_by_role("link", name="Lên lịch theo dõi").click()
    page.get_by_label("Mục đích").fill("Thăm nhà sau tham vấn")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(_deadlines(page)).to_contain_text("Lịch theo dõi")
    _open_section(page, "Theo dõi")
    page.locator("#follow-ups").get_by_role("link", name="Ghi nhận kết quả").first.click()
    page.get_by_label("Kết quả").fill("Chị ổn định, không còn bị đánh")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(_deadlines(page)).not_to_contain_text("Lịch theo dõi")
    shoot(page, "case-journey-4-follow-up-done")

    # 5. the step change to review, with its reason
    _open_section(page, "Các bước")
    page.locator("#workflow select[name=to_status]").select_option("review")
    page.locator("#workflow textarea[name=reason]").fill("Rà soát sau một tháng")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển sang bước này").click()
    expect(_step(page)).to_have_text("Theo dõi, rà soát")

    # 6. the closure request
    page.locator("#workflow").get_by_role("link", name="Đề nghị kết thúc").click()
    page.locator("select[name=reason]").select_option("goals_met")
    page.locator("textarea[name=summary]").fill("Chị an toàn, đã có việc làm")
    for reason in page.locator("#checklist textarea").all():  # the plan's goals have no outcome recorded
        reason.fill("Mục tiêu đã đạt, ghi trong tóm tắt kết quả")
    shoot(page, "case-journey-5-closure-request")
    page.set_viewport_size(PHONE)  # the same form on a phone: it fits, nothing typed is lost
    assert overflow(page) <= 0, f"the closure form is {overflow(page)} px wider than the phone"
    expect(page.locator("textarea[name=summary]")).to_have_value("Chị an toàn, đã có việc làm")
    shoot(page, "case-journey-5-closure-request-phone")
    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đề nghị kết thúc để phê duyệt").click()
    expect(
        page.get_by_text("Đề nghị kết thúc đã được gửi", exact=False).or_(page.locator("#workflow .flash-warning"))
    ).to_be_visible()

    # 7. the supervisor decides on a phone (360 × 740)
    login_as(phone_page, "ctxh.giamsat")
    phone_page.goto(f"/cases/{case_id}?section=workflow")
    phone_page.locator("#workflow").get_by_role("link", name="Quyết định kết thúc hồ sơ").click()
    expect(phone_page.get_by_role("button", name="Phê duyệt kết thúc")).to_be_visible()
    assert overflow(phone_page) <= 0, f"the closure page is {overflow(phone_page)} px wider than the phone"
    shoot(phone_page, "case-journey-6-closure-decision-phone")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Phê duyệt kết thúc").click()
    phone_page.goto(f"/cases/{case_id}?section=workflow")
    expect(_step(phone_page)).to_have_text("Kết thúc")
    expect(phone_page.locator("#workflow")).to_contain_text("Hồ sơ đã kết thúc")
    assert overflow(phone_page) <= 0, f"the closed case is {overflow(phone_page)} px wider than the phone"
    shoot(phone_page, "case-journey-7-closed-phone")

    # closed: read-only for the worker, the follow-ups after closure are due
    page.goto(f"/cases/{case_id}")
    expect(_step(page)).to_have_text("Kết thúc")
    expect(page.locator(f"form[action='/cases/{case_id}/notes']")).to_have_count(0)
    expect(_deadlines(page)).to_contain_text("Lịch theo dõi")
    _open_section(page, "Các bước")
    expect(page.locator("#workflow").get_by_role("link", name="Mở lại hồ sơ")).to_be_visible()
    shoot(page, "case-journey-8-closed")


def test_shelter_staff_check_out_from_the_case_page_on_a_phone(live_server, phone_page, login_as, shoot):
    """The case page of a shelter case shows where the person stays and links to the check-out that
    its closure waits for (a stay never ends silently) — at 360 px."""
    from datetime import timedelta

    from caseapp.core.timeutil import utcnow
    from caseapp.shelter.services import admit_emergency

    alias = f"Chị K. {uuid.uuid4().hex[:4].upper()}"
    with live_server.app.test_request_context("/"):
        shelter = db.session.scalar(sa.select(Facility).where(Facility.code == "NTLQN"))
        staff = db.session.scalar(sa.select(User).where(User.username == "ntl.tamlanh"))
        admission = admit_emergency(
            shelter,
            sex="female",
            approximate_age=28,
            arrived_at=utcnow() - timedelta(hours=1),
            brought_by="police",
            immediate_danger=False,
            by=staff,
            alias=alias,
        )
        db.session.commit()
        case_id, stay_id = admission.case.id, admission.stay.id
        db.session.remove()

    login_as(phone_page, "ntl.tamlanh")
    phone_page.goto(f"/cases/{case_id}?section=shelter-stay")
    section = phone_page.locator("#shelter-stay")
    expect(section).to_contain_text("Lưu trú tại nhà tạm lánh")
    assert overflow(phone_page) <= 0, f"the case page is {overflow(phone_page)} px wider than the phone"
    section.scroll_into_view_if_needed()
    shoot(phone_page, "case-journey-shelter-stay-phone")
    section.get_by_role("link", name="Rời nhà tạm lánh").click()
    expect(phone_page).to_have_url(re.compile(rf"/shelter/stays/{stay_id}/check-out$"))
    phone_page.get_by_label("Nơi đến").select_option(index=1)
    phone_page.get_by_label("Lý do rời đi").fill("Về ở với chị gái")
    phone_page.locator("fieldset#safety label.choice:has(input[value=safe])").click()
    phone_page.locator("fieldset#contact_agreed label.choice:has(input[value=no])").click()
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Ghi nhận rời đi").click()
    expect(phone_page.get_by_text("Đã ghi nhận rời nhà tạm lánh.")).to_be_visible()
    phone_page.goto(f"/cases/{case_id}?section=shelter-stay")
    expect(phone_page.locator("#shelter-stay")).to_contain_text("đã rời nhà tạm lánh lúc")
    expect(phone_page.locator("#shelter-stay").get_by_role("link", name="Rời nhà tạm lánh")).to_have_count(0)
