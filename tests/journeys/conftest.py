"""Fixtures of the end-to-end journeys: a case run from intake to closure through the
real HTTP routes, signed in as the real users (the login form; CSRF is off in the test app as in
the rest of the suite), on the transaction-bound session of the security tests so every request's
commit is a savepoint rolled back at the end of the test.

What a journey gets:
- ``world``: a social-work centre that requires the supervisor's approval of assessments, a
  confidential shelter with beds, and a second centre (the receiving end of a transfer), each with
  its staff (see World);
- ``as_user(user)``: a test client of its own, signed in as that user;
- helpers to read what the case page shows (its current step, its deadlines) and what the one
  deadline engine (caseapp.deadlines.items) says is due.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from caseapp.approvals.models import Approval
from caseapp.cases.models import Case, CaseEvent
from caseapp.core.timeutil import VN_TZ, utcnow
from caseapp.deadlines import items as deadlines
from caseapp.extensions import db
from caseapp.shelter import services as shelter_services

from .. import factories
from ..case_sections import whole_case_page
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)


@dataclass
class World:
    centre: object
    shelter: object
    receiving: object
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture()
def world(session):
    """centre (CTXH, assessments need approval): worker, supervisor, supervisor2;
    shelter (confidential, 2 rooms × 2 beds): shelter_staff, shelter_supervisor;
    receiving (another centre of the system): receiving_supervisor, receiving_worker."""
    centre = factories.make_facility(code="CTXHHT", name="Trung tâm CTXH Hành Trình", requires_assessment_approval=True)
    shelter = factories.make_facility(
        code="NTLHT",
        name="Nhà tạm lánh Hành Trình",
        type="shelter",
        confidential_address=True,
        street_address="Số 9 ngõ Bí Mật",
    )
    receiving = factories.make_facility(code="CTXHNB", name="Trung tâm CTXH Nhận Bàn Giao")
    shelter_services.add_room(shelter, name="P1", beds=2, by=None)
    shelter_services.add_room(shelter, name="P2", beds=2, by=None)
    w = World(centre=centre, shelter=shelter, receiving=receiving)
    for name, role, fac, full_name in (
        ("worker", "social_worker", centre, "Lê Thị Hành Trình"),
        ("supervisor", "supervisor", centre, "Trần Văn Giám Sát"),
        ("supervisor2", "supervisor", centre, "Đỗ Thị Phó Giám Đốc"),
        ("shelter_staff", "shelter_staff", shelter, "Hoàng Thị Trực Đêm"),
        ("shelter_supervisor", "supervisor", shelter, "Vũ Thị Quản Lý"),
        ("receiving_supervisor", "supervisor", receiving, "Ngô Văn Tiếp Nhận"),
        ("receiving_worker", "social_worker", receiving, "Bùi Thị Nhận Việc"),
    ):
        w.users[name] = factories.make_user(role=role, facility=fac, full_name=full_name)
    return w


@pytest.fixture()
def as_user(app, session):
    """``as_user(user)``: a test client of its own, signed in through the login form."""

    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make


# --- reading the pages ---------------------------------------------------------------------------------


def ok(response, status=302):
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def page_of(client, case):
    """The case page, every section of it (the page shows one at a time)."""
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200, response.status_code
    return whole_case_page(client, case.id)


def current_step(html):
    """The step the case page marks as current (the workflow section's aria-current)."""
    found = re.findall(r'aria-current="step">([^<]+)</li>', html)
    assert len(found) == 1, found
    return found[0].strip()


def deadline_titles(html):
    """The titles of the due items the case page's "Thời hạn" section lists, in order."""
    match = re.search(r'<section class="card deadlines-section".*?</section>', html, re.S)
    assert match, "the case page has no deadlines section"
    return re.findall(r"<strong>([^<]+)</strong>", match.group(0))


# --- reading the data ------------------------------------------------------------------------------------


def reload(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def due(case, viewer):
    """kind → [DueItem] of the case as the deadline engine computes them for the viewer."""
    items = {}
    for item in deadlines.case_items(reload(case), viewer):
        items.setdefault(item.kind, []).append(item)
    return items


def pending_approval(case, subject_type):
    return db.session.scalar(
        sa.select(Approval).where(
            Approval.case_id == case.id, Approval.subject_type == subject_type, Approval.status == "pending"
        )
    )


def event_kinds(case):
    return db.session.scalars(
        sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()


def vn(year, month, day, hour=0, minute=0):
    """A Vietnam wall-clock moment, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ).astimezone(utcnow().tzinfo)


def local(moment):
    return moment.astimezone(VN_TZ).replace(tzinfo=None)


def local_input(moment):
    """The value of an <input type=datetime-local> for a UTC moment."""
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def end_of_day(day):
    return datetime.combine(day, time(23, 59, 59), VN_TZ)


def last_friday_afternoon(now=None):
    """15:00 Vietnam time of the latest Friday at least a week before `now`, that is neither a
    Vietnamese public holiday nor followed by one in the next week — a fixed point from which a
    working-day count crosses exactly one weekend."""
    from caseapp.deadlines.rules import is_working_day

    day = (now or utcnow()).astimezone(VN_TZ).date() - timedelta(days=7)
    while True:
        day -= timedelta(days=1)
        week = [day + timedelta(days=n) for n in (0, 3, 4, 5, 6, 7)]  # Fri, Mon … Fri
        if day.weekday() == 4 and all(is_working_day(d) for d in week):
            return datetime.combine(day, time(15, 0), VN_TZ).astimezone(utcnow().tzinfo)
