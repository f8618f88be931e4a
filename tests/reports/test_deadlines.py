"""The reports a unit sends every year by a fixed day (reports.deadlines): the due day of each year, the
state and the current occurrence, the pages (add, change, stop, mark sent), who reaches them, the home
page, the scheduler's reminders (7 days, 1 day before, overdue — each once), and the sending recorded
when the yearly report is issued."""

import importlib.util
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from caseapp.audit.models import AuditEvent
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import VN_TZ
from caseapp.extensions import db
from caseapp.notifications import texts
from caseapp.notifications.models import Notification
from caseapp.org import services as org_services
from caseapp.reports import deadlines
from caseapp.reports.deadlines import State, current_occurrence, due_date, reminder_step, state_of
from caseapp.reports.models import ReportDeadline, ReportSending, YearlyReport

from .. import factories

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0020_yearly_reports.py"
DEFAULT_FULL_TITLE = "Báo cáo kết quả thực hiện Kế hoạch công tác xã hội năm 2026"


def vn(y, m, d, hh=10, mm=0):
    """A moment in Vietnam time."""
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


@contextmanager
def on_day(y, m, d, hh=10):
    """The clock on that day in Vietnam (whatever day the suite runs: CASEAPP_TEST_NOW)."""
    with time_machine.travel(vn(y, m, d, hh), tick=True):
        yield


def a_deadline(month=12, day=15, **values):
    """A deadline not stored: the date arithmetic needs only its due day."""
    return ReportDeadline(title="Báo cáo", recipient="Sở Y tế", due_month=month, due_day=day, **values)


def stored_deadline(facility, month=12, day=20, title="Báo cáo thống kê năm", kind="statistics", active=True):
    deadline = ReportDeadline(
        facility_id=facility.id,
        title=title,
        report_kind=kind,
        recipient="UBND tỉnh",
        due_month=month,
        due_day=day,
        active=active,
    )
    db.session.add(deadline)
    db.session.flush()
    return deadline


def sent(deadline, year, number="15/BC-TTCTXH", on=date(2026, 12, 1)):
    sending = ReportSending(deadline_id=deadline.id, year=year, number_symbol=number, sent_on=on)
    db.session.add(sending)
    db.session.flush()
    return sending


@pytest.fixture()
def unit(session, facility, other_facility):
    """The facility with its default deadline (15/12, as the migration gave every facility), a
    supervisor, a reporter and a social worker; another facility's supervisor and deadline."""

    class Unit:
        pass

    u = Unit()
    u.facility = facility
    u.deadline = deadlines.ensure_default(facility)
    u.supervisor = factories.make_user(role="supervisor", facility=facility, full_name="Trần Văn Giám Đốc")
    u.reporter = factories.make_user(role="reporter", facility=facility)
    u.worker = factories.make_user(role="social_worker", facility=facility)
    u.other_supervisor = factories.make_user(role="supervisor", facility=other_facility)
    u.other_deadline = deadlines.ensure_default(other_facility)
    return u


def actions(prefix="report_deadline_"):
    return [a for a in db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)) if a.startswith(prefix)]


# --- the due day of a year ------------------------------------------------------------------------------


def test_the_due_day_of_a_year():
    assert due_date(12, 15, 2026) == date(2026, 12, 15)
    assert due_date(6, 31, 2026) == date(2026, 6, 30)  # a 31st in a 30-day month: its last day
    assert due_date(4, 31, 2027) == date(2027, 4, 30)
    assert due_date(2, 29, 2027) == date(2027, 2, 28)  # 29 February in a common year
    assert due_date(2, 29, 2028) == date(2028, 2, 29)
    assert due_date(2, 31, 2028) == date(2028, 2, 29)
    assert due_date(1, 31, 2026) == date(2026, 1, 31)


