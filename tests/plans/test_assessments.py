"""Needs assessment (đánh giá nhu cầu, TT 02/2020/TT-BLĐTBXH bước 1): versions, the case's risk
level and status, the safety questions of violence and child-protection cases, and approval only
where the facility requires it."""

import pytest
import sqlalchemy as sa

from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseEvent
from caseapp.core import categories as cat
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.intake.models import Intake
from caseapp.plans import queries, services
from caseapp.plans.models import Assessment

from .conftest import ALL_NO, approved_assessment, assessment_data, assessment_form, new_case, reload


def _versions(case):
    return db.session.scalars(
        sa.select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.version_no)
    ).all()


def test_saving_an_assessment_makes_version_1_sets_the_risk_and_moves_the_case_on(people, case, signed_in):
    response = signed_in(people.worker).post(f"/cases/{case.id}/assessments/new", data=assessment_form(risk="high"))
    assert response.status_code == 302, response.get_data(as_text=True)
    [assessment] = _versions(case)
    assert response.headers["Location"].endswith(f"/cases/{case.id}/assessments/{assessment.id}")
    assert (assessment.version_no, assessment.status, assessment.risk_level) == (1, "approved", "high")
    assert assessment.domains["safety"] == {
        "situation": "Tình hình an toàn",
        "need_level": "high",
        "strengths": "",
        "client_view": "",
    }
    assert assessment.client_view == "Chị muốn ở lại với con"
    assert assessment.created_by_id == people.worker.id
    case = reload(case)
    assert case.risk_level == "high"
    # intake → assessment (assessed) → planning (approved at once: the facility does not require approval)
    moves = db.session.execute(
        sa.select(CaseEvent.from_status, CaseEvent.to_status)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "status")
        .order_by(CaseEvent.id)
    ).all()
    assert [tuple(m) for m in moves] == [("intake", "assessment"), ("assessment", "planning")]
    assert case.status == "planning"
    assert db.session.scalar(sa.select(sa.func.count(Approval.id)).where(Approval.case_id == case.id)) == 0


def test_a_reassessment_is_a_new_version_and_the_old_one_stays(people, case):
    first = approved_assessment(case, people.worker, risk="high", levels={"safety": "high"})
    second = approved_assessment(case, people.worker, risk="low", levels={"safety": "low", "education": "medium"})
    assert [a.version_no for a in _versions(case)] == [1, 2]
    first = reload(first)
    assert (first.risk_level, first.domains["safety"]["need_level"], first.status) == ("high", "high", "approved")
    assert reload(second).risk_level == "low"
    assert reload(case).risk_level == "low"  # the newest version sets the case's risk level


def test_the_new_assessment_form_starts_from_the_last_version(people, case, signed_in):
    approved_assessment(case, people.worker, risk="high", reasons="Lý do cũ rất riêng")
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    assert "Lý do cũ rất riêng" in page
    assert "phiên bản 1" in page  # "a re-assessment: the form starts from version 1"


def test_the_assessment_page_lists_versions_and_marks_what_changed(people, case, signed_in):
    approved_assessment(case, people.worker, risk="high", reasons="Bị đe dọa")
    second = approved_assessment(case, people.worker, risk="medium", reasons="Đã chuyển về nhà mẹ đẻ")
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/{second.id}").get_data(as_text=True)
    assert "Phiên bản 1" in page and "Phiên bản 2" in page
    assert 'class="changed"' in page
    assert "Đã chuyển về nhà mẹ đẻ" in page and "<del" in page and "Bị đe dọa" in page
    only = signed_in(people.worker).get(f"/cases/{case.id}/assessments/{second.id}?changes=1").get_data(as_text=True)
    assert "Bị đe dọa" in only and "Tình hình giáo dục" not in only


