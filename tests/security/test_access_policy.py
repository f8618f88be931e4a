"""The one access policy (caseapp.security): load_or_404 answers 404 for a record of another
facility — its existence does not leak — and 403 (audited) for a missing permission."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound

from caseapp.audit.models import AuditEvent
from caseapp.org.models import Facility
from caseapp.security.policy import Perm, has_perm
from caseapp.security.rules import can
from caseapp.security.web import deny, load_or_404


def test_record_of_other_facility_answers_404_not_403(app, world):
    supervisor = world.users["supervisor"]
    with app.test_request_context():
        assert load_or_404(Facility, world.facility.id, Perm.VIEW_FACILITY_DIRECTORY, user=supervisor) is world.facility
        with pytest.raises(NotFound):
            load_or_404(Facility, world.other_facility.id, Perm.VIEW_FACILITY_DIRECTORY, user=supervisor)
        with pytest.raises(NotFound):
            load_or_404(Facility, 2_000_000_000, Perm.VIEW_FACILITY_DIRECTORY, user=supervisor)


def test_record_of_other_facility_answers_404_even_without_the_permission(app, world):
    """Out of scope wins over lacking the permission: a 403 would confirm that the record exists."""
    reporter = world.users["reporter"]
    with app.test_request_context(), pytest.raises(NotFound):
        load_or_404(Facility, world.other_facility.id, Perm.MANAGE_FACILITIES, user=reporter)


def test_record_in_scope_without_the_permission_answers_403_and_is_audited(app, session, world):
    reporter = world.users["reporter"]
    with app.test_request_context("/admin/facilities/1"), pytest.raises(Forbidden):
        load_or_404(Facility, world.facility.id, Perm.MANAGE_FACILITIES, user=reporter)
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "permission_denied")).all()
    assert event.detail["need"] == "manage_facilities"


def test_admin_reaches_records_of_every_facility(app, world):
    admin = world.users["admin"]
    with app.test_request_context():
        assert (
            load_or_404(Facility, world.other_facility.id, Perm.MANAGE_FACILITIES, user=admin) is world.other_facility
        )


def test_deactivated_user_has_no_permission(session, world):
    supervisor = world.users["supervisor"]
    assert has_perm(supervisor, Perm.VIEW_AUDIT) and can(supervisor, Perm.VIEW_AUDIT, world.facility)
    supervisor.active = False
    assert not has_perm(supervisor, Perm.VIEW_AUDIT)
    assert not can(supervisor, Perm.VIEW_AUDIT, world.facility)


def test_can_checks_the_facility_of_the_record(world):
    supervisor = world.users["supervisor"]
    assert can(supervisor, Perm.VIEW_FACILITY_DIRECTORY, world.facility)
    assert not can(supervisor, Perm.VIEW_FACILITY_DIRECTORY, world.other_facility)
    assert can(world.users["admin"], Perm.VIEW_FACILITY_DIRECTORY, world.other_facility)


def test_a_refusal_keeps_its_audit_row_and_nothing_else_of_the_request(app, session, world):
    """deny() records the refusal in the audit trail; what the request wrote before it is not kept."""
    with app.test_request_context("/admin/facilities/new"):
        session.add(
            Facility(code="TUCHOI1", name="Không được lưu", type="other", province_code=world.facility.province_code)
        )
        session.flush()
        with pytest.raises(Forbidden):
            deny("manage_facilities")
    assert session.scalar(sa.select(sa.func.count()).select_from(Facility).where(Facility.code == "TUCHOI1")) == 0
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "permission_denied")).all()
    assert event.detail == {"endpoint": "org.create_facility", "need": "manage_facilities"}
