"""One transaction per request: views and services write through the session, this module ends it.

- A response below 400 commits the request's work, once, before the response leaves (a redirect after
  a POST is answered only after its write is stored). A commit that fails becomes the 500 page, never a
  silently lost write.
- An error response (4xx, 5xx) or an exception rolls back whatever the request wrote, unless the view
  said its error page records something to keep (`keep_despite_error`: an audited read, a refusal).
- An error response whose request only read ends with COMMIT too: for a transaction that only read both
  end it the same way, but psycopg forgets every prepared statement of the connection at a ROLLBACK, and
  PostgreSQL would plan the next page's queries again (bench/: a quarter to a third of the read pages'
  PostgreSQL time at 1 M clients).

A service refuses with ServiceError; `saving(form)` and `refusal_flashed()` turn the refusal into the
re-rendered form (with what the user typed) or a flash message, after rolling back what the service
wrote. Jobs and CLI commands, outside a request, commit at their end themselves.
"""
from contextlib import contextmanager

from flask import flash, g
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .forms import add_service_error
from .services import ServiceError

WROTE = "caseapp.transaction_wrote"   # session.info key, set by the listeners in caseapp.hooks
_KEEP = "caseapp_keep_despite_error"   # flask.g key


def install(app):
    """Register the request's end. Registered before the other after_request functions, it runs last
    (Flask runs them in reverse order): the response is complete when it commits."""
    app.after_request(_end_request)
    # An app context without a request (a shell, a test) ends the same way; registered after
    # db.init_app(), this teardown runs before Flask-SQLAlchemy's session.remove().
    app.teardown_appcontext(_end_context)


def _end_request(response):
    keep = g.pop(_KEEP, False)
    if db.session.registry.has() and db.session().in_transaction():
        if response.status_code < 400 or keep or not wrote():
            db.session.commit()
        else:
            db.session.rollback()
    return response


def _end_context(exc):
    if exc is not None or not db.session.registry.has():
        return   # session.remove() rolls back
    if db.session().in_transaction() and not wrote():
        try:
            db.session.commit()
        except Exception:  # noqa: BLE001  the connection failed: remove() rolls back what is left
            db.session.rollback()


def wrote():
    """Has the open transaction written anything (a flush, an INSERT/UPDATE/DELETE, any statement that
    is not a plain select)?"""
    return bool(db.session().info.get(WROTE))


class Outcome:
    """What `saving` tells its caller: truthy when the service's work stands (and will be committed)."""

    def __init__(self):
        self.saved = False

    def __bool__(self):
        return self.saved


@contextmanager
def saving(form, *, stale_message=None):
    """The write step of a form view:

        with saving(form) as saved:
            thing = services.do(...)
        if saved:
            return redirect(...)
        return render_template(..., form=form), 422

    A refusal (ServiceError) is rolled back and shown on its field of the form (or above it), which keeps
    what the user typed. With a stale_message, a concurrent change of a versioned row (StaleDataError,
    raised by the flush here) is rolled back and shown the same way; without one, it propagates."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.flush()
    except ServiceError as error:
        db.session.rollback()
        add_service_error(form, error)
    except StaleDataError:
        if stale_message is None:
            raise
        db.session.rollback()
        form.form_errors.append(str(stale_message))
    else:
        outcome.saved = True


@contextmanager
def refusal_flashed(*, stale_message=None):
    """The write step of a button (no form to re-render): a refusal is rolled back and flashed as an
    error, and the caller redirects as it would on success. Same contract as `saving`."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.flush()
    except ServiceError as error:
        db.session.rollback()
        flash(str(error), "error")
    except StaleDataError:
        if stale_message is None:
            raise
        db.session.rollback()
        flash(str(stale_message), "error")
    else:
        outcome.saved = True


def keep_despite_error():
    """The error page this request answers records something that must be kept (a read of personal data
    on a refused form, a refused approval): commit the request's work anyway. What a refused service
    wrote is gone already (`saving` rolled it back)."""
    g.setdefault(_KEEP, True)


def keep_only(write):
    """Store `write()` alone, whatever else the request did: roll back the request's work, run the write
    and commit it (a refusal's audit row outlives the refused request's rollback)."""
    db.session.rollback()
    result = write()
    db.session.commit()
    return result
