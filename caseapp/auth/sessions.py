"""Binding Flask-Login to our server-side sessions.

The signed cookie holds the user id and a random session token; the user_sessions table says
whether that token is still live. Ending the row (logout, idle timeout, deactivation, password
change) signs the browser out in every gunicorn worker at once.
"""

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..audit.services import record_security_event
from ..security.web import PUBLIC_ENDPOINTS
from .services import end_session, live_session, start_session, user_and_session

SESSION_TOKEN_KEY = "sid"
# What a user whose password was reset by an administrator may still open before changing it.
PASSWORD_CHANGE_ALLOWED = frozenset({"auth.change_password", "auth.logout"})


def load_user_for_request(user_id):
    try:
        user, row = user_and_session(int(user_id), session.get(SESSION_TOKEN_KEY))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    live = live_session(row, idle_minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if live is None:
        if session.get(SESSION_TOKEN_KEY):
            record_security_event("session_expired", user=user)
        session.clear()
        session["expired"] = True
    # Its bookkeeping (last seen, expiry) is committed with the request (core.transaction).
    return user if live is not None else None


def sign_in(user):
    """Clear the old session (no fixation), start a new server-side session, log the user in."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_TOKEN_KEY] = start_session(user)
    session.permanent = True
    login_user(user)


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