def test_risk_level_and_its_reasons_are_required(people, case, signed_in):
    response = signed_in(people.worker).post(
        f"/cases/{case.id}/assessments/new", data=assessment_form(risk="", reasons="")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chọn mức độ nguy cơ chung." in page and "Nêu lý do của mức độ nguy cơ." in page
    assert _versions(case) == []
    with pytest.raises(ServiceError) as refused:
        services.create_assessment(case, assessment_data(reasons=""), by=people.worker)
    assert refused.value.field == "risk_reasons"


@pytest.mark.parametrize("case_type", ["child_protection", "emergency_shelter"])
def test_violence_and_child_protection_cases_must_answer_the_safety_questions(people, signed_in, case_type):
    case = new_case(people.facility, people.worker, case_type=case_type)
    client = signed_in(people.worker)
    page = client.get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    for question in cat.SAFETY_QUESTIONS:
        assert question.vi in page
    response = client.post(f"/cases/{case.id}/assessments/new", data=assessment_form())
    assert response.status_code == 422
    assert "Trả lời có, không hoặc chưa rõ." in response.get_data(as_text=True)
    assert _versions(case) == []
    answers = {**ALL_NO, "serious_harm": "yes", "safe_carer": "unknown"}
    response = client.post(f"/cases/{case.id}/assessments/new", data=assessment_form(risk="high", safety=answers))
    assert response.status_code == 302
    assert _versions(case)[0].safety == answers


def test_a_client_in_a_violence_group_gets_the_safety_questions(people, signed_in):
    case = new_case(people.facility, people.worker, groups=["em_domestic_violence"])
    assert queries.is_violence_case(case)
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    assert cat.SAFETY_QUESTIONS[0].vi in page
    with pytest.raises(ServiceError) as refused:
        services.create_assessment(case, assessment_data(), by=people.worker)
    assert refused.value.field == "q_serious_harm"


def test_a_violence_problem_at_intake_brings_the_safety_questions(people, case):
    assert not queries.is_violence_case(case)
    db.session.add(
        Intake(
            facility_id=case.facility_id,
            client_id=case.client_id,
            received_at=utcnow(),
            channel="walk_in",
            problems=["poverty", "domestic_violence"],
            urgency="medium",
            decision="open_case",
        )
    )
    db.session.flush()
    assert queries.is_violence_case(case)


def test_other_cases_are_not_asked_the_safety_questions(people, case, signed_in):
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    assert cat.SAFETY_QUESTIONS[0].vi not in page
    assessment = services.create_assessment(case, assessment_data(safety={"serious_harm": "yes"}), by=people.worker)
    assert assessment.safety == {}


def test_approval_is_required_only_where_the_facility_requires_it(people, case, signed_in):
    people.facility.requires_assessment_approval = True
    db.session.flush()
    response = signed_in(people.worker).post(f"/cases/{case.id}/assessments/new", data=assessment_form())
    assert response.status_code == 302
    [assessment] = _versions(case)
    assert assessment.status == "pending"
    [approval] = db.session.scalars(sa.select(Approval).where(Approval.case_id == case.id)).all()
    assert (approval.subject_type, approval.subject_id, approval.status) == ("assessment", assessment.id, "pending")
    assert approval.requested_by_id == people.worker.id
    case = reload(case)
    assert case.status == "assessment" and case.risk_level == "medium"  # planning waits for the approval
    kinds = db.session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "assessment_approval_requested" in kinds


def test_after_approval_the_case_moves_to_planning(people, case):
    from caseapp.approvals.services import decide

    people.facility.requires_assessment_approval = True
    assessment = services.create_assessment(case, assessment_data(), by=people.worker)
    approval = db.session.scalar(sa.select(Approval).where(Approval.subject_id == assessment.id))
    decide(approval, approve=True, comment=None, by=people.supervisor)
    assert reload(assessment).status == "approved"
    assert reload(case).status == "planning"


def test_a_draft_changes_neither_the_case_nor_asks_for_approval(people, case, signed_in):
    people.facility.requires_assessment_approval = True
    response = signed_in(people.worker).post(
        f"/cases/{case.id}/assessments/new", data=assessment_form(risk="high", reasons="", action="draft")
    )
    assert response.status_code == 302
    [assessment] = _versions(case)
    assert assessment.status == "draft"
    case = reload(case)
    assert (case.status, case.risk_level) == ("intake", None)
    assert db.session.scalar(sa.select(sa.func.count(Approval.id)).where(Approval.case_id == case.id)) == 0


def test_an_unfinished_assessment_blocks_a_new_one(people, case, signed_in):
    draft = services.create_assessment(case, assessment_data(), by=people.worker, submit=False)
    response = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{draft.id}/edit")
    with pytest.raises(ServiceError):
        services.create_assessment(case, assessment_data(), by=people.worker)


def test_a_returned_assessment_is_edited_in_place_and_sent_again(people, case, signed_in):
    from caseapp.approvals.services import decide

    people.facility.requires_assessment_approval = True
    assessment = services.create_assessment(case, assessment_data(risk="low"), by=people.worker)
    approval = db.session.scalar(sa.select(Approval).where(Approval.subject_id == assessment.id))
    decide(approval, approve=False, comment="Đánh giá lại nguy cơ an toàn", by=people.supervisor)
    assert reload(assessment).status == "returned"
    client = signed_in(people.worker)
    edit = client.get(f"/cases/{case.id}/assessments/{assessment.id}/edit").get_data(as_text=True)
    version = reload(assessment).version
    assert f'name="version" type="hidden" value="{version}"' in edit
    snapshot = edit.split('name="snapshot" type="hidden" value="')[1].split('"')[0]
    import html

    response = client.post(
        f"/cases/{case.id}/assessments/{assessment.id}/edit",
        data=assessment_form(risk="high", version=version, snapshot=html.unescape(snapshot)),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assessment = reload(assessment)
    assert (assessment.version_no, assessment.status, assessment.risk_level) == (1, "pending", "high")
    pending = db.session.scalars(
        sa.select(Approval).where(Approval.subject_id == assessment.id, Approval.status == "pending")
    ).all()
    assert len(pending) == 1
    audit = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "assessments", AuditEvent.entity_id == str(assessment.id)
        )
    ).all()
    assert {"assessment_created", "assessment_submitted", "assessment_updated"} <= set(audit)
