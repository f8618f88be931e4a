"""Frozen reporting periods: the snapshot never changes when the data change later;
re-opening needs a reason and is audited; the province sees which facilities have not submitted."""

import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.reports import services
from caseapp.reports.models import ReportSnapshot
from caseapp.reports.periods import make_period
from caseapp.reports.province import province_numbers

from .conftest import EXPECTED, Q1, intake, local, q1_args

REASON = "Sai số liệu tiếp nhận tháng 2, cần cập nhật."


def _freeze(client):
    return client.post("/reports/periods/freeze", data=q1_args())


def test_supervisor_freezes_a_quarter_with_every_number(data, signed_in, session):
    response = _freeze(signed_in(data.supervisor))
    assert response.status_code == 302
    snapshot = session.scalar(sa.select(ReportSnapshot).where(ReportSnapshot.facility_id == data.facility.id))
    assert snapshot.status == "frozen" and snapshot.frozen_by_id == data.supervisor.id
    assert snapshot.data["headline"] == EXPECTED["headline"]
    assert snapshot.data["shelter"] == EXPECTED["shelter"]
    assert (
        session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "report_frozen", AuditEvent.entity_id == str(snapshot.id))
        )
        is not None
    )


def test_frozen_report_is_unchanged_after_data_edits(data, signed_in, session):
    client = signed_in(data.reporter)
    _freeze(client)
    snapshot = session.scalar(sa.select(ReportSnapshot).where(ReportSnapshot.facility_id == data.facility.id))
    frozen_numbers = dict(snapshot.data["headline"])
    # later: a new intake in the quarter and a case closed inside it
    intake(data.facility, data.clients["E"], local(2026, 2, 2), decision="advice_only")
    data.cases["A"].status, data.cases["A"].closed_at = "closed", local(2026, 3, 1)
    session.flush()
    session.expire_all()
    again = session.get(ReportSnapshot, snapshot.id)
    assert again.data["headline"] == frozen_numbers == EXPECTED["headline"]
    page = client.get(f"/reports/periods/{snapshot.id}").get_data(as_text=True)
    assert "Đã chốt" in page
    live = client.get("/reports/", query_string=q1_args()).get_data(as_text=True)
    assert "Kỳ này đã được chốt." in live


def test_freezing_the_same_period_twice_is_refused(data, session):
    services.freeze_report(data.facility, Q1, by=data.supervisor)
    try:
        services.freeze_report(data.facility, Q1, by=data.reporter)
    except services.ServiceError as error:
        assert "đã được chốt" in str(error) or "already frozen" in str(error)
    else:
        raise AssertionError("a second freeze of the same period was accepted")
    assert session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 1


def test_freezing_a_period_that_has_not_started_is_refused(data):
    future = make_period("year", 2099)
    try:
        services.freeze_report(data.facility, future, by=data.supervisor)
    except services.ServiceError:
        pass
    else:
        raise AssertionError("a future period was frozen")


def test_reopen_without_a_reason_is_refused_and_keeps_the_report_frozen(data, signed_in, session):
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    response = signed_in(data.supervisor).post(f"/reports/periods/{snapshot.id}/reopen", data={"reason": "  ngắn "})
    assert response.status_code == 422
    assert "ít nhất 10 ký tự" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ReportSnapshot, snapshot.id).status == "frozen"


def test_reopen_with_a_reason_is_audited_and_the_period_can_be_frozen_again(data, signed_in, session):
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    client = signed_in(data.reporter)
    response = client.post(f"/reports/periods/{snapshot.id}/reopen", data={"reason": REASON})
    assert response.status_code == 302
    session.expire_all()
    reopened = session.get(ReportSnapshot, snapshot.id)
    assert (reopened.status, reopened.reopen_reason, reopened.reopened_by_id) == ("reopened", REASON, data.reporter.id)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_reopened"))
    assert event.user_id == data.reporter.id and event.entity_id == str(snapshot.id)
    assert reopened.data["headline"] == EXPECTED["headline"]  # the old numbers are kept
    intake(data.facility, data.clients["E"], local(2026, 2, 2), decision="advice_only")
    assert _freeze(client).status_code == 302
    rows = session.scalars(sa.select(ReportSnapshot).order_by(ReportSnapshot.id)).all()
    assert [r.status for r in rows] == ["reopened", "frozen"]
    assert rows[1].data["headline"]["received"] == EXPECTED["headline"]["received"] + 1


def test_supervisor_cannot_reopen_a_report_of_other_facility(data, signed_in, session):
    from .. import factories

    outsider = factories.make_user(role="supervisor", facility=data.other_facility)
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    response = signed_in(outsider).post(f"/reports/periods/{snapshot.id}/reopen", data={"reason": REASON})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(ReportSnapshot, snapshot.id).status == "frozen"


def test_province_view_lists_facilities_that_have_not_submitted(data, signed_in):
    services.freeze_report(data.facility, Q1, by=data.supervisor)
    page = signed_in(data.reporter).get("/reports/province", query_string=q1_args()).get_data(as_text=True)
    missing = page.split('class="plain-list report-missing"')[1].split("</ul>")[0]
    submitted = page.split('class="plain-list report-submitted"')[1].split("</ul>")[0]
    assert data.other_facility.name in missing
    assert data.facility.name in submitted and data.facility.name not in missing
    assert "Chưa nộp (1)" in page and "Đã nộp (1)" in page


def test_province_numbers_add_up_frozen_facility_reports(data):
    own = services.freeze_report(data.facility, Q1, by=data.supervisor)
    from .. import factories

    other_supervisor = factories.make_user(role="supervisor", facility=data.other_facility)
    other = services.freeze_report(data.other_facility, Q1, by=other_supervisor)
    total = province_numbers([own, other], facilities_total=2)
    assert total["headline"]["received"] == EXPECTED["headline"]["received"] + 1
    assert total["breakdowns"]["sex"]["male"] == EXPECTED["sex"]["male"] + 1
    assert total["indicators"]["facilities_with_cases"] == 1
    assert total["indicators"]["facilities_total"] == 2
