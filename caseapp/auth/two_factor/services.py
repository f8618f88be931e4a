"""Writes of two-step sign-in: enrolment, the second step of a sign-in, an administrator's reset, and
the roles a facility requires it of. Every one is audited; none commits."""

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

from ...audit.services import record
from ...core.services import ServiceError
from ...core.timeutil import utcnow
from ...extensions import db
from ...notifications.services import notify
from ...org.models import Facility
from ...security.rules import roles_choosing_second_factor
from ..models import RecoveryCode, TotpCredential, User
from ..services import claim_attempt, end_other_sessions, forget_attempt, hash_password, verify_password
from . import queries, totp

# An argon2 hash records the parameters it was made with, so any hasher verifies it.
_VERIFIER = PasswordHasher()


def _secret_key() -> str:
    return current_app.config["SECRET_KEY"]


def _secret_of(credential: TotpCredential) -> str:
    return totp.decrypt_secret(credential.secret_encrypted, user_id=credential.user_id, secret_key=_secret_key())


def enrolment_secret(user) -> str | None:
    """The secret of the user's enrolment in progress, for the enrolment page; None once confirmed —
    a confirmed secret is never shown again."""
    credential = queries.credential_of(user)
    if credential is None or credential.is_confirmed:
        return None
    return _secret_of(credential)


# --- enrolment --------------------------------------------------------------------------------------


def start_enrolment(user: User, *, by: User, now: datetime | None = None) -> TotpCredential:
    """A new secret for the user's authenticator app, in force once a first code confirms it. Refused
    while a confirmed one exists: replacing it is an administrator's reset."""
    now = now or utcnow()
    credential = queries.credential_of(user)
    if credential is not None and credential.is_confirmed:
        raise ServiceError(_("Two-step sign-in is already set up for this account."))
    sealed = totp.encrypt_secret(totp.new_secret(), user_id=user.id, secret_key=_secret_key())
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret_encrypted=sealed, created_at=now)
        db.session.add(credential)
    else:
        credential.secret_encrypted, credential.created_at = sealed, now
    record("two_factor_enrolment_started", by=by, entity=user)
    db.session.flush()
    return credential


def confirm_enrolment(
    user: User, code: str, *, by: User, now: datetime | None = None, keep_token: str | None = None
) -> list[str]:
    """The first valid code puts the authenticator in force; returns the ten recovery codes, shown
    this once (only their hashes are kept). A factor changed: the user's sessions but `keep_token`'s end
    (OWASP ASVS 5.0 V7.4.3)."""
    now = now or utcnow()
    credential = queries.credential_of(user)
    if credential is None or credential.is_confirmed:
        raise ServiceError(_("Start the set-up again: this enrolment is no longer open."))
    step = totp.matching_step(_secret_of(credential), (code or "").strip(), now)
    if step is None:
        raise ServiceError(
            _("This code is not correct. Check that the phone's clock is right and enter the code it shows now."),
            field="code",
        )
    credential.confirmed_at, credential.last_step = now, step
    codes = _replace_recovery_codes(user, now)
    if keep_token:
        end_other_sessions(user, keep_token=keep_token, reason="two_factor_changed")
    record("two_factor_enrolled", by=by, entity=user)
    db.session.flush()
    return [totp.shown(code) for code in codes]