def test_the_state_on_a_day():
    due = date(2026, 12, 15)
    assert state_of(due, date(2026, 12, 7), sent=False) is State.UPCOMING  # 8 days left
    assert state_of(due, date(2026, 12, 8), sent=False) is State.DUE_SOON  # 7 days left
    assert state_of(due, date(2026, 12, 15), sent=False) is State.DUE_SOON  # due by the end of the day
    assert state_of(due, date(2026, 12, 16), sent=False) is State.OVERDUE
    assert state_of(due, date(2026, 12, 16), sent=True) is State.SENT


def test_the_current_occurrence_is_this_years_until_sent_then_next_years():
    deadline = a_deadline(12, 15)
    now = current_occurrence(deadline, date(2026, 12, 10), {})
    assert (now.year, now.due, now.state, now.days_left) == (2026, date(2026, 12, 15), State.DUE_SOON, 5)
    after = current_occurrence(deadline, date(2026, 12, 10), {2026: object()})
    assert (after.year, after.due, after.state) == (2027, date(2027, 12, 15), State.UPCOMING)


def test_an_unsent_report_stays_overdue_across_new_year_for_half_a_year():
    on_31_december = a_deadline(12, 31)
    late = current_occurrence(on_31_december, date(2027, 1, 1), {})
    assert (late.year, late.state, late.days_left) == (2026, State.OVERDUE, -1)
    assert current_occurrence(on_31_december, date(2027, 1, 1), {2026: object()}).year == 2027
    mid_year = a_deadline(6, 30)
    assert current_occurrence(mid_year, date(2026, 12, 29), {}).state is State.OVERDUE  # 182 days late
    dropped = current_occurrence(mid_year, date(2026, 12, 31), {})  # 184 days late: next year's is nearer
    assert (dropped.year, dropped.state) == (2027, State.UPCOMING)


def test_a_report_due_early_in_january_is_announced_in_december():
    early = current_occurrence(a_deadline(1, 5), date(2026, 12, 29), {})
    assert (early.year, early.due, early.state, early.days_left) == (2027, date(2027, 1, 5), State.DUE_SOON, 7)


def test_a_title_ending_in_nam_is_completed_with_the_year():
    assert deadlines.report_title(deadlines.DEFAULT_TITLE, 2026) == DEFAULT_FULL_TITLE
    assert deadlines.report_title("Báo cáo thống kê 6 tháng", 2026) == "Báo cáo thống kê 6 tháng"


def test_the_reminder_steps():
    assert [reminder_step(days) for days in (8, 7, 2, 1, 0, -1, -40)] == [
        None,
        "7d",
        "7d",
        "1d",
        "1d",
        "overdue",
        "overdue",
    ]


# --- the default deadline --------------------------------------------------------------------------------


