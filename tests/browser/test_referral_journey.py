"""Referrals on a 360-px phone: the directory (a confidential shelter shows no address), a
referral with the client's consent recorded on the spot, and a transfer the receiving supervisor
accepts. Screenshots go to test-artifacts/ for a person to look at."""

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect


def overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def pick(select, text):
    """Choose the option of a <select> whose label contains `text`."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def _set_up(app, name):
    """A case of the demo social-work centre assigned to its worker, and a hospital in the directory."""
    from caseapp.auth.models import User
    from caseapp.cases.services import open_case
    from caseapp.clients.services import create_client
    from caseapp.extensions import db
    from caseapp.org.models import Facility
    from caseapp.referrals import services

    with app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
        client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=worker)
        case = open_case(
            facility=facility,
            client=client,
            case_type="center",
            urgency="medium",
            by=worker,
            assigned_worker_id=worker.id,
        )
        hospital = f"Bệnh viện Thử {uuid.uuid4().hex[:4]}"
        services.create_provider(
            {
                "name": hospital,
                "kind": "hospital",
                "province_code": facility.province_code,
                "phone": "0203 3825 000",
                "services": ["medical"],
                "is_active": True,
            },
            by=supervisor,  # a supervisor's organisation is in the directory at once
        )
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id, hospital


def test_refer_and_transfer_on_a_phone(phone_page, login_as, live_server, artifacts_dir):
    page = phone_page
    name = f"Chị Chuyển {uuid.uuid4().hex[:6]}"
    case_id, hospital = _set_up(live_server.app, name)
    login_as(page, "ctxh.nhanvien")

    page.goto("/providers")
    expect(page.get_by_role("heading", name="Danh bạ dịch vụ")).to_be_visible()
    shelter = page.locator("tr", has_text="Nhà tạm lánh Quảng Ninh")
    expect(shelter.get_by_text("Địa chỉ bảo mật — liên hệ qua điện thoại")).to_be_visible()
    page.get_by_label("Tìm kiếm").fill("benh vien thu")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("tr", has_text=hospital)).to_have_count(1)
    assert overflow(page) <= 0, f"the directory is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "referrals_directory_360.png"), full_page=True)

    page.goto(f"/cases/{case_id}/referrals/new")
    form = page.locator("form.referral-form")
    pick(form.locator("#provider_id"), hospital)
    form.locator("#service_type").select_option("medical")
    form.get_by_label("Lý do chuyển gửi").fill("Cần khám vết thương ở tay")
    form.get_by_label("Thông tin chia sẻ với nơi cung cấp dịch vụ").fill("Họ tên, tuổi, vết thương ở tay")
    form.locator("label.choice", has_text="Đối tượng đồng ý bây giờ").click()
    form.locator("#consent_given_by").select_option("client")
    for target in form.locator("label.choice").all():
        box = target.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert overflow(page) <= 0, f"the referral form is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "referrals_new_360.png"), full_page=True)
    form.get_by_role("button", name="Gửi chuyển gửi").click()
    expect(page).to_have_url(re.compile(r"/referrals/\d+$"))
    expect(page.get_by_text("Đã gửi, chờ trả lời")).to_be_visible()
    assert overflow(page) <= 0
    page.screenshot(path=str(artifacts_dir / "referrals_show_360.png"), full_page=True)

    page.goto(f"/cases/{case_id}/transfer")
    pick(page.get_by_label("Cơ sở nhận"), "Bảo trợ xã hội")
    page.get_by_label("Lý do chuyển hồ sơ").fill("Cần chăm sóc dài hạn tại trung tâm bảo trợ")
    assert overflow(page) <= 0
    page.get_by_role("button", name="Đề nghị chuyển hồ sơ").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}(\?section=referrals)?$"))

    page.context.clear_cookies()
    login_as(page, "btxh.giamsat")
    page.goto("/transfers/incoming")
    request = page.locator("section.transfer-request", has_text="Cần chăm sóc dài hạn")
    expect(request).to_have_count(1)
    assert overflow(page) <= 0
    page.screenshot(path=str(artifacts_dir / "transfers_incoming_360.png"), full_page=True)
    request.locator("label.choice", has_text="Tiếp nhận hồ sơ").click()
    request.get_by_role("button", name="Lưu quyết định").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}(\?section=referrals)?$"))
    expect(page.locator("main").get_by_text(name).first).to_be_visible()


def _set_up_legal_aid(app, name):
    """A case of the demo centre whose client consented at intake to share with "Trợ giúp pháp lý",
    and the centre's own outside legal-aid centre (added by its supervisor)."""
    from caseapp.auth.models import User
    from caseapp.cases.services import open_case
    from caseapp.clients.services import create_client, record_consent
    from caseapp.extensions import db
    from caseapp.org.models import Facility
    from caseapp.referrals import services

    with app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        supervisor = db.session.scalar(sa.select(User).where(User.username == "ctxh.giamsat"))
        client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=worker)
        case = open_case(
            facility=facility,
            client=client,
            case_type="center",
            urgency="medium",
            by=worker,
            assigned_worker_id=worker.id,
        )
        record_consent(
            client,
            purpose="share_provider",
            given_by="client",
            by=worker,
            giver_name=name,
            recipient="Trợ giúp pháp lý",
        )
        legal_aid = f"Trung tâm Trợ giúp pháp lý Thử {uuid.uuid4().hex[:4]}"
        services.create_provider(
            {
                "name": legal_aid,
                "kind": "legal_aid",
                "province_code": facility.province_code,
                "phone": "0203 3636 111",
                "services": ["legal_aid"],
                "opening_hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
                "is_active": True,
            },
            by=supervisor,
        )
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id, legal_aid