def _replace_recovery_codes(user: User, now: datetime) -> list[str]:
    """Ten new recovery codes, stored as argon2id hashes with their own random salt (the app's password
    hasher): short codes (50 bits) need a slow salted hash (OWASP ASVS 5.0 V6.5.2). Checking one costs
    up to ten argon2 verifications, which only someone who knew the password can ask for, throttled."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(code), created_at=now) for code in codes)
    return codes


# --- the user's own changes: new recovery codes, a new phone ----------------------------------------


def _reauthenticate(
    user: User, *, code: str | None, password: str | None, ip: str | None, config, now: datetime
) -> None:
    """Before changing a factor the user proves again who they are (OWASP ASVS 5.0 V7.5.1): a code of the
    authenticator in force (used up like a sign-in's) or the password. Each try counts in the login
    throttle like the second step of a sign-in, so a stolen session cannot guess its way through."""
    code, password = (code or "").strip(), password or ""
    if not code and not password:
        raise ServiceError(_("Enter the code of your authenticator app, or your password."), field="code")
    attempt = claim_attempt(throttle_key(user), ip or "unknown", config=config, now=now)  # before any check
    if attempt is None:
        raise ServiceError(_("Too many attempts. Please wait a minute and try again."), field="code")
    if code and not _accept_totp(user, code, now):
        raise ServiceError(
            _("This code is not correct. Enter the code your authenticator app shows now."), field="code"
        )
    if not code and not verify_password(user, password):
        raise ServiceError(_("The password is not correct."), field="password")
    forget_attempt(attempt)


def _confirmed_credential(user: User) -> TotpCredential:
    credential = queries.credential_of(user)
    if credential is None or not credential.is_confirmed:
        raise ServiceError(_("Two-step sign-in is not set up for this account."))
    return credential


def regenerate_recovery_codes(
    user: User,
    *,
    code: str | None,
    password: str | None,
    by: User,
    ip: str | None,
    config,
    now: datetime | None = None,
) -> list[str]:
    """Ten new recovery codes in place of the old ones, which stop working; returned to be shown this
    once."""
    now = now or utcnow()
    _confirmed_credential(user)
    _reauthenticate(user, code=code, password=password, ip=ip, config=config, now=now)
    codes = _replace_recovery_codes(user, now)
    record("recovery_codes_regenerated", by=by, entity=user)
    db.session.flush()
    return [totp.shown(code) for code in codes]


def start_replacement(
    user: User,
    *,
    code: str | None,
    password: str | None,
    by: User,
    ip: str | None,
    config,
    now: datetime | None = None,
) -> None:
    """A new key for a new phone. It waits beside the one in force, which keeps working (two-step sign-in
    is never off, whatever the role) until a code of the new key confirms it."""
    now = now or utcnow()
    credential = _confirmed_credential(user)
    _reauthenticate(user, code=code, password=password, ip=ip, config=config, now=now)
    credential.replacement_encrypted = totp.encrypt_secret(totp.new_secret(), user_id=user.id, secret_key=_secret_key())
    record("two_factor_replacement_started", by=by, entity=user)
    db.session.flush()


def replacement_secret(user: User) -> str | None:
    """The key of the replacement waiting for its first code, for its set-up page; None when none waits."""
    credential = queries.credential_of(user)
    if credential is None or not credential.replacement_encrypted:
        return None
    return totp.decrypt_secret(credential.replacement_encrypted, user_id=user.id, secret_key=_secret_key())


def confirm_replacement(
    user: User, code: str, *, by: User, keep_token: str | None, now: datetime | None = None
) -> None:
    """A first valid code of the new key puts it in force in place of the old one; the user's other
    sessions end (OWASP ASVS 5.0 V7.4.3). The recovery codes stay as they were."""
    now = now or utcnow()
    secret = replacement_secret(user)
    credential = queries.credential_of(user)
    if secret is None or credential is None:
        raise ServiceError(_("Start the set-up again: this enrolment is no longer open."))
    step = totp.matching_step(secret, (code or "").strip(), now)
    if step is None:
        raise ServiceError(
            _("This code is not correct. Check that the phone's clock is right and enter the code it shows now."),
            field="code",
        )
    credential.secret_encrypted, credential.replacement_encrypted = credential.replacement_encrypted or "", None
    credential.confirmed_at, credential.last_step = now, step
    end_other_sessions(user, keep_token=keep_token, reason="two_factor_changed")
    record("two_factor_replaced", by=by, entity=user)
    db.session.flush()


def cancel_replacement(user: User, *, by: User) -> None:
    """Drop the replacement waiting for its first code; the key in force stays."""
    credential = queries.credential_of(user)
    if credential is None or not credential.replacement_encrypted:
        return
    credential.replacement_encrypted = None
    record("two_factor_replacement_cancelled", by=by, entity=user)
    db.session.flush()


# --- the second step of a sign-in -------------------------------------------------------------------


def throttle_key(user: User) -> str:
    """The second step's own key in the login throttle (per-IP counting is shared with the password
    step). By id: "2fa:" and a 64-character username would not fit the attempts' username column."""
    return f"2fa:{user.id}"


