"""Binding Flask-Login to our server-side sessions.

The signed cookie holds the user id and a random session token; the user_sessions table says
whether that token is still live. Ending the row (logout, idle timeout, deactivation, password
change) signs the browser out in every gunicorn worker at once.
"""

from datetime import timedelta

from flask import current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..audit.services import record_security_event
from ..core.timeutil import as_utc, utcnow
from ..security.rules import second_factor_required
from ..security.web import PUBLIC_ENDPOINTS
from .services import end_session, live_session, start_session, user_and_session
from .two_factor.queries import has_second_factor

SESSION_TOKEN_KEY = "sid"
# What a user whose password was reset by an administrator may still open before changing it.
PASSWORD_CHANGE_ALLOWED = frozenset({"auth.change_password", "auth.logout", "auth.keep_alive"})
# Between a correct password and the second factor: the user's id, when the password was given and where
# to go next, in the signed session cookie — no server session exists yet, no page but the code's opens,
# and after PENDING_SECONDS the password must be given again.
PENDING_KEY = "second_step"
PENDING_SECONDS = 300
# A user who must use a second factor and has none yet is signed in, but opens nothing but its set-up
# (and the password page, when that comes first); the flag dies with the session, renewed at set-up.
ENROL_KEY = "must_enrol"
ENROLMENT_ALLOWED = frozenset(
    {
        "auth.two_factor",
        "auth.start_two_factor",
        "auth.confirm_two_factor",
        "auth.logout",
        "auth.change_password",
        "auth.keep_alive",
    }
)


def load_user_for_request(user_id):
    try:
        user, row = user_and_session(int(user_id), session.get(SESSION_TOKEN_KEY))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    config = current_app.config
    live = live_session(
        row, idle_minutes=config["SESSION_IDLE_MINUTES"], absolute_hours=config["SESSION_ABSOLUTE_HOURS"]
    )
    if live is None:
        if session.get(SESSION_TOKEN_KEY):
            record_security_event("session_expired", user=user)
        session.clear()
        # Why, for the sign-in page: "idle", "absolute", or how it was ended elsewhere.
        session["expired"] = (row.end_reason if row is not None else None) or "idle"
    # Its bookkeeping (last seen, expiry) is committed with the request (core.transaction).
    g.user_session = live  # how long it has left, for the page's idle warning (seconds_left)
    return user if live is not None else None


def sign_in(user, *, must_enrol=False):
    """Clear the old session (no fixation), start a new server-side session, log the user in."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_TOKEN_KEY] = start_session(user, user_agent=request.user_agent.string, ip=request.remote_addr)
    session.permanent = True
    if must_enrol:
        session[ENROL_KEY] = True
    login_user(user)


def after_password(user, next_url):
    """Where a correct password leads: the second factor's code when the user has one (no session yet);
    else a session — confined to the set-up of a second factor when the user must use one."""
    if has_second_factor(user):
        _await_second_factor(user, next_url)
        return redirect(url_for("auth.second_factor"))
    must_enrol = second_factor_required(user)
    sign_in(user, must_enrol=must_enrol)
    if must_enrol and not user.must_change_password:
        return redirect(url_for("auth.two_factor"))
    return landing(user, next_url)


def landing(user, next_url):
    """The first page after signing in: the password page when it must be changed, else where the
    user was going."""
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(next_url or url_for("main.home"))


def _await_second_factor(user, next_url):
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {"user": user.id, "since": int(utcnow().timestamp()), "next": next_url or ""}


def pending_second_factor():
    """(user id, where to go next) of the sign-in waiting for its second factor; None when there is
    none or it waited too long."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    waited = utcnow().timestamp() - pending.get("since", 0)
    if not 0 <= waited <= PENDING_SECONDS:
        return None
    return pending["user"], pending.get("next") or None


def forget_second_step():
    session.pop(PENDING_KEY, None)


def renew_session(user):
    """A new session id once a second factor is set up (OWASP ASVS 5.0 V7.2.4): the old one ends, and
    with it the confinement to the set-up."""
    end_session(session.get(SESSION_TOKEN_KEY), "renewed")
    sign_in(user)


def sign_out(reason="logout"):
    end_session(session.get(SESSION_TOKEN_KEY), reason)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_token():
    return session.get(SESSION_TOKEN_KEY)


def require_password_change():
    """before_request: after a reset, the temporary password opens nothing but the password page."""
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint in PUBLIC_ENDPOINTS
        or endpoint in PASSWORD_CHANGE_ALLOWED
        or not current_user.is_authenticated
        or not current_user.must_change_password
    ):
        return None
    return redirect(url_for("auth.change_password"))


def require_second_factor_enrolment():
    """before_request: a user who must use a second factor and has none yet opens nothing but its set-up."""
    endpoint = request.endpoint
    if (
        endpoint is None
        or endpoint in PUBLIC_ENDPOINTS
        or endpoint in ENROLMENT_ALLOWED
        or not session.get(ENROL_KEY)
        or not current_user.is_authenticated
    ):
        return None
    return redirect(url_for("auth.two_factor"))


def seconds_left(now=None) -> int:
    """Seconds before the request's session ends unless the user does something: its idle timeout from
    the last activity the server saw, or its absolute lifetime if that comes first (the page's idle
    warning counts down from this, static/js/session.js). 0 without a live session."""
    row = g.get("user_session")
    if row is None:
        return 0
    now = now or utcnow()
    config = current_app.config
    idle_end = as_utc(row.last_seen_at) + timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    absolute_end = as_utc(row.created_at) + timedelta(hours=config.get("SESSION_ABSOLUTE_HOURS", 12))
    return max(0, int((min(idle_end, absolute_end) - now).total_seconds()))


def keep_alive(now=None) -> int:
    """The user asked to stay signed in: the session's last activity is now. Returns seconds_left()."""
    row = g.get("user_session")
    if row is None:
        return 0
    row.last_seen_at = now or utcnow()
    return seconds_left(now=row.last_seen_at)
