"""Supervision in a real browser at 360 px: a supervisor records a case conference with a decision that
becomes the worker's task, opens it, then records a supervision session; every page fits the phone."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from caseapp.auth.models import User
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.org.models import Facility

from .. import factories
from .test_layout import overflow

SHOTS = Path("/tmp/shots/superv")


@pytest.fixture(scope="module")
def conference_case(live_server):
    with live_server.app.app_context():
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == "CTXHQN"))
        worker = db.session.scalar(sa.select(User).where(User.username == "ctxh.nhanvien"))
        client = factories.make_client(facility, full_name="Lý Thị Hội Chẩn Trình Duyệt", sex="female")
        case = factories.make_case(facility, client=client, worker=worker)
        made = {"id": case.id, "number": case.number, "worker": worker.id}
        db.session.commit()
        db.session.remove()
    return made


def _keep(path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / Path(path).name)


def test_supervisor_records_a_conference_and_a_session_on_a_phone(phone_page, conference_case, login_as, shoot):
    page = phone_page
    login_as(page, "ctxh.giamsat")
    page.goto(f"/cases/{conference_case['id']}/conferences/new")
    expect(page.get_by_role("heading", name="Ghi nhận cuộc hội chẩn")).to_be_visible()
    page.locator("input[name=place]").fill("Phòng họp")
    page.locator("input[name='outsiders-0-name']").fill("Đặng Văn Ngoài")
    page.locator("input[name='outsiders-0-organisation']").fill("UBND xã")
    page.locator("textarea[name=situation]").fill("Đối tượng cần hỗ trợ tâm lý.")
    page.locator("textarea[name='decisions-0-text']").fill("Tư vấn tâm lý hằng tuần")
    page.locator("select[name='decisions-0-owner']").select_option(str(conference_case["worker"]))
    page.locator("input[name='decisions-0-due_on']").fill(local_today().isoformat())
    _keep(shoot(page, "supervision-conference-form-phone"))
    assert overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu cuộc hội chẩn").click()
    expect(page.get_by_text("Đã ghi nhận cuộc hội chẩn.")).to_be_visible()
    expect(page.get_by_text("Đặng Văn Ngoài")).to_be_visible()
    _keep(shoot(page, "supervision-conference-phone"))
    assert overflow(page) <= 0

    page.goto("/supervision/sessions/new")
    page.locator("select[name=kind]").select_option("individual")
    page.locator(f"input[name=workers][value='{conference_case['worker']}']").check()
    page.locator("input[name=cases]").fill(conference_case["number"])
    page.locator("textarea[name='actions-0-text']").fill("Cập nhật kế hoạch trợ giúp")
    page.locator("input[name='actions-0-case_number']").fill(conference_case["number"])
    page.locator("select[name='actions-0-owner']").select_option(str(conference_case["worker"]))
    page.locator("input[name='actions-0-due_on']").fill(local_today().isoformat())
    _keep(shoot(page, "supervision-session-form-phone"))
    assert overflow(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu buổi giám sát").click()
    expect(page.get_by_text("Đã ghi nhận buổi giám sát chuyên môn.")).to_be_visible()
    _keep(shoot(page, "supervision-session-phone"))
    assert overflow(page) <= 0
