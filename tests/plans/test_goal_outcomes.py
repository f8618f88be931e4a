"""Outcomes of the goals of the plan in force (TT 02/2020/TT-BLĐTBXH, bước 4 rà soát and bước 5 đánh giá):
a worker of the case records how far each goal was reached — achieved, partly achieved or not achieved —
on the case page or straight from the closure checklist; it is audited, written on the case timeline
and given to the person with the rest of their data."""

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from caseapp.audit.models import AuditEvent
from caseapp.cases.followups.services import timeline_group
from caseapp.cases.models import CaseEvent
from caseapp.cases.workflow import checklist, closure
from caseapp.clients.rights.services import record_request
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import local_today
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.models import CarePlan, PlanGoal
from caseapp.plans.queries import plan_of_case

from ..documents.helpers import approve_pending
from .conftest import approved_assessment, plan_data, reload

GOALS = (("safety", "Chị Lan ở nơi an toàn"), ("mental_health", "Chị Lan ngủ được, bớt lo âu"))
NOTE = "Chị Lan đã về ở với mẹ đẻ, không còn bị đe dọa"
CLOSE = {"reason": "goals_met", "summary": "Chị Lan đã an toàn, ổn định cuộc sống"}


def approved_plan(case, people, goals=GOALS):
    approved_assessment(case, people.worker)
    made = services.create_plan(case, plan_data(goals=goals), by=people.worker)
    made = db.session.scalar(plan_of_case(case.id, made.id))
    services.request_plan_approval(made, case, by=people.worker)
    approve_pending(case, "plan", made.id, people.supervisor)
    db.session.commit()
    return db.session.scalar(plan_of_case(case.id, made.id))


def goals_of(plan):
    db.session.expire_all()
    return db.session.scalars(sa.select(PlanGoal).where(PlanGoal.plan_id == plan.id).order_by(PlanGoal.position)).all()


def goal_loose_ends(case):
    return [item.item_id for item in checklist.loose_ends(case.id) if item.kind == checklist.LooseEndKind.GOAL]


def outcome_url(case, plan, goal):
    return f"/cases/{case.id}/plans/{plan.id}/goals/{goal.id}/outcome"


def form_data(goal, outcome="achieved", note=NOTE, assessed_on=None, version=None, **extra):
    prefix = f"g{goal.id}-"
    data = {
        "outcome": outcome,
        "note": note,
        "assessed_on": (assessed_on or local_today()).isoformat(),
        "version": str(goal.version if version is None else version),
        **extra,
    }
    return {prefix + key: value for key, value in data.items()}


# --- the service ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome,achieved", [("achieved", True), ("partly_achieved", False), ("not_achieved", False)])
def test_each_outcome_is_recorded_with_its_note_date_and_author(people, case, outcome, achieved):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    opened_on = goal.version
    services.record_goal_outcome(goal, outcome, f"  {NOTE}  ", local_today(), by=people.worker, seen_version=opened_on)
    db.session.commit()
    stored = reload(goal)
    assert (stored.outcome, stored.achieved, stored.outcome_note) == (outcome, achieved, NOTE)
    assert (stored.outcome_on, stored.outcome_by_id) == (local_today(), people.worker.id)
    assert stored.outcome_recorded_at is not None and stored.version == opened_on + 1


def test_recording_again_replaces_the_outcome_and_keeps_achieved_consistent(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    services.record_goal_outcome(goal, "achieved", "", local_today(), by=people.worker)
    services.record_goal_outcome(goal, "not_achieved", NOTE, local_today(), by=people.worker)
    db.session.commit()
    stored = reload(goal)
    assert (stored.outcome, stored.achieved) == ("not_achieved", False)


def test_the_outcome_is_audited_and_written_on_the_case_timeline(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    services.record_goal_outcome(goal, "partly_achieved", NOTE, local_today(), by=people.worker)
    db.session.commit()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "goal_outcome_recorded"))
    assert (event.entity_type, event.entity_id, event.user_id) == ("plan_goals", str(goal.id), people.worker.id)
    assert event.detail == {
        "case_id": case.id,
        "plan_id": plan.id,
        "version_no": plan.version_no,
        "outcome": "partly_achieved",
        "previous": None,
    }
    assert NOTE not in json.dumps(event.detail, ensure_ascii=False)  # the trail names the change, not the data
    timeline = db.session.scalar(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "goal_outcome_recorded")
    )
    assert timeline.text == f"Đạt một phần: {GOALS[0][1]}\n{NOTE}" and timeline.actor_id == people.worker.id
    assert timeline_group(timeline.kind) == "status"  # shown with the plan's approvals on the timeline


