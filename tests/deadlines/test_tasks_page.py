"""'Việc cần làm' (/cases/tasks): the signed-in user's due items grouped Quá hạn / Trong 7 ngày tới /
Sau đó, sorted by urgency then due date, each linking to its case; supervisors can open the list of a
worker of their facility; nothing outside the viewer's scope; a fixed number of queries."""

import html
import re
from datetime import timedelta

from caseapp.cases.caseload.models import CaseFlag
from caseapp.cases.followups.models import FollowUp
from caseapp.core.timeutil import format_datetime, utcnow
from caseapp.deadlines import items as deadlines
from caseapp.deadlines import tasks
from caseapp.extensions import db

from ..dates import working_days_before
from ..plans.conftest import approved_assessment
from ..referrals.helpers import make_provider, make_referral
from .conftest import new_case


def section(page, key):
    """The HTML of one group of the page (overdue | soon | later)."""
    start = page.index(f'id="tasks-{key}"')
    end = page.find("</section>", start)
    return page[start:end]


def follow_up(case, due, purpose, assignee=None):
    row = FollowUp(
        case_id=case.id,
        facility_id=case.facility_id,
        kind="home_visit",
        purpose=purpose,
        due_at=due,
        assigned_to_id=getattr(assignee, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    return row


def flag(case, to, by, due, note):
    row = CaseFlag(
        case_id=case.id, facility_id=case.facility_id, raised_by_id=by.id, to_user_id=to.id, note=note, due_at=due
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_tasks_are_grouped_overdue_within_7_days_and_later(people, signed_in):
    now = utcnow()
    case = new_case(people.facility, people.worker, opened_at=working_days_before(now, 10))  # assessment overdue
    approved = new_case(people.facility, people.worker, name="Trần Văn Bình")
    approved_assessment(approved, people.worker)  # plan due in 7 working days
    follow_up(case, now + timedelta(days=3), "Thăm nhà lần hai")
    flag(case, people.worker, people.supervisor, now + timedelta(days=20), "Xem lại hồ sơ trước họp")
    page = signed_in(people.worker).get("/cases/tasks").get_data(as_text=True)
    assert "<h1>Việc cần làm</h1>" in page
    overdue, soon, later = section(page, "overdue"), section(page, "soon"), section(page, "later")
    assert "Quá hạn" in overdue and "Đánh giá nhu cầu" in overdue and case.number in overdue
    assert "Trong 7 ngày tới" in soon and "Thăm nhà lần hai" in soon and "Thăm gia đình" in soon
    assert "Sau đó" in later and "Xem lại hồ sơ trước họp" in later and "Yêu cầu của lãnh đạo" in later
    plan = next(i for i in deadlines.user_items(people.worker).items if i.kind == "plan")
    target = overdue if plan.is_overdue(now) else soon if plan.is_due_soon(now) else later
    assert "Kế hoạch trợ giúp" in target and format_datetime(plan.due_at) in target
    assert f'href="/cases/{case.id}?section=deadlines#deadlines"' in soon  # each item links to its case
    # the rule's basis: the step of the circular, and a duration no law sets is the facility's default
    assert "Căn cứ: Thông tư 02/2020/TT-BLĐTBXH, bước 1; thời hạn: mặc định của hệ thống" in overdue
    assert 'class="badge badge-danger due-badge">Quá hạn' in overdue and "Sắp đến hạn" in soon


def test_tasks_are_sorted_by_urgency_then_due_date(people, signed_in):
    # Opened so many working days ago that each needs assessment (3 working days, 1 in an emergency or
    # at high risk) fell due on an earlier working day, the emergency's last: on any day, Tết included.
    now = utcnow()
    calm = new_case(people.facility, people.worker, name="Khách Bình Thường", opened_at=working_days_before(now, 8))
    urgent = new_case(
        people.facility,
        people.worker,
        urgency="emergency",
        name="Khách Khẩn Cấp",
        opened_at=working_days_before(now, 2),
    )
    risky = new_case(
        people.facility, people.worker, urgency="low", name="Khách Nguy Cơ Cao", opened_at=working_days_before(now, 4)
    )
    risky.risk_level = "high"
    db.session.flush()
    groups = deadlines.group_items(deadlines.user_items(people.worker).items, now)
    # emergency first though due last; high risk ranks with high urgency; then medium
    assert [i.case_id for i in groups.overdue] == [urgent.id, risky.id, calm.id]
    page = signed_in(people.worker).get("/cases/tasks").get_data(as_text=True)
    overdue = section(page, "overdue")
    assert overdue.index("Khách Khẩn Cấp") < overdue.index("Khách Nguy Cơ Cao") < overdue.index("Khách Bình Thường")
    # the same urgency: the earliest due first
    early = new_case(people.facility, people.worker, name="Khách Sớm", opened_at=working_days_before(now, 12))
    order = [i.case_id for i in deadlines.group_items(deadlines.user_items(people.worker).items, now).overdue]
    assert order == [urgent.id, risky.id, early.id, calm.id]


def test_tasks_do_not_show_cases_of_other_facility(people, signed_in):
    mine = new_case(people.facility, people.worker, name="Khách Của Tôi")
    theirs = new_case(people.other_facility, people.outside_worker, name="Khách Cơ Sở Khác")
    # even a row of the other facility that names our worker (say, left over from a move) is not shown
    stray = new_case(people.other_facility, people.worker, by=people.outside_worker, name="Khách Lạc Sang")
    flag(theirs, people.worker, people.outsider, utcnow(), "Không phải việc của bạn")
    page = signed_in(people.worker).get("/cases/tasks").get_data(as_text=True)
    assert mine.number in page
    for outside in (theirs, stray):
        assert outside.number not in page
    assert "Khách Cơ Sở Khác" not in page and "Khách Lạc Sang" not in page and "Không phải việc của bạn" not in page
    supervisor = signed_in(people.supervisor)
    page = supervisor.get(f"/cases/tasks?worker={people.worker.id}").get_data(as_text=True)
    assert mine.number in page and stray.number not in page and theirs.number not in page
    # a worker of another facility is not the supervisor's to look at
    assert supervisor.get(f"/cases/tasks?worker={people.outside_worker.id}").status_code == 404
    page = signed_in(people.outsider).get(f"/cases/tasks?worker={people.outside_worker.id}").get_data(as_text=True)
    assert theirs.number in page and mine.number not in page


def test_supervisor_can_view_the_tasks_of_a_worker_of_their_facility(people, signed_in):
    case = new_case(people.facility, people.worker, name="Khách Của Nhân Viên")
    client = signed_in(people.supervisor)
    own = client.get("/cases/tasks").get_data(as_text=True)
    assert case.number not in own and 'name="worker"' in own  # the supervisor's own list, and the chooser
    page = client.get(f"/cases/tasks?worker={people.worker.id}").get_data(as_text=True)
    assert "Việc cần làm của Lê Văn Nhân Viên" in page and case.number in page


def test_worker_cannot_view_the_tasks_of_a_colleague(people, signed_in):
    new_case(people.facility, people.colleague, name="Khách Của Đồng Nghiệp")
    client = signed_in(people.worker)
    assert client.get(f"/cases/tasks?worker={people.colleague.id}").status_code == 403
    page = client.get("/cases/tasks").get_data(as_text=True)
    assert 'name="worker"' not in page and "Khách Của Đồng Nghiệp" not in page


def test_reporters_and_admins_have_no_tasks_page(session, facility, signed_in, people):
    from .. import factories

    for role in ("reporter", "admin"):
        user = factories.make_user(role=role, facility=facility)
        assert signed_in(user).get("/cases/tasks").status_code == 403


def test_the_menu_and_the_home_page_link_to_the_tasks(people, signed_in):
    page = signed_in(people.worker).get("/").get_data(as_text=True)
    assert page.count('href="/cases/tasks"') >= 2  # the menu and the home tile
    assert "Thời hạn của bạn: quá hạn, trong 7 ngày tới, sau đó" in page


def _load_worker_with_cases(people, n):
    provider = make_provider(people.facility.province_code)
    now = utcnow()
    for k in range(n):
        case = new_case(people.facility, people.worker, name=f"Khách Số {k}", opened_at=now - timedelta(days=k))
        approved_assessment(case, people.worker)
        follow_up(case, now + timedelta(days=k), f"Theo dõi {k}")
        flag(case, people.worker, people.supervisor, now + timedelta(days=2 * k), f"Ghi chú {k}")
        make_referral(case, provider, people.worker)
    db.session.commit()  # nothing of the set-up left for the request to write (nor to sync)


def test_the_tasks_page_runs_the_same_queries_for_1_or_6_cases(people, signed_in, count_queries):
    client = signed_in(people.worker)
    _load_worker_with_cases(people, 1)
    client.get("/cases/tasks")
    with count_queries() as one:
        page = client.get("/cases/tasks")
    assert page.status_code == 200
    _load_worker_with_cases(people, 5)
    client.get("/cases/tasks")  # as before the first count: the commit expired what the request loads
    with count_queries() as six:
        page = client.get("/cases/tasks").get_data(as_text=True)
    assert six.count == one.count, "\n".join(six.statements)
    # the due items themselves: one statement per source, whatever the number of cases, and the
    # worker's grants read once for the scope (security._granted_case_ids); the worker loaded first (the
    # page's audit row was committed, which expired it)
    db.session.refresh(people.worker)
    with count_queries() as read:
        found = deadlines.user_items(people.worker).items
    assert read.count == 6, "\n\n".join(read.statements)
    assert [i.kind for i in found].count("referral_answer") == 6 and [i.kind for i in found].count("flag") == 6
    assert sum("case_access_grants" in statement for statement in read.statements) == 1


def test_a_list_longer_than_the_limit_says_so(people, signed_in, monkeypatch):
    monkeypatch.setattr(deadlines, "KIND_LIMIT", 2)
    case = new_case(people.facility, people.worker)
    now = utcnow()
    for days in (1, 2):
        follow_up(case, now + timedelta(days=days), f"Hẹn {days}")
    page = signed_in(people.worker).get("/cases/tasks").get_data(as_text=True)
    assert "Danh sách quá dài" not in page and "Hẹn 1" in page and "Hẹn 2" in page
    follow_up(case, now + timedelta(days=3), "Hẹn 3")
    page = signed_in(people.worker).get("/cases/tasks").get_data(as_text=True)
    assert "Danh sách quá dài để hiển thị hết" in page
    assert "Hẹn 1" in page and "Hẹn 2" in page and "Hẹn 3" not in page  # the earliest are shown


def test_supervisor_sees_the_tasks_of_cases_without_a_worker(people, signed_in):
    nobodys = new_case(people.facility, None, by=people.supervisor, name="Khách Chưa Phân Công")
    assigned = new_case(people.facility, people.worker, name="Khách Đã Phân Công")
    named = follow_up(assigned, utcnow() + timedelta(days=1), "Hẹn đã có người")
    unnamed = follow_up(nobodys, utcnow() + timedelta(days=1), "Hẹn chưa có người")
    theirs = new_case(people.other_facility, None, by=people.outsider, name="Khách Cơ Sở Khác")
    found = deadlines.unassigned_items(people.supervisor).items
    assert {(i.kind, i.case_id) for i in found} == {("assessment", nobodys.id), ("follow_up", nobodys.id)}
    assert named.id not in {i.ref_id for i in found} and unnamed.id in {i.ref_id for i in found}
    page = signed_in(people.supervisor).get("/cases/tasks?worker=unassigned").get_data(as_text=True)
    assert "Việc cần làm của các hồ sơ chưa có người phụ trách" in page
    assert nobodys.number in page and assigned.number not in page and theirs.number not in page
    assert signed_in(people.worker).get("/cases/tasks?worker=unassigned").status_code == 403


def _due_purposes(html):
    return re.findall(r": (Lần \d+)", html)


def test_a_long_list_is_sent_a_page_at_a_time_and_more_walks_the_rest_once(people, signed_in):
    case = new_case(people.facility, people.worker)
    now = utcnow()
    for k in range(40):  # all due in the coming days, after today: the "within 7 days" group
        follow_up(case, now + timedelta(days=2, minutes=k), f"Lần {k:02d}")
    client = signed_in(people.worker)
    page = client.get("/cases/tasks").get_data(as_text=True)
    soon = section(page, "soon")
    first = _due_purposes(soon)
    total = len([i for i in deadlines.user_items(people.worker).items if tasks.group_of(i, now) == "soon"])
    # the 40 follow-ups, and the needs assessment when its working days end within the week (not across Tết)
    assert total == 40 + any(
        i.kind == "assessment" and tasks.group_of(i, now) == "soon" for i in deadlines.user_items(people.worker).items
    )
    assert len(first) == tasks.FIRST_PAGE_PER_GROUP and f'<span class="badge">{total}</span>' in soon
    seen = list(first)
    more = re.search(r'href="(/cases/tasks\?[^"]*group=soon[^"]*)"', soon)
    for _page in range(10):  # 40 items, 25 a page after the first 10: two more pages; never an endless walk
        if not more:
            break
        page = client.get(html.unescape(more.group(1))).get_data(as_text=True)
        assert 'id="tasks-overdue"' not in page  # one group at a time
        seen += _due_purposes(section(page, "soon"))
        more = re.search(r'href="(/cases/tasks\?[^"]*group=soon[^"]*)"', section(page, "soon"))
    assert seen == [f"Lần {k:02d}" for k in range(40)]  # each once, in order


def test_a_malformed_cursor_starts_the_group_from_its_first_item(people, signed_in):
    case = new_case(people.facility, people.worker)
    follow_up(case, utcnow() + timedelta(days=2), "Lần 01")
    client = signed_in(people.worker)
    for after in ("x", "1~2~3", "9~99999999999999999999999~1~follow_up~Z", "1~-5~a~b~c", ""):
        response = client.get(f"/cases/tasks?group=soon&after={after}")
        assert response.status_code == 200 and "Lần 01" in response.get_data(as_text=True)
    assert client.get("/cases/tasks?group=nonsense").status_code == 200  # every group's first page
