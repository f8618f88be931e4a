"""core.transaction: an app context's transaction that only read ends with COMMIT (so psycopg keeps its
prepared statements); one that wrote and was not committed by its view still ends with ROLLBACK,
and what it wrote is not kept."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from caseapp.audit.models import AuditEvent
from caseapp.audit.services import record
from caseapp.auth.models import LoginAttempt
from caseapp.extensions import db

from ..conftest import build_app, database_url


@pytest.fixture()
def other_app(app):
    """An app of its own on the test database (migrated by `app`), outside the savepoint fixture:
    its transactions really commit or roll back."""
    other = build_app(database_url())
    with other.app_context():
        engine = db.engine
    endings = []
    event.listen(engine, "commit", lambda _conn: endings.append("commit"))
    event.listen(engine, "rollback", lambda _conn: endings.append("rollback"))
    other.endings = endings
    yield other
    engine.dispose()


def _in_app_context(app, work, error=None):
    """Run `work` the way a request does: its app context is popped at the end (the teardowns run)."""
    context = app.app_context()
    context.push()
    try:
        work()
    finally:
        context.pop(error)


def _audit_rows(app, action):
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))
        db.session.rollback()
    return count


def test_a_transaction_that_only_read_ends_with_commit(other_app):
    _in_app_context(other_app, lambda: db.session.scalar(sa.select(sa.func.count(AuditEvent.id))))
    assert other_app.endings == ["commit"]


def test_a_transaction_that_flushed_a_write_without_commit_is_rolled_back(other_app):
    def flush_then_leave():
        record("session_end_test_flushed", by=None)
        db.session.flush()

    _in_app_context(other_app, flush_then_leave)
    assert other_app.endings == ["rollback"]
    assert _audit_rows(other_app, "session_end_test_flushed") == 0


def test_a_transaction_that_ran_dml_without_commit_is_rolled_back(other_app):
    def insert_then_leave():
        db.session.execute(sa.insert(AuditEvent).values(action="session_end_test_dml"))

    _in_app_context(other_app, insert_then_leave)
    assert other_app.endings == ["rollback"]
    assert _audit_rows(other_app, "session_end_test_dml") == 0


def test_a_request_that_failed_is_rolled_back_even_if_it_only_read(other_app):
    _in_app_context(
        other_app,
        lambda: db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
        error=RuntimeError("the view failed"),
    )
    assert other_app.endings == ["rollback"]


def test_a_view_that_committed_its_write_ends_once_with_that_commit(other_app):
    marker = "session-end-test"  # a failed sign-in of an account that does not exist; removed below

    def write_and_commit():
        db.session.add(LoginAttempt(username=marker, ip="192.0.2.1"))
        db.session.commit()

    _in_app_context(other_app, write_and_commit)
    assert other_app.endings == ["commit"]
    with other_app.app_context():
        kept = db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == marker)).rowcount
        db.session.commit()
    assert kept == 1
