"""The home dashboard per role: every number links to a list that shows the same count,
the numbers are the hand-computed ones, the reads are a bounded number of small aggregates, and
nobody sees numbers of cases outside their scope."""

import json
import re
from datetime import datetime, time, timedelta

import pytest

from caseapp.approvals.models import Approval
from caseapp.cases.followups.models import FollowUp
from caseapp.core.timeutil import VN_TZ, local_today, utcnow
from caseapp.deadlines.rules import DUE_SOON as SOON
from caseapp.deadlines.rules import due_at
from caseapp.extensions import db
from caseapp.main import dashboard, rollups
from caseapp.notifications.services import notify
from caseapp.referrals.models import Referral

from .. import factories
from ..referrals.helpers import make_provider
from .lists import body, dashboard_html, numbers, rows_of


def make_case(facility, worker=None, status=None, risk_level=None, **kwargs):
    case = factories.make_case(facility, worker=worker, status=status, **kwargs)
    if risk_level:
        case.risk_level = risk_level
        db.session.flush()
    return case


def follow_up(case, *, days, to=None):
    db.session.add(
        FollowUp(
            case_id=case.id,
            facility_id=case.facility_id,
            kind="phone",
            due_at=utcnow() + timedelta(days=days),
            assigned_to_id=to.id if to else None,
        )
    )
    db.session.flush()


