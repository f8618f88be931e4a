"""core.sql.prebuilt: a page's statement is built once and each execution binds its own values."""

import sqlalchemy as sa

from caseapp.cases.models import Case
from caseapp.core.sql import prebuilt
from caseapp.extensions import db

from ..factories import make_case


def _cases_of_facility(facility_id):
    return sa.select(Case.id).where(Case.facility_id == facility_id).order_by(Case.id)


def test_a_prebuilt_statement_is_built_once_and_binds_each_calls_values(session, facility, other_facility):
    ours = make_case(facility)
    theirs = make_case(other_facility)
    session.flush()

    first, first_values = prebuilt(_cases_of_facility, facility_id=facility.id)
    second, second_values = prebuilt(_cases_of_facility, facility_id=other_facility.id)

    assert first is second  # built once
    assert db.session.scalars(first, first_values).all() == [ours.id]
    assert db.session.scalars(second, second_values).all() == [theirs.id]
