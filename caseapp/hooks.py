"""Every event listener of the app, installed here and only here (create_app calls install()).

Each is a hook rather than a call for a reason given beside it; everything else is called explicitly
by the code that needs it.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .core import transaction
from .main import rollups
from .reminders import services as reminders


def install(app):
    """Register the listeners once per process (create_app may run many times: tests, CLI)."""
    for target, name, listener in _LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
    transaction.install(app)


# --- connections: settings every new database connection needs, whoever opens it -----------------


def connection_settings(dbapi_connection, _connection_record):
    """SQLite: WAL for concurrent readers, a busy timeout instead of 'database is locked', FKs on."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        # PostgreSQL: no JIT. Its compile step (10–15 ms) starts once a plan's estimated cost passes
        # jit_above_cost, which the scans of a busy facility do, and costs more than such a query runs
        # (bench/: the tasks page's follow-ups, 49 ms of which 14 ms JIT at 1 M clients).
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()


def sqlite_savepoint_inside_a_transaction(connection, _name):
    """SQLite: pysqlite begins a transaction only before an INSERT, UPDATE or DELETE. A SAVEPOINT issued
    first (session.begin_nested() at the start of a transaction) would open the transaction itself, and
    its RELEASE would commit everything at once, whatever the request did afterwards: begin first."""
    if connection.dialect.name == "sqlite":
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.isolation_level is not None and not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")


# --- has the transaction written? (core.transaction ends an error response's read-only transaction
# with COMMIT). A hook: every write of every service goes through a flush or session.execute. -------


def flushing(session, _flush_context, _instances):
    if session.new or session.dirty or session.deleted:
        session.info[transaction.WROTE] = True


def executing(execute_state):
    if not execute_state.is_select:  # DML, and text() statements whatever they say
        execute_state.session.info[transaction.WROTE] = True


def transaction_ended(session, ended):
    if ended.parent is None:  # the outermost transaction (a savepoint's end changes nothing)
        session.info.pop(transaction.WROTE, None)


_LISTENERS = [
    (Engine, "connect", connection_settings),
    (Engine, "savepoint", sqlite_savepoint_inside_a_transaction),
    (Session, "before_flush", flushing),
    (Session, "do_orm_execute", executing),
    (Session, "after_transaction_end", transaction_ended),
    # Reminder rows follow the due items of a case. A hook, not a call: a dozen services change due
    # items (follow-ups, closure, assessments, plans, approvals, referrals, stays, flags, intake,
    # reassignment) and every later one would have to remember the call; the hook sees every flushed
    # row of those tables, and syncs each touched case once, just before the commit
    # (reminders.services explains the cost it saves).
    (Session, "after_flush", reminders.note_touched_cases),
    (Session, "before_commit", reminders.sync_before_commit),
    (Session, "after_rollback", reminders.forget_touched),
    # A user's dashboard roll-up is dropped in the flush that writes their audit event of a change.
    # A hook, not a call: every service that changes data records an audit event (the one thing they
    # all do), and the roll-up must go in the same transaction whoever commits it.
    (Session, "after_flush", rollups.forget_writers),
    (Session, "after_commit", rollups.transaction_done),
    (Session, "after_rollback", rollups.transaction_done),
]
