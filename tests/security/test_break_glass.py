"""Sealed cases, break the glass and sharing (caseapp/cases/access.py).

A case outside the user's scope answers, to a user of its own facility holding BREAK_GLASS, a
restricted page asking for a reason (the number only, no name) instead of a 404; with a reason the
user gets an expiring grant, audited and reviewed by the supervisors. Users of other facilities get a
plain 404. Supervisors share a case with a worker and revoke it; case_scope follows the active grants.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.access import services as access
from caseapp.cases.access.models import CaseAccessGrant
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.queries import CaseFilters, filtered_cases, visible_cases
from caseapp.clients.queries import search_statement
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db

from .. import factories
from ..case_sections import whole_case_page
from .conftest import sign_in

REASON = "Đối tượng đến nhà tạm lánh lúc nửa đêm, không liên lạc được với nhân viên phụ trách."
SEALED_NAME = "Đỗ Thị Kín Đáo"


class People:
    def __init__(self, facility, other_facility):
        make = factories.make_user
        self.facility, self.other_facility = facility, other_facility
        self.supervisor = make(role="supervisor", facility=facility, full_name="Trần Thị Giám Sát")
        self.worker = make(role="social_worker", facility=facility, full_name="Lê Văn Nhân Viên")
        self.colleague = make(role="social_worker", facility=facility, full_name="Phạm Thị Đồng Nghiệp")
        self.shelter = make(role="shelter_staff", facility=facility, full_name="Hoàng Văn Tạm Lánh")
        self.outsider = make(role="social_worker", facility=other_facility, full_name="Người Ngoài")
        self.other_supervisor = make(role="supervisor", facility=other_facility, full_name="Lãnh Đạo Khác")


@pytest.fixture()
def people(session, facility, other_facility):
    return People(facility, other_facility)


@pytest.fixture()
def sealed(people):
    """A sealed case (its client is flagged sensitive) assigned to the colleague."""
    client = factories.make_client(people.facility, full_name=SEALED_NAME, is_sensitive=True)
    return factories.make_case(people.facility, client=client, worker=people.colleague)


@pytest.fixture()
def colleague_case(people):
    """An ordinary (not sealed) case of the colleague."""
    return factories.make_case(
        people.facility,
        worker=people.colleague,
        client=factories.make_client(people.facility, full_name="Vũ Văn Thường"),
    )


@pytest.fixture()
def signed_in(app, people):
    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


def _grants(case, user=None):
    stmt = sa.select(CaseAccessGrant).where(CaseAccessGrant.case_id == case.id)
    if user is not None:
        stmt = stmt.where(CaseAccessGrant.user_id == user.id)
    return db.session.scalars(stmt.order_by(CaseAccessGrant.id)).all()


def _visible(user, case):
    return db.session.scalar(visible_cases(user).where(Case.id == case.id).with_only_columns(Case.id)) is not None


def _mine(client):
    response = client.get("/cases/mine?status=all")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- sealed cases: every list follows case_scope ----------------------------------------------


@pytest.mark.parametrize("role", ["worker", "shelter"])
def test_sealed_case_of_a_colleague_appears_on_no_list_of_a_worker(people, signed_in, role):
    """A sealed case (flagged itself, its client not) of a colleague: the client is in the registry,
    yet neither the client page's case list, the searches, "my cases" nor the tasks show the case."""
    client_row = factories.make_client(people.facility, full_name="Ngô Thị Công Khai")
    case = factories.make_case(people.facility, client=client_row, worker=people.colleague, is_sensitive=True)
    user = getattr(people, role)
    browser = signed_in(user)
    client_page = browser.get(f"/clients/{client_row.id}")
    assert client_page.status_code == 200
    assert case.number not in client_page.get_data(as_text=True)
    # searching the case number finds nothing (the page repeats the query, not the client)
    assert "Ngô Thị Công Khai" not in browser.get(f"/clients/?q={case.number}").get_data(as_text=True)
    assert db.session.scalars(search_statement(user, case.number)).all() == []
    assert case.number not in _mine(browser)
    assert case.number not in browser.get("/cases/tasks").get_data(as_text=True)
    assert not _visible(user, case)
    # its worker and the supervisors see it
    for viewer in (people.colleague, people.supervisor):
        assert case.number in signed_in(viewer).get(f"/clients/{client_row.id}").get_data(as_text=True)
        assert _visible(viewer, case)


