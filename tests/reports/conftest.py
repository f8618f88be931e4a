"""Fixtures of the report tests: a facility with hand-made records in the first quarter of 2026
(and a few just outside it), whose every count is worked out by hand in EXPECTED below."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseapp.core.timeutil import VN_TZ
from caseapp.extensions import db
from caseapp.intake.models import Intake
from caseapp.org.models import Commune
from caseapp.plans.models import CarePlan, PlanActivity
from caseapp.referrals.models import Provider, Referral
from caseapp.reports.periods import make_period
from caseapp.shelter.models import ShelterStay

from .. import factories
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)

Q1 = make_period("quarter", 2026, 1)


def local(y, m, d, hh=10, mm=0):
    """A moment in Vietnam time (stored as UTC by the models)."""
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def intake(facility, client, at, *, channel="walk_in", problems=("other",), decision="open_case"):
    row = Intake(
        facility_id=facility.id,
        client_id=client.id,
        received_at=at,
        channel=channel,
        problems=list(problems),
        urgency="medium",
        decision=decision,
    )
    db.session.add(row)
    db.session.flush()
    return row


def case(facility, client, worker, opened, *, closed=None):
    c = factories.make_case(facility, client=client, worker=worker, opened_at=opened)
    if closed:
        c.status, c.closed_at, c.closure_reason = "closed", closed, "goals_met"
        db.session.flush()
    return c


def stay(facility, client, case_, admitted, out=None):
    row = ShelterStay(
        facility_id=facility.id,
        client_id=client.id,
        case_id=case_.id,
        admitted_at=admitted,
        planned_end_at=admitted + timedelta(days=30),
        checked_out_at=out,
        checkout_destination="home" if out else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def groups(client, *codes):
    for code in codes:
        factories.make_membership(client, code)


@dataclass
class Data:
    facility: object
    other_facility: object
    supervisor: object
    worker: object
    reporter: object
    commune: object
    clients: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)


# Worked out by hand from `data` (Q1 2026 = 01/01/2026 – 31/03/2026, Vietnam time).
EXPECTED = {
    "headline": {
        "received": 4,  # A, B, D, F (F at 23:30 on 31/03; G at 00:10 on 01/04 is outside)
        "counselled": 2,  # B, F: advice only
        "supported": 3,  # A (open), C (opened 2025, still open), D (closed 15/03)
        "served": 5,  # A, B, C, D, F
        "cases_opened": 2,  # A, D (C's in 2025, E's in April)
        "cases_closed": 1,
    },  # D
    "sex": {"female": 3, "male": 2},  # A, C, F | B, D
    "age_group": {"6-10": 1, "16-17": 1, "18-59": 1, "60+": 1, "unknown": 1},  # A 10, D 16 on 31/03, C 35, B 76, F
    "ethnicity": {"01": 2, "02": 1, "unknown": 2},  # A, C Kinh | B Tày | D, F
    "group": {"ind_orphan_no_carer": 1, "cs_orphan": 1, "em_domestic_violence": 1, "ind_abandoned": 1},
    "channel": {"hotline_111": 2, "walk_in": 1, "police": 1},
    "problem": {"child_abuse": 1, "neglect": 1, "lonely_elderly": 1, "street": 1},
    "service": {"counselling": 1, "medical": 1},  # A's plan activity, A's referral
    "referral_kind": {"hospital": 1},
    "referral_status": {"accepted": 1},
    # D: 05/01 08:00 → 08/01 09:00 = 3 nights; C: 28/03 → (end of period) = 4 nights in the quarter
    "shelter": {"admissions": 2, "bed_nights": 7, "stays_ended": 1, "stay_nights_ended": 3},
    "indicators": {
        "facilities_with_cases": 1,
        "facilities_total": 1,
        "ind4_people": 5,  # counselled B, F ∪ supported A, C, D
        "ind5_children": 1,
    },  # A (10, indicator group); D is 16, no longer a child
}


@pytest.fixture()
def data(session, facility, other_facility):
    sup = factories.make_user(role="supervisor", facility=facility, full_name="Trần Văn Giám Đốc")
    worker = factories.make_user(role="social_worker", facility=facility)
    reporter = factories.make_user(role="reporter", facility=facility, full_name="Lê Thị Báo Cáo")
    commune = db.session.get(Commune, facility.commune_code)
    d = Data(facility, other_facility, sup, worker, reporter, commune)
    mk = factories.make_client
    A = mk(
        facility, "Nguyễn Thị An", sex="female", birth_date=date(2015, 6, 1), ethnicity="01", commune_code=commune.code
    )
    B = mk(facility, "Phạm Văn Bình", sex="male", birth_year=1950, ethnicity="02")
    C = mk(facility, "Đỗ Thị Cúc", sex="female", birth_date=date(1990, 4, 1), ethnicity="01", commune_code=commune.code)
    D = mk(facility, "Hoàng Văn Dũng", sex="male", birth_date=date(2010, 3, 31))
    E = mk(facility, "Vũ Thị Én", sex="female", birth_year=2000)
    F = mk(facility, "Lý Thị Phương", sex="female")
    G = mk(facility, "Mai Văn Giang", sex="male", birth_year=1980)
    groups(A, "ind_orphan_no_carer", "cs_orphan")
    groups(C, "em_domestic_violence")
    groups(D, "ind_abandoned")
    d.clients = dict(A=A, B=B, C=C, D=D, E=E, F=F, G=G)

    intake(facility, A, local(2026, 1, 10), channel="hotline_111", problems=("child_abuse", "neglect"))
    intake(facility, B, local(2026, 2, 5), channel="walk_in", problems=("lonely_elderly",), decision="advice_only")
    intake(facility, D, local(2026, 1, 5, 8), channel="police", problems=("street",))
    intake(facility, E, local(2026, 4, 5), channel="walk_in")
    intake(facility, F, local(2026, 3, 31, 23, 30), channel="hotline_111", problems=(), decision="advice_only")
    intake(facility, G, local(2026, 4, 1, 0, 10), channel="walk_in", decision="advice_only")
    intake(facility, C, local(2025, 11, 1), channel="walk_in")

    d.cases["A"] = case(facility, A, worker, local(2026, 1, 10))
    d.cases["C"] = case(facility, C, worker, local(2025, 11, 1))
    d.cases["D"] = case(facility, D, worker, local(2026, 1, 5, 8), closed=local(2026, 3, 15))
    d.cases["E"] = case(facility, E, worker, local(2026, 4, 5))

    plan = CarePlan(case_id=d.cases["A"].id, facility_id=facility.id, version_no=1, status="approved")
    db.session.add(plan)
    db.session.flush()
    db.session.add_all(
        [
            PlanActivity(plan_id=plan.id, service_type="counselling", description="Tham vấn tâm lý", position=0),
            PlanActivity(
                plan_id=plan.id, service_type="education", description="Hủy bỏ", status="cancelled", position=1
            ),
        ]
    )
    provider = Provider(name="Bệnh viện tỉnh", kind="hospital", province_code=facility.province_code)
    db.session.add(provider)
    db.session.flush()
    db.session.add(
        Referral(
            case_id=d.cases["A"].id,
            facility_id=facility.id,
            provider_id=provider.id,
            service_type="medical",
            reason="Khám sức khỏe",
            shared_info="Tuổi, giới tính",
            consent_override_reason="Khẩn cấp",
            status="accepted",
            sent_at=local(2026, 2, 1),
            answer_due_at=local(2026, 2, 4),
        )
    )
    stay(facility, D, d.cases["D"], local(2026, 1, 5, 8), local(2026, 1, 8, 9))
    stay(facility, C, d.cases["C"], local(2026, 3, 28), local(2026, 4, 2))
    db.session.flush()

    # the other facility (same province): one client received in the quarter
    outsider = mk(other_facility, "Người Cơ Sở Khác", sex="male", birth_year=1970)
    intake(other_facility, outsider, local(2026, 2, 10), channel="walk_in")
    return d


@pytest.fixture()
def signed_in(app, session):
    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


def communes_of(province_code, n):
    """The first `n` communes of a province (by code)."""
    return db.session.scalars(
        sa.select(Commune).where(Commune.province_code == province_code).order_by(Commune.code).limit(n)
    ).all()


@pytest.fixture()
def stranger(data):
    """A reporter of another province."""
    from caseapp.org.models import Province

    code = db.session.scalar(
        sa.select(Province.code).where(Province.code != data.facility.province_code).order_by(Province.code).limit(1)
    )
    return factories.make_user(role="reporter", facility=factories.make_facility(province_code=code))


def q1_args(**extra):
    return {"kind": "quarter", "year": 2026, "number": 1, **extra}


__all__ = ["Q1", "EXPECTED", "local", "intake", "case", "stay", "q1_args", "communes_of", "sa"]
