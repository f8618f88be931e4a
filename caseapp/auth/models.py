"""Accounts, server-side sessions and the login throttle."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import Model, db


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin', 'supervisor', 'social_worker', 'shelter_staff', 'reporter')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False, index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    locale: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="vi")
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    facility = db.relationship("Facility", lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self):
        return self.active


class UserSession(Model):
    """One row per sign-in: a new session id at login, ended at logout, idle timeout, absolute
    lifetime, deactivation, password change (which ends the user's other sessions in every gunicorn
    worker), or by the user or an administrator. The browser and address it began from are shown to
    the user on their sessions page."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    ip: Mapped[str | None] = mapped_column(sa.String(64))


class LoginAttempt(Model):
    """Failed sign-ins, counted per account and per client IP over a sliding minute."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "attempted_at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    ip: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TotpCredential(Model):
    """A user's authenticator app (TOTP, RFC 6238): its secret, encrypted (auth.two_factor.totp says
    how and why); when a first valid code confirmed it — until then it is an enrolment in progress,
    whose secret the enrolment page shows, never after; and the last time-step accepted, so that no
    code is accepted twice. A replacement (a new phone) waits beside the secret in force until a code of
    the new key confirms it: the old one keeps working until then."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    replacement_encrypted: Mapped[str | None] = mapped_column(sa.String(255))

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class RecoveryCode(Model):
    """One of the single-use codes given at enrolment, for a lost phone: only its argon2 hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