def test_propose_an_organisation_and_refer_to_an_outside_legal_aid_centre_on_a_phone(
    phone_page, login_as, live_server, artifacts_dir
):
    page = phone_page
    name = f"Chị Pháp Lý {uuid.uuid4().hex[:6]}"
    case_id, legal_aid = _set_up_legal_aid(live_server.app, name)
    login_as(page, "ctxh.nhanvien")

    # a worker proposes the ward's Women's Union; it waits for the supervisor
    union = f"Hội LHPN phường Thử {uuid.uuid4().hex[:4]}"
    page.goto("/providers/new")
    page.locator("#name").fill(union)
    page.locator("#kind").select_option("women_union")
    page.get_by_label("Giờ làm việc").fill("Sáng thứ Hai đến thứ Sáu")
    assert overflow(page) <= 0, f"the proposal form is {overflow(page)} px wider than the phone"
    page.screenshot(path=str(artifacts_dir / "providers_propose_360.png"), full_page=True)
    page.get_by_role("button", name="Đề xuất").click()
    expect(page).to_have_url(re.compile(r"/providers/proposals$"))
    expect(page.locator("section.proposal", has_text=union).get_by_text("Chờ lãnh đạo phê duyệt")).to_be_visible()

    # the referral to the outside legal-aid centre, with the consent recorded at intake
    page.goto(f"/cases/{case_id}/referrals/new")
    form = page.locator("form.referral-form")
    pick(form.locator("#provider_id"), legal_aid)
    form.locator("#service_type").select_option("legal_aid")
    form.get_by_label("Lý do chuyển gửi").fill("Cần tư vấn thủ tục ly hôn")
    form.get_by_label("Thông tin chia sẻ với nơi cung cấp dịch vụ").fill("Họ tên, số điện thoại")
    form.locator("label.choice", has_text="Đối tượng đã đồng ý").click()
    pick(form.locator("#consent_id"), "Trợ giúp pháp lý")
    form.get_by_role("button", name="Gửi chuyển gửi").click()
    expect(page).to_have_url(re.compile(r"/referrals/\d+$"))
    expect(page.get_by_text("Đã gửi, chờ trả lời")).to_be_visible()

    # the centre answered by phone: the worker records it, then the outcome
    answer = page.locator("section", has_text="Ghi nhận trả lời của nơi cung cấp dịch vụ")
    answer.locator("label.choice", has_text="Đã tiếp nhận").click()
    answer.get_by_label("Nội dung trả lời").fill("Luật sư nhận qua điện thoại, hẹn thứ Năm")
    expect(answer.get_by_label("Ngày nhận được trả lời")).to_be_visible()
    assert overflow(page) <= 0
    page.screenshot(path=str(artifacts_dir / "referrals_outside_answer_360.png"), full_page=True)
    answer.get_by_role("button", name="Lưu câu trả lời").click()
    outcome = page.locator("section", has_text="Ghi nhận kết quả")
    outcome.locator("#outcome").fill("Đã được tư vấn, luật sư nhận bảo vệ quyền lợi")
    outcome.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page.locator("p.badges").get_by_text("Đã hoàn thành")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "referrals_outside_done_360.png"), full_page=True)

    # the supervisor approves the proposal
    page.context.clear_cookies()
    login_as(page, "ctxh.giamsat")
    page.goto("/providers/proposals")
    card = page.locator("section.proposal", has_text=union)
    card.locator("label.choice", has_text="Phê duyệt").click()
    assert overflow(page) <= 0
    page.screenshot(path=str(artifacts_dir / "providers_proposals_360.png"), full_page=True)
    card.get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator("section.proposal", has_text=union)).to_have_count(0)