def test_the_default_is_the_migrations_and_given_once(session, facility):
    spec = importlib.util.spec_from_file_location("migration_0020", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (deadlines.DEFAULT_TITLE, deadlines.DEFAULT_RECIPIENT) == (
        migration.DEFAULT_TITLE,
        migration.DEFAULT_RECIPIENT,
    )
    created = deadlines.ensure_default(facility)
    assert (created.title, created.recipient, created.report_kind, created.due_day, created.due_month) == (
        migration.DEFAULT_TITLE,
        "Sở Y tế",
        "yearly",
        15,
        12,
    )
    created.active = False
    assert deadlines.ensure_default(facility) is None  # a stopped deadline is still the facility's
    assert actions() == ["report_deadline_created"]


def test_a_new_facility_gets_the_default_deadline(app, session, make_user):
    commune = factories.any_commune(None)
    data = {
        "code": "TTMOI01",
        "name": "Trung tâm Công tác xã hội Mới",
        "type": "social_work_center",
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "street_address": None,
        "phone": None,
        "capacity": None,
        "confidential_address": False,
        "is_active": True,
    }
    with app.test_request_context():
        created = org_services.create_facility(data, by=make_user("admin"))
    [deadline] = session.scalars(sa.select(ReportDeadline).where(ReportDeadline.facility_id == created.id)).all()
    assert (deadline.title, deadline.due_day, deadline.due_month, deadline.active) == (
        deadlines.DEFAULT_TITLE,
        15,
        12,
        True,
    )


def test_the_demo_facilities_have_their_deadline(app, session):
    from caseapp.demo import DEMO_FACILITIES, seed_demo
    from caseapp.org.models import Facility

    seed_demo(app)
    seed_demo(app)  # a second run adds nothing
    titles = db.session.execute(
        sa.select(Facility.code, ReportDeadline.title)
        .join(ReportDeadline, ReportDeadline.facility_id == Facility.id)
        .where(Facility.code.in_([spec["code"] for spec in DEMO_FACILITIES]))
        .order_by(Facility.code)
    ).all()
    assert titles == sorted((spec["code"], deadlines.DEFAULT_TITLE) for spec in DEMO_FACILITIES)


# --- the pages ---------------------------------------------------------------------------------------------

FORM = {
    "title": "Báo cáo công tác trợ giúp xã hội 6 tháng",
    "report_kind": "statistics",
    "recipient": "Sở Y tế tỉnh",
    "due_day": "31",
    "due_month": "6",
    "version": "0",
}


def test_the_list_shows_this_years_state(unit, signed_in):
    with on_day(2026, 12, 10):
        page = signed_in(unit.reporter).get("/reports/deadlines").get_data(as_text=True)
    assert deadlines.DEFAULT_TITLE in page and "15/12" in page
    assert "Đến hạn trong 7 ngày" in page and "hạn 15/12/2026" in page and "còn 5 ngày" in page
    assert "Đánh dấu đã gửi" in page


def test_a_bad_deadline_is_refused_in_vietnamese_and_keeps_what_was_typed(unit, signed_in):
    http = signed_in(unit.supervisor)
    response = http.post("/reports/deadlines/new", data={**FORM, "due_day": "32", "recipient": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nhập ngày từ 1 đến 31." in page and "Trường này là bắt buộc." in page
    assert FORM["title"] in page  # what was typed stays
    assert db.session.scalar(sa.select(ReportDeadline).where(ReportDeadline.title == FORM["title"])) is None


def test_a_deadline_is_added_and_audited(unit, signed_in):
    response = signed_in(unit.supervisor).post("/reports/deadlines/new", data=FORM)
    assert response.status_code == 302
    created = db.session.scalar(sa.select(ReportDeadline).where(ReportDeadline.title == FORM["title"]))
    assert (created.facility_id, created.due_day, created.due_month, created.report_kind, created.active) == (
        unit.facility.id,
        31,
        6,
        "statistics",
        True,
    )
    assert deadlines.deadline_due(created, 2026) == date(2026, 6, 30)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "report_deadline_created").order_by(AuditEvent.id.desc())
    )
    assert (event.entity_type, event.entity_id, event.user_id, event.facility_id) == (
        "report_deadlines",
        str(created.id),
        unit.supervisor.id,
        unit.facility.id,
    )


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(unit, signed_in):
    http = signed_in(unit.supervisor)
    form_page = http.get(f"/reports/deadlines/{unit.deadline.id}").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_page
    deadlines.update_deadline(
        unit.deadline,
        {"title": "Tiêu đề do người khác sửa", "recipient": "Sở Y tế", "due_day": 15, "due_month": 12},
        by=unit.reporter,
        seen_version=1,
    )
    db.session.commit()
    typed = {**FORM, "title": "Tiêu đề tôi vừa gõ", "version": "1"}
    response = http.post(f"/reports/deadlines/{unit.deadline.id}", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người khác đã sửa thời hạn này" in page and "Tiêu đề tôi vừa gõ" in page
    db.session.expire_all()
    assert db.session.get(ReportDeadline, unit.deadline.id).title == "Tiêu đề do người khác sửa"


def test_an_edit_is_saved_and_audited(unit, signed_in):
    http = signed_in(unit.reporter)
    response = http.post(f"/reports/deadlines/{unit.deadline.id}", data={**FORM, "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(ReportDeadline, unit.deadline.id)
    assert (changed.title, changed.due_day, changed.version) == (FORM["title"], 31, 2)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_deadline_changed"))
    assert event.detail["fields"] == ["due_day", "due_month", "recipient", "report_kind", "title"]


def test_a_deadline_is_stopped_and_restarted_never_deleted(unit, signed_in):
    http = signed_in(unit.supervisor)
    assert http.post(f"/reports/deadlines/{unit.deadline.id}/stop").status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportDeadline, unit.deadline.id).active is False
    again = http.post(f"/reports/deadlines/{unit.deadline.id}/stop", follow_redirects=True)
    assert "Thời hạn này đã được dừng." in again.get_data(as_text=True)
    page = http.get("/reports/deadlines").get_data(as_text=True)
    assert "Đã dừng" in page and "Áp dụng lại" in page
    assert http.post(f"/reports/deadlines/{unit.deadline.id}/restart").status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportDeadline, unit.deadline.id).active is True
    assert actions() == ["report_deadline_created", "report_deadline_created"] + [
        "report_deadline_stopped",
        "report_deadline_restarted",
    ]


def test_a_report_is_marked_sent_once_for_a_year(unit, signed_in):
    with on_day(2026, 12, 10):
        http = signed_in(unit.supervisor)
        form_page = http.get(f"/reports/deadlines/{unit.deadline.id}/sent").get_data(as_text=True)
        assert 'value="2026"' in form_page and DEFAULT_FULL_TITLE in form_page
        data = {"year": "2026", "number_symbol": "15/BC-TTCTXH", "sent_on": "2026-12-09"}
        assert http.post(f"/reports/deadlines/{unit.deadline.id}/sent", data=data).status_code == 302
        twice = http.post(f"/reports/deadlines/{unit.deadline.id}/sent", data={**data, "number_symbol": "16/BC"})
        page = twice.get_data(as_text=True)
        assert twice.status_code == 422
        assert "Báo cáo năm 2026 đã được ghi nhận là đã gửi (số 15/BC-TTCTXH, ngày 09/12/2026)." in page
        assert "16/BC" in page  # what was typed stays
        listed = http.get("/reports/deadlines").get_data(as_text=True)
    [sending] = db.session.scalars(sa.select(ReportSending)).all()
    assert (sending.deadline_id, sending.year, sending.number_symbol, sending.sent_on, sending.sent_by_id) == (
        unit.deadline.id,
        2026,
        "15/BC-TTCTXH",
        date(2026, 12, 9),
        unit.supervisor.id,
    )
    assert "Đã gửi: số 15/BC-TTCTXH, ngày 09/12/2026" in listed and "Báo cáo năm 2027:" in listed
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_deadline_sent"))
    assert (event.entity_type, event.entity_id, event.facility_id, event.detail["year"]) == (
        "report_sendings",
        str(sending.id),
        unit.facility.id,
        2026,
    )


def test_a_sending_dated_in_the_future_or_without_number_is_refused(unit, signed_in):
    with on_day(2026, 12, 10):
        http = signed_in(unit.reporter)
        future = http.post(
            f"/reports/deadlines/{unit.deadline.id}/sent",
            data={"year": "2026", "number_symbol": "15/BC-TTCTXH", "sent_on": "2026-12-11"},
        )
        blank = http.post(
            f"/reports/deadlines/{unit.deadline.id}/sent", data={"year": "2026", "number_symbol": " ", "sent_on": ""}
        )
    assert future.status_code == 422 and "Ngày gửi không được sau ngày hôm nay." in future.get_data(as_text=True)
    assert blank.status_code == 422 and "Nhập ngày gửi." in blank.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSending)) == 0


