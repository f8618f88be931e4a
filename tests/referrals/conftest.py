"""Fixtures of the referral tests: the transaction-bound session of the security tests (a request's
commits are savepoints of the test's transaction), staff of two facilities, and signed-in clients."""

import pytest

from .. import factories
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)


@pytest.fixture()
def staff(session, facility, other_facility):
    """Of `facility`: supervisor, worker, colleague (another social worker), shelter (shelter staff),
    admin, reporter. Of `other_facility`: outsider (supervisor), outside_worker (social worker)."""
    s = factories.Staff(facility=facility, other_facility=other_facility)
    for name, role, fac in (
        ("supervisor", "supervisor", facility),
        ("worker", "social_worker", facility),
        ("colleague", "social_worker", facility),
        ("shelter", "shelter_staff", facility),
        ("admin", "admin", facility),
        ("reporter", "reporter", facility),
        ("outsider", "supervisor", other_facility),
        ("outside_worker", "social_worker", other_facility),
    ):
        s.users[name] = factories.make_user(role=role, facility=fac, full_name=f"Người {name}")
    return s


@pytest.fixture()
def signed_in(app, staff):
    """``signed_in(user)``: a test client signed in as that user."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make
