"""The case lists: each filter, the sort, keyset pages without duplicates or omissions, and a
constant number of queries whatever the number of rows (no query per row)."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from caseapp.core.timeutil import utcnow
from caseapp.extensions import db

from .. import factories

NUMBER = re.compile(r"[A-Z0-9]+-\d{4}-\d{6}")


def numbers(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    found = []
    for number in NUMBER.findall(response.get_data(as_text=True)):
        if number not in found:
            found.append(number)
    return found


def next_link(response):
    match = re.search(r'href="([^"]*after=\d+[^"]*)"', response.get_data(as_text=True))
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture()
def sup(staff, signed_in):
    return signed_in(staff.supervisor)


def test_my_cases_shows_number_client_status_urgency_type_worker_and_date(staff, signed_in):
    client = factories.make_client(staff.facility, full_name=None, alias="Bé gái")
    case = factories.make_case(
        staff.facility, worker=staff.worker, urgency="emergency", case_type="child_protection", client=client
    )
    page = signed_in(staff.worker).get("/cases/mine").get_data(as_text=True)
    assert case.number in page
    assert f"Bé gái ({client.code})" in page  # identity unknown: alias and temporary code
    assert "Tiếp nhận" in page  # status
    assert "urgency-emergency" in page and "Khẩn cấp" in page
    assert "Bảo vệ trẻ em" in page  # case type
    assert "Lê Văn Nhân Viên" in page  # worker
    assert case.opened_at.astimezone(timezone(timedelta(hours=7))).strftime("%d/%m/%Y") in page
    assert "Hồ sơ của tôi" in page


def test_my_cases_shows_open_cases_by_default_and_all_on_request(staff, signed_in):
    open_case = factories.make_case(staff.facility, worker=staff.worker)
    closed = factories.make_case(staff.facility, worker=staff.worker, status="closed")
    client = signed_in(staff.worker)
    assert numbers(client.get("/cases/mine")) == [open_case.number]
    assert set(numbers(client.get("/cases/mine?status=all"))) == {open_case.number, closed.number}
    assert numbers(client.get("/cases/mine?status=closed")) == [closed.number]


def test_filter_by_status(staff, sup):
    a = factories.make_case(staff.facility, status="assessment")
    p = factories.make_case(staff.facility, status="planning")
    c = factories.make_case(staff.facility, status="closed")
    assert numbers(sup.get("/cases/facility?status=assessment")) == [a.number]
    assert numbers(sup.get("/cases/facility?status=open")) == [p.number, a.number]
    assert numbers(sup.get("/cases/facility?status=all")) == [c.number, p.number, a.number]


def test_filter_by_worker_and_unassigned(staff, sup):
    mine = factories.make_case(staff.facility, worker=staff.worker)
    theirs = factories.make_case(staff.facility, worker=staff.colleague)
    nobody = factories.make_case(staff.facility)
    assert numbers(sup.get(f"/cases/facility?worker={staff.worker.id}")) == [mine.number]
    assert numbers(sup.get(f"/cases/facility?worker={staff.colleague.id}")) == [theirs.number]
    assert numbers(sup.get("/cases/facility?worker=none")) == [nobody.number]


def test_worker_filter_offers_the_facility_staff_only(staff, sup):
    page = sup.get("/cases/facility").get_data(as_text=True)
    assert "Phạm Thị Đồng Nghiệp" in page
    assert "Người Ngoài" not in page  # a supervisor of another facility
    assert "Quản Trị" not in page  # admins have no cases


def test_filter_by_urgency(staff, sup):
    high = factories.make_case(staff.facility, urgency="high")
    factories.make_case(staff.facility, urgency="low")
    assert numbers(sup.get("/cases/facility?urgency=high")) == [high.number]


def test_filter_by_case_type(staff, sup):
    shelter = factories.make_case(staff.facility, case_type="emergency_shelter")
    factories.make_case(staff.facility, case_type="center")
    assert numbers(sup.get("/cases/facility?case_type=emergency_shelter")) == [shelter.number]


def test_filter_by_beneficiary_group(staff, sup):
    child = factories.make_client(staff.facility)
    factories.make_membership(child, "cs_orphan")
    db.session.flush()
    orphan = factories.make_case(staff.facility, client=child)
    factories.make_case(staff.facility)
    assert numbers(sup.get("/cases/facility?group=cs_orphan")) == [orphan.number]


def test_filter_by_opening_date_in_vietnam_time(staff, sup):
    # 31/01 23:30 in Vietnam is 31/01 16:30 UTC; 01/02 00:30 in Vietnam is 31/01 17:30 UTC.
    january = factories.make_case(staff.facility, opened_at=datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc))
    february = factories.make_case(staff.facility, opened_at=datetime(2026, 1, 31, 17, 30, tzinfo=timezone.utc))
    assert numbers(sup.get("/cases/facility?opened_to=2026-01-31")) == [january.number]
    assert numbers(sup.get("/cases/facility?opened_from=2026-02-01")) == [february.number]
    assert numbers(sup.get("/cases/facility?opened_from=2026-01-31&opened_to=2026-02-01")) == [
        february.number,
        january.number,
    ]


def test_date_range_backwards_is_refused_with_a_message(staff, sup):
    factories.make_case(staff.facility)
    response = sup.get("/cases/facility?opened_from=2026-02-01&opened_to=2026-01-01")
    assert numbers(response) == []
    assert "Ngày kết thúc trước ngày bắt đầu." in response.get_data(as_text=True)


def test_filter_intake_incomplete_shows_due_time_and_overdue(staff, signed_in):
    now = utcnow()
    late = factories.make_case(
        staff.facility, worker=staff.worker, intake_incomplete=True, intake_due_at=now - timedelta(hours=2)
    )
    due = factories.make_case(
        staff.facility, worker=staff.worker, intake_incomplete=True, intake_due_at=now + timedelta(hours=20)
    )
    factories.make_case(staff.facility, worker=staff.worker)
    response = signed_in(staff.worker).get("/cases/mine?intake_incomplete=1")
    assert numbers(response) == [due.number, late.number]
    page = response.get_data(as_text=True)
    assert page.count("intake-overdue") == 1
    assert "quá hạn từ" in page and "hạn" in page


def test_unknown_filter_value_shows_an_error_not_a_500(staff, sup):
    response = sup.get("/cases/facility?status=bogus&after=abc")
    assert response.status_code == 200
    assert numbers(response) == []


def test_sort_newest_and_oldest(staff, sup):
    made = [factories.make_case(staff.facility).number for _ in range(3)]
    assert numbers(sup.get("/cases/facility")) == made[::-1]
    assert numbers(sup.get("/cases/facility?sort=newest")) == made[::-1]
    assert numbers(sup.get("/cases/facility?sort=oldest")) == made


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_keyset_pages_have_no_duplicates_and_no_omissions(staff, sup, sort, monkeypatch):
    from caseapp.cases import views

    monkeypatch.setattr(views, "PER_PAGE", 4)
    made = [factories.make_case(staff.facility, urgency="high" if i % 3 else "low").number for i in range(11)]
    factories.make_case(staff.other_facility)
    expected = [n for i, n in enumerate(made) if i % 3]
    expected = expected if sort == "oldest" else expected[::-1]
    seen, url, pages = [], f"/cases/facility?urgency=high&sort={sort}", 0
    while url:
        response = sup.get(url)
        rows = numbers(response)
        assert len(rows) <= 4
        seen += rows
        url = next_link(response)
        if url:
            assert "urgency=high" in url and f"sort={sort}" in url  # the filters ride along with the cursor
            assert "offset" not in url.lower()
        pages += 1
    assert seen == expected
    assert pages == 2


def test_a_case_added_while_paging_does_not_shift_the_next_page(staff, sup, monkeypatch):
    from caseapp.cases import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    made = [factories.make_case(staff.facility).number for _ in range(4)]
    first = sup.get("/cases/facility")
    assert numbers(first) == made[:1:-1]
    factories.make_case(staff.facility)  # newer than everything: belongs before page 1, not on page 2
    assert numbers(sup.get(next_link(first))) == made[1::-1]


def test_list_runs_a_constant_number_of_queries_whatever_the_number_of_cases(staff, sup, count_queries):
    """No query per row: the client and the worker come with the list query."""

    def make(n):
        for i in range(n):
            client = factories.make_client(staff.facility, full_name=f"Khách {i}")
            factories.make_membership(client, "cs_orphan")
            factories.make_case(
                staff.facility,
                client=client,
                worker=(staff.worker, staff.colleague)[i % 2],
                intake_incomplete=bool(i % 2),
                intake_due_at=utcnow(),
            )

    def count(path):
        sup.get(path)  # warm-up (sign-in bookkeeping of a first request)
        db.session.expire_all()
        with count_queries() as counted:
            response = sup.get(path)
        assert response.status_code == 200
        return counted.count, len(numbers(response))

    make(3)
    small = {
        path: count(path)
        for path in (
            "/cases/facility",
            "/cases/facility?group=cs_orphan&status=open",
            "/cases/facility?intake_incomplete=1",
        )
    }
    make(27)
    large = {path: count(path) for path in small}
    for path in small:
        assert large[path][0] == small[path][0], (path, small[path], large[path])
        assert large[path][1] > small[path][1]
    assert small["/cases/facility"][0] <= 8, small


def test_my_cases_query_count_does_not_grow_with_rows(staff, signed_in, count_queries):
    client = signed_in(staff.worker)

    def count():
        client.get("/cases/mine")
        db.session.expire_all()
        with count_queries() as counted:
            client.get("/cases/mine")
        return counted.count

    for _ in range(3):
        factories.make_case(staff.facility, worker=staff.worker)
    small = count()
    for _ in range(27):
        factories.make_case(staff.facility, worker=staff.worker)
    assert count() == small


def test_lists_issue_no_count_and_no_offset(staff, sup, count_queries):
    factories.make_case(staff.facility)
    db.session.commit()  # its reminders synced now, not by the request's commit
    with count_queries() as counted:
        sup.get("/cases/facility?after=999999")
    for statement, parameters in zip(counted.statements, counted.parameters, strict=True):
        sql = statement.upper()
        assert "COUNT(" not in sql
        if "OFFSET" in sql:  # SQLite's compiler always writes LIMIT ? OFFSET ? — with an offset of 0
            assert db.engine.dialect.name == "sqlite" and sql.rstrip().endswith("OFFSET ?")
            assert parameters[-1] == 0