def test_the_service_refuses_a_stopped_deadline_and_the_same_year_twice(unit):
    deadlines.mark_sent(unit.deadline, 2026, "15/BC", date(2026, 12, 1), by=unit.reporter, today=date(2026, 12, 10))
    with pytest.raises(ServiceError) as twice:
        deadlines.mark_sent(unit.deadline, 2026, "16/BC", date(2026, 12, 2), by=unit.reporter, today=date(2026, 12, 10))
    assert twice.value.field == "year"
    deadlines.set_active(unit.deadline, False, by=unit.reporter)
    with pytest.raises(ServiceError):
        deadlines.mark_sent(unit.deadline, 2027, "1/BC", date(2026, 12, 2), by=unit.reporter, today=date(2026, 12, 10))


# --- who reaches the pages --------------------------------------------------------------------------------


def test_a_social_worker_is_refused_the_deadlines(unit, signed_in):
    http = signed_in(unit.worker)
    assert http.get("/reports/deadlines").status_code == 403
    assert http.post("/reports/deadlines/new", data=FORM).status_code == 403
    assert http.post(f"/reports/deadlines/{unit.deadline.id}/stop").status_code == 403
    db.session.expire_all()
    assert db.session.get(ReportDeadline, unit.deadline.id).active is True


def test_another_facilitys_deadline_answers_404(unit, signed_in):
    http = signed_in(unit.other_supervisor)
    assert http.get(f"/reports/deadlines/{unit.deadline.id}").status_code == 404
    assert http.post(f"/reports/deadlines/{unit.deadline.id}/stop").status_code == 404
    data = {"year": "2026", "number_symbol": "1/BC", "sent_on": "2026-12-01"}
    assert http.post(f"/reports/deadlines/{unit.deadline.id}/sent", data=data).status_code == 404
    assert deadlines.DEFAULT_TITLE in http.get("/reports/deadlines").get_data(as_text=True)  # their own
    with pytest.raises(ServiceError):
        deadlines.set_active(unit.deadline, False, by=unit.other_supervisor)
    db.session.expire_all()
    assert db.session.get(ReportDeadline, unit.deadline.id).active is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSending)) == 0


