"""Confidential shelter addresses never appear in a case document (perpetrators must never learn
where a victim is): not the shelter's street, not its commune — in any of the five forms of a
shelter case, nor as the address of a receiving shelter on a referral. A centre's address is printed."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.org.models import Commune
from caseapp.shelter import services as shelter_services
from caseapp.shelter.models import ShelterStay
from caseapp.shelter.services import SafetyCheck

from .. import factories
from ..referrals.helpers import facility_provider, make_referral
from .conftest import SECRET_STREET
from .helpers import closed, pdf_text, with_assessment, with_plan

OTHER_SECRET = "Số 9 hẻm Bình Yên"
KINDS = ("intake", "assessment", "plan", "referral", "closure")


@pytest.fixture()
def shelter(session, staff):
    shelter = factories.make_facility(
        code="NTLBM1",
        name="Nhà tạm lánh Bình An",
        type="shelter",
        confidential_address=True,
        street_address=SECRET_STREET,
        province_code=staff.facility.province_code,
        phone="0203 999 111",
    )
    shelter_services.add_room(shelter, name="P1", beds=2, by=None)
    return shelter


@pytest.fixture()
def shelter_people(shelter):
    return {
        "staff": factories.make_user(role="shelter_staff", facility=shelter, full_name="Vũ Thị Tạm Lánh"),
        "worker": factories.make_user(role="social_worker", facility=shelter, full_name="Đỗ Văn Công Tác"),
        "supervisor": factories.make_user(role="supervisor", facility=shelter, full_name="Ngô Thị Phụ Trách"),
    }


@pytest.fixture()
def shelter_case(shelter, shelter_people, staff):
    """An emergency admission taken to closure: assessment, plan with its safety plan, a referral to
    another confidential shelter (with consent), check-out, closure approved."""
    people = shelter_people
    admission = shelter_services.admit_emergency(
        shelter,
        sex="female",
        approximate_age=30,
        arrived_at=utcnow() - timedelta(hours=3),
        brought_by="police",
        immediate_danger=True,
        immediate_needs=["medical"],
        by=people["staff"],
        full_name="Phạm Thị Hoa",
    )
    case = admission.case
    case.assigned_worker_id = people["worker"].id
    db.session.flush()
    with_assessment(case, people["worker"], people["supervisor"])
    with_plan(case, people["worker"], people["supervisor"])
    other = factories.make_facility(
        code="NTLBM2",
        name="Nhà an toàn Hướng Dương",
        type="shelter",
        confidential_address=True,
        street_address=OTHER_SECRET,
        province_code=shelter.province_code,
    )
    make_referral(
        case,
        facility_provider(other),
        people["worker"],
        service_type="shelter",
        shared_info="Chị Hoa cần chỗ ở an toàn dài hạn",
    )
    stay = db.session.scalar(sa.select(ShelterStay).where(ShelterStay.case_id == case.id))
    shelter_services.check_out(
        stay, destination="other_facility", reason="Chuyển nhà an toàn", safety=SafetyCheck("safe"), by=people["staff"]
    )
    closed(case, people["worker"], people["supervisor"])
    db.session.commit()
    return case


def test_no_document_of_a_shelter_case_carries_a_confidential_address(
    shelter, shelter_case, shelter_people, signed_in, artifacts_dir
):
    commune = db.session.get(Commune, shelter.commune_code).name
    for role in ("worker", "staff"):  # whoever prints it, it leaves the shelter the same
        client = signed_in(shelter_people[role])
        for kind in KINDS:
            response = client.get(f"/cases/{shelter_case.id}/documents/{kind}.pdf")
            assert response.status_code == 200, (role, kind)
            text = pdf_text(response.data)
            assert "Phạm Thị Hoa" in text and shelter_case.number in text and "NHÀ TẠM LÁNH BÌNH AN" in text
            assert SECRET_STREET not in text and OTHER_SECRET not in text, (role, kind)
            assert commune not in text, (role, kind)
            assert "0203 999 111" in text or kind not in ("intake", "referral")  # the phone is how to reach it
            if role == "worker":
                (artifacts_dir / f"document-shelter-{kind}.pdf").write_bytes(response.data)


def test_the_plan_of_a_shelter_case_prints_its_safety_plan(shelter_case, shelter_people, signed_in):
    text = pdf_text(signed_in(shelter_people["worker"]).get(f"/cases/{shelter_case.id}/documents/plan.pdf").data)
    assert "KẾ HOẠCH AN TOÀN" in text and "Chồng uống rượu" in text


def test_a_centre_prints_its_own_address(staff, signed_in):
    """The printable address is omitted only when confidential: a centre's street is on its forms."""
    from .helpers import intake_case

    staff.facility.street_address = "Số 2 đường Lê Lợi"
    case = intake_case(staff.facility, staff.worker)
    db.session.commit()
    text = pdf_text(signed_in(staff.worker).get(f"/cases/{case.id}/documents/intake.pdf").data)
    assert "Số 2 đường Lê Lợi" in text
