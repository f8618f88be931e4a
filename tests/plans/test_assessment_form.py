"""The needs-assessment form of Thông tư 02/2020/TT-BLĐTBXH: its blocks, a first assessment that
starts from the intake's answers instead of asking again, required fields marked before anything is
sent, refusals shown at their field with the input kept, and versions compared in the new blocks
(older assessments, stored before the blocks existed, still show and compare)."""

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from caseapp.clients.services import create_client
from caseapp.core import categories as cat
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.intake.services import create_intake
from caseapp.plans import services
from caseapp.plans.models import Assessment

from ..documents.helpers import pdf_text
from .conftest import ALL_NO, approved_assessment, assessment_data, assessment_form, reload

BLOCK_TITLES_VI = (
    "Thông tin chung",
    "Sức khỏe",
    "Tâm lý",
    "Gia đình và các mối quan hệ",
    "Kinh tế và điều kiện sống",
    "Học tập hoặc việc làm",
    "An toàn và nguy cơ",
    "Nhu cầu và điểm mạnh",
    "Ý kiến của chính đối tượng",
)


def _intake_case(people, *, problems=("domestic_violence", "poverty"), **screening):
    client = create_client({"full_name": "Trần Thị Hoa", "sex": "female"}, facility=people.facility, by=people.worker)
    answers = {"danger_now": "yes", "injured": "no", "perpetrator_access": "unknown", **screening}
    _intake, case = create_intake(
        client,
        {
            "received_at": utcnow() - timedelta(hours=3),
            "channel": "walk_in",
            "problems": list(problems),
            "problem_note": "Chồng đánh, mất việc làm",
            **answers,
            "decision": "open_case",
            "case_type": "center",
            "assigned_worker_id": people.worker.id,
        },
        facility=people.facility,
        by=people.worker,
    )
    return case


def _legends(page):
    return [
        html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'<legend(?: class="visually-hidden")?>(.*?)</legend>', page)
    ]


def _hidden(page, name):
    return html.unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1))


def _radio_checked(page, name, value):
    return re.search(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="{value}"', page) or re.search(
        rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', page
    )


def test_the_form_has_every_block_of_the_circular_as_a_fieldset(people, case, signed_in):
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    legends = _legends(page)
    for title in BLOCK_TITLES_VI:
        assert title in legends, title
    for label in ("Bệnh tật, tình trạng thể chất hiện nay", "Điều kiện kinh tế của hộ", "Trình độ học vấn"):
        assert label in page
    assert '<details class="group domain"' in page  # the long needs block folds on a phone
    assert '<details class="group block block-health">' in page  # an empty block too


