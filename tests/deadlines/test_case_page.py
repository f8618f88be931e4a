"""The case page's "Thời hạn" section (templates/cases/_deadlines.html): every due item of the case
with its local due time, overdue / due-soon badges and the legal source; read by
deadlines.items.case_section in a fixed number of queries, rendered without any."""

from datetime import datetime, timedelta, timezone

from flask import render_template

from caseapp.cases.followups.models import FollowUp
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.deadlines import items as deadlines
from caseapp.extensions import db

from .conftest import new_case


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ).astimezone(timezone.utc)


def test_the_case_page_shows_the_deadlines_near_the_top(people, signed_in):
    case = new_case(people.facility, people.worker, opened_at=vn(2026, 11, 27, 8, 15))  # Friday
    db.session.add(
        FollowUp(
            case_id=case.id,
            facility_id=case.facility_id,
            kind="phone",
            purpose="Gọi cho mẹ",
            due_at=utcnow() + timedelta(days=2),
        )
    )
    db.session.flush()
    page = signed_in(people.worker).get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<h2 id="h-deadlines">Thời hạn</h2>' in page
    deadlines_at, case_card_at = page.index('id="deadlines"'), page.index('id="h-case"')
    assert deadlines_at < case_card_at
    part = page[deadlines_at:case_card_at]
    # the assessment: 3 working days from Fri 27/11/2026 08:15 → Wed 02/12/2026 08:15, local time
    assert "Đánh giá nhu cầu" in part and "Hạn 02/12/2026 08:15" in part
    assert "Quá hạn" in part and "Sắp đến hạn" in part
    assert "Căn cứ: Thông tư 02/2020/TT-BLĐTBXH, bước 1; thời hạn: mặc định của hệ thống" in part
    assert 'title="Căn cứ: Thông tư 02/2020/TT-BLĐTBXH, bước 1; thời hạn: mặc định của hệ thống"' in part
    assert "Lịch theo dõi" in part and "Gọi cho mẹ" in part


def test_a_case_without_due_items_says_so(people, signed_in):
    case = new_case(people.facility, people.worker)
    case.status = "closed"  # closed without follow-ups still to do
    db.session.flush()
    page = signed_in(people.worker).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hồ sơ này không có thời hạn nào đang chờ." in page


def test_the_section_reads_in_five_queries_and_renders_without_any(app, people, count_queries):
    case = new_case(people.facility, people.worker)
    for days in (1, 2, 3):
        db.session.add(
            FollowUp(
                case_id=case.id, facility_id=case.facility_id, kind="phone", due_at=utcnow() + timedelta(days=days)
            )
        )
    db.session.flush()
    with count_queries() as read:
        section = deadlines.case_section(case, people.worker)
    assert read.count == 5
    assert [i.due_at for i in section.items] == sorted(i.due_at for i in section.items)  # by due date
    assert sorted(i.kind for i in section.items) == ["assessment", "follow_up", "follow_up", "follow_up"]
    with count_queries() as rendering:
        html = render_template("cases/_deadlines.html", deadlines_section=section)
    assert rendering.count == 0 and html.count('class="due-item') == 4


def test_worker_cannot_see_the_deadlines_of_a_case_of_other_facility(people, signed_in):
    theirs = new_case(people.other_facility, people.outside_worker)
    assert signed_in(people.worker).get(f"/cases/{theirs.id}").status_code == 404
    assert signed_in(people.supervisor).get(f"/cases/{theirs.id}").status_code == 404