# --- the restricted page -------------------------------------------------------------------------


def test_worker_cannot_open_sealed_case_without_reason(people, sealed, signed_in):
    client = signed_in(people.worker)
    response = client.get(f"/cases/{sealed.id}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Hồ sơ hạn chế truy cập" in page and sealed.number in page
    assert SEALED_NAME not in page and "Phạm Thị Đồng Nghiệp" not in page  # no client, no worker named
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(  # the attempt is in the audit trail
            AuditEvent.action == "case_access_restricted",
            AuditEvent.user_id == people.worker.id,
            AuditEvent.entity_id == str(sealed.id),
        )
    )
    # a reason too short is refused with a Vietnamese message, and what was typed stays in the form
    response = client.post(f"/cases/{sealed.id}/break-glass", data={"reason": "cần xem"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Lý do phải có ít nhất {access.REASON_MIN_LENGTH} ký tự" in page and "cần xem" in page
    assert SEALED_NAME not in page
    assert client.post(f"/cases/{sealed.id}/break-glass", data={"reason": "   "}).status_code == 422
    assert _grants(sealed) == []
    # writing to the case without a grant: still a 404
    assert client.post(f"/cases/{sealed.id}/notes", data={"text": "tò mò"}).status_code == 404
    assert not _visible(people.worker, sealed)


def test_worker_opens_colleagues_case_by_breaking_the_glass(people, colleague_case, signed_in):
    """Not sealed but assigned to someone else: outside a social worker's scope, the same page."""
    client = signed_in(people.worker)
    assert client.get(f"/cases/{colleague_case.id}").status_code == 403
    response = client.post(f"/cases/{colleague_case.id}/break-glass", data={"reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{colleague_case.id}")
    page = whole_case_page(client, colleague_case.id)
    assert "Vũ Văn Thường" in page and "Truy cập khẩn cấp" in page  # the timeline names the access


def test_break_glass_reason_is_audited_and_shown_to_supervisor(people, sealed, signed_in):
    before = utcnow()
    client = signed_in(people.worker)
    response = client.post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON})
    assert response.status_code == 302
    [grant] = _grants(sealed)
    assert (grant.kind, grant.user_id, grant.granted_by_id, grant.reason) == (
        "break_glass",
        people.worker.id,
        people.worker.id,
        REASON,
    )
    assert (
        timedelta(hours=access.DEFAULT_BREAK_GLASS_HOURS)
        <= grant.expires_at - before
        <= timedelta(hours=access.DEFAULT_BREAK_GLASS_HOURS, minutes=5)
    )
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case_break_glass")).all()
    assert (event.user_id, event.entity_type, event.entity_id) == (people.worker.id, "cases", str(sealed.id))
    assert event.detail["grant_id"] == grant.id
    assert REASON not in str(event.detail) and "nửa đêm" not in str(event.detail)  # the reason stays in the grant
    assert db.session.scalar(
        sa.select(CaseEvent.id).where(CaseEvent.case_id == sealed.id, CaseEvent.kind == "access_break_glass")
    )
    # the case opens now, with its sealed client
    page = client.get(f"/cases/{sealed.id}").get_data(as_text=True)
    assert SEALED_NAME in page

    sup = signed_in(people.supervisor)
    home = sup.get("/").get_data(as_text=True)
    assert 'href="/cases/access-log"' in home and '<span class="badge-count" title="Chưa xem xét">1</span>' in home
    log = sup.get("/cases/access-log").get_data(as_text=True)
    for text in ("Lê Văn Nhân Viên", sealed.number, REASON, "Chưa xem xét: 1", "Còn hiệu lực"):
        assert text in log, text
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "case_access_log_viewed", AuditEvent.user_id == people.supervisor.id
        )
    )
    # the case page shows the supervisor the active grant
    case_page = sup.get(f"/cases/{sealed.id}?section=access").get_data(as_text=True)
    assert "Quyền truy cập hồ sơ" in case_page and REASON in case_page
    # reviewed: off the default list and out of the count, still in "all"
    response = sup.post(f"/cases/access/{grant.id}/review", data={"next": "/cases/access-log"})
    assert response.status_code == 302
    db.session.refresh(grant)
    assert grant.reviewed_at is not None and grant.revoked_at is None
    log = sup.get("/cases/access-log").get_data(as_text=True)
    assert REASON not in log and "Không có lượt truy cập nào chờ bạn xem xét." in log
    assert REASON in sup.get("/cases/access-log?show=all").get_data(as_text=True)
    assert access.unreviewed_count(people.supervisor) == 0
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "case_access_reviewed"))
    assert _visible(people.worker, sealed)  # reviewing does not end the access


