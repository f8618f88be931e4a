"""The client page's memberships: shown with their decisions, dates and disability; added and changed
with the register's validation; a refusal keeps what was typed; access and audit as for the client."""

from datetime import date

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.register import services
from caseapp.register.models import GroupMembership, MembershipVersion


def _form(**fields):
    base = {
        "group_code": "bt_disability",
        "effective_from": "2025-01-01",
        "status": "receiving",
        "reason": "",
        "legal_basis": "",
        "decision_number": "15/QĐ-UBND",
        "decision_date": "2024-12-20",
        "decision_issuer": "UBND xã Hòa Bình",
        "allowance_coefficient": "1,5",
        "allowance_amount": "750000",
        "care_mode": "community",
        "disability_type": "mental",
        "disability_degree": "severe",
        "certificate_number": "GXN-0042",
        "certificate_date": "2024-11-02",
    }
    return {**base, **fields}


def test_a_worker_adds_a_membership_and_the_client_page_shows_it_in_vietnamese(staff, new_client, signed_in):
    person = new_client("Đỗ Thị Khuyết Tật")
    http = signed_in(staff.worker)
    response = http.post(f"/clients/{person.id}/memberships/new", data=_form())
    assert response.status_code == 302
    page = http.get(f"/clients/{person.id}").get_data(as_text=True)
    section = page[page.index('id="groups"') : page.index('id="family"')]
    assert "Trẻ em khuyết tật, người khuyết tật nặng / đặc biệt nặng" in section
    assert "15/QĐ-UBND ngày 20/12/2024 (UBND xã Hòa Bình)" in section
    assert "hệ số 1,5; 750.000 đồng/tháng" in section
    assert "Khuyết tật thần kinh, tâm thần, nặng; giấy xác nhận số GXN-0042 ngày 02/11/2024" in section
    assert "Đang hưởng" in section and "01/01/2025" in section


def test_a_refused_membership_keeps_what_was_typed_and_says_why_in_vietnamese(staff, new_client, signed_in):
    person = new_client()
    http = signed_in(staff.worker)
    response = http.post(
        f"/clients/{person.id}/memberships/new",
        data=_form(disability_degree="mild", decision_number="99/QĐ-UBND"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nhóm này dành cho người khuyết tật nặng hoặc đặc biệt nặng" in page
    assert 'value="99/QĐ-UBND"' in page and 'value="GXN-0042"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMembership)) == 0


def test_ending_a_membership_from_its_page_records_a_version_and_a_stale_change_keeps_the_text(
    staff, new_client, signed_in
):
    person = new_client()
    membership = services.add_membership(person, "bt_elderly", {"effective_from": date(2025, 1, 1)}, by=staff.worker)
    http = signed_in(staff.worker)
    page = http.get(f"/clients/{person.id}/memberships/{membership.id}").get_data(as_text=True)
    seen = services.latest_version(membership.id).id
    assert f'name="seen_version" type="hidden" value="{seen}"' in page
    # meanwhile a colleague suspends it
    services.change_membership(
        membership,
        {"effective_from": date(2026, 12, 1), "status": "suspended", "reason": "Tạm dừng"},
        by=staff.colleague,
        seen_version_id=seen,
    )
    ending = _form(group_code="", status="ended", reason="Chuyển đi nơi khác", effective_from="2026-12-08")
    stale = http.post(f"/clients/{person.id}/memberships/{membership.id}", data={**ending, "seen_version": seen})
    assert stale.status_code == 422
    assert "Người khác đã thay đổi diện hưởng này" in stale.get_data(as_text=True)
    assert 'value="Chuyển đi nơi khác"' in stale.get_data(as_text=True)
    latest = services.latest_version(membership.id).id
    saved = http.post(f"/clients/{person.id}/memberships/{membership.id}", data={**ending, "seen_version": latest})
    assert saved.status_code == 302
    version = services.latest_version(membership.id)
    assert (version.status, version.reason, version.effective_from) == (
        "ended",
        "Chuyển đi nơi khác",
        date(2026, 12, 8),
    )


def test_another_facilitys_worker_gets_404_a_reporter_403_and_reads_are_audited(staff, new_client, signed_in):
    person = new_client()
    membership = services.add_membership(person, "bt_elderly", {"effective_from": date(2025, 1, 1)}, by=staff.worker)
    url = f"/clients/{person.id}/memberships/{membership.id}"
    assert signed_in(staff.outsider).get(url).status_code == 404
    assert signed_in(staff.outsider).post(url, data=_form()).status_code == 404
    assert signed_in(staff.reporter).get(url).status_code == 403
    assert signed_in(staff.supervisor).get(url).status_code == 200
    viewed = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "membership_viewed", AuditEvent.user_id == staff.supervisor.id)
    )
    assert viewed is not None and viewed.entity_id == str(person.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipVersion)) == 1
