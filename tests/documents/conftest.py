"""Fixtures of the case-document tests: the transaction-bound session of the security tests (a
request's commits are savepoints of the test's transaction), a centre staffed with every role and a
confidential shelter, and cases taken through the real services up to each of the five forms."""

from dataclasses import dataclass

import pytest

from caseapp.extensions import db

from .. import factories
from ..referrals.helpers import make_provider, make_referral
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)
from .helpers import closed, intake_case, with_assessment, with_plan

SECRET_STREET = "Số 17 ngõ Hoa Sữa"


@pytest.fixture(autouse=True)
def request_context(app, session):
    """Services raise translated refusals and render templates: give direct calls a request."""
    with app.test_request_context():
        yield


@pytest.fixture()
def staff(session, facility, other_facility):
    """Of `facility`: supervisor, supervisor2, worker, colleague, admin, reporter. Of
    `other_facility`: outsider (supervisor), outside_worker (social worker)."""
    s = factories.Staff(facility=facility, other_facility=other_facility)
    for name, role, fac, full_name in (
        ("supervisor", "supervisor", facility, "Trần Thị Giám Sát"),
        ("supervisor2", "supervisor", facility, "Đặng Văn Phó Giám Đốc"),
        ("worker", "social_worker", facility, "Lê Văn Nhân Viên"),
        ("colleague", "social_worker", facility, "Phạm Thị Đồng Nghiệp"),
        ("admin", "admin", facility, "Quản Trị"),
        ("reporter", "reporter", facility, "Báo Cáo"),
        ("outsider", "supervisor", other_facility, "Người Ngoài"),
        ("outside_worker", "social_worker", other_facility, "Nhân Viên Ngoài"),
    ):
        s.users[name] = factories.make_user(role=role, facility=fac, full_name=full_name)
    return s


@pytest.fixture()
def signed_in(app, staff):
    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


@dataclass
class FullCase:
    case: object
    assessment: object
    plan: object
    referral: object
    provider: object


@pytest.fixture()
def full_case(staff):
    """A centre case with intake, an approved assessment and plan, a referral with consent — closed."""
    staff.facility.requires_assessment_approval = True  # a supervisor approves the assessment too
    case = intake_case(staff.facility, staff.worker)
    assessment = with_assessment(case, staff.worker, staff.supervisor)
    plan = with_plan(case, staff.worker, staff.supervisor)
    provider = make_provider(staff.facility.province_code, name="Bệnh viện Đa khoa tỉnh", phone="0203 111 222")
    referral = make_referral(case, provider, staff.worker, shared_info="Chị Lan cần khám vết thương ở tay")
    closed(case, staff.worker, staff.supervisor)
    db.session.commit()
    return FullCase(case=case, assessment=assessment, plan=plan, referral=referral, provider=provider)
