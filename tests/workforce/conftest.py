"""Fixtures of the workforce tests: a facility staffed with every role (tests/cases/conftest.py), and
`make_member(by, **values)`: a person of the register, added through the service (by default to the
acting user's own facility as an agency)."""

from datetime import timedelta

import pytest

from caseapp.core.timeutil import local_today
from caseapp.workforce import services

from ..cases.conftest import signed_in, staff  # noqa: F401  (re-exported fixtures)
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)


def member_values(**values):
    """What the person form sends, as the service takes it: a full-time collaborator of the facility."""
    return {
        "full_name": "Nguyễn Thị Cộng Tác",
        "kind": "collaborator_full_time",
        "agency_id": services.OWN_AGENCY,
        "qualification": "short_course",
        "from_date": local_today() - timedelta(days=60),
        **values,
    }


@pytest.fixture()
def make_member(session):
    def make(by, **values):
        return services.create_member(member_values(**values), by=by)

    return make
