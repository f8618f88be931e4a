"""The closed loop: a referral not answered by its deadline shows as overdue to the
sender, and escalates to the supervisor once, by the escalation rule of the deadline engine."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_login import login_user

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import CaseEvent
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.extensions import db
from caseapp.referrals import queries, services

from .helpers import make_provider, make_referral, open_client_case

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=VN_TZ)  # no public holiday in the weeks around


@pytest.fixture()
def hospital(staff):
    return make_provider(staff.facility.province_code, name="Bệnh viện Đa khoa tỉnh")


@pytest.fixture()
def cases(staff):
    return {
        "mine": open_client_case(staff.facility, staff.worker, full_name="Nguyễn Thị Một"),
        "colleague": open_client_case(staff.facility, staff.colleague, full_name="Trần Văn Hai"),
        "other": open_client_case(staff.other_facility, staff.outside_worker, full_name="Lê Thị Ba"),
    }


def _ids(stmt):
    return {r.id for r in db.session.scalars(stmt)}


def test_overdue_referrals_are_scoped_to_the_sender(staff, cases, hospital):
    mine = make_referral(cases["mine"], hospital, staff.worker, at=MONDAY)  # due Wed 10:00
    colleague = make_referral(cases["colleague"], hospital, staff.colleague, at=MONDAY)
    other = make_referral(cases["other"], hospital, staff.outside_worker, at=MONDAY)
    answered = make_referral(cases["mine"], hospital, staff.worker, at=MONDAY)
    services.change_referral_status(answered, "accepted", by=staff.worker, side="sender", note="Đồng ý")
    later = make_referral(cases["mine"], hospital, staff.worker, at=MONDAY + timedelta(days=2))  # due Fri
    thursday = datetime(2026, 3, 5, 9, 0, tzinfo=VN_TZ)

    assert _ids(queries.overdue_referrals(staff.worker, thursday)) == {mine.id}
    assert _ids(queries.overdue_referrals(staff.supervisor, thursday)) == {mine.id, colleague.id}
    assert _ids(queries.overdue_referrals(staff.outsider, thursday)) == {other.id}
    assert _ids(queries.overdue_referrals(staff.reporter, thursday)) == set()
    assert _ids(queries.overdue_referrals(staff.admin, thursday)) == set()
    assert _ids(queries.overdue_referrals(staff.worker, MONDAY + timedelta(days=2))) == set()  # due, not late
    assert later.id not in _ids(queries.overdue_referrals(staff.supervisor, thursday))


def test_escalation_happens_once_after_three_working_days(staff, cases, hospital):
    referral = make_referral(cases["mine"], hospital, staff.worker, at=MONDAY)  # due Wed 4/3 10:00
    assert services.escalation_due_at(referral) == datetime(2026, 3, 9, 10, 0, tzinfo=VN_TZ)  # + Thu, Fri, Mon
    assert services.escalate_overdue(datetime(2026, 3, 9, 9, 59, tzinfo=VN_TZ)) == []
    assert referral.escalated_at is None

    at = datetime(2026, 3, 9, 10, 0, tzinfo=VN_TZ)
    assert services.escalate_overdue(at) == [referral]
    assert referral.escalated_at == at
    assert services.escalate_overdue(at + timedelta(days=1)) == []  # idempotent
    db.session.refresh(referral)
    assert referral.escalated_at == at
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == referral.case_id, CaseEvent.kind == "referral_escalated")
    ).all()
    audits = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "referral_escalated")).all()
    assert len(events) == 1 and len(audits) == 1


def test_urgent_referral_escalates_after_one_working_day(staff, cases, hospital):
    friday_evening = datetime(2026, 3, 6, 20, 0, tzinfo=VN_TZ)
    referral = make_referral(cases["mine"], hospital, staff.worker, urgent=True, at=friday_evening)
    assert referral.answer_due_at == datetime(2026, 3, 7, 0, 0, tzinfo=VN_TZ)  # 4 hours
    # one working day after Saturday 00:00 is Monday 00:00
    assert services.escalate_overdue(datetime(2026, 3, 8, 23, 0, tzinfo=VN_TZ)) == []
    assert services.escalate_overdue(datetime(2026, 3, 9, 0, 0, tzinfo=VN_TZ)) == [referral]


def test_an_answered_referral_never_escalates(staff, cases, hospital):
    referral = make_referral(cases["mine"], hospital, staff.worker, at=MONDAY)
    services.change_referral_status(referral, "declined", by=staff.worker, side="sender", note="Hết chỗ")
    assert services.escalate_overdue(MONDAY + timedelta(days=30)) == []


def test_overdue_page_lists_escalated_ones_first(staff, cases, hospital, signed_in):
    long_ago = utcnow() - timedelta(days=40)
    first = make_referral(cases["mine"], hospital, staff.worker, at=long_ago)
    second = make_referral(cases["colleague"], hospital, staff.colleague, at=long_ago + timedelta(days=1))
    second.escalated_at = utcnow()
    db.session.flush()
    ordered = [r.id for r in db.session.scalars(queries.overdue_referrals(staff.supervisor))]
    assert ordered == [second.id, first.id]

    page = signed_in(staff.supervisor).get("/referrals/overdue").get_data(as_text=True)
    assert page.index("Trần Văn Hai") < page.index("Nguyễn Thị Một")
    assert "Đã báo cáo lãnh đạo" in page and "Quá hạn trả lời từ" in page
    worker_page = signed_in(staff.worker).get("/referrals/overdue").get_data(as_text=True)
    assert "Nguyễn Thị Một" in worker_page and "Trần Văn Hai" not in worker_page


def test_case_section_shows_the_overdue_badge_in_two_queries(app, staff, cases, hospital, count_queries):
    case = cases["mine"]
    make_referral(case, hospital, staff.worker, at=utcnow() - timedelta(days=10))
    make_referral(
        case, make_provider(staff.facility.province_code, name="Hội LHPN tỉnh", kind="women_union"), staff.worker
    )
    db.session.flush()
    with count_queries() as counted:
        section = queries.case_section(case, staff.worker)
    assert counted.count == 2, counted.statements
    assert len(section.referrals) == 2 and len(section.overdue) == 1
    with app.test_request_context():
        login_user(staff.worker)
        with count_queries() as counted:
            html = render_template("referrals/_case_section.html", referral_section=section)
    assert counted.count == 0  # no query in the template
    assert "Quá hạn: 1" in html and "Quá hạn trả lời từ" in html and "Hội LHPN tỉnh" in html
    assert f"/cases/{case.id}/referrals/new" in html and f"/cases/{case.id}/transfer" in html
