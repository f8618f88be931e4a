"""Concurrent editing without loss: an assessment or a plan carries a version; a save
based on an old version is refused with what changed meanwhile, and the user's input stays in the
form; saving again (after checking) goes through."""

import html
import re

import pytest

from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.queries import plan_of_case

from .conftest import approved_assessment, assessment_data, assessment_form, plan_data, plan_form, reload


def _hidden(page, name):
    return html.unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1))


def test_a_stale_assessment_save_is_refused_showing_what_changed_and_keeping_the_input(people, case, signed_in):
    draft = services.create_assessment(case, assessment_data(reasons="Lý do ban đầu"), by=people.worker, submit=False)
    db.session.commit()
    mine = signed_in(people.worker)
    form_page = mine.get(f"/cases/{case.id}/assessments/{draft.id}/edit").get_data(as_text=True)
    version, snapshot = _hidden(form_page, "version"), _hidden(form_page, "snapshot")

    # Meanwhile the supervisor changes the reasons and the need level of "housing".
    theirs = signed_in(people.supervisor)
    their_page = theirs.get(f"/cases/{case.id}/assessments/{draft.id}/edit").get_data(as_text=True)
    response = theirs.post(
        f"/cases/{case.id}/assessments/{draft.id}/edit",
        data=assessment_form(
            reasons="Lý do của giám sát",
            levels={"safety": "high", "housing": "high"},
            action="draft",
            version=_hidden(their_page, "version"),
            snapshot=_hidden(their_page, "snapshot"),
        ),
    )
    assert response.status_code == 302

    response = mine.post(
        f"/cases/{case.id}/assessments/{draft.id}/edit",
        data=assessment_form(reasons="Lý do tôi vừa gõ", action="draft", version=version, snapshot=snapshot),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Người khác đã thay đổi nội dung này trong lúc bạn đang sửa" in page
    changed = page.split('id="h-stale"')[1].split("</section>")[0]
    assert "Lý do của mức độ nguy cơ" in changed and "Lý do của giám sát" in changed
    assert "Nơi ở — Mức độ nhu cầu" in changed
    assert "An toàn — Tình hình" not in changed  # unchanged fields are not listed
    assert "Lý do tôi vừa gõ" in page  # my input stays in the form
    assert reload(draft).risk_reasons == "Lý do của giám sát"  # nothing of mine was saved

    # The form now carries the current version: saving again (after checking) goes through.
    response = mine.post(
        f"/cases/{case.id}/assessments/{draft.id}/edit",
        data=assessment_form(
            reasons="Lý do tôi vừa gõ",
            action="draft",
            version=_hidden(page, "version"),
            snapshot=_hidden(page, "snapshot"),
        ),
    )
    assert response.status_code == 302
    assert reload(draft).risk_reasons == "Lý do tôi vừa gõ"


def test_the_service_refuses_an_old_version(people, case):
    draft = services.create_assessment(case, assessment_data(), by=people.worker, submit=False)
    old = draft.version
    services.update_assessment(draft, case, assessment_data(reasons="Một"), version=old, by=people.worker, submit=False)
    with pytest.raises(services.StaleEdit):
        services.update_assessment(
            draft, case, assessment_data(reasons="Hai"), version=old, by=people.supervisor, submit=False
        )
    assert reload(draft).risk_reasons == "Một"


def test_a_stale_plan_save_is_refused_even_when_only_goals_changed(people, case, signed_in):
    approved_assessment(case, people.worker)
    plan = services.create_plan(case, plan_data(), by=people.worker)
    db.session.commit()
    mine = signed_in(people.worker)
    form_page = mine.get(f"/cases/{case.id}/plans/{plan.id}/edit").get_data(as_text=True)
    version, snapshot = _hidden(form_page, "version"), _hidden(form_page, "snapshot")

    loaded = db.session.scalar(plan_of_case(case.id, plan.id))
    services.update_plan(
        loaded,
        case,
        plan_data(goals=[("safety", "Mục tiêu do giám sát sửa")]),
        version=loaded.version,
        by=people.supervisor,
    )
    db.session.commit()

    response = mine.post(
        f"/cases/{case.id}/plans/{plan.id}/edit",
        data=plan_form(goals=[("mental_health", "Mục tiêu tôi vừa gõ")], version=version, snapshot=snapshot),
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    changed = page.split('id="h-stale"')[1].split("</section>")[0]
    assert "Mục tiêu 1" in changed and "Mục tiêu do giám sát sửa" in changed
    assert "Mục tiêu tôi vừa gõ" in page
    db.session.expire_all()
    descriptions = [g.description for g in db.session.scalar(plan_of_case(case.id, plan.id)).goals]
    assert descriptions == ["Mục tiêu do giám sát sửa"]


def test_an_approved_version_is_not_edited_in_place(people, case, signed_in):
    assessment = approved_assessment(case, people.worker)
    response = signed_in(people.worker).get(f"/cases/{case.id}/assessments/{assessment.id}/edit")
    assert response.status_code == 302
    with pytest.raises(services.ServiceError):
        services.update_assessment(assessment, case, assessment_data(), version=assessment.version, by=people.worker)
