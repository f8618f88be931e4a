"""Reads of two-step sign-in: a user's authenticator and how many recovery codes are left."""

import sqlalchemy as sa

from ...extensions import db
from ..models import RecoveryCode, TotpCredential


def credential_of(user) -> TotpCredential | None:
    """The user's authenticator: confirmed, or an enrolment in progress; None when there is none."""
    return db.session.get(TotpCredential, user.id)


def has_second_factor(user) -> bool:
    """Has the user a confirmed authenticator (then every sign-in asks for its code)?"""
    credential = credential_of(user)
    return credential is not None and credential.is_confirmed


def unused_recovery_codes(user) -> sa.Select:
    return sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))


def recovery_codes_left(user) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
