"""An emergency shelter case ("Địa chỉ tin cậy - Nhà tạm lánh", Luật Phòng, chống bạo lực gia đình
2022): a woman and her child admitted at night by the shelter staff — the intake record left to
complete within 24 hours —, the record completed, the family checked in to beds, the assessment with
the violence safety questions, the plan with its safety plan, approved by the shelter's supervisor;
a closure while the person is still in the shelter is refused; check-out with the child; closure
approved; closed."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.clients.models import Client
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.deadlines.rules import due_at
from caseapp.extensions import db
from caseapp.plans.models import Assessment, CarePlan
from caseapp.shelter import queries as shelter_queries
from caseapp.shelter.models import ShelterStay

from ..cases.checklist_helpers import with_reasons
from ..plans.conftest import assessment_form, plan_form
from .conftest import (
    current_step,
    deadline_titles,
    due,
    event_kinds,
    local_input,
    ok,
    page_of,
    pending_approval,
    reload,
)
from .test_center_case import _all_safety, _decide, _safety_plan


def last_night(now=None):
    """22:30 Vietnam time of the latest evening before `now` (within the 7 days an admission allows)."""
    now = (now or utcnow()).astimezone(VN_TZ)
    evening = datetime.combine(now.date(), time(22, 30), VN_TZ)
    return (evening if evening < now else evening - timedelta(days=1)).astimezone(utcnow().tzinfo)


def complete_intake_form(case, person):
    return {
        "full_name": "Đinh Thị Hạnh",
        "alias": person.alias or "",
        "sex": "female",
        "birth_precision": "year",
        "birth_year": "1992",
        "ethnicity": "01",
        "citizen_id": "",
        "phone": "",
        "province_code": "",
        "commune_code": "",
        "street_address": "",
        "hometown": "Thái Bình",
        "groups": ["em_domestic_violence"],
        "channel": "police",
        "referrer_name": "Công an xã",
        "referrer_org": "",
        "referrer_contact": "",
        "problems": ["domestic_violence"],
        "problem_note": "Bị chồng đánh, bế con chạy ra đường lúc 22 giờ",
        "note": "",
        "version": f"{case.version}-{person.version}",
    }


def test_shelter_case_from_night_admission_to_check_out_and_closure(world, as_user):
    staff, supervisor = world.shelter_staff, world.shelter_supervisor
    st, sv = as_user(staff), as_user(supervisor)

    # night admission of a woman with a 6-year-old child
    arrived = last_night()
    response = ok(
        st.post(
            "/shelter/admit",
            data={
                "alias": "Chị H.",
                "sex": "female",
                "approximate_age": "33",
                "arrived_at": local_input(arrived),
                "brought_by": "police",
                "children-0-sex": "female",
                "children-0-age": "6",
                "immediate_needs": ["medical", "clothing"],
                "immediate_danger": "yes",
                "submission_key": "j" * 32,
            },
        )
    )
    case = db.session.get(Case, int(response.headers["Location"].rsplit("/", 1)[1]))
    stay = db.session.scalar(
        sa.select(ShelterStay).where(ShelterStay.case_id == case.id, ShelterStay.accompanying_stay_id.is_(None))
    )
    [child_stay] = shelter_queries.children_stays(stay)
    assert (case.case_type, case.urgency, case.intake_incomplete) == ("emergency_shelter", "emergency", True)
    assert case.assigned_worker_id == staff.id

    # the "intake incomplete" task: due 24 hours after the arrival; the stay's planned end is a due item too
    items = due(case, staff)
    assert set(items) == {"intake_completion", "assessment", "shelter_stay_end"}
    assert items["intake_completion"][0].due_at == arrived + timedelta(hours=24)
    assert items["shelter_stay_end"][0].due_at == due_at("shelter_stay", arrived, amount=world.shelter.max_stay_days)
    html = page_of(st, case)
    assert current_step(html) == "Tiếp nhận"
    assert "Hồ sơ tiếp nhận chưa hoàn thiện" in html and f"/shelter/cases/{case.id}/complete-intake" in html
    assert "Hoàn thiện hồ sơ tiếp nhận" in deadline_titles(html)

    # the record is completed in the morning: the task is gone
    person = db.session.get(Client, stay.client_id)
    ok(st.post(f"/shelter/cases/{case.id}/complete-intake", data=complete_intake_form(case, person)))
    case = reload(case)
    assert case.intake_incomplete is False
    assert "intake_completion" not in due(case, staff)
    assert "Hồ sơ tiếp nhận chưa hoàn thiện" not in page_of(st, case)

    # check-in: the family goes to room P2 together
    for one in (stay, child_stay):
        bed = next(b for b in shelter_queries.free_beds(world.shelter.id) if b.room.name == "P2")
        ok(st.post(f"/shelter/stays/{one.id}/check-in", data={"bed_id": str(bed.id)}))
        db.session.expire_all()
        assert db.session.get(ShelterStay, one.id).bed_id == bed.id
    # the case page shows where the family stays, with the check-out and (for the supervisor) the extension
    html = page_of(st, case)
    assert "Lưu trú tại nhà tạm lánh" in html and "Trẻ đi cùng" in html and html.count("P2 · ") == 2
    assert f'href="/shelter/stays/{stay.id}/check-out"' in html
    assert f'href="/shelter/stays/{stay.id}/extend"' not in html  # staff do not extend stays
    assert f'href="/shelter/stays/{stay.id}/extend"' in page_of(sv, case)
    assert sv.get(f"/shelter/stays/{stay.id}/extend").status_code == 200

    # the assessment: violence safety questions are required, then it is approved at once (this shelter
    # does not require the supervisor's approval of assessments)
    refused = st.post(f"/cases/{case.id}/assessments/new", data=assessment_form(risk="high"))
    assert refused.status_code == 422
    assert "Trả lời có, không hoặc chưa rõ." in refused.get_data(as_text=True)  # each question is asked
    assert db.session.scalar(sa.select(Assessment).where(Assessment.case_id == case.id)) is None
    ok(
        st.post(
            f"/cases/{case.id}/assessments/new",
            data=assessment_form(risk="high", reasons="Chồng đe dọa sẽ tìm đến", safety=_all_safety("yes")),
        )
    )
    case = reload(case)
    assert db.session.scalar(sa.select(Assessment.status).where(Assessment.case_id == case.id)) == "approved"
    assert (case.status, case.risk_level) == ("planning", "high")
    assert set(due(case, staff)) == {"plan", "shelter_stay_end"}

    # the plan needs a complete safety plan in a violence case
    refused = st.post(
        f"/cases/{case.id}/plans/new",
        data=plan_form(
            goals=(("safety", "Hai mẹ con an toàn"),), participation="Chị Hạnh cùng lập kế hoạch", action="submit"
        ),
    )
    assert refused.status_code == 422
    assert "cần có kế hoạch an toàn đầy đủ" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(CarePlan).where(CarePlan.case_id == case.id)) is None
    ok(
        st.post(
            f"/cases/{case.id}/plans/new",
            data=plan_form(
                goals=(("safety", "Hai mẹ con an toàn"),),
                participation="Chị Hạnh cùng lập kế hoạch",
                safety_plan=_safety_plan(),
                action="submit",
            ),
        )
    )
    plan_approval = pending_approval(case, "plan")
    assert st.post(f"/approvals/{plan_approval.id}/decide", data=_decide(plan_approval)).status_code == 403
    ok(sv.post(f"/approvals/{plan_approval.id}/decide", data=_decide(plan_approval)))
    case = reload(case)
    assert case.status == "implementation"
    assert set(due(case, staff)) == {"plan_review", "shelter_stay_end"}
    assert current_step(page_of(st, case)) == "Thực hiện kế hoạch"

    # a closure while the person is still in the shelter is refused, nothing is requested
    closing = {"reason": "goals_met", "summary": "Hai mẹ con về ở với bà ngoại, an toàn", "evaluation": ""}
    refused = st.post(f"/cases/{case.id}/close", data=closing)
    assert refused.status_code == 422
    assert "vẫn đang lưu trú tại nhà tạm lánh" in refused.get_data(as_text=True)
    assert f'href="/cases/{case.id}?section=shelter-stay#shelter-stay"' in refused.get_data(as_text=True)
    assert pending_approval(case, "closure") is None

    # check-out with the child
    leave = utcnow() - timedelta(minutes=10)
    ok(
        st.post(
            f"/shelter/stays/{stay.id}/check-out",
            data={
                "destination": "relatives",
                "reason": "Về ở với bà ngoại",
                "checked_out_at": local_input(leave),
                "safety": "safe",
                "contact_agreed": "no",
                "follow_up_kind": "phone",
                "children": [str(child_stay.id)],
                "version": str(db.session.get(ShelterStay, stay.id).version),
            },
        )
    )
    db.session.expire_all()
    assert db.session.get(ShelterStay, stay.id).checked_out_at is not None
    assert db.session.get(ShelterStay, child_stay.id).checked_out_at is not None
    case = reload(case)
    assert case.status == "implementation" and "checked_out" in event_kinds(case)
    # no stay: no planned end to watch; the contact after leaving is due instead
    assert set(due(case, staff)) == {"plan_review", "follow_up"}
    html = page_of(st, case)
    assert f"/shelter/stays/{stay.id}/check-out" not in html and "đã rời nhà tạm lánh lúc" in html

    # closure: requested by the staff, approved by the shelter's supervisor → closed
    ok(st.post(f"/cases/{case.id}/close", data=with_reasons(case.id, closing)))
    assert st.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""}).status_code == 403
    ok(sv.post(f"/cases/{case.id}/close/decide", data={"approve": "1", "comment": ""}))
    case = reload(case)
    assert case.status == "closed"
    assert current_step(page_of(st, case)) == "Kết thúc"
    assert set(due(case, staff)) == {"follow_up"}
