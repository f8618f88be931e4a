"""Accounts: password hashing (argon2id), sign-in with a database-backed throttle, sessions."""

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from ..audit.services import record, record_security_event
from ..core.services import ServiceError
from ..core.sql import prebuilt
from ..core.text import fold, nfc
from ..core.timeutil import as_utc, utcnow
from ..core.transaction import wrote
from ..extensions import db
from ..org.models import Facility
from ..security.policy import Capability, capable
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
MIN_PRIVILEGED_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MIN_PASSWORD_SCORE = 3


def normalised_password(password):
    """The password as it is hashed: in Unicode NFC, so that "ệ" typed as one character or as "e" and two
    combining marks is the same password (NIST SP 800-63B §5.1.1.2). Nothing else changes: spaces and
    letter case count."""
    return unicodedata.normalize("NFC", password)


def hash_password(password):
    return _hasher().hash(normalised_password(password))


def verify_password(user, password) -> bool:
    """Hashes are made of the NFC form. One made before passwords were normalised was made of the
    password as typed: when that differs from its NFC form it is tried too, and a match is hashed again
    in NFC, like a hash made with old parameters."""
    hasher = _hasher()
    normal = normalised_password(password)
    for typed in dict.fromkeys((normal, password)):
        try:
            hasher.verify(user.password_hash, typed)
        except InvalidHashError:
            return False
        except VerificationError:
            continue
        if typed != normal or hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(normal)
        return True
    return False


def normalise_username(username):
    return (nfc(username) or "").lower()


# --- throttle ---------------------------------------------------------------------------------


def _remember_failure(username, ip, now) -> None:
    db.session.add(LoginAttempt(username=username, ip=ip, attempted_at=now))
    _drop_stale_attempts(now)


def _drop_stale_attempts(now) -> None:
    # Keep the table small: failures older than a day serve no throttle.
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < now - timedelta(days=1)))


# Key spaces of the advisory locks that make counting and writing an attempt one step (PostgreSQL).
_ACCOUNT_LOCKS, _IP_LOCKS = 8101, 8102


def claim_attempt(key, ip, *, config, now) -> int | None:
    """Write this attempt down before its password is checked: the attempt's id when it may be checked,
    None when the account or the address has used up its attempts of the window.

    Counting the earlier attempts and writing this one after the slow argon2 check let a burst of parallel
    requests all read the same count (12 at once made 6 checks, not 5). Here the attempt is written and
    counted in a short transaction of its own, committed before any check, and the decision comes from
    the count that includes it; writing and counting are one step per account and per address —
    PostgreSQL: an advisory lock on each, always the account's first; SQLite: the insert comes first and
    holds the database's single write lock while counting. So however many run at once, no more than the
    allowed number reach argon2. A refused attempt is taken back at once (as before, only attempts that
    were checked count); a successful sign-in takes its own back with forget_attempt."""
    request = db.session()
    if wrote() and request.get_bind().dialect.name == "sqlite":
        # SQLite has one writer, and this request already is it: a second connection would wait for the
        # request's end. Its write lock keeps every other sign-in waiting until then, so counting in its
        # own transaction is as exact.
        with request.begin_nested():
            return _write_and_count(request, key, ip, config=config, now=now)
    # Its own connection and commit (the engine); a savepoint where the request's session is bound to one
    # connection (a test's transaction).
    with Session(bind=request.get_bind(), join_transaction_mode="create_savepoint") as own:
        attempt_id = _write_and_count(own, key, ip, config=config, now=now)
        own.commit()
    return attempt_id


def _write_and_count(session, key, ip, *, config, now) -> int | None:
    if session.get_bind().dialect.name == "postgresql":
        for space, value in ((_ACCOUNT_LOCKS, key), (_IP_LOCKS, ip)):
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(space, sa.func.hashtext(value))))
    attempt_id = session.execute(
        sa.insert(LoginAttempt).values(username=key, ip=ip, attempted_at=now).returning(LoginAttempt.id)
    ).scalar_one()
    since = now - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    recent = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at > since)
    by_account = session.scalar(recent.where(LoginAttempt.username == key))
    by_ip = session.scalar(recent.where(LoginAttempt.ip == ip))
    if by_account <= config["LOGIN_MAX_PER_ACCOUNT"] and by_ip <= config["LOGIN_MAX_PER_IP"]:
        return attempt_id
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    return None


