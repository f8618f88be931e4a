"""Who may print a case's forms: exactly those who may open the case page (security.case_scope).
A case of another facility, a sealed case without a grant, or an id that matches nothing answers 404
— never 403, so its existence does not leak; roles without case access (admin, reporter) are refused."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.access import services as access
from caseapp.extensions import db

from .helpers import intake_case, pdf_text


def url(case, kind="intake"):
    return f"/cases/{case.id}/documents/{kind}.pdf"


def _generated(case):
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "document_generated", AuditEvent.entity_id == str(case.id))
    ).all()


def test_worker_cannot_print_a_form_of_a_case_of_other_facility(staff, signed_in):
    case = intake_case(staff.other_facility, staff.outside_worker)
    db.session.commit()
    for user in (staff.worker, staff.supervisor):
        response = signed_in(user).get(url(case))
        assert response.status_code == 404, user.role
        assert b"%PDF" not in response.data
    assert _generated(case) == []
    assert signed_in(staff.outside_worker).get(url(case)).status_code == 200  # their own facility's case


def test_worker_cannot_print_a_form_of_a_colleagues_case(staff, signed_in):
    case = intake_case(staff.facility, staff.colleague)
    db.session.commit()
    assert signed_in(staff.worker).get(url(case)).status_code == 404
    assert signed_in(staff.supervisor).get(url(case)).status_code == 200  # supervisors: the whole facility


def test_admin_and_reporter_cannot_print_case_forms(staff, signed_in):
    case = intake_case(staff.facility, staff.worker)
    db.session.commit()
    for user in (staff.admin, staff.reporter):
        assert signed_in(user).get(url(case)).status_code == 403, user.role
    assert _generated(case) == []


def test_a_sealed_case_prints_only_with_a_grant(staff, signed_in):
    """Break the glass opens the case page — and with it its forms — while it lasts."""
    case = intake_case(staff.facility, staff.colleague)
    case.is_sensitive = True
    db.session.commit()
    assert signed_in(staff.worker).get(url(case)).status_code == 404
    access.share_case(case, with_user=staff.worker, reason="Thay đồng nghiệp nghỉ phép", by=staff.supervisor)
    db.session.commit()
    response = signed_in(staff.worker).get(url(case))
    assert response.status_code == 200 and "Nguyễn Thị Lan" in pdf_text(response.data)


def test_a_case_that_does_not_exist_answers_404(staff, signed_in):
    response = signed_in(staff.worker).get("/cases/2000000000/documents/intake.pdf")
    assert response.status_code == 404


def test_each_generation_is_audited_once(staff, signed_in):
    case = intake_case(staff.facility, staff.worker)
    db.session.commit()
    client = signed_in(staff.worker)
    client.get(url(case))
    client.get(url(case))
    events = _generated(case)
    assert len(events) == 2 and all(
        e.detail == {"kind": "intake", "case_id": case.id, "subject_id": None} for e in events
    )
