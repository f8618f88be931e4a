"""Fixtures of the case tests: the transaction-bound session of the security tests (a request's
commits are savepoints of the test's transaction), and a facility staffed with every role."""

import pytest

from .. import factories
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)


@pytest.fixture()
def staff(session, facility, other_facility):
    """supervisor, worker, colleague (a second social worker), shelter (shelter staff), admin,
    reporter — all of `facility` — and outsider (a supervisor of `other_facility`)."""
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
    s.users["outsider"] = factories.make_user(role="supervisor", facility=other_facility, full_name="Người Ngoài")
    return s


@pytest.fixture()
def signed_in(app, staff):
    """``signed_in(user)``: a test client signed in as that user."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make
