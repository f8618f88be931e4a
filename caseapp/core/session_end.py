"""How a request's transaction ends when the view did not commit it.

A transaction that wrote nothing ends with COMMIT instead of the ROLLBACK Flask-SQLAlchemy's
session.remove() would send: for a transaction that only read, both end it the same way, but
psycopg forgets every prepared statement of the connection at a ROLLBACK (and tells the server to
DEALLOCATE ALL). With the rollback, the pages that only read — lists, search, tasks, dashboards,
reports — never reused a prepared statement and PostgreSQL planned each of their queries on every
request (bench/: a quarter to a third of their PostgreSQL time at 1 M clients).

A transaction that wrote anything — a flush, an INSERT/UPDATE/DELETE or any statement that is not
a plain select — is left to the rollback as before: a view that flushed and then answered with an
error page without committing never commits half of its work. Writes are seen where the app makes
them, through the session (a flush, session.execute); a statement run on session.connection()
outside a flush would not be — none is (main.rollups writes there only inside a flush)."""
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from ..extensions import db

WROTE = "caseapp.transaction_wrote"


def install(app: Flask) -> None:
    """Register the teardown. Flask runs teardowns in reverse order of registration: this one,
    registered after db.init_app(), runs before Flask-SQLAlchemy's session.remove()."""
    app.teardown_appcontext(_commit_if_read_only)


def _commit_if_read_only(exc: BaseException | None) -> None:
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.info.get(WROTE):
        return
    try:
        session.commit()
    except SQLAlchemyError:  # the connection failed: remove() rolls back what is left
        session.rollback()


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush_context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executing(execute_state: ORMExecuteState) -> None:
    if not execute_state.is_select:   # DML, and text() statements whatever they say
        execute_state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:    # the outermost transaction (a savepoint's end changes nothing)
        session.info.pop(WROTE, None)