# --- the home page -----------------------------------------------------------------------------------------


def test_the_home_page_shows_a_report_due_in_5_days_and_not_one_sent(unit, signed_in):
    sent_one = stored_deadline(unit.facility, 12, 12, title="Báo cáo đã gửi rồi")
    sent(sent_one, 2026)
    stored_deadline(unit.facility, 1, 20, title="Báo cáo còn xa")  # 20/01/2027: 41 days on
    stored_deadline(unit.facility, 12, 14, title="Báo cáo đã dừng", active=False)
    with on_day(2026, 12, 10):
        pages = {
            who: signed_in(getattr(unit, who)).get("/").get_data(as_text=True)
            for who in ("supervisor", "reporter", "worker")
        }
    for who in ("supervisor", "reporter"):
        page = pages[who]
        assert "Báo cáo đến hạn" in page, who
        assert DEFAULT_FULL_TITLE in page and "gửi Sở Y tế, hạn 15/12/2026" in page and "(còn 5 ngày)" in page
        assert "Đến hạn trong 7 ngày" in page and f"/reports/deadlines#deadline-{unit.deadline.id}" in page
        assert "Báo cáo đã gửi rồi" not in page and "Báo cáo còn xa" not in page and "Báo cáo đã dừng" not in page
    assert "Báo cáo đến hạn" not in pages["worker"]


def test_the_home_page_shows_an_overdue_report(unit, signed_in):
    with on_day(2026, 12, 17):
        page = signed_in(unit.supervisor).get("/").get_data(as_text=True)
    assert "Quá hạn" in page and "hạn 15/12/2026" in page


