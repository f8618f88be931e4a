"""Fixtures of the reminder tests: the staffed facility of the case tests, a case with its worker,
and helpers to read the reminder rows and notifications."""

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.notifications.models import Notification
from caseapp.reminders.models import Reminder

from .. import factories
from ..cases.conftest import signed_in, staff  # noqa: F401  (re-exported fixtures)
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)


@pytest.fixture()
def case(staff):
    case = factories.make_case(staff.facility, worker=staff.worker, status="implementation")
    db.session.commit()
    return case


def rows(case_id, kind=None, status=None):
    stmt = sa.select(Reminder).where(Reminder.case_id == case_id).order_by(Reminder.id)
    if kind:
        stmt = stmt.where(Reminder.item_kind == kind)
    if status:
        stmt = stmt.where(Reminder.status == status)
    db.session.expire_all()
    return db.session.scalars(stmt).all()


def notifications(user_id=None, kind=None):
    stmt = sa.select(Notification).order_by(Notification.id)
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()
