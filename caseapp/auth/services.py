"""Accounts: password hashing (argon2id), sign-in with a database-backed throttle, sessions."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from ..audit.services import record, record_security_event
from ..core.services import ServiceError
from ..core.sql import prebuilt
from ..core.text import nfc
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from .models import LoginAttempt, User, UserSession


@cache
def _hasher_with(time_cost, memory_cost, parallelism):
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher():
    """argon2id with the app's parameters (PASSWORD_HASH_* in config). A hash made with other
    parameters still verifies — argon2 writes them into the hash — and is made again with these at
    the account's next sign-in."""
    config = current_app.config
    return _hasher_with(
        config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"], config["PASSWORD_HASH_PARALLELISM"]
    )


@cache
def _dummy_hash(hasher):
    """Verified against when the account does not exist, so timing does not reveal valid usernames."""
    return hasher.hash("caseapp-no-such-user")


MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3


def hash_password(password):
    return _hasher().hash(password)


def verify_password(user, password) -> bool:
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def normalise_username(username):
    return (nfc(username) or "").lower()


# --- throttle ---------------------------------------------------------------------------------


def is_throttled(username, ip, *, config, now=None):
    now = now or utcnow()
    since = now - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    recent = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at > since)
    by_account = db.session.scalar(recent.where(LoginAttempt.username == username))
    by_ip = db.session.scalar(recent.where(LoginAttempt.ip == ip))
    return by_account >= config["LOGIN_MAX_PER_ACCOUNT"] or by_ip >= config["LOGIN_MAX_PER_IP"]


def _remember_failure(username, ip, now) -> None:
    db.session.add(LoginAttempt(username=username, ip=ip, attempted_at=now))
    # Keep the table small: failures older than a day serve no throttle.
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < now - timedelta(days=1)))


def authenticate(username, password, *, ip, config, now=None):
    """Return (user, outcome) with outcome in ok / failed / throttled. Every attempt is audited.

    Refusals carry the same generic message whatever the reason, so nobody learns which
    usernames exist or whether an account is being throttled."""
    now = now or utcnow()
    username = normalise_username(username)
    ip = ip or "unknown"
    user = db.session.scalar(sa.select(User).where(User.username == username))
    # Refusals name the account (if it exists) and its facility, so its supervisor sees them.
    account = {
        "entity_type": User.__tablename__,
        "entity_id": getattr(user, "id", None),
        "facility_id": getattr(user, "facility_id", None),
        "detail": {"username": username},
    }
    if is_throttled(username, ip, config=config, now=now):
        record("login_throttled", by=None, **account)
        return None, "throttled"
    if user is None:
        try:  # the same work as for a known username, so timing reveals nothing
            hasher = _hasher()
            hasher.verify(_dummy_hash(hasher), password or "")
        except VerificationError:
            pass
        ok = False
    else:
        ok = verify_password(user, password or "") and user.active
    if not ok:
        _remember_failure(username, ip, now)
        record("login_failed", by=None, **account)
        return None, "failed"
    record("login_ok", by=user, entity=user)
    return user, "ok"


# --- sessions ---------------------------------------------------------------------------------


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user, now=None):
    """A fresh random session id at every sign-in; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_token_hash(token), user_id=user.id, created_at=now or utcnow(), last_seen_at=now or utcnow()
        )
    )
    return token


def user_and_session(user_id, token):
    """(the user, the session row behind the cookie's token): one read on every request. Either is
    None when there is none (no token: no session)."""
    row = db.session.execute(
        *prebuilt(_user_with_session, user_id=user_id, token_hash=_token_hash(token) if token else "")
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _user_with_session(user_id, token_hash):
    return (
        sa.select(User, UserSession)
        .outerjoin(UserSession, sa.and_(UserSession.user_id == User.id, UserSession.token_hash == token_hash))
        .where(User.id == user_id)
    )


def live_session(row, *, idle_minutes, now=None):
    """The session row if it is live; None if there is none, it ended, or it sat idle too long (then
    ended here)."""
    now = now or utcnow()
    if row is None or row.ended_at is not None:
        return None
    if as_utc(row.last_seen_at) < now - timedelta(minutes=idle_minutes):
        row.ended_at, row.end_reason = now, "idle"
        return None
    # Touch at most once a minute: a write per request would be wasted work.
    if as_utc(row.last_seen_at) < now - timedelta(minutes=1):
        row.last_seen_at = now
    return row


def end_session(token, reason: str = "logout") -> None:
    if not token:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_other_sessions(user, keep_token=None, reason: str = "revoked") -> None:
    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != _token_hash(keep_token))
    db.session.execute(stmt.values(ended_at=utcnow(), end_reason=reason))


# --- account management -----------------------------------------------------------------------


def check_password_strength(password, username=None, full_name=None):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="new_password"
        )
    if username and username.lower() in password.lower():
        raise ServiceError(_("The password must not contain the username."), field="new_password")
    # Length alone lets 1234567890, aaaaaaaaaa and password12 through: zxcvbn estimates how many guesses
    # a password takes (sequences, repeats, common words, the person's own names); below score 3
    # (about 10^8 guesses) it is refused.
    context = [part for part in (username, full_name) if part]
    if zxcvbn(password, user_inputs=context)["score"] < MIN_PASSWORD_SCORE:
        raise ServiceError(
            _(
                "The password is too easy to guess: avoid sequences, repeated characters, common "
                "words and your own name."
            ),
            field="new_password",
        )


def change_own_password(user, current_password, new_password, *, keep_token):
    if not verify_password(user, current_password or ""):
        raise ServiceError(_("The current password is not correct."), field="current_password")
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_other_sessions(user, keep_token=keep_token, reason="password_changed")
    record_security_event("password_changed", user=user)
    db.session.flush()


def create_user(
    *, username, full_name, role, facility_id, password, email=None, phone=None, by, must_change_password: bool = True
):
    username = normalise_username(username)
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise ServiceError(_("This username is already taken."), field="username")
    check_password_strength(password, username, full_name)
    user = User(
        username=username,
        full_name=nfc(full_name),
        role=role,
        facility_id=facility_id,
        email=email or None,
        phone=phone or None,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    record("user_created", by=by, entity=user, detail={"role": role})
    return user


def update_user(user, *, full_name, role, facility_id, email, phone, active, by):
    was_active = user.active
    user.full_name = nfc(full_name)
    user.role = role
    user.facility_id = facility_id
    user.email = email or None
    user.phone = phone or None
    user.active = active
    if was_active and not active:
        end_other_sessions(user, reason="deactivated")
        record("user_deactivated", by=by, entity=user)
    record("user_updated", by=by, entity=user, detail={"role": role, "active": active})
    db.session.flush()
    return user


def reset_password(user, new_password, *, by) -> None:
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    end_other_sessions(user, reason="password_reset")
    record("password_reset", by=by, entity=user)
    db.session.flush()