def forget_attempt(attempt_id) -> None:
    """A sign-in that succeeded counts against neither the account nor its address (with the request)."""
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def authenticate(username, password, *, ip, config, now=None):
    """Return (user, outcome) with outcome in ok / failed / throttled. Every attempt is audited.

    Refusals carry the same generic message whatever the reason, so nobody learns which
    usernames exist or whether an account is being throttled."""
    now = now or utcnow()
    username = normalise_username(username)
    ip = ip or "unknown"
    attempt = claim_attempt(username, ip, config=config, now=now)  # counted before any password check
    user = db.session.scalar(sa.select(User).where(User.username == username))
    # Refusals name the account (if it exists) and its facility, so its supervisor sees them.
    account = {
        "entity_type": User.__tablename__,
        "entity_id": getattr(user, "id", None),
        "facility_id": getattr(user, "facility_id", None),
        "detail": {"username": username},
    }
    if attempt is None:
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
        _drop_stale_attempts(now)
        record("login_failed", by=None, **account)
        return None, "failed"
    forget_attempt(attempt)
    record("login_ok", by=user, entity=user)
    return user, "ok"


# --- sessions ---------------------------------------------------------------------------------


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user, now=None, *, user_agent: str | None = None, ip: str | None = None):
    """A fresh random session id at every sign-in; only its hash is stored, with the browser and
    address it began from (shown to the user on their sessions page)."""
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    db.session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:255] or None,
            ip=(ip or "")[:64] or None,
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


def live_session(row, *, idle_minutes, absolute_hours, now=None):
    """The session row if it is live; None if there is none, it ended, it sat idle too long, or it is
    older than its absolute lifetime whatever its activity (then ended here, with the reason)."""
    now = now or utcnow()
    if row is None or row.ended_at is not None:
        return None
    if as_utc(row.created_at) <= now - timedelta(hours=absolute_hours):
        row.ended_at, row.end_reason = now, "absolute"
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


def end_other_sessions(user, keep_token=None, reason: str = "revoked") -> int:
    """End the user's live sessions but the one of `keep_token`; returns how many ended."""
    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != _token_hash(keep_token))
    result = cast("sa.CursorResult[Any]", db.session.execute(stmt.values(ended_at=utcnow(), end_reason=reason)))
    return result.rowcount


def session_token_hash(token: str | None) -> str:
    """What the sessions table holds of a session token (to tell the current session in a list)."""
    return _token_hash(token) if token else ""


def end_own_session(user, row: UserSession, *, current_token) -> None:
    """The user ends one of their other sessions (a browser left signed in elsewhere). The current one
    ends by signing out."""
    if row.user_id != user.id or row.ended_at is not None:
        raise ServiceError(_("This session has already ended."))
    if row.token_hash == session_token_hash(current_token):
        raise ServiceError(_("This is the session you are using: sign out to end it."))
    row.ended_at, row.end_reason = utcnow(), "ended_by_user"
    record_security_event("session_ended", user=user, detail={"session": row.id})
    db.session.flush()


def end_own_other_sessions(user, *, current_token) -> int:
    """The user ends every session of theirs but the current one; returns how many ended."""
    ended = end_other_sessions(user, keep_token=current_token, reason="ended_by_user")
    record_security_event("other_sessions_ended", user=user, detail={"sessions": ended})
    return ended


def end_sessions_of(user, *, by) -> int:
    """An administrator signs a user out everywhere (a stolen laptop, a suspicious sign-in); returns how
    many sessions ended. The user can sign in again."""
    if user.id == by.id:
        raise ServiceError(_("To end your own sessions, use the Sessions page of your account."))
    ended = end_other_sessions(user, reason="ended_by_admin")
    record("user_sessions_ended", by=by, entity=user, detail={"sessions": ended})
    return ended


def end_all_sessions(*, by=None) -> int:
    """Sign every user out everywhere (a suspected theft of session cookies or of the server's secret key);
    returns how many sessions ended. Everyone can sign in again."""
    result = cast(
        "sa.CursorResult[Any]",
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason="ended_by_admin")
        ),
    )
    record("all_sessions_ended", by=by, detail={"sessions": result.rowcount})
    return result.rowcount


# --- account management -----------------------------------------------------------------------


def min_password_length(role) -> int:
    """12 characters for an account that manages every account or signs off its facility's casework, 10
    for the others (NIST SP 800-63B §5.1.1.2 sets the floor; the accounts that open more ask more)."""
    return MIN_PRIVILEGED_PASSWORD_LENGTH if capable(role, Capability.PRIVILEGED_ACCOUNT) else MIN_PASSWORD_LENGTH


