"""Who reaches the assessment, plan and approval pages: anonymous → the login page; roles without
case content (reporter, admin) → 403, audited; a case of another facility, or outside a social
worker's own cases → 404; reading an assessment or a plan is audited; a closed case is read-only."""

import pytest
import sqlalchemy as sa

from caseapp.approvals import services as approvals
from caseapp.approvals.models import Approval
from caseapp.audit.models import AuditEvent
from caseapp.core.services import ServiceError
from caseapp.extensions import db
from caseapp.plans import services
from caseapp.plans.models import Assessment, CarePlan

from .conftest import approved_assessment, assessment_data, assessment_form, new_case, plan_data, plan_form, reload


@pytest.fixture()
def records(people, case):
    """A case with an approved assessment, a plan waiting for approval, and its approval."""
    assessment = approved_assessment(case, people.worker)
    plan = services.create_plan(case, plan_data(), by=people.worker, submit=True)
    approval = db.session.scalar(
        sa.select(Approval).where(Approval.subject_id == plan.id, Approval.subject_type == "plan")
    )
    return {"case": case, "assessment": assessment, "plan": plan, "approval": approval}


def _routes(r):
    c, a, p = r["case"].id, r["assessment"].id, r["plan"].id
    return [
        ("GET", f"/cases/{c}/assessments/new"),
        ("POST", f"/cases/{c}/assessments/new"),
        ("GET", f"/cases/{c}/assessments/{a}"),
        ("GET", f"/cases/{c}/assessments/{a}/edit"),
        ("POST", f"/cases/{c}/assessments/{a}/edit"),
        ("GET", f"/cases/{c}/plans/new"),
        ("POST", f"/cases/{c}/plans/new"),
        ("GET", f"/cases/{c}/plans/{p}"),
        ("GET", f"/cases/{c}/plans/{p}/edit"),
        ("POST", f"/cases/{c}/plans/{p}/edit"),
        ("POST", f"/cases/{c}/plans/{p}/request-approval"),
        ("POST", f"/approvals/{r['approval'].id}/decide"),
    ]


def test_anonymous_is_sent_to_the_login_page(client, records):
    for method, path in _routes(records) + [("GET", "/approvals")]:
        response = client.open(path, method=method)
        assert response.status_code == 302, path
        # `next` only for a page that answers GET (never a POST-only URL, a 405 after signing in)
        assert response.headers["Location"].startswith("/login?next=" if method == "GET" else "/login"), path


@pytest.mark.parametrize("role", ["reporter", "admin"])
def test_roles_without_case_content_are_refused_and_audited(people, records, signed_in, role):
    user = getattr(people, role)
    client = signed_in(user)
    for method, path in _routes(records) + [("GET", "/approvals")]:
        assert client.open(path, method=method).status_code == 403, path
    refusals = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "permission_denied", AuditEvent.user_id == user.id
        )
    )
    assert refusals == len(_routes(records)) + 1


def test_a_supervisor_of_another_facility_gets_404(people, records, signed_in):
    client = signed_in(people.outsider)
    for method, path in _routes(records):
        assert client.open(path, method=method).status_code == 404, path
    assert reload(records["plan"]).status == "pending"


def test_a_social_worker_reaches_only_their_own_cases(people, records, signed_in):
    colleague = signed_in(people.colleague)
    for method, path in _routes(records):
        if path.startswith("/approvals"):
            continue  # no Perm.APPROVE: 403 (see the test above)
        assert colleague.open(path, method=method).status_code == 404, path
    assert signed_in(people.worker).get(f"/cases/{records['case'].id}/plans/{records['plan'].id}").status_code == 200


def test_a_page_of_another_case_is_not_reached_through_this_one(people, records, signed_in):
    """An assessment or plan id is looked up inside the case of the URL."""
    other = new_case(people.facility, people.worker, name="Hồ Sơ Khác")
    client = signed_in(people.worker)
    assert client.get(f"/cases/{other.id}/assessments/{records['assessment'].id}").status_code == 404
    assert client.get(f"/cases/{other.id}/plans/{records['plan'].id}").status_code == 404


def test_reading_an_assessment_or_a_plan_is_audited(people, records, signed_in):
    client = signed_in(people.worker)
    client.get(f"/cases/{records['case'].id}/assessments/{records['assessment'].id}")
    client.get(f"/cases/{records['case'].id}/plans/{records['plan'].id}")
    reads = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.user_id).where(
            AuditEvent.action.in_(("assessment_viewed", "plan_viewed"))
        )
    ).all()
    assert sorted(tuple(r) for r in reads) == [
        ("assessment_viewed", str(records["assessment"].id), people.worker.id),
        ("plan_viewed", str(records["plan"].id), people.worker.id),
    ]


def test_a_closed_case_refuses_every_write(people, records, signed_in):
    case = records["case"]
    draft_case = new_case(people.facility, people.worker, name="Hồ Sơ Nháp")
    draft = services.create_assessment(draft_case, assessment_data(), by=people.worker, submit=False)
    for c in (case, draft_case):
        c.status = "closed"
    db.session.flush()
    worker, supervisor = signed_in(people.worker), signed_in(people.supervisor)
    counts = (
        db.session.scalar(sa.select(sa.func.count(Assessment.id))),
        db.session.scalar(sa.select(sa.func.count(CarePlan.id))),
    )

    response = worker.get(f"/cases/{case.id}/assessments/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    assert worker.post(f"/cases/{case.id}/assessments/new", data=assessment_form()).status_code == 302
    assert worker.post(f"/cases/{case.id}/plans/new", data=plan_form()).status_code == 302
    assert (
        worker.post(
            f"/cases/{draft_case.id}/assessments/{draft.id}/edit", data=assessment_form(version=draft.version)
        ).status_code
        == 302
    )
    assert worker.post(f"/cases/{case.id}/plans/{records['plan'].id}/request-approval").status_code == 302
    response = supervisor.post(
        f"/approvals/{records['approval'].id}/decide", data={f"a{records['approval'].id}-approve": "1"}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(sa.func.count(Assessment.id))),
        db.session.scalar(sa.select(sa.func.count(CarePlan.id))),
    ) == counts
    assert reload(records["approval"]).status == "pending" and reload(records["plan"]).status == "pending"
    assert reload(draft).status == "draft"
    with pytest.raises(ServiceError):
        services.create_assessment(case, assessment_data(), by=people.worker)
    with pytest.raises(ServiceError):
        approvals.decide(records["approval"], approve=True, comment=None, by=people.supervisor)
    # reading stays possible
    assert worker.get(f"/cases/{case.id}/plans/{records['plan'].id}").status_code == 200


def test_opening_a_filled_form_is_audited_as_a_read(people, case, signed_in):
    first = approved_assessment(case, people.worker)
    draft_case = new_case(people.facility, people.worker, name="Hồ Sơ Nháp")
    draft = services.create_assessment(draft_case, assessment_data(), by=people.worker, submit=False)
    client = signed_in(people.worker)
    client.get(f"/cases/{case.id}/assessments/new")  # starts from version 1
    client.get(f"/cases/{draft_case.id}/assessments/{draft.id}/edit")
    reads = db.session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.detail).where(AuditEvent.action == "assessment_viewed")
    ).all()
    assert sorted((r.entity_id, r.detail["for"]) for r in reads) == sorted(
        [(str(first.id), "reassessment"), (str(draft.id), "edit")]
    )
