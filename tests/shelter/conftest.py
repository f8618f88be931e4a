"""Fixtures of the shelter tests: a confidential shelter with two rooms of beds, its staff, and an
admission helper. The session is bound to the test's connection, so the views' commits are
savepoints rolled back at the end of each test (Flask-SQLAlchemy's own get_bind would hand the
requests the engine, and their commits would be real)."""

from datetime import timedelta

import pytest
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.shelter import services

from .. import factories
from ..security.conftest import complete_second_step


class ConnectionBoundSession(FlaskSQLAlchemySession):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture()
def session(app):
    """A session whose every commit is a savepoint inside one transaction rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": ConnectionBoundSession}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


SECRET_STREET = "Số 17 ngõ Hoa Sữa"


@pytest.fixture(autouse=True)
def request_context(app, session):
    """Services raise translated refusals: give direct service calls a request (Vietnamese)."""
    with app.test_request_context():
        yield


@pytest.fixture()
def shelter(session):
    shelter = factories.make_facility(
        code="NTLTHU", name="Nhà tạm lánh thử", type="shelter", confidential_address=True, street_address=SECRET_STREET
    )
    services.add_room(shelter, name="P1", beds=2, by=None)
    services.add_room(shelter, name="P2", beds=2, by=None)
    return shelter


@pytest.fixture()
def staff(shelter):
    return factories.make_user(role="shelter_staff", facility=shelter, full_name="Nhân viên nhà tạm lánh")


@pytest.fixture()
def supervisor(shelter):
    return factories.make_user(role="supervisor", facility=shelter, full_name="Giám sát nhà tạm lánh")


@pytest.fixture()
def admit(shelter, staff):
    """admit(children=[3, 7], **overrides) → Admission, through the service."""

    def do(facility=None, by=None, **overrides):
        values = dict(
            alias="Chị H.",
            sex="female",
            approximate_age=30,
            arrived_at=utcnow() - timedelta(minutes=5),
            brought_by="police",
            children=[],
            immediate_needs=["medical"],
            immediate_danger=True,
        )
        values.update(overrides)
        # an age alone stands for a girl of that age (most tests only count the children)
        values["children"] = [
            c if isinstance(c, services.AdmittedChild) else services.AdmittedChild(age=c, sex="female")
            for c in values["children"]
        ]
        return services.admit_emergency(facility or shelter, by=by or staff, **values)

    return do


@pytest.fixture()
def signed_in(client):
    def sign_in(user):
        response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        complete_second_step(client, user, response)
        return client

    return sign_in
