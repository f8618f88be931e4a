"""One transaction per request: views and services write through the session, this module ends it.

- A response below 400 commits the request's work, once, before the response leaves (a redirect after
  a POST is answered only after its write is stored). A commit that fails becomes the 500 page, never a
  silently lost write.
- An error response (4xx, 5xx) or an exception rolls back whatever the request wrote, unless the view
  said its error page records something to keep (`keep_despite_error`: an audited read, a refusal).
- A request that only read ends its transaction with COMMIT when its app context ends, whatever it
  answered: for a transaction that only read both end it the same way, but psycopg forgets every
  prepared statement of the connection at a ROLLBACK, and PostgreSQL would plan the next page's
  queries again (bench/: a quarter to a third of the read pages' PostgreSQL time at 1 M clients).

A service refuses with ServiceError; `saving(form)` and `refusal_flashed()` turn the refusal into the
re-rendered form (with what the user typed) or a flash message, after rolling back what the service
wrote. Jobs and CLI commands, outside a request, commit at their end themselves.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response, flash, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .forms import add_service_error
from .services import ServiceError

WROTE = "caseapp.transaction_wrote"  # session.info key, set by the listeners in caseapp.hooks
_KEEP = "caseapp_keep_despite_error"  # flask.g key
T = TypeVar("T")
Show = Callable[[Any, ServiceError], None]


def install(app: Flask) -> None:
    """Register the request's end. Registered before the other after_request functions, it runs last
    (Flask runs them in reverse order): the response is complete when it commits."""
    app.after_request(_end_request)
    # An app context without a request (a shell, a test) ends the same way; registered after
    # db.init_app(), this teardown runs before Flask-SQLAlchemy's session.remove().
    app.teardown_appcontext(_end_context)


def _end_request(response: Response) -> Response:
    keep = g.pop(_KEEP, False)
    if db.session.registry.has() and db.session().in_transaction() and wrote():
        if response.status_code < 400 or keep:
            db.session.commit()
        else:
            db.session.rollback()
    return response  # a transaction that only read is ended with the app context (_end_context)


def _end_context(exc: BaseException | None) -> None:
    if exc is not None or not db.session.registry.has():
        return  # session.remove() rolls back
    if db.session().in_transaction() and not wrote():
        try:
            db.session.commit()
        except SQLAlchemyError:  # the connection failed: remove() rolls back what is left
            db.session.rollback()


def wrote() -> bool:
    """Has the open transaction written anything (a flush, an INSERT/UPDATE/DELETE, any statement that
    is not a plain select), or does it hold a change not flushed yet?"""
    session = db.session()
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def _roll_back_what_was_written() -> None:
    """A refusal that came before any write keeps the session as it is (the loaded rows stay loaded)."""
    if wrote():
        db.session.rollback()


class Outcome:
    """What `saving` tells its caller: truthy when the service's work stands (and will be committed)."""

    def __init__(self) -> None:
        self.saved = False

    def __bool__(self) -> bool:
        return self.saved


@contextmanager
def saving(
    form: Any,
    *,
    stale_message: object = None,
    show: Show = add_service_error,
    passes: tuple[type[BaseException], ...] = (),
) -> Iterator[Outcome]:
    """The write step of a form view:

        with saving(form) as saved:
            thing = services.do(...)
        if saved:
            return redirect(...)
        return render_template(..., form=form), 422

    A refusal (ServiceError) is rolled back and shown on its field of the form (or above it) by `show`,
    and the form keeps what the user typed. With a stale_message, a concurrent change of a versioned row
    (StaleDataError, raised by the flush here) is rolled back and shown the same way; without one, it
    propagates. The exception types in `passes` go to the caller untouched (it handles them itself)."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.flush()
    except passes:
        raise
    except ServiceError as error:
        _roll_back_what_was_written()
        show(form, error)
    except StaleDataError:
        if stale_message is None:
            raise
        db.session.rollback()  # the failed flush leaves nothing else to do
        form.form_errors.append(str(stale_message))
    else:
        outcome.saved = True


def renamed(**form_fields: str) -> Show:
    """A `show` for saving(): the service names a field (text=...) the form calls otherwise
    (contact_text=...): renamed(text="contact_text")."""

    def show(form: Any, error: ServiceError) -> None:
        if error.field:
            error.field = form_fields.get(error.field, error.field)
        add_service_error(form, error)

    return show


def _flash_error(_form: Any, error: ServiceError) -> None:
    flash(str(error), "error")


@contextmanager
def refusal_flashed(*, stale_message: object = None, passes: tuple[type[BaseException], ...] = ()) -> Iterator[Outcome]:
    """The write step of a button (no form to re-render): a refusal or, with a stale_message, a concurrent
    change is rolled back and flashed as an error; the caller answers as it would on success."""
    with saving(_FlashedForm(), stale_message=stale_message, show=_flash_error, passes=passes) as saved:
        yield saved


class _FlashedForm:
    """Where refusal_flashed's stale message goes: a flash, not a form."""

    class _Errors:
        def append(self, message: str) -> None:
            flash(message, "error")

    form_errors = _Errors()


def keep_despite_error() -> None:
    """The error page this request answers records something that must be kept (a read of personal data
    on a refused form, a refused approval): commit the request's work anyway. What a refused service
    wrote is gone already (`saving` rolled it back)."""
    g.setdefault(_KEEP, True)


def keep_only(write: Callable[[], T]) -> T:
    """Store `write()` alone, whatever else the request did: roll back the request's work, run the write
    and commit it (a refusal's audit row outlives the refused request's rollback)."""
    db.session.rollback()
    result = write()
    db.session.commit()
    return result


def save(form: Any, action: Callable[[], object], *, stale_message: object) -> bool:
    """The write step of a form view in one call: run `action` (the service call) inside saving(form).
    A refusal (ServiceError) or a concurrent change (StaleDataError) is rolled back and shown on the
    form, which keeps what the user typed. Returns True when the change stands (the request's end
    commits it)."""
    with saving(form, stale_message=stale_message) as saved:
        action()
    return bool(saved)
