"""The case's steps in the UI and editing the case's own details under an optimistic lock: allowed
moves through the route, moves the table or the circular forbid, who may move a case, and a stale edit
that keeps the typed input and shows what changed meanwhile."""

import html
import re

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.workflow import closure
from caseapp.core.services import ServiceError
from caseapp.extensions import db
from caseapp.plans import services as plan_services

from ..plans.conftest import approved_assessment, new_case, plan_data


@pytest.fixture()
def case(staff):
    return new_case(staff.facility, staff.worker)


def reload(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def _events(case_id, kind):
    return db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind).order_by(CaseEvent.id)
    ).all()


def _audits(action, entity_id=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.action == action)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == str(entity_id))
    return db.session.scalars(stmt.order_by(AuditEvent.id)).all()


def _in_implementation(case, staff):
    """An approved assessment and an approved plan: the plans domain moves the case to implementation."""
    approved_assessment(case, staff.worker)
    plan = plan_services.create_plan(case, plan_data(), by=staff.worker, submit=True)
    pending = db.session.scalar(
        sa.select(Approval).where(Approval.subject_type == "plan", Approval.subject_id == plan.id)
    )
    approvals.decide(pending, approve=True, comment=None, by=staff.supervisor)
    db.session.commit()
    assert reload(case).status == "implementation"
    return case


# --- moving through the steps -----------------------------------------------------------------------


def test_case_page_shows_the_steps_and_the_allowed_next_steps(staff, case, signed_in):
    page = signed_in(staff.worker).get(f"/cases/{case.id}?section=workflow").get_data(as_text=True)
    section = page.split('id="workflow"')[1].split("</section>")[0]
    assert "Các bước quản lý trường hợp" in section
    assert 'aria-current="step">Tiếp nhận' in section
    options = re.findall(r'<option[^>]*value="([^"]+)"', section.split('name="to_status"')[1].split("</select>")[0])
    assert options == ["assessment"]  # intake → assessment; closed/transferred need their approval


def test_worker_moves_the_case_to_an_allowed_next_step_with_a_reason(staff, case, signed_in):
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": "Đã gặp đối tượng lần đầu"}
    )
    assert response.status_code == 302
    assert reload(case).status == "assessment"
    [event] = _events(case.id, "status")
    assert (event.from_status, event.to_status, event.text) == ("intake", "assessment", "Đã gặp đối tượng lần đầu")
    assert event.actor_id == staff.worker.id
    audit = _audits("case_status_changed", case.id)[-1]
    assert audit.detail == {"from": "intake", "to": "assessment", "via": "manual"}


def test_a_step_the_table_does_not_allow_is_refused_through_the_route(staff, case, signed_in):
    client = signed_in(staff.worker)
    for to_status in ("implementation", "closed", "transferred"):
        response = client.post(f"/cases/{case.id}/status", data={"to_status": to_status, "reason": "Thử bỏ bước"})
        assert response.status_code == 422, to_status
        assert "Thử bỏ bước" in response.get_data(as_text=True)  # the reason stays in the form
    assert reload(case).status == "intake"
    assert _events(case.id, "status") == []


def test_the_service_never_closes_a_case_by_a_manual_move(staff, case):
    with pytest.raises(ServiceError):
        closure.move_case(case, "closed", reason="Đóng luôn", by=staff.supervisor)
    assert case.status == "intake"


def test_moving_to_planning_needs_an_approved_assessment(staff, case, signed_in):
    client = signed_in(staff.worker)
    client.post(f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": "Bắt đầu đánh giá"})
    response = client.post(f"/cases/{case.id}/status", data={"to_status": "planning", "reason": "Bỏ qua đánh giá"})
    assert response.status_code == 422
    assert "Đánh giá nhu cầu phải được phê duyệt trước khi hồ sơ chuyển sang bước lập kế hoạch." in response.get_data(
        as_text=True
    )
    assert reload(case).status == "assessment"


def test_moving_back_to_implementation_needs_an_approved_plan(staff, case, signed_in):
    approved_assessment(case, staff.worker)  # → planning, no plan yet
    db.session.commit()
    client = signed_in(staff.worker)
    response = client.post(f"/cases/{case.id}/status", data={"to_status": "implementation", "reason": "Làm luôn"})
    assert response.status_code == 422
    assert "Kế hoạch trợ giúp phải được phê duyệt" in response.get_data(as_text=True)
    assert reload(case).status == "planning"


def test_review_and_back_once_the_plan_is_approved(staff, case, signed_in):
    _in_implementation(case, staff)
    client = signed_in(staff.worker)
    assert (
        client.post(
            f"/cases/{case.id}/status", data={"to_status": "review", "reason": "Rà soát định kỳ 30 ngày"}
        ).status_code
        == 302
    )
    assert reload(case).status == "review"
    assert (
        client.post(
            f"/cases/{case.id}/status", data={"to_status": "planning", "reason": "Cần điều chỉnh kế hoạch"}
        ).status_code
        == 302
    )
    assert reload(case).status == "planning"


def test_a_move_needs_a_reason(staff, case, signed_in):
    response = signed_in(staff.worker).post(f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": " "})
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in response.get_data(as_text=True)
    assert reload(case).status == "intake"


def test_shelter_staff_who_sees_the_case_cannot_move_it(staff, case, signed_in):
    response = signed_in(staff.shelter).post(
        f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": "Chuyển bước"}
    )
    assert response.status_code == 403
    assert reload(case).status == "intake"


def test_supervisor_of_the_facility_may_move_the_case(staff, case, signed_in):
    response = signed_in(staff.supervisor).post(
        f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": "Giao đánh giá"}
    )
    assert response.status_code == 302
    assert reload(case).status == "assessment"


def test_worker_of_other_facility_cannot_move_case(staff, case, signed_in):
    response = signed_in(staff.outsider).post(
        f"/cases/{case.id}/status", data={"to_status": "assessment", "reason": "Chuyển bước"}
    )
    assert response.status_code == 404
    assert reload(case).status == "intake"


def test_no_move_while_a_closure_waits_for_its_decision(staff, case):
    closure.request_closure(case, reason="refused", summary="Đối tượng từ chối dịch vụ", by=staff.worker)
    with pytest.raises(ServiceError):
        closure.move_case(case, "assessment", reason="Chuyển bước", by=staff.worker)


# --- the case's own details ---------------------------------------------------------------------------


def _details(**overrides):
    data = {"case_type": "center", "care_kind": "", "urgency": "medium", "risk_level": "", "primary_group": ""}
    data.update(overrides)
    return data


def _hidden(page, name):
    return html.unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1))