def test_refused_to_a_user_who_cannot_change_the_case(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    for user in (people.outsider, people.reporter):
        with pytest.raises(ServiceError):
            services.record_goal_outcome(goal, "achieved", "", local_today(), by=user)
    assert reload(goal).outcome is None


def test_refused_on_a_closed_case(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    case.status = "closed"
    db.session.flush()
    with pytest.raises(ServiceError):
        services.record_goal_outcome(goal, "achieved", "", local_today(), by=people.worker)


def test_refused_on_a_goal_of_a_plan_that_is_not_the_approved_one(people, case):
    first = approved_plan(case, people)
    old_goal = goals_of(first)[0]
    revised = services.create_plan(case, plan_data(goals=GOALS), by=people.worker)  # a draft
    db.session.commit()
    draft_goal = goals_of(revised)[0]
    with pytest.raises(ServiceError, match="kế hoạch trợ giúp đã được phê duyệt"):
        services.record_goal_outcome(draft_goal, "achieved", "", local_today(), by=people.worker)
    revised = db.session.scalar(plan_of_case(case.id, revised.id))
    services.request_plan_approval(revised, case, by=people.worker)
    approve_pending(case, "plan", revised.id, people.supervisor)
    db.session.commit()
    assert db.session.get(CarePlan, first.id).status == "superseded"
    with pytest.raises(ServiceError):
        services.record_goal_outcome(reload(old_goal), "achieved", "", local_today(), by=people.worker)


@pytest.mark.parametrize(
    "outcome,assessed_on,field",
    [
        ("", 0, "outcome"),
        ("done", 0, "outcome"),
        (None, 0, "outcome"),
        ("achieved", None, "assessed_on"),
        ("achieved", 1, "assessed_on"),  # tomorrow
        ("achieved", -400, "assessed_on"),  # before the plan was approved
    ],
)
def test_bad_input_is_refused_on_its_field(people, case, outcome, assessed_on, field):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    day = None if assessed_on is None else local_today() + timedelta(days=assessed_on)
    with pytest.raises(ServiceError) as refused:
        services.record_goal_outcome(goal, outcome, "", day, by=people.worker)
    assert refused.value.field == field
    assert reload(goal).outcome is None


def test_a_note_too_long_is_refused(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    with pytest.raises(ServiceError) as refused:
        services.record_goal_outcome(goal, "achieved", "x" * 2001, local_today(), by=people.worker)
    assert refused.value.field == "note"


def test_a_stale_version_is_refused(people, case):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    opened_on = goal.version
    services.record_goal_outcome(goal, "achieved", "", local_today(), by=people.colleague, seen_version=opened_on)
    db.session.commit()
    with pytest.raises(services.StaleEdit):
        services.record_goal_outcome(
            reload(goal), "not_achieved", NOTE, local_today(), by=people.worker, seen_version=opened_on
        )
    assert reload(goal).outcome == "achieved"


# --- the closure checklist ---------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["achieved", "partly_achieved", "not_achieved"])
def test_a_goal_with_any_outcome_leaves_the_closure_checklist(people, case, outcome):
    plan = approved_plan(case, people)
    first, second = goals_of(plan)
    assert goal_loose_ends(case) == [first.id, second.id]
    services.record_goal_outcome(first, outcome, "", local_today(), by=people.worker)
    db.session.commit()
    assert goal_loose_ends(case) == [second.id]


def test_with_every_goal_assessed_the_closure_needs_no_reason_for_them(people, case):
    plan = approved_plan(case, people)
    for goal, outcome in zip(goals_of(plan), ("achieved", "not_achieved"), strict=True):
        services.record_goal_outcome(goal, outcome, "", local_today(), by=people.worker)
    closure.request_closure(case, by=people.worker, overrides={}, **CLOSE)
    db.session.commit()
    assert db.session.scalar(closure.pending_closure(case.id)) is not None


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_case_page_shows_each_goal_with_its_outcome_and_a_form(people, case, signed_in):
    plan = approved_plan(case, people)
    first, second = goals_of(plan)
    services.record_goal_outcome(first, "partly_achieved", NOTE, local_today(), by=people.worker)
    db.session.commit()
    page = signed_in(people.worker).get(f"/cases/{case.id}?section=assessment-plan").get_data(as_text=True)
    assert f'id="goal-{first.id}"' in page and "Đạt một phần" in page and NOTE in page
    assert "Chưa ghi nhận kết quả" in page  # the second goal
    assert f'action="{outcome_url(case, plan, second)}"' in page and f'name="g{second.id}-outcome"' in page
    reader = signed_in(people.reporter).get(f"/cases/{case.id}?section=assessment-plan")
    assert f'name="g{second.id}-outcome"' not in reader.get_data(as_text=True)


def test_the_form_records_the_outcome_and_returns_to_the_case_page(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    http = signed_in(people.worker)
    form_page = http.get(outcome_url(case, plan, goal))
    assert form_page.status_code == 200
    assert local_today().isoformat() in form_page.get_data(as_text=True)  # the date defaults to today
    response = http.post(outcome_url(case, plan, goal), data=form_data(goal, "not_achieved"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}?section=assessment-plan#goal-{goal.id}")
    assert (reload(goal).outcome, reload(goal).outcome_note) == ("not_achieved", NOTE)


def test_bad_input_re_renders_the_form_with_what_was_typed_and_a_vietnamese_error(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    http = signed_in(people.worker)
    for data, error in (
        (form_data(goal, outcome=""), "Chọn kết quả"),
        (form_data(goal, assessed_on=local_today() + timedelta(days=2)), "không được sau ngày hôm nay"),
        ({**form_data(goal), f"g{goal.id}-assessed_on": "2026-02-31"}, "Ngày không hợp lệ"),
        ({**form_data(goal), f"g{goal.id}-assessed_on": ""}, "Nhập ngày đánh giá kết quả"),
        (form_data(goal, note="y" * 2001), "Tối đa 2000 ký tự"),
    ):
        response = http.post(outcome_url(case, plan, goal), data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert error in page and 'role="alert"' in page
        if len(data[f"g{goal.id}-note"]) < 100:
            assert NOTE in page
    assert reload(goal).outcome is None


def test_a_stale_form_is_refused_keeping_the_text_and_goes_through_on_the_second_save(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    opened = form_data(goal, "not_achieved")
    services.record_goal_outcome(goal, "achieved", "", local_today(), by=people.colleague)
    db.session.commit()
    http = signed_in(people.worker)
    response = http.post(outcome_url(case, plan, goal), data=opened)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Người khác đã thay đổi nội dung này" in page
    assert NOTE in page and reload(goal).outcome == "achieved"
    version = re.search(rf'name="g{goal.id}-version"[^>]*value="(\d+)"', page) or re.search(
        rf'value="(\d+)"[^>]*name="g{goal.id}-version"', page
    )
    again = {**opened, f"g{goal.id}-version": version.group(1)}
    assert http.post(outcome_url(case, plan, goal), data=again).status_code == 302
    assert reload(goal).outcome == "not_achieved"


def test_a_user_who_cannot_change_the_case_is_refused(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    assert signed_in(people.reporter).post(outcome_url(case, plan, goal), data=form_data(goal)).status_code == 403
    assert signed_in(people.outsider).post(outcome_url(case, plan, goal), data=form_data(goal)).status_code == 404
    assert reload(goal).outcome is None


def test_a_goal_of_another_plan_or_case_answers_404(people, case, signed_in):
    from .conftest import new_case

    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    other = new_case(people.facility, people.worker, name="Trần Văn Khác")
    other_plan = approved_plan(other, people)
    http = signed_in(people.worker)
    assert http.get(f"/cases/{case.id}/plans/{other_plan.id}/goals/{goal.id}/outcome").status_code == 404
    assert http.get(f"/cases/{other.id}/plans/{plan.id}/goals/{goal.id}/outcome").status_code == 404


def test_a_goal_of_a_draft_plan_shows_no_form(people, case, signed_in):
    approved_assessment(case, people.worker)
    draft = services.create_plan(case, plan_data(goals=GOALS), by=people.worker)
    db.session.commit()
    goal = goals_of(draft)[0]
    http = signed_in(people.worker)
    page = http.get(outcome_url(case, draft, goal)).get_data(as_text=True)
    assert "đã được phê duyệt và đang thực hiện" in page and f'name="g{goal.id}-outcome"' not in page
    response = http.post(outcome_url(case, draft, goal), data=form_data(goal))
    assert response.status_code == 422 and reload(goal).outcome is None


def test_from_the_closure_checklist_the_form_returns_to_the_checklist(people, case, signed_in):
    plan = approved_plan(case, people)
    first, second = goals_of(plan)
    http = signed_in(people.worker)
    page = http.get(f"/cases/{case.id}/close").get_data(as_text=True)
    link = re.search(rf'href="({re.escape(outcome_url(case, plan, first))}\?next=[^"]+)"', page)
    assert link is not None
    form_page = http.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="/cases/{case.id}/close#checklist"' in form_page
    data = form_data(first, "not_achieved", next=f"/cases/{case.id}/close#checklist")
    response = http.post(outcome_url(case, plan, first), data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}/close#checklist")
    page = http.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert f"item-goal-{first.id}" not in page and f"item-goal-{second.id}" in page


def test_the_return_address_must_be_a_page_of_this_site(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    data = form_data(goal, next="https://evil.example/x")
    response = signed_in(people.worker).post(outcome_url(case, plan, goal), data=data)
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_the_plan_page_shows_the_outcomes_of_the_approved_plan(people, case, signed_in):
    plan = approved_plan(case, people)
    goal = goals_of(plan)[0]
    services.record_goal_outcome(goal, "achieved", NOTE, local_today(), by=people.worker)
    db.session.commit()
    page = signed_in(people.worker).get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert "Đạt" in page and NOTE in page and people.worker.full_name in page
    assert outcome_url(case, plan, goals_of(plan)[1]) in page


# --- the personal-data export ---------------------------------------------------------------------------


def test_the_export_holds_the_goals_outcomes_and_the_checklist_overrides(people, case, signed_in):
    plan = approved_plan(case, people)
    first, second = goals_of(plan)
    services.record_goal_outcome(first, "partly_achieved", NOTE, local_today(), by=people.worker)
    reason = "Chị Lan chuyển đi tỉnh khác, không đánh giá được mục tiêu này"
    closure.request_closure(case, by=people.worker, overrides={f"goal-{second.id}": reason}, **CLOSE)
    client = case.client_id
    from caseapp.clients.models import Client

    person = db.session.get(Client, client)
    request = record_request(
        person,
        kind="export",
        requester="person",
        received_on=local_today() - timedelta(days=1),
        reference="7/ĐN",
        by=people.supervisor,
    )
    db.session.commit()
    http = signed_in(people.supervisor)
    data = json.loads(http.post(f"/clients/{client}/data-requests/{request.id}/export.json").data)
    (exported,) = data["cases"]
    goals = exported["plans"][0]["goals"]
    assert [(g["outcome"], g["outcome_note"], g["outcome_by"]) for g in goals] == [
        ("partly_achieved", NOTE, people.worker.full_name),
        (None, None, None),
    ]
    assert goals[0]["outcome_on"] == local_today().isoformat()
    (override,) = exported["closure_overrides"]
    assert (override["item_kind"], override["item_text"], override["reason"], override["by"]) == (
        "goal",
        GOALS[1][1],
        reason,
        people.worker.full_name,
    )
    pdf = http.post(f"/clients/{client}/data-requests/{request.id}/export.pdf")
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "Kết quả: Đạt một phần" in text and NOTE in text
    assert "Mục tiêu kế hoạch chưa có kết quả" in text and reason in text