def test_user_of_other_facility_gets_404_not_the_restricted_page(people, sealed, colleague_case, signed_in):
    for user in (people.outsider, people.other_supervisor):
        client = signed_in(user)
        for case in (sealed, colleague_case):
            response = client.get(f"/cases/{case.id}")
            assert response.status_code == 404
            page = response.get_data(as_text=True)
            assert case.number not in page and "Hồ sơ hạn chế truy cập" not in page
    outsider = signed_in(people.outsider)
    assert outsider.post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON}).status_code == 404
    assert _grants(sealed) == []
    # a case id that matches nothing: the same 404
    assert signed_in(people.worker).get("/cases/2000000000").status_code == 404


def test_expired_grant_no_longer_opens_case(people, sealed, signed_in):
    grant = access.break_glass(sealed, reason=REASON, by=people.worker, now=utcnow() - timedelta(hours=9))
    db.session.flush()
    assert not _visible(people.worker, sealed)
    response = signed_in(people.worker).get(f"/cases/{sealed.id}")
    assert response.status_code == 403 and SEALED_NAME not in response.get_data(as_text=True)
    assert access.grant_status(grant) == "expired"
    # the supervisors still see it in the log, as expired
    log = signed_in(people.supervisor).get("/cases/access-log").get_data(as_text=True)
    assert REASON in log and "Đã hết hạn" in log


def test_break_glass_expiry_comes_from_the_config(app, people, sealed, signed_in):
    assert app.config["BREAK_GLASS_HOURS"] == access.DEFAULT_BREAK_GLASS_HOURS  # config.py, from the environment
    app.config["BREAK_GLASS_HOURS"] = 2
    try:
        signed_in(people.worker).post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON})
    finally:
        app.config["BREAK_GLASS_HOURS"] = access.DEFAULT_BREAK_GLASS_HOURS
    [grant] = _grants(sealed)
    assert grant.expires_at - grant.granted_at == timedelta(hours=2)


def test_revoked_break_glass_closes_the_case_at_once(people, sealed, signed_in):
    worker = signed_in(people.worker)
    worker.post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON})
    assert worker.get(f"/cases/{sealed.id}").status_code == 200
    [grant] = _grants(sealed)
    response = signed_in(people.supervisor).post(f"/cases/access/{grant.id}/revoke", data={"next": "/cases/access-log"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/access-log")
    db.session.refresh(grant)
    assert grant.revoked_at is not None and grant.reviewed_at is not None  # revoking is a review too
    assert worker.get(f"/cases/{sealed.id}").status_code == 403
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "case_access_revoked"))


def test_shelter_staff_break_the_glass_of_a_sealed_case(people, sealed, signed_in):
    client = signed_in(people.shelter)
    assert client.get(f"/cases/{sealed.id}").status_code == 403
    assert client.post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON}).status_code == 302
    assert client.get(f"/cases/{sealed.id}").status_code == 200


