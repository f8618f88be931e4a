"""The supervisor dashboard's roll-up (caseapp/main/rollups.py): the numbers are kept a
short while and say when they were counted; a click on "Tính lại ngay", the end of the period or the
supervisor's own change counts them again; a roll-up never serves another role or facility; the
stored numbers render exactly as the live ones."""

import re
from datetime import timedelta

import sqlalchemy as sa

from caseapp.cases.caseload.services import raise_flag
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.extensions import db
from caseapp.main import dashboard, rollups
from caseapp.main.models import DashboardRollup

from .lists import body, dashboard_html, numbers
from .test_dashboard import make_case, world  # noqa: F401  (the dashboard tests' facility)

OPEN = "/cases/facility?status=open"


def open_count(client):
    return dict(numbers(body(client.get("/"))))[OPEN]


def csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_supervisor_sees_the_kept_numbers_with_their_time_until_counting_again(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    first = body(sup.get("/"))
    assert dict(numbers(first))[OPEN] == 33
    assert "Số liệu tính lúc" in first and "Tính lại ngay" in first

    make_case(staff.facility, worker=staff.worker, status="assessment")  # someone else's new case
    assert open_count(sup) == 33  # the kept numbers
    stored = db.session.get(DashboardRollup, staff.supervisor.id)
    assert stored.facility_id == staff.facility.id and stored.role == "supervisor"

    page = body(sup.get("/"))
    response = sup.post("/dashboard/refresh", data={"csrf_token": csrf(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/#dashboard")
    assert open_count(sup) == 34


def test_the_numbers_are_counted_again_once_older_than_the_setting(app, staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    assert open_count(sup) == 33
    make_case(staff.facility, worker=staff.worker, status="assessment")
    seconds = app.config["DASHBOARD_ROLLUP_SECONDS"]
    db.session.execute(sa.update(DashboardRollup).values(computed_at=utcnow() - timedelta(seconds=seconds + 1)))
    db.session.flush()
    assert open_count(sup) == 34


def test_the_supervisors_own_change_counts_again_at_once(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    before = dict(numbers(body(sup.get("/"))))
    day = (utcnow() + timedelta(days=3)).astimezone(VN_TZ).date()
    raise_flag(
        world["assessment"][2], to_worker=staff.worker, note="Gọi lại", due_on=day, by=staff.supervisor
    )  # audited as the supervisor's: their roll-up goes with the commit
    db.session.commit()
    assert db.session.get(DashboardRollup, staff.supervisor.id) is None
    after = dict(numbers(body(sup.get("/"))))
    assert after == before  # a flag due in 3 days changes no number …
    assert db.session.get(DashboardRollup, staff.supervisor.id) is not None  # … but it was counted again


def test_reading_pages_keeps_the_roll_up(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    sup.get("/")
    assert sup.get(f"/cases/{world['planning'].id}").status_code == 200  # audited as case_viewed
    assert db.session.get(DashboardRollup, staff.supervisor.id) is not None


def test_a_roll_up_of_another_facility_or_role_is_not_used(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    assert open_count(sup) == 33
    db.session.execute(sa.update(DashboardRollup).values(facility_id=staff.other_facility.id))
    db.session.flush()
    make_case(staff.facility, worker=staff.worker, status="assessment")
    assert open_count(sup) == 34
    db.session.execute(sa.update(DashboardRollup).values(role="social_worker"))
    db.session.flush()
    make_case(staff.facility, worker=staff.worker, status="assessment")
    assert open_count(sup) == 35


def test_the_kept_numbers_render_as_the_live_ones(staff, signed_in, world):
    sup = signed_in(staff.supervisor)
    live = dashboard_html(body(sup.get("/")))
    kept = dashboard_html(body(sup.get("/")))
    assert db.session.get(DashboardRollup, staff.supervisor.id) is not None
    assert kept == live
    data = dashboard.for_supervisor(staff.supervisor)
    assert rollups.decode(rollups.encode(data)) == data


def test_workers_see_live_numbers_and_no_refresh(staff, signed_in, world):
    worker = signed_in(staff.worker)
    page = body(worker.get("/"))
    assert "Tính lại ngay" not in page
    assert db.session.get(DashboardRollup, staff.worker.id) is None
    assert worker.post("/dashboard/refresh", data={"csrf_token": csrf(page)}).status_code == 403


def test_a_user_of_another_facility_never_gets_this_supervisors_numbers(staff, signed_in, world):
    signed_in(staff.supervisor).get("/")
    outsider = dict(numbers(body(signed_in(staff.outsider).get("/"))))
    assert outsider[OPEN] == 1
    assert {r.user_id for r in db.session.scalars(sa.select(DashboardRollup))} == {
        staff.supervisor.id,
        staff.outsider.id,
    }


def test_kept_numbers_read_no_case_data(staff, signed_in, world, count_queries):
    sup = signed_in(staff.supervisor)
    sup.get("/")
    db.session.expire_all()
    with count_queries() as counted:
        assert sup.get("/").status_code == 200
    # (the menu's count of access grants to review is the layout's, on every page)
    case_reads = [s for s in counted.statements if re.search(r"FROM (cases|follow_ups|referrals|approvals)\b", s)]
    assert case_reads == []