def check_password_strength(password, *, role, username=None, full_name=None, facility_name=None, field="new_password"):
    """A new password, as NIST SP 800-63B §5.1.1.2 asks: long enough for the account's role (counted in the
    NFC form that is hashed, spaces included), at most 128 characters, not one of the common or breached
    passwords, not built on the username, and not easy to guess for someone who knows the person and
    the facility. No composition rules (a digit, a capital …) and no periodic expiry: they make passwords
    more predictable, not stronger. Each refusal says which rule, in Vietnamese."""
    password = normalised_password(password or "")
    shortest = min_password_length(role)
    if len(password) < shortest:
        raise ServiceError(
            _("For this role the password must have at least %(n)d characters.", n=shortest), field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(_("The password must have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field=field)
    if _is_common(password):
        raise ServiceError(
            _("This password is one of the most common or has leaked in a data breach: choose another."), field=field
        )
    if username and fold(username) in fold(password):
        raise ServiceError(_("The password must not contain the username."), field=field)
    if _guess_score(password, _context_words(username, full_name, facility_name)) < MIN_PASSWORD_SCORE:
        raise ServiceError(
            _(
                "The password is too easy to guess: avoid sequences, repeated characters, common words, your "
                "own name and the facility's name. A few unrelated words make a good password."
            ),
            field=field,
        )


_WORD_LISTS = Path(__file__).resolve().parent


@cache
def _word_list(name) -> tuple[str, ...]:
    """A list shipped beside this module (its source is in its header), folded, in its order."""
    with open(_WORD_LISTS / name, encoding="utf-8") as lines:
        return tuple(fold(line) for line in lines if line.strip() and not line.startswith("#"))


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(_word_list("common_passwords.txt"))


def _is_common(password) -> bool:
    """In the list, compared folded (case, tones and đ do not matter), with and without its spaces."""
    folded = fold(password)
    return folded in _common_passwords() or folded.replace(" ", "") in _common_passwords()


def _context_words(*texts) -> list[str]:
    """What someone who knows the account would try first: each of the username, full name and facility
    name folded, whole, without its spaces, syllable by syllable and two by two (a Vietnamese word is often
    two syllables: "Hà Nội" -> hanoi, "trung tâm" -> trungtam)."""
    words: list[str] = []
    for text in filter(None, texts):
        folded = fold(text)
        syllables = re.split(r"\W+", folded)
        pairs = ["".join(pair) for pair in zip(syllables, syllables[1:], strict=False)]
        words += [folded, "".join(syllables), *syllables, *pairs]
    return [word for word in dict.fromkeys(words) if len(word) > 1]


def _guess_score(password, context) -> int:
    """zxcvbn's score (0–4; 3 means about 10^8 guesses or more) of the password as typed and of its folded
    form without spaces — a guesser tries Vietnamese words without their tones and phrases run together —
    the lower of the two; the context and the most frequent Vietnamese words count as words of its
    dictionary."""
    inputs = [*context, *_word_list("vietnamese_words.txt")]
    typed = zxcvbn(password, user_inputs=inputs, max_length=MAX_PASSWORD_LENGTH)["score"]
    folded = zxcvbn(fold(password).replace(" ", ""), user_inputs=inputs, max_length=MAX_PASSWORD_LENGTH)["score"]
    return min(typed, folded)


def change_own_password(user, current_password, new_password, *, keep_token):
    if not verify_password(user, current_password or ""):
        raise ServiceError(_("The current password is not correct."), field="current_password")
    check_password_strength(new_password, **_account_context(user))
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
    facility = db.session.get(Facility, facility_id)
    check_password_strength(
        password,
        role=role,
        username=username,
        full_name=full_name,
        facility_name=getattr(facility, "name", None),
        field="password",
    )
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


def _account_context(user):
    """What a new password of this account is checked against: its role, names and facility."""
    return {
        "role": user.role,
        "username": user.username,
        "full_name": user.full_name,
        "facility_name": user.facility.name,
    }


def update_user(user, *, full_name, role, facility_id, email, phone, active, by):
    was_active = user.active
    if min_password_length(role) > min_password_length(user.role):
        # Its password was long enough for the old role only: a new one at the next sign-in.
        user.must_change_password = True
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
    check_password_strength(new_password, **_account_context(user), field="password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    end_other_sessions(user, reason="password_reset")
    record("password_reset", by=by, entity=user)
    db.session.flush()
