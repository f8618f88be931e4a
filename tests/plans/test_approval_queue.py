"""The approval queue says what waits: the case, the client (only one the viewer may see), the kind of
decision, who asked and since when, and one line of what is to be decided."""

import sqlalchemy as sa

from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.clients.models import Client
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.queries import queue_items

from .conftest import approved_assessment, assessment_data, new_case, plan_data


def test_the_queue_shows_case_client_kind_requester_age_and_summary(people, case, signed_in):
    approved_assessment(case, people.worker)
    services.create_plan(
        case, plan_data(goals=(("safety", "Đảm bảo an toàn cho chị Lan"),)), by=people.worker, submit=True
    )
    people.facility.requires_assessment_approval = True
    other = new_case(people.facility, people.worker, name="Trần Thị Mai")
    services.create_assessment(
        other, assessment_data(risk="high", reasons="Chồng đe doạ"), by=people.worker, submit=True
    )

    page = signed_in(people.supervisor).get("/approvals").get_data(as_text=True)
    assert f"Hồ sơ {case.number}" in page and f"Hồ sơ {other.number}" in page
    assert "Nguyễn Thị Lan" in page and "Trần Thị Mai" in page
    assert "Kế hoạch trợ giúp" in page and "Đánh giá nhu cầu" in page
    assert "Lê Văn Nhân Viên" in page and "từ hôm nay" in page
    assert "1 mục tiêu: Đảm bảo an toàn cho chị Lan" in page
    assert "Nguy cơ: Cao. Chồng đe doạ" in page
    listed = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "clients_listed").order_by(AuditEvent.id.desc())
    )
    assert set(listed.detail["client_ids"]) == {case.client_id, other.client_id}


def test_the_queue_names_a_client_only_to_whom_may_see_that_client(people, signed_in):
    sealed = new_case(people.facility, people.colleague, name="Người Được Bảo Vệ")
    db.session.get(Client, sealed.client_id).is_sensitive = True
    approved_assessment(sealed, people.colleague)
    services.create_plan(sealed, plan_data(), by=people.colleague, submit=True)
    approvals = db.session.scalars(sa.select(Approval).where(Approval.case_id == sealed.id)).all()
    assert queue_items(people.supervisor, approvals)[approvals[0].id].client.id == sealed.client_id
    assert queue_items(people.worker, approvals)[approvals[0].id].client is None  # no case of theirs
    assert "Người Được Bảo Vệ" not in signed_in(people.outsider).get("/approvals").get_data(as_text=True)