def test_the_reports_due_are_one_read(unit, count_queries):
    for n in range(5):
        sent(stored_deadline(unit.facility, 12, 20 + n, title=f"Báo cáo {n}"), 2025)
    with count_queries() as counted:
        due = deadlines.due_for_home(unit.supervisor, date(2026, 12, 10))
    assert [o.deadline.title for o in due][:2] == [deadlines.DEFAULT_TITLE, "Báo cáo 0"]
    assert counted.count == 1


# --- the reminders ------------------------------------------------------------------------------------------


def notes():
    return db.session.execute(
        sa.select(Notification.user_id, Notification.unique_key, Notification.text_key).order_by(Notification.id)
    ).all()


def test_reminders_go_7_days_before_the_day_before_and_once_overdue_each_once(unit):
    inactive = factories.make_user(role="reporter", facility=unit.facility, active=False)
    managers = {unit.supervisor.id, unit.reporter.id}
    key = f"report_due:{unit.deadline.id}:2026"
    other_key = f"report_due:{unit.other_deadline.id}:2026"
    assert deadlines.remind(vn(2026, 12, 7)) == 0  # 8 days left
    assert deadlines.remind(vn(2026, 12, 8, 0, 0)) == 3  # 7 days left: the two of this facility, the other's one
    assert deadlines.remind(vn(2026, 12, 8, 15)) == 0  # the same day again
    for day in range(9, 14):
        assert deadlines.remind(vn(2026, 12, day)) == 0
    assert deadlines.remind(vn(2026, 12, 14)) == 3  # the day before
    assert deadlines.remind(vn(2026, 12, 15)) == 0  # the due day: the day-before one was sent
    assert deadlines.remind(vn(2026, 12, 16)) == 3  # overdue
    assert deadlines.remind(vn(2026, 12, 17)) == 0
    assert deadlines.remind(vn(2027, 1, 20)) == 0
    written = [row for row in notes() if row.unique_key.startswith(key)]
    assert {row.user_id for row in written} == managers  # not the worker, not the inactive reporter
    assert inactive.id not in {row.user_id for row in notes()} and unit.worker.id not in {r.user_id for r in notes()}
    assert sorted(row.unique_key for row in written) == sorted(
        f"{key}:{step}:{user}" for step in ("7d", "1d", "overdue") for user in managers
    )
    assert [row.unique_key for row in notes() if row.unique_key.startswith(other_key)] == [
        f"{other_key}:{step}:{unit.other_supervisor.id}" for step in ("7d", "1d", "overdue")
    ]
    assert [row.text_key for row in written if row.user_id == unit.reporter.id] == [
        "report_due_soon",
        "report_due_soon",
        "report_overdue",
    ]


def test_days_are_counted_in_vietnam_time(unit):
    assert deadlines.remind(datetime.fromisoformat("2026-12-07T16:59:00+00:00")) == 0  # 23:59 on 07/12 in Vietnam
    assert deadlines.remind(datetime.fromisoformat("2026-12-07T17:00:00+00:00")) == 3  # 00:00 on 08/12


def test_the_reminder_reads_as_the_bell_and_the_email_say_it(unit):
    deadlines.remind(vn(2026, 12, 8))
    deadlines.remind(vn(2026, 12, 15))
    mine = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == unit.reporter.id).order_by(Notification.id)
    ).all()
    with force_locale("vi"):
        sentences = [texts.render(n) for n in mine]
    assert sentences == [
        f"{DEFAULT_FULL_TITLE} gửi Sở Y tế hạn 15/12/2026: còn 7 ngày.",
        f"{DEFAULT_FULL_TITLE} gửi Sở Y tế hạn 15/12/2026: hạn là hôm nay.",
    ]


