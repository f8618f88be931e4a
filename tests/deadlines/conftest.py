"""Fixtures of the due-item and "Việc cần làm" tests: the transaction-bound session of the security
tests (a request's commits are savepoints of the test's transaction), staff of two facilities,
cases opened through the real services, and signed-in test clients."""

from dataclasses import dataclass, field

import pytest

from caseapp.cases.services import open_case
from caseapp.clients.services import create_client

from .. import factories
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)


@dataclass
class People:
    facility: object
    other_facility: object
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture()
def people(session, facility, other_facility):
    """Of `facility`: supervisor, worker, colleague (social workers), shelter (shelter staff).
    Of `other_facility`: outsider (supervisor) and outside_worker (social worker)."""
    p = People(facility=facility, other_facility=other_facility)
    for name, role, fac, full_name in (
        ("supervisor", "supervisor", facility, "Trần Thị Giám Sát"),
        ("worker", "social_worker", facility, "Lê Văn Nhân Viên"),
        ("colleague", "social_worker", facility, "Phạm Thị Đồng Nghiệp"),
        ("shelter", "shelter_staff", facility, "Hoàng Văn Tạm Lánh"),
        ("outsider", "supervisor", other_facility, "Người Ngoài"),
        ("outside_worker", "social_worker", other_facility, "Nhân Viên Khác"),
    ):
        p.users[name] = factories.make_user(role=role, facility=fac, full_name=full_name)
    return p


@pytest.fixture(autouse=True)
def request_context(app, session):
    """Services raise translated refusals: give direct service calls a request (Vietnamese)."""
    with app.test_request_context():
        yield


def new_case(facility, worker, *, case_type="center", urgency="medium", name="Nguyễn Thị Lan", by=None, **kwargs):
    """A client and a case opened for them through the services (status intake)."""
    by = by or worker
    client = create_client({"full_name": name, "sex": "female"}, facility=facility, by=by)
    return open_case(
        facility=facility,
        client=client,
        case_type=case_type,
        urgency=urgency,
        by=by,
        assigned_worker_id=worker.id if worker is not None else None,
        **kwargs,
    )


@pytest.fixture()
def signed_in(app, people):
    """``signed_in(user)``: a test client signed in as that user."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make
