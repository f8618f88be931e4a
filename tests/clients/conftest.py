"""Fixtures of the registry and intake tests: the transaction-bound session of the security tests (a
request's commits are savepoints of the test's transaction), staff of two facilities, clients made
through the registry's own services, and signed-in test clients."""

import pytest

from caseapp.cases.services import open_case
from caseapp.clients import services as client_services
from caseapp.register.services import set_groups

from .. import factories
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)


@pytest.fixture()
def staff(session, facility, other_facility):
    """supervisor, worker, colleague (social workers), shelter (shelter staff), admin, reporter of
    `facility`; outsider (a social worker) and outsider_supervisor of `other_facility`."""
    s = factories.Staff(facility=facility, other_facility=other_facility)
    for name, role, full_name in (
        ("supervisor", "supervisor", "Trần Thị Giám Sát"),
        ("worker", "social_worker", "Lê Văn Nhân Viên"),
        ("colleague", "social_worker", "Phạm Thị Đồng Nghiệp"),
        ("shelter", "shelter_staff", "Hoàng Văn Tạm Lánh"),
        ("admin", "admin", "Quản Trị"),
        ("reporter", "reporter", "Báo Cáo"),
    ):
        s.users[name] = factories.make_user(role=role, facility=facility, full_name=full_name)
    s.users["outsider"] = factories.make_user(role="social_worker", facility=other_facility, full_name="Người Ngoài")
    s.users["outsider_supervisor"] = factories.make_user(
        role="supervisor", facility=other_facility, full_name="Giám Sát Ngoài"
    )
    return s


@pytest.fixture()
def signed_in(app, staff):
    """``signed_in(user)``: a test client signed in as that user."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


@pytest.fixture()
def new_client(staff):
    """``new_client(full_name=…, facility=…, by=…, **fields)``: a client made by the registry's service."""

    def make(full_name="Nguyễn Văn Khách", facility=None, by=None, groups=(), **fields):
        facility = facility or staff.facility
        by = by or (staff.worker if facility.id == staff.facility.id else staff.outsider)
        client = client_services.create_client({"full_name": full_name, **fields}, facility=facility, by=by)
        if groups:
            set_groups(client, groups, by=by)
        return client

    return make


@pytest.fixture()
def new_case(staff):
    def make(client, worker=None, facility=None, **kwargs):
        facility = facility or staff.facility
        return open_case(
            facility=facility,
            client=client,
            case_type=kwargs.pop("case_type", "center"),
            urgency=kwargs.pop("urgency", "medium"),
            by=worker or staff.supervisor,
            assigned_worker_id=worker.id if worker is not None else None,
            **kwargs,
        )

    return make


@pytest.fixture()
def in_request(app, session):
    """A request context for calling services directly: their refusals are translated messages."""
    with app.test_request_context("/"):
        yield