def test_a_late_first_look_sends_only_the_most_urgent_reminder(unit):
    """The scheduler was down (or the deadline added late): on its first look the 7-days and the
    day-before steps have passed; only the overdue one goes."""
    assert deadlines.remind(vn(2026, 12, 18)) == 3
    keys = [row.unique_key for row in notes() if row.unique_key.startswith(f"report_due:{unit.deadline.id}:")]
    assert sorted(keys) == sorted(
        f"report_due:{unit.deadline.id}:2026:overdue:{u}" for u in (unit.supervisor.id, unit.reporter.id)
    )
    assert deadlines.remind(vn(2026, 12, 19)) == 0


def test_a_deadline_added_2_days_before_is_reminded_once_then_the_day_before(unit):
    added = stored_deadline(unit.facility, 12, 12)  # 12/12: 2 days after the first look, on 10/12

    def steps():
        return [row.unique_key.split(":")[3] for row in notes() if row.unique_key.startswith(f"report_due:{added.id}:")]

    deadlines.remind(vn(2026, 12, 10))
    assert steps() == ["7d", "7d"]  # the 7-days step, late ("2 days left"), to the supervisor and the reporter
    assert deadlines.remind(vn(2026, 12, 11)) == 2
    assert deadlines.remind(vn(2026, 12, 12)) == 0
    assert steps() == ["7d", "7d", "1d", "1d"]


def test_no_reminder_once_sent_or_stopped(unit):
    sent(unit.deadline, 2026)
    unit.other_deadline.active = False
    db.session.flush()
    assert deadlines.remind(vn(2026, 12, 8)) == 0
    assert deadlines.remind(vn(2026, 12, 16)) == 0
    assert notes() == []


def test_the_schedulers_tick_runs_the_reminders(app, unit):
    from caseapp.reminders.jobs import scheduled_tick

    with time_machine.travel(vn(2026, 12, 14), tick=True):
        scheduled_tick(app)
    assert {row.unique_key for row in notes()} >= {
        f"report_due:{unit.deadline.id}:2026:1d:{u}" for u in (unit.supervisor.id, unit.reporter.id)
    }


# --- the yearly report issued --------------------------------------------------------------------------


def issued_report(facility, by, year=2026):
    report = YearlyReport(
        facility_id=facility.id,
        year=year,
        title="Báo cáo kết quả thực hiện năm 2026",
        status="issued",
        number=15,
        number_symbol="15/BC-TTCTXH",
        issued_on=date(2026, 12, 9),
        data={},
        issued_by_id=by.id,
    )
    db.session.add(report)
    db.session.flush()
    return report


def test_issuing_the_yearly_report_records_it_sent(unit):
    statistics = stored_deadline(unit.facility, kind="statistics")
    report = issued_report(unit.facility, unit.supervisor)
    [sending] = deadlines.mark_sent_from_report(report, by=unit.supervisor)
    assert (sending.deadline_id, sending.year, sending.number_symbol, sending.sent_on, sending.yearly_report_id) == (
        unit.deadline.id,
        2026,
        "15/BC-TTCTXH",
        date(2026, 12, 9),
        report.id,
    )
    assert deadlines.mark_sent_from_report(report, by=unit.supervisor) == []  # already recorded
    assert db.session.scalars(sa.select(ReportSending.deadline_id)).all() == [unit.deadline.id]  # not statistics'
    assert statistics.id not in db.session.scalars(sa.select(ReportSending.deadline_id)).all()
    assert actions() == ["report_deadline_created", "report_deadline_created", "report_deadline_sent"]
    deadlines.remind(vn(2026, 12, 14))  # sent: no reminder for the default deadline (the statistics' has its own)
    assert all(not row.unique_key.startswith(f"report_due:{unit.deadline.id}:") for row in notes())


def test_issuing_without_an_active_yearly_deadline_records_nothing(unit):
    deadlines.set_active(unit.deadline, False, by=unit.supervisor)
    report = issued_report(unit.facility, unit.supervisor)
    assert deadlines.mark_sent_from_report(report, by=unit.supervisor) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportSending)) == 0