def verify_second_factor(user: User, code: str, *, ip: str | None, config, now: datetime | None = None) -> str:
    """The code of the user's authenticator, or one of their recovery codes, after a correct password.
    Returns "totp" or "recovery" when accepted, "failed" or "throttled" when not. Each answer is
    audited; a failure counts in the login throttle like a wrong password."""
    now = now or utcnow()
    attempt = claim_attempt(throttle_key(user), ip or "unknown", config=config, now=now)  # before any write
    if attempt is None:
        record("login_second_factor_failed", by=None, entity=user, detail={"reason": "throttled"})
        return "throttled"
    text = (code or "").strip()
    if totp.looks_like_a_code(text):
        method = "totp" if _accept_totp(user, text, now) else None
    else:
        method = "recovery" if _use_recovery_code(user, text, now) else None
    if method is None:  # the claimed attempt stays: it counts against the account and the address
        record("login_second_factor_failed", by=None, entity=user, detail={"reason": "wrong_code"})
        return "failed"
    forget_attempt(attempt)
    if method == "recovery":
        record("recovery_code_used", by=user, entity=user, detail={"left": queries.recovery_codes_left(user)})
    record("login_second_factor_ok", by=user, entity=user, detail={"method": method})
    return method


def _accept_totp(user: User, code: str, now: datetime) -> bool:
    """A code of the window whose time-step is later than the last one accepted: each code works once
    (OWASP ASVS 5.0 V6.5.1), even when two requests bring it at the same moment — the conditional
    UPDATE lets only one of them move the step on."""
    credential = queries.credential_of(user)
    if credential is None or not credential.is_confirmed:
        return False
    try:
        step = totp.matching_step(_secret_of(credential), code, now)
    except totp.SecretUnreadable:
        return False
    if step is None:
        return False
    return _changed_one_row(
        sa.update(TotpCredential)
        .where(
            TotpCredential.user_id == user.id,
            sa.or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session="fetch")
    )


def _use_recovery_code(user: User, text: str, now: datetime) -> bool:
    """One unused recovery code, then never again: marked used by a conditional UPDATE."""
    candidate = totp.normalise_recovery_code(text)
    if len(candidate) != totp.RECOVERY_CODE_LENGTH:
        return False
    for row in db.session.scalars(queries.unused_recovery_codes(user)):
        try:
            _VERIFIER.verify(row.code_hash, candidate)
        except (VerificationError, InvalidHashError):
            continue
        return _changed_one_row(
            sa.update(RecoveryCode)
            .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session="fetch")
        )
    return False


def _changed_one_row(statement) -> bool:
    """Run a conditional UPDATE: did it change the one row (or had another request changed it first)?"""
    result = cast("sa.CursorResult[Any]", db.session.execute(statement))
    return result.rowcount == 1


# --- an administrator's reset -----------------------------------------------------------------------


def reset_second_factor(user: User, *, by: User, now: datetime | None = None) -> None:
    """Remove the user's authenticator and recovery codes (a lost or replaced phone): their sessions
    end, they are told, and they set up a new one at their next sign-in."""
    now = now or utcnow()
    credential = queries.credential_of(user)
    if credential is None:
        raise ServiceError(_("This user has not set up two-step sign-in: there is nothing to reset."))
    db.session.delete(credential)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_other_sessions(user, reason="two_factor_reset")
    record("two_factor_reset", by=by, entity=user)
    notify(
        user.id,
        "two_factor_reset",
        None,
        "two_factor_reset",
        unique_key=f"two_factor_reset:{user.id}:{now.isoformat()}",
        at=now,
    )
    db.session.flush()


# --- the roles a facility requires it of --------------------------------------------------------------


def set_second_factor_roles(facility: Facility, roles: list[str], *, by: User) -> Facility:
    """The roles of the facility that must sign in with a second factor, besides those that always must.
    Takes effect at each user's next sign-in."""
    allowed = roles_choosing_second_factor()
    unknown = sorted(set(roles) - set(allowed))
    if unknown:
        raise ServiceError(_("Choose among the roles listed."), field="roles")
    chosen = [role for role in allowed if role in roles]
    before = facility.second_factor_role_list
    facility.second_factor_roles = ",".join(chosen)
    record("two_factor_roles_changed", by=by, entity=facility, detail={"before": before, "after": chosen})
    db.session.flush()
    return facility
