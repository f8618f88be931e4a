"""Consent per purpose (NĐ 13/2023/NĐ-CP): for a child the guardian's, and the child's
own from age 7; sharing names the provider; withdrawal keeps who and when."""

from datetime import date

import pytest

from caseapp.clients import services
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import local_today


def born_years_ago(years):
    return date(local_today().year - years, 1, 1)  # the birthday has passed: exactly `years` old


@pytest.fixture(autouse=True)
def _request(in_request):
    """Services refuse with translated messages: call them inside a request context."""


@pytest.fixture()
def child_of(new_client):
    def make(age):
        return new_client(
            f"Trẻ {age} tuổi",
            birth_date=born_years_ago(age),
            birth_precision="exact",
            birth_year=born_years_ago(age).year,
        )

    return make


def test_for_a_child_the_client_alone_cannot_consent(staff, child_of):
    with pytest.raises(ServiceError) as refused:
        services.record_consent(child_of(5), purpose="services", given_by="client", by=staff.worker)
    assert refused.value.field == "consent_given_by"


def test_guardian_consents_for_a_child_under_7_without_the_childs_assent(staff, child_of):
    consent = services.record_consent(
        child_of(5), purpose="services", given_by="guardian", giver_name="Mẹ", by=staff.worker
    )
    assert consent.child_assent is None and consent.is_active


@pytest.mark.parametrize("age", [7, 12, 15])
def test_from_age_7_the_childs_own_agreement_is_required(staff, child_of, age):
    child = child_of(age)
    with pytest.raises(ServiceError) as refused:
        services.record_consent(child, purpose="services", given_by="guardian", giver_name="Mẹ", by=staff.worker)
    assert refused.value.field == "child_assent"
    consent = services.record_consent(
        child, purpose="services", given_by="guardian", giver_name="Mẹ", child_assent=True, by=staff.worker
    )
    assert consent.child_assent is True


def test_an_adult_consents_alone(staff, child_of):
    consent = services.record_consent(child_of(16), purpose="reports", given_by="client", by=staff.worker)
    assert consent.given_by == "client"


def test_a_child_known_only_by_birth_year_is_still_a_child(staff, new_client):
    child = new_client("Trẻ không rõ ngày sinh", birth_year=local_today().year - 10, birth_precision="year")
    assert child.age == 10 and child.is_child
    with pytest.raises(ServiceError):
        services.record_consent(child, purpose="services", given_by="client", by=staff.worker)


def test_sharing_needs_the_named_provider(staff, new_client):
    adult = new_client("Người lớn")
    with pytest.raises(ServiceError) as refused:
        services.record_consent(adult, purpose="share_provider", given_by="client", by=staff.worker)
    assert refused.value.field == "share_recipient"
    consent = services.record_consent(
        adult, purpose="share_provider", given_by="client", recipient="Bệnh viện Đa khoa tỉnh", by=staff.worker
    )
    assert consent.recipient == "Bệnh viện Đa khoa tỉnh"


def test_withdrawal_records_who_when_and_why_and_happens_once(staff, new_client):
    consent = services.record_consent(new_client("Người lớn"), purpose="reports", given_by="client", by=staff.worker)
    services.withdraw_consent(consent, reason="Đổi ý", by=staff.colleague)
    assert not consent.is_active
    assert consent.withdrawn_by_id == staff.colleague.id and consent.withdrawal_reason == "Đổi ý"
    with pytest.raises(ServiceError):
        services.withdraw_consent(consent, reason="lần nữa", by=staff.colleague)