def referral(case, provider, by, *, overdue=False, status="sent"):
    """A referral row sent without consent in an emergency (the override its check constraint asks for)."""
    row = Referral(
        case_id=case.id,
        facility_id=case.facility_id,
        provider_id=provider.id,
        service_type="medical",
        reason="Khám sức khỏe",
        shared_info="Họ tên, tuổi",
        status=status,
        consent_override_reason="Khẩn cấp",
        consent_override_by_id=by.id,
        answer_due_at=utcnow() + (timedelta(days=-1) if overdue else timedelta(days=2)),
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture()
def world(staff):
    """The facility: worker — 30 open cases in assessment (one of emergency urgency), one in planning
    assessed high risk, one closed; colleague — one high-urgency case in implementation; one case
    nobody holds, in review, opened 20 days ago; follow-ups overdue and due soon; three referrals
    awaiting an answer on two cases (one overdue), one answered; two pending approvals. Another
    facility has an open emergency case, a pending approval and an overdue referral."""
    f, w, c = staff.facility, staff.worker, staff.colleague
    cases = {
        "assessment": [
            make_case(f, worker=w, status="assessment", urgency="emergency" if i == 0 else "medium") for i in range(30)
        ]
    }
    cases["planning"] = make_case(f, worker=w, status="planning", urgency="low", risk_level="high")
    cases["closed"] = make_case(f, worker=w, status="closed", urgency="emergency")
    cases["colleague"] = make_case(f, worker=c, status="implementation", urgency="high")
    cases["free"] = make_case(f, status="review", opened_at=utcnow() - timedelta(days=20))
    cases["elsewhere"] = make_case(staff.other_facility, worker=staff.outsider, urgency="emergency")
    follow_up(cases["planning"], days=-2, to=w)
    follow_up(cases["colleague"], days=-1)
    follow_up(cases["colleague"], days=3)
    provider = make_provider(f.province_code)
    sup = staff.supervisor
    referral(cases["planning"], provider, sup, overdue=True)
    referral(cases["planning"], provider, sup)
    referral(cases["colleague"], provider, sup)
    referral(cases["assessment"][1], provider, sup, status="accepted")
    referral(cases["elsewhere"], provider, staff.outsider, overdue=True)
    for case in (cases["planning"], cases["colleague"]):
        db.session.add(
            Approval(
                case_id=case.id,
                facility_id=f.id,
                subject_type="closure",
                status="pending",
                requested_by_id=case.assigned_worker_id,
            )
        )
    db.session.add(
        Approval(
            case_id=cases["elsewhere"].id,
            facility_id=staff.other_facility.id,
            subject_type="closure",
            status="pending",
            requested_by_id=staff.outsider.id,
        )
    )
    db.session.commit()  # as the requests that made them would: the due items' reminders sync before it
    return cases


def assert_every_number_equals_its_list(client, page):
    links = numbers(page)
    assert links, "the dashboard shows no linked number"
    for href, value in links:
        assert rows_of(client, href) == value, href
    return dict(links)


# --- supervisors -----------------------------------------------------------------------------------


def test_supervisor_dashboard_numbers_equal_the_counts_of_the_linked_lists(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    page = body(sup.get("/"))
    links = assert_every_number_equals_its_list(sup, page)
    # the hand-computed numbers (the other facility's case, approval and referral never count)
    assert links["/cases/facility?status=open"] == 33
    assert links["/cases/facility?status=assessment"] == 30  # two pages of the list
    assert links["/cases/facility?status=intake"] == 0
    assert links["/cases/facility?status=planning"] == 1
    assert links["/cases/facility?status=implementation"] == 1
    assert links["/cases/facility?status=review"] == 1
    assert links["/cases/facility?status=open&high_risk=y"] == 3  # emergency, high urgency, high risk
    assert links["/approvals"] == 2
    assert links["/cases/facility?status=all&awaiting_referral=y"] == 2
    assert links["/referrals/overdue"] == 1
    assert links[f"/cases/facility?status=open&worker={staff.worker.id}"] == 31
    assert links[f"/cases/facility?status=open&worker={staff.worker.id}&high_risk=y"] == 2
    assert links[f"/cases/facility?status=open&worker={staff.colleague.id}"] == 1
    assert links["/cases/facility?status=open&worker=none"] == 1
    # overdue tasks: the worker's follow-up and the referral answer awaited past its deadline; the
    # colleague's follow-up names no one, so it is the case holder's; the case nobody holds has waited
    # 20 days for its needs assessment (3 working days)
    assert links[f"/cases/tasks?worker={staff.worker.id}#tasks-overdue"] == 2
    assert links[f"/cases/tasks?worker={staff.colleague.id}#tasks-overdue"] == 1
    assert links["/cases/tasks?worker=unassigned#tasks-overdue"] == 1


def test_supervisor_dashboard_counts_new_cases_by_local_week_and_month(staff, signed_in):
    """Week: Monday 00:00 to Sunday 24:00 Vietnam time; a case opened at 23:30 on Sunday evening (16:30
    UTC) belongs to that week, one opened at 00:10 on Monday morning (Sunday 17:10 UTC) to the next."""
    today = local_today()
    monday = today - timedelta(days=today.weekday())

    def local(day, hour, minute):
        return datetime.combine(day, time(hour, minute), VN_TZ)

    last_sunday = monday - timedelta(days=1)
    make_case(staff.facility, worker=staff.worker, opened_at=local(last_sunday, 23, 30))
    make_case(staff.facility, worker=staff.worker, opened_at=local(monday, 0, 10))
    make_case(staff.facility, worker=staff.worker, opened_at=local(monday - timedelta(weeks=7), 9, 0))
    make_case(staff.facility, worker=staff.worker, opened_at=local(monday - timedelta(weeks=8), 9, 0))  # outside
    make_case(staff.facility, worker=staff.worker, status="closed", opened_at=local(monday, 8, 0))
    make_case(staff.other_facility, opened_at=local(monday, 8, 0))

    data = dashboard.openings(staff.supervisor, today)
    assert [w.start for w in data.weeks] == [monday - timedelta(weeks=n) for n in range(7, -1, -1)]
    assert [w.count.value for w in data.weeks] == [1, 0, 0, 0, 0, 0, 1, 2]  # closed ones were opened too
    assert data.this_week.count.value == 2
    first_of_month = today.replace(day=1)
    expected_month = sum(
        1
        for day in (last_sunday, monday, monday, monday - timedelta(weeks=7), monday - timedelta(weeks=8))
        if day >= first_of_month
    )
    assert data.this_month.count.value == expected_month

    sup = signed_in(staff.supervisor)
    page = body(sup.get("/"))
    links = assert_every_number_equals_its_list(sup, page)
    week_link = (
        f"/cases/facility?status=all&opened_from={monday.isoformat()}"
        f"&opened_to={(monday + timedelta(days=6)).isoformat()}"
    )
    assert links[week_link] == 2


def test_supervisor_dashboard_charts_get_the_numbers_of_the_tables_as_json(staff, signed_in, world):
    page = body(signed_in(staff.supervisor).get("/"))
    data = json.loads(
        re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.S).group(1)
    )
    assert data["steps"]["type"] == "bar" and data["weeks"]["type"] == "line"
    assert data["steps"]["values"] == [0, 30, 1, 1, 1]
    assert data["steps"]["labels"][1] == "Đánh giá nhu cầu"
    assert data["steps"]["urls"][1] == "/cases/facility?status=assessment"
    assert len(data["weeks"]["values"]) == 8 and sum(data["weeks"]["values"]) >= 33
    assert 'data-chart="steps"' in page and 'data-chart="weeks"' in page
    # CSP: no inline script — only the JSON data block and scripts of our own origin
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or 'src="/static/' in tag, tag
    assert 'src="/static/js/vendor/chart.umd.min.js"' in page and 'src="/static/js/dashboard.js"' in page


def test_supervisor_dashboard_shows_no_client_data(staff, signed_in, world):
    part = dashboard_html(body(signed_in(staff.supervisor).get("/")))
    assert "Nguyễn Văn Khách" not in part  # the factory's client name
    assert world["planning"].number not in part
    assert "/cases/" + str(world["planning"].id) not in part


def test_supervisor_dashboard_runs_a_bounded_number_of_queries_and_never_reads_the_events(
    staff, signed_in, world, count_queries
):
    sup = signed_in(staff.supervisor)

    def run():
        sup.get("/")
        rollups.forget(staff.supervisor.id)  # count it, not read the kept roll-up (test_rollup.py)
        db.session.expire_all()
        with count_queries() as counted:
            assert sup.get("/").status_code == 200
        return counted

    small = run()
    provider = make_provider(staff.facility.province_code, name="Hội Phụ nữ tỉnh", kind="women_union")
    for i in range(5):
        extra = factories.make_user(role="social_worker", facility=staff.facility, full_name=f"Nhân viên {i}")
        case = make_case(staff.facility, worker=extra, status="planning", urgency="high")
        follow_up(case, days=-3, to=extra)
        referral(case, provider, staff.supervisor, overdue=True)
    db.session.commit()  # as the requests that made them would (the reminders sync before the commit)
    large = run()
    assert large.count == small.count, "\n".join(s[:150] for s in large.statements)
    # sign-in session and user, the unread badge, the menu's access count; the dashboard: cases by
    # step, openings, the caseload review's four, the due items' five, approvals, two for referrals,
    # the shelter's stays and beds, the "My cases" tile's counts, and the roll-up's read and write
    assert small.count <= 27, small.count
    assert not any("case_events" in s for s in large.statements)


def test_worker_dashboard_runs_a_bounded_number_of_queries(staff, signed_in, world, count_queries):
    worker = signed_in(staff.worker)

    def run():
        worker.get("/")
        db.session.expire_all()
        with count_queries() as counted:
            assert worker.get("/").status_code == 200
        return counted

    small = run()
    for _ in range(5):
        case = make_case(staff.facility, worker=staff.worker, status="planning", urgency="high")
        follow_up(case, days=-3, to=staff.worker)
    large = run()
    assert large.count == small.count, "\n".join(s[:150] for s in large.statements)
    assert small.count <= 12, small.count  # sign-in, the badge; cases by step, the due items' five
    assert sum("count(" in s.lower() for s in large.statements) == 1  # one grouped count of the cases
    assert not any("case_events" in s for s in large.statements)


# --- workers -----------------------------------------------------------------------------------------


def test_worker_dashboard_numbers_equal_the_counts_of_the_linked_lists(staff, signed_in, world):
    follow_up(world["assessment"][3], days=2, to=staff.worker)
    notify(staff.worker.id, "case_assigned", world["planning"], "case_assigned", unique_key="t:1")
    notify(staff.worker.id, "case_assigned", world["assessment"][0], "case_assigned", unique_key="t:2")
    worker = signed_in(staff.worker)
    page = body(worker.get("/"))
    links = assert_every_number_equals_its_list(worker, page)
    assert links["/cases/mine?status=open"] == 31
    assert links["/cases/mine?status=assessment"] == 30
    assert links["/cases/mine?status=open&high_risk=y"] == 2
    assert links["/notifications/"] == 2
    # overdue: the follow-up two days late and the referral answer past its deadline; within 7 days: the
    # follow-up in two days, the referral answer due in two days and the 31 needs assessments (3 working
    # days, 1 at high risk or in an emergency) — unless days off (Tết) put them further away
    week_ends = utcnow() + SOON
    urgent_due = due_at("assessment", world["assessment"][0].opened_at, variant="urgent")  # and the high-risk one's
    default_due = due_at("assessment", world["assessment"][1].opened_at)  # and the 28 others'
    assessments = 2 * (urgent_due < week_ends) + 29 * (default_due < week_ends)
    assert links["/cases/tasks#tasks-overdue"] == 2
    assert links["/cases/tasks#tasks-soon"] == 2 + assessments
    assert "/cases/facility" not in page  # a worker has no facility numbers
    assert "Hồ sơ đang phụ trách: 31" in page  # the "My cases" tile: the same count


def test_worker_dashboard_counts_a_case_shared_with_them_as_their_list_does(staff, signed_in):
    from caseapp.cases.access.models import CaseAccessGrant

    mine = make_case(staff.facility, worker=staff.worker, status="assessment")
    shared = make_case(staff.facility, worker=staff.colleague, status="assessment")
    db.session.add(
        CaseAccessGrant(
            case_id=shared.id,
            user_id=staff.worker.id,
            kind="shared",
            granted_by_id=staff.supervisor.id,
            reason="Hỗ trợ",
        )
    )
    db.session.flush()
    worker = signed_in(staff.worker)
    links = assert_every_number_equals_its_list(worker, body(worker.get("/")))
    assert links["/cases/mine?status=assessment"] == 2
    assert mine.number and shared.number


def test_worker_cannot_see_numbers_of_other_workers_cases(staff, signed_in, world):
    data = dashboard.for_user(staff.colleague)
    assert data.steps.total.value == 1
    assert dict(data.steps.by_step)["assessment"].value == 0
    assert not hasattr(data, "workers")
    page = body(signed_in(staff.colleague).get("/"))
    assert dict(numbers(page))["/cases/mine?status=open"] == 1


def test_supervisor_dashboard_does_not_count_cases_of_other_facility(staff, signed_in, world):
    data = dashboard.for_user(staff.outsider)
    assert data.steps.total.value == 1
    assert data.approvals.value == 1 and data.referrals.overdue.value == 1
    assert data.referrals.awaiting_cases.value == 1
    assert [row.name for row in data.workers if row.name] == ["Người Ngoài"]


# --- shelters ---------------------------------------------------------------------------------------------


@pytest.fixture()
def shelter_world(session):
    from caseapp.org.models import FacilityType
    from caseapp.shelter.models import Bed, Room, ShelterStay

    shelter = factories.make_facility(type=FacilityType.SHELTER.value, name="Nhà tạm lánh thử")
    staff_user = factories.make_user(role="shelter_staff", facility=shelter, full_name="Nhân viên tạm lánh")
    supervisor = factories.make_user(role="supervisor", facility=shelter, full_name="Giám sát tạm lánh")
    room = Room(facility_id=shelter.id, name="P1")
    db.session.add(room)
    db.session.flush()
    beds = [Bed(facility_id=shelter.id, room_id=room.id, label=str(i)) for i in range(1, 5)]
    db.session.add_all(beds)
    db.session.flush()
    now = utcnow()
    for bed, end in (
        (beds[0], now - timedelta(days=2)),
        (beds[1], now + timedelta(days=10)),
        (None, now - timedelta(hours=3)),
    ):
        client = factories.make_client(shelter)
        case = make_case(shelter, client=client, worker=staff_user)
        db.session.add(
            ShelterStay(
                facility_id=shelter.id,
                client_id=client.id,
                case_id=case.id,
                bed_id=bed.id if bed else None,
                admitted_at=now - timedelta(days=20),
                planned_end_at=end,
            )
        )
    client = factories.make_client(shelter)
    db.session.add(
        ShelterStay(
            facility_id=shelter.id,
            client_id=client.id,
            bed_id=beds[2].id,  # checked out
            admitted_at=now - timedelta(days=9),
            planned_end_at=now - timedelta(days=5),
            checked_out_at=now - timedelta(days=4),
        )
    )
    db.session.flush()
    return shelter, staff_user, supervisor


@pytest.mark.parametrize("who", ["staff", "supervisor"])
def test_shelter_dashboard_occupancy_and_overstays_equal_the_bed_board(shelter_world, app, who):
    from ..security.conftest import sign_in

    shelter, staff_user, supervisor = shelter_world
    client = app.test_client()
    sign_in(client, staff_user if who == "staff" else supervisor)
    page = body(client.get("/"))
    part = dashboard_html(page)
    found = re.search(r'<section class="card dash-section" id="dash-shelter".*?</section>', part, re.S).group(0)
    occupied, overstays = [
        (href, int(n))
        for href, n, _plus in re.findall(
            r'<a href="([^"]+)" class="stat-link"><span class="stat-value">(\d+)(\+?)<', found
        )
    ]
    assert occupied == ("/shelter/board", 3) and overstays == ("/shelter/board", 2)
    assert "sức chứa 4" in found  # capacity: the active beds
    board = body(client.get("/shelter/board"))
    assert board.count('id="stay-') == 3  # the board lists the same open stays
    assert board.count("bed-overstay") == 2


def test_centre_without_beds_shows_no_shelter_numbers(staff, signed_in, world):
    assert dashboard.for_user(staff.supervisor).shelter is None
    assert 'id="dash-shelter"' not in body(signed_in(staff.supervisor).get("/"))


# --- admins and reporters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "reporter"])
def test_admin_and_reporter_get_no_case_numbers(staff, signed_in, world, role):
    user = getattr(staff, role)
    assert dashboard.for_user(user) is None
    page = body(signed_in(user).get("/"))
    assert 'id="dashboard"' not in page and "dashboard-data" not in page
    assert "/cases/" not in page


def test_admin_home_keeps_the_admin_links(staff, signed_in, app):
    from flask import url_for

    page = body(signed_in(staff.admin).get("/"))
    with app.test_request_context():
        wanted = [url_for(endpoint) for endpoint in ("auth.users", "org.facilities", "audit.events")]
    tiles = page[page.index('<div class="tiles">') :]
    for href in wanted:
        assert f'class="tile" href="{href}"' in tiles, href


def test_reporter_sees_the_statistics_link_when_the_reports_exist(staff, signed_in, app):
    page = body(signed_in(staff.reporter).get("/"))
    tiles = page[page.index('<div class="tiles">') :]
    from caseapp.main.views import STATISTICS_ENDPOINTS
    from caseapp.security.policy import has_perm

    views = [app.view_functions[e] for e in STATISTICS_ENDPOINTS if e in app.view_functions]
    if not views:
        assert "/reports" not in tiles
    else:
        assert ('class="tile" href="/reports/' in tiles) == has_perm(staff.reporter, views[0].required_perm)
        assert has_perm(staff.reporter, views[0].required_perm)  # reporters are who the statistics are for


def test_dashboard_reads_in_english_too(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    assert sup.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    page = body(sup.get("/"))
    assert "Open cases of the facility" in page and "Cases opened" in page and "Overdue tasks" in page
    assert dict(numbers(page))["/cases/facility?status=open"] == 33