def test_worker_edits_the_details_audited_with_the_field_names_only(staff, case, signed_in):
    client = signed_in(staff.worker)
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/cases/{case.id}/edit",
        data=_details(
            urgency="high",
            care_kind="emergency",
            risk_level="high",
            primary_group="em_domestic_violence",
            version=_hidden(page, "version"),
            snapshot=_hidden(page, "snapshot"),
        ),
    )
    assert response.status_code == 302
    case = reload(case)
    assert (case.urgency, case.care_kind, case.risk_level, case.primary_group) == (
        "high",
        "emergency",
        "high",
        "em_domestic_violence",
    )
    [audit] = _audits("case_details_updated", case.id)
    assert audit.detail == {"fields": ["care_kind", "urgency", "risk_level", "primary_group"]}
    assert len(_events(case.id, "details_changed")) == 1


def test_an_unknown_code_is_refused_and_the_input_kept(staff, case, signed_in):
    client = signed_in(staff.worker)
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/cases/{case.id}/edit",
        data=_details(urgency="extreme", care_kind="day_care", version=_hidden(page, "version")),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Không phải lựa chọn hợp lệ" in body or "không hợp lệ" in body
    assert re.search(r'<option selected value="day_care">|<option value="day_care" selected>', body)
    assert reload(case).urgency == "medium"


def test_a_stale_edit_keeps_the_typed_input_and_shows_what_changed(staff, case, signed_in):
    mine = signed_in(staff.worker)
    page = mine.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    version, snapshot = _hidden(page, "version"), _hidden(page, "snapshot")

    # Meanwhile the supervisor raises the urgency.
    theirs = signed_in(staff.supervisor)
    their_page = theirs.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert (
        theirs.post(
            f"/cases/{case.id}/edit",
            data=_details(
                urgency="emergency", version=_hidden(their_page, "version"), snapshot=_hidden(their_page, "snapshot")
            ),
        ).status_code
        == 302
    )

    response = mine.post(
        f"/cases/{case.id}/edit",
        data=_details(urgency="low", care_kind="long_term", version=version, snapshot=snapshot),
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Người khác đã thay đổi nội dung này trong lúc bạn đang sửa" in body
    changed = body.split('id="h-stale"')[1].split("</section>")[0]
    assert "Mức độ khẩn cấp" in changed or "Khẩn cấp" in changed
    assert re.search(r"Trung bình</del>\s*→\s*<strong>Khẩn cấp</strong>", changed)  # their value → current value
    assert "Hình thức chăm sóc" not in changed  # unchanged: not listed
    assert re.search(r'<option selected value="long_term">|<option value="long_term" selected>', body)  # my input
    assert re.search(r'<option selected value="low">|<option value="low" selected>', body)
    assert reload(case).urgency == "emergency"  # nothing of mine saved

    # The form now carries the current version: saving again (after checking) goes through.
    response = mine.post(
        f"/cases/{case.id}/edit",
        data=_details(
            urgency="low", care_kind="long_term", version=_hidden(body, "version"), snapshot=_hidden(body, "snapshot")
        ),
    )
    assert response.status_code == 302
    assert (reload(case).urgency, reload(case).care_kind) == ("low", "long_term")


def test_the_service_refuses_an_old_version(staff, case):
    old = case.version
    closure.update_case_details(case, _details(urgency="high"), version=old, by=staff.worker)
    with pytest.raises(plan_services.StaleEdit):
        closure.update_case_details(case, _details(urgency="low"), version=old, by=staff.supervisor)
    assert reload(case).urgency == "high"


def test_worker_of_other_facility_cannot_edit_case(staff, case, signed_in):
    client = signed_in(staff.outsider)
    assert client.get(f"/cases/{case.id}/edit").status_code == 404
    assert client.post(f"/cases/{case.id}/edit", data=_details(urgency="low", version=case.version)).status_code == 404
    assert reload(case).urgency == "medium"