def test_break_glass_access_is_not_listed_in_my_cases(people, sealed, signed_in):
    client = signed_in(people.worker)
    client.post(f"/cases/{sealed.id}/break-glass", data={"reason": REASON})
    assert sealed.number not in _mine(client)
    assert sealed.id in {c.id for c in db.session.scalars(visible_cases(people.worker))}


def test_grant_opens_the_sealed_client_too_and_ends_with_it(people, sealed):
    """client_scope embeds case_scope: the grant admits the sealed client while it lasts."""
    from caseapp.clients.models import Client
    from caseapp.security.scopes import client_scope

    def sees_client():
        return (
            db.session.scalar(sa.select(Client.id).where(Client.id == sealed.client_id, client_scope(people.worker)))
            is not None
        )

    assert not sees_client()
    grant = access.break_glass(sealed, reason=REASON, by=people.worker)
    assert sees_client()
    access.revoke_grant(grant, sealed, by=people.supervisor)
    assert not sees_client()


def test_grant_stops_opening_a_case_transferred_to_another_facility(people, sealed):
    access.break_glass(sealed, reason=REASON, by=people.worker)
    assert _visible(people.worker, sealed)
    sealed.facility_id = people.other_facility.id
    db.session.flush()
    assert not _visible(people.worker, sealed)


def test_worker_cannot_break_the_glass_for_a_case_of_other_facility_through_the_service(people):
    case = factories.make_case(people.other_facility, worker=people.outsider)
    with pytest.raises(ServiceError):
        access.break_glass(case, reason=REASON, by=people.worker)


# --- sharing -------------------------------------------------------------------------------------


def test_revoked_share_removes_case_from_list(people, sealed, signed_in):
    sup = signed_in(people.supervisor)
    response = sup.post(
        f"/cases/{sealed.id}/access/share",
        data={"user_id": people.worker.id, "reason": "Làm thay chị Đồng Nghiệp khi chị nghỉ phép."},
    )
    assert response.status_code == 302
    [grant] = _grants(sealed)
    assert (grant.kind, grant.user_id, grant.granted_by_id, grant.expires_at) == (
        "shared",
        people.worker.id,
        people.supervisor.id,
        None,
    )
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "case_shared"))

    worker = signed_in(people.worker)
    listed = _mine(worker)
    assert sealed.number in listed and "Được chia sẻ" in listed
    assert worker.get(f"/cases/{sealed.id}").status_code == 200
    case_page = sup.get(f"/cases/{sealed.id}?section=access").get_data(as_text=True)
    assert "Lê Văn Nhân Viên" in case_page and "Được lãnh đạo chia sẻ" in case_page

    assert sup.post(f"/cases/access/{grant.id}/revoke").status_code == 302
    assert sealed.number not in _mine(worker)
    assert worker.get(f"/cases/{sealed.id}").status_code == 403
    assert sealed.id not in {c.id for c in db.session.scalars(filtered_cases(people.worker, CaseFilters()))}
    # revoking twice: refused with a message, nothing changes
    assert sup.post(f"/cases/access/{grant.id}/revoke").status_code == 302
    assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case_access_revoked")).all()) == 1


def test_share_with_an_invalid_choice_rerenders_the_form_with_what_was_typed(people, sealed, signed_in):
    sup = signed_in(people.supervisor)
    typed = "Cần phối hợp hỗ trợ đối tượng trong tuần này."
    for user_id in (people.outsider.id, people.colleague.id, ""):  # other facility, the assigned worker, none
        response = sup.post(f"/cases/{sealed.id}/access/share", data={"user_id": user_id, "reason": typed})
        assert response.status_code == 422, user_id
        assert typed in response.get_data(as_text=True)
    response = sup.post(f"/cases/{sealed.id}/access/share", data={"user_id": people.worker.id, "reason": "ngắn"})
    assert response.status_code == 422 and "Lý do phải có ít nhất" in response.get_data(as_text=True)
    assert _grants(sealed) == []