def test_a_first_assessment_starts_from_the_intake_answers_without_asking_again(people, signed_in):
    case = _intake_case(people)
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    # The intake's problems and what happened fill the reason; each problem sits under its need.
    reason = re.search(r'<textarea[^>]*name="b_general__reason"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Bạo lực gia đình" in html.unescape(reason) and "Chồng đánh, mất việc làm" in html.unescape(reason)
    livelihood = re.search(r'<textarea[^>]*name="d_livelihood__situation"[^>]*>(.*?)</textarea>', page, re.S)
    assert "Nghèo đói" in html.unescape(livelihood.group(1))
    # The screening's answers stand as the safety answers they already give (editable radios) …
    assert _radio_checked(page, "q_serious_harm", "yes")
    assert _radio_checked(page, "q_injuries", "no")
    # … "not known" at intake is left for the assessment to answer.
    assert not re.search(r'<input[^>]*checked[^>]*name="q_perpetrator_access"', page)
    assert "Từ phiếu tiếp nhận ngày" in page and "Từ phiếu tiếp nhận: kiểm tra và sửa nếu cần." in page
    # The screening questions of the intake are shown as answered, not asked as new questions.
    for question in cat.SCREENING_QUESTIONS:
        assert f'name="{question.code}"' not in page


def test_prefilled_answers_are_saved_as_the_worker_leaves_or_corrects_them(people, signed_in):
    case = _intake_case(people)
    safety = {**ALL_NO, "serious_harm": "yes"}
    data = assessment_form(risk="high", safety=safety, b_general__reason="Bạo lực gia đình (đã xác minh)")
    response = signed_in(people.worker).post(f"/cases/{case.id}/assessments/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assessment = db.session.scalar(sa.select(Assessment).where(Assessment.case_id == case.id))
    assert assessment.blocks["general"] == {"reason": "Bạo lực gia đình (đã xác minh)"}
    assert assessment.safety["serious_harm"] == "yes"


def test_required_fields_are_marked_before_anything_is_sent(people, signed_in):
    case = _intake_case(people)
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    assert "Bắt buộc khi lưu phiếu đánh giá; lưu nháp thì có thể để trống." in page  # the legend of the mark
    for question in cat.SAFETY_QUESTIONS:
        group = page.split(f'id="q_{question.code}"')[1].split("</fieldset>")[0]
        assert 'class="req" aria-hidden="true">*</span>' in group and "(bắt buộc)" in group, question.code
        assert len(re.findall(r"<input[^>]*required", group)) == 3, question.code
    level = page.split('id="risk_level"')[1].split("</fieldset>")[0]
    assert "(bắt buộc)" in level and re.search(r"<input[^>]*required", level)
    assert re.search(r'<textarea[^>]*name="risk_reasons"[^>]*required', page) or re.search(
        r'<textarea[^>]*required[^>]*name="risk_reasons"', page
    )


def test_a_missing_required_answer_is_shown_at_its_field_with_the_input_kept(people, signed_in):
    case = _intake_case(people)
    safety = {**ALL_NO, "serious_harm": "yes"}
    del safety["sexual_abuse"]
    data = assessment_form(
        risk="high", safety=safety, b_health__illnesses="Đau lưng kéo dài", b_economy__household_status="poor"
    )
    response = signed_in(people.worker).post(f"/cases/{case.id}/assessments/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    group = page.split('id="q_sexual_abuse"')[1].split("</fieldset>")[0]
    assert "has-error" in page.split('id="q_sexual_abuse"')[0].rsplit("<fieldset", 1)[1]
    assert "Trả lời có, không hoặc chưa rõ." in group
    assert "Đau lưng kéo dài" in page
    assert re.search(r'<option[^>]*selected[^>]*value="poor"|<option[^>]*value="poor"[^>]*selected', page)
    assert _radio_checked(page, "q_serious_harm", "yes")
    assert db.session.scalar(sa.select(Assessment.id).where(Assessment.case_id == case.id)) is None


def test_a_block_value_refused_by_the_service_is_shown_at_its_field(people, case, signed_in):
    data = assessment_form(b_economy__household_status="rich", b_family__size="4 người")
    response = signed_in(people.worker).post(f"/cases/{case.id}/assessments/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page.split('id="b_economy__household_status"')[1].split("</div>")[0]
    assert "Chọn một trong các lựa chọn được đưa ra." in field
    assert 'value="4 người"' in page


def test_a_stale_edit_is_refused_keeping_the_text_of_the_new_blocks(people, case, signed_in):
    draft = services.create_assessment(case, assessment_data(), by=people.worker, submit=False)
    db.session.commit()
    mine = signed_in(people.worker)
    page = mine.get(f"/cases/{case.id}/assessments/{draft.id}/edit").get_data(as_text=True)
    version, snapshot = _hidden(page, "version"), _hidden(page, "snapshot")
    theirs = signed_in(people.supervisor)
    their_page = theirs.get(f"/cases/{case.id}/assessments/{draft.id}/edit").get_data(as_text=True)
    response = theirs.post(
        f"/cases/{case.id}/assessments/{draft.id}/edit",
        data=assessment_form(
            action="draft",
            b_psychology__mental_state="Lo âu, mất ngủ",
            version=_hidden(their_page, "version"),
            snapshot=_hidden(their_page, "snapshot"),
        ),
    )
    assert response.status_code == 302
    response = mine.post(
        f"/cases/{case.id}/assessments/{draft.id}/edit",
        data=assessment_form(
            action="draft", b_health__treatment="Đang điều trị tại trạm y tế xã", version=version, snapshot=snapshot
        ),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    changed = page.split('id="h-stale"')[1].split("</section>")[0]
    assert "Tâm lý — Tình trạng tinh thần, tâm lý hiện nay" in changed and "Lo âu, mất ngủ" in changed
    assert "Đang điều trị tại trạm y tế xã" in page  # my input stays in the form
    assert (reload(draft).blocks or {}).get("health") is None  # nothing of mine was saved


def test_versions_compare_a_changed_field_in_a_new_block(people, case, signed_in):
    first = approved_assessment(case, people.worker)
    data = assessment_data()
    data["blocks"] = {"economy": {"household_status": "near_poor", "income_sources": "Trợ cấp hằng tháng"}}
    second = services.create_assessment(case, data, by=people.worker)
    page = signed_in(people.worker).get(f"/cases/{case.id}/assessments/{second.id}").get_data(as_text=True)
    section = page.split('aria-label="Kinh tế và điều kiện sống"')[1].split("</section>")[0]
    assert 'class="changed"' in section and "Hộ cận nghèo" in section and "Trợ cấp hằng tháng" in section
    only = (
        signed_in(people.worker)
        .get(f"/cases/{case.id}/assessments/{second.id}?compare={first.id}&changes=1")
        .get_data(as_text=True)
    )
    assert "Hộ cận nghèo" in only


def test_an_assessment_stored_before_the_blocks_still_shows_and_compares(people, case, signed_in):
    old = approved_assessment(case, people.worker, reasons="Lý do năm trước")
    db.session.execute(sa.update(Assessment).where(Assessment.id == old.id).values(blocks=None))
    data = assessment_data(reasons="Lý do năm nay")
    data["blocks"] = {"health": {"illnesses": "Tiểu đường"}}
    new = services.create_assessment(case, data, by=people.worker)
    client = signed_in(people.worker)
    assert client.get(f"/cases/{case.id}/assessments/{old.id}").status_code == 200
    page = client.get(f"/cases/{case.id}/assessments/{new.id}?compare={old.id}").get_data(as_text=True)
    assert "Tiểu đường" in page and "Lý do năm trước" in page


def test_the_printed_assessment_holds_the_new_blocks(people, case, signed_in):
    data = assessment_data()
    data["blocks"] = {
        "health": {"disability": "Khuyết tật vận động, mức độ nặng"},
        "economy": {"household_status": "poor"},
        "view": {"wishes": "Được đi học nghề may"},
    }
    services.create_assessment(case, data, by=people.worker)
    response = signed_in(people.worker).get(f"/cases/{case.id}/documents/assessment.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Khuyết tật: nguyên nhân, dạng tật và mức độ" in text and "Khuyết tật vận động, mức độ nặng" in text
    assert "Kinh tế và điều kiện sống" in text and "Hộ nghèo" in text
    assert "Được đi học nghề may" in text
