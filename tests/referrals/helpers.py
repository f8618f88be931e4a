"""Records for the referral tests, made through the services (real numbering, events, audit)."""

from caseapp.cases.services import open_case
from caseapp.clients.services import create_client, record_consent
from caseapp.extensions import db
from caseapp.referrals import services
from caseapp.referrals.models import Provider, Referral, Transfer


def open_client_case(facility, worker, *, by=None, full_name="Nguyễn Thị Lan", urgency="medium", **client_data):
    """A client and a case opened for them, assigned to `worker` (the brief's way: create_client + open_case)."""
    by = by or worker
    client = create_client({"full_name": full_name, "sex": "female", **client_data}, facility=facility, by=by)
    return open_case(
        facility=facility,
        client=client,
        case_type="center",
        urgency=urgency,
        by=by,
        assigned_worker_id=worker.id if worker is not None else None,
    )


def make_provider(province_code, name="Bệnh viện Đa khoa tỉnh", kind="hospital", services_=("medical",), **kwargs):
    provider = Provider(name=name, kind=kind, province_code=province_code, services=list(services_), **kwargs)
    provider.search_text = services.search_text(provider)
    db.session.add(provider)
    db.session.flush()
    return provider


def outside_provider(facility, name="Trung tâm Trợ giúp pháp lý Nhà nước tỉnh", kind="legal_aid", **kwargs):
    """An outside organisation the facility added for itself (approved)."""
    services_ = kwargs.pop("services_", ("legal_aid",))
    return make_provider(
        facility.province_code, name=name, kind=kind, services_=services_, owner_facility_id=facility.id, **kwargs
    )


def proposed_provider(facility, worker, name="Hội Liên hiệp Phụ nữ phường", kind="women_union"):
    """An outside organisation a social worker of the facility proposed, awaiting a supervisor."""
    return outside_provider(
        facility, name=name, kind=kind, services_=("counselling",), status="pending", proposed_by_id=worker.id
    )


def facility_provider(facility):
    services.ensure_facility_providers(facility.province_code)
    from sqlalchemy import select

    return db.session.scalar(select(Provider).where(Provider.facility_id == facility.id))


def share_consent(case, provider, by, **kwargs):
    from caseapp.clients.models import Client

    client = db.session.get(Client, case.client_id)
    return record_consent(
        client,
        purpose="share_provider",
        given_by="client",
        by=by,
        giver_name=client.full_name,
        recipient=kwargs.pop("recipient", provider.name),
        **kwargs,
    )


def make_referral(case, provider, by, *, urgent=False, at=None, **kwargs) -> Referral:
    consent = share_consent(case, provider, by)
    return services.create_referral(
        case,
        provider=provider,
        service_type=kwargs.pop("service_type", "medical"),
        reason=kwargs.pop("reason", "Cần khám sức khỏe"),
        shared_info=kwargs.pop("shared_info", "Họ tên, tuổi, tình trạng sức khỏe"),
        is_urgent=urgent,
        by=by,
        consent=consent,
        at=at,
        **kwargs,
    )


def make_transfer(case, to_facility, by) -> Transfer:
    return services.request_transfer(case, to_facility=to_facility, reason="Gia đình chuyển đến tỉnh khác", by=by)