def test_share_is_refused_for_a_closed_case_and_twice_for_the_same_worker(people, sealed):
    access.share_case(sealed, with_user=people.worker, reason=REASON, by=people.supervisor)
    with pytest.raises(ServiceError):
        access.share_case(sealed, with_user=people.worker, reason=REASON, by=people.supervisor)
    sealed.status = "closed"
    db.session.flush()
    with pytest.raises(ServiceError):
        access.share_case(sealed, with_user=people.shelter, reason=REASON, by=people.supervisor)


@pytest.mark.parametrize("role", ["worker", "shelter"])
def test_worker_cannot_share_revoke_review_or_read_the_access_log(people, sealed, signed_in, role):
    grant = access.share_case(sealed, with_user=people.worker, reason=REASON, by=people.supervisor)
    client = signed_in(getattr(people, role))
    assert client.get("/cases/access-log").status_code == 403
    assert (
        client.post(
            f"/cases/{sealed.id}/access/share", data={"user_id": people.shelter.id, "reason": REASON}
        ).status_code
        == 403
    )
    assert client.post(f"/cases/access/{grant.id}/revoke").status_code == 403
    assert client.post(f"/cases/access/{grant.id}/review").status_code == 403
    db.session.refresh(grant)
    assert grant.revoked_at is None


def test_supervisor_of_other_facility_cannot_revoke_or_review_a_grant(people, sealed, signed_in):
    grant = access.break_glass(sealed, reason=REASON, by=people.worker)
    client = signed_in(people.other_supervisor)
    assert client.post(f"/cases/access/{grant.id}/revoke").status_code == 404
    assert client.post(f"/cases/access/{grant.id}/review").status_code == 404
    assert (
        client.post(
            f"/cases/{sealed.id}/access/share", data={"user_id": people.outsider.id, "reason": REASON}
        ).status_code
        == 404
    )
    log = client.get("/cases/access-log").get_data(as_text=True)
    assert REASON not in log and sealed.number not in log
    db.session.refresh(grant)
    assert grant.revoked_at is None and grant.reviewed_at is None


def test_case_page_shows_grants_to_supervisors_only(people, sealed, signed_in):
    access.share_case(sealed, with_user=people.worker, reason=REASON, by=people.supervisor)
    page = whole_case_page(signed_in(people.colleague), sealed.id)
    assert "Quyền truy cập hồ sơ" not in page and REASON not in page
    page = signed_in(people.supervisor).get(f"/cases/{sealed.id}?section=access").get_data(as_text=True)
    assert "Quyền truy cập hồ sơ" in page and REASON in page and "Chia sẻ hồ sơ" in page


def test_case_scope_reads_the_grants_first_and_holds_no_sub_select(people, sealed):
    """The user's active grants are read before the statement is built (security._granted_case_ids),
    so that the scope stays index lookups: the assignment, or the assignment and the granted ids."""
    from caseapp.security.scopes import case_scope

    def scope_sql():
        return str(
            sa.select(Case.id)
            .where(case_scope(people.shelter))
            .compile(db.engine, compile_kwargs={"literal_binds": True})
        )

    assert "case_access_grants" not in scope_sql()
    access.break_glass(sealed, reason=REASON, by=people.shelter)
    with_grant = scope_sql()
    assert "case_access_grants" not in with_grant and f"cases.id IN ({sealed.id})" in with_grant


def test_access_pages_carry_no_inline_code(people, sealed, signed_in):
    """The restricted page, the access log and the case page's access section obey the strict CSP."""
    from .test_headers import assert_security_headers, inline_code

    access.break_glass(factories.make_case(people.facility, worker=people.colleague), reason=REASON, by=people.shelter)
    pages = [
        (signed_in(people.worker), f"/cases/{sealed.id}", 403),
        (signed_in(people.supervisor), "/cases/access-log", 200),
        (signed_in(people.supervisor), f"/cases/{sealed.id}", 200),
    ]
    for client, path, status in pages:
        response = client.get(path)
        assert response.status_code == status, path
        assert_security_headers(response)
        assert inline_code(response.get_data(as_text=True)).found == [], path
