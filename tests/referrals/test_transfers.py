"""Transfer of a case to another facility of the system: the receiving supervisor decides; on accept
the case moves with its history, the worker is cleared, and the sending facility's supervisors keep
reading it without writing; on decline nothing moves and the sender sees the decision."""

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.queries import visible_cases
from caseapp.core.services import ServiceError
from caseapp.extensions import db
from caseapp.referrals import queries, services
from caseapp.referrals.models import Transfer
from caseapp.security.policy import Perm
from caseapp.security.rules import can_edit_case
from caseapp.security.web import load_case

from .helpers import make_provider, make_referral, make_transfer, open_client_case


@pytest.fixture()
def case(staff):
    return open_client_case(staff.facility, staff.worker, full_name="Phạm Thị Chuyển")


def _case_ids(user):
    return set(db.session.scalars(visible_cases(user).with_only_columns(Case.id)))


def _kinds(case):
    return db.session.scalars(
        sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()


def _accept(staff, signed_in, case, note="Đồng ý tiếp nhận"):
    signed_in(staff.worker).post(
        f"/cases/{case.id}/transfer",
        data={"to_facility_id": str(staff.other_facility.id), "reason": "Gia đình chuyển về tỉnh khác"},
    )
    transfer = db.session.scalar(sa.select(Transfer).where(Transfer.case_id == case.id))
    response = signed_in(staff.outsider).post(
        f"/transfers/{transfer.id}/decide", data={"decision": "accept", "note": note}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(case)
    return transfer


def test_worker_asks_and_the_receiving_supervisor_sees_it(staff, case, signed_in):
    response = signed_in(staff.worker).post(
        f"/cases/{case.id}/transfer",
        data={"to_facility_id": str(staff.other_facility.id), "reason": "Gia đình chuyển về tỉnh khác"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    transfer = db.session.scalar(sa.select(Transfer).where(Transfer.case_id == case.id))
    assert (transfer.status, transfer.from_facility_id, transfer.to_facility_id) == (
        "pending",
        staff.facility.id,
        staff.other_facility.id,
    )
    page = signed_in(staff.outsider).get("/transfers/incoming").get_data(as_text=True)
    assert case.number in page and "Gia đình chuyển về tỉnh khác" in page
    assert "Phạm Thị Chuyển" not in page  # the person's name stays with the case until it is accepted
    assert case.number not in signed_in(staff.supervisor).get("/transfers/incoming").get_data(as_text=True)
    assert "transfer_requested" in _kinds(case)


def test_accept_moves_ownership_and_keeps_the_history(staff, case, signed_in):
    status_before, events_before = case.status, len(_kinds(case))
    transfer = _accept(staff, signed_in, case)
    assert transfer.status == "accepted" and transfer.decided_by_id == staff.outsider.id
    assert case.facility_id == staff.other_facility.id
    assert case.assigned_worker_id is None  # the receiving supervisor assigns
    assert case.status == status_before  # the case stays where it was in its steps
    kinds = _kinds(case)
    assert len(kinds) == events_before + 2 and kinds[-2:] == ["transfer_requested", "transfer_accepted"]
    [audit] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "transfer_accepted")).all()
    assert audit.detail["from"] == staff.facility.id and audit.detail["to"] == staff.other_facility.id


def test_new_supervisor_sees_the_case_and_its_history(staff, case, signed_in):
    _accept(staff, signed_in, case)
    assert case.id in _case_ids(staff.outsider)
    page = signed_in(staff.outsider).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Phạm Thị Chuyển" in page
    assert can_edit_case(staff.outsider, case)
    assert case.id not in _case_ids(staff.outside_worker)  # not assigned to them (yet)


def test_old_facility_supervisor_can_read_but_not_write(staff, case, signed_in, app):
    make_referral(case, make_provider(staff.facility.province_code), staff.worker)
    _accept(staff, signed_in, case)
    old = signed_in(staff.supervisor)
    assert case.id in _case_ids(staff.supervisor)
    assert old.get(f"/cases/{case.id}").status_code == 200
    section = queries.case_section(case, staff.supervisor)
    assert not section.can_edit and not section.can_refer and not section.can_transfer and section.transferred_away
    referral_id = section.referrals[0].id
    assert old.get(f"/referrals/{referral_id}").status_code == 200

    assert not can_edit_case(staff.supervisor, case)
    assert old.get(f"/cases/{case.id}/referrals/new").status_code == 403
    assert (
        old.post(
            f"/cases/{case.id}/transfer", data={"to_facility_id": str(staff.facility.id), "reason": "Trả lại"}
        ).status_code
        == 403
    )
    assert old.post(f"/referrals/{referral_id}/status", data={"to_status": "revoked", "reason": "x"}).status_code == 403
    with app.test_request_context():  # the one case loader refuses writes too
        from flask_login import login_user
        from werkzeug.exceptions import Forbidden

        login_user(staff.supervisor)
        with pytest.raises(Forbidden):
            load_case(staff.supervisor, case.id, Perm.EDIT_CASES)
        assert load_case(staff.supervisor, case.id, Perm.VIEW_CASES).id == case.id
    # the old facility's worker loses the case (it is no longer assigned to them)
    assert case.id not in _case_ids(staff.worker)
    assert signed_in(staff.worker).get(f"/cases/{case.id}").status_code == 404


def test_decline_moves_nothing_and_the_sender_sees_the_decision(staff, case, signed_in):
    transfer = make_transfer(case, staff.other_facility, staff.worker)
    response = signed_in(staff.outsider).post(f"/transfers/{transfer.id}/decide", data={"decision": "decline"})
    assert response.status_code == 302
    db.session.refresh(transfer)
    assert transfer.status == "pending"  # a refusal needs its reason
    signed_in(staff.outsider).post(
        f"/transfers/{transfer.id}/decide", data={"decision": "decline", "note": "Không đủ chỗ"}
    )
    db.session.refresh(transfer)
    db.session.refresh(case)
    assert transfer.status == "declined" and transfer.decision_note == "Không đủ chỗ"
    assert case.facility_id == staff.facility.id and case.assigned_worker_id == staff.worker.id
    section = queries.case_section(case, staff.worker)
    assert section.pending_transfer is None and section.can_transfer
    assert [t.status for t in section.transfers] == ["declined"]
    assert "transfer_declined" in _kinds(case)
    assert case.id not in _case_ids(staff.outsider)


def test_one_pending_transfer_per_case(staff, case):
    make_transfer(case, staff.other_facility, staff.worker)
    with pytest.raises(ServiceError):
        make_transfer(case, staff.other_facility, staff.worker)
    # the database says so too
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            Transfer(
                case_id=case.id,
                from_facility_id=staff.facility.id,
                to_facility_id=staff.other_facility.id,
                reason="x",
                status="pending",
            )
        )


def test_a_case_is_transferred_only_to_another_active_facility(staff, case):
    with pytest.raises(ServiceError):
        make_transfer(case, staff.facility, staff.worker)
    staff.other_facility.is_active = False
    with pytest.raises(ServiceError):
        make_transfer(case, staff.other_facility, staff.worker)


def test_only_the_receiving_supervisor_decides_once(staff, case, signed_in):
    transfer = make_transfer(case, staff.other_facility, staff.worker)
    assert (
        signed_in(staff.supervisor).post(f"/transfers/{transfer.id}/decide", data={"decision": "accept"}).status_code
        == 404
    )
    assert (
        signed_in(staff.outside_worker)
        .post(f"/transfers/{transfer.id}/decide", data={"decision": "accept"})
        .status_code
        == 403
    )
    with pytest.raises(ServiceError):
        services.decide_transfer(transfer, accept=True, note=None, by=staff.supervisor)
    services.decide_transfer(transfer, accept=True, note=None, by=staff.outsider)
    with pytest.raises(ServiceError):
        services.decide_transfer(transfer, accept=False, note="Thôi", by=staff.outsider)


def test_sender_cancels_a_pending_request(staff, case, signed_in):
    transfer = make_transfer(case, staff.other_facility, staff.worker)
    assert signed_in(staff.outside_worker).post(f"/transfers/{transfer.id}/cancel").status_code == 404
    assert signed_in(staff.worker).post(f"/transfers/{transfer.id}/cancel", data={"confirm": "1"}).status_code == 302
    db.session.refresh(transfer)
    assert transfer.status == "cancelled"
    assert db.session.scalars(queries.incoming_transfers(staff.outsider)).all() == []
