"""A savepoint at the start of a transaction stays inside it: rolling the transaction back undoes what the
savepoint released. On SQLite, pysqlite opens no transaction before a SAVEPOINT by itself, so without
the app's own BEGIN the savepoint's release committed at once. Runs on an app of its own, without the
SQLite savepoint recipe the shared test app uses."""

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.org.models import Facility

from ..conftest import app_on_own_database, dispose


@pytest.fixture(scope="module")
def own_app():
    app = app_on_own_database("savepoints")
    yield app
    dispose(app)


def facilities(code):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Facility).where(Facility.code == code))


def test_a_released_savepoint_is_undone_by_the_rollback_of_its_transaction(own_app):
    with own_app.app_context():
        with db.session.begin_nested():
            db.session.add(Facility(code="SAVEPT1", name="Thử điểm lưu", type="other", province_code="01"))
        db.session.rollback()
        db.session.remove()
        assert facilities("SAVEPT1") == 0


def test_a_released_savepoint_is_kept_by_the_commit_of_its_transaction(own_app):
    with own_app.app_context():
        with db.session.begin_nested():
            db.session.add(Facility(code="SAVEPT2", name="Thử điểm lưu", type="other", province_code="01"))
        db.session.commit()
        db.session.remove()
        assert facilities("SAVEPT2") == 1
