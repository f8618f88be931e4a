"""Small factories for tests: real rows through the models, flushed, never committed outside the
test transaction. Passwords share one precomputed argon2 hash to keep the suite fast."""

import itertools
from dataclasses import dataclass, field

import sqlalchemy as sa

from caseapp.auth.models import TotpCredential, User
from caseapp.auth.services import hash_password
from caseapp.auth.two_factor.totp import WINDOW, code_at_step, encrypt_secret, step_at
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.org.models import Commune, Facility, FacilityType
from caseapp.referrals.services import sync_facility_provider
from caseapp.security.policy import Capability, capable

PASSWORD = "Mat-khau-thu-2026"
_hash = None
_seq = itertools.count(1)


def password_hash():
    global _hash
    if _hash is None:
        _hash = hash_password(PASSWORD)
    return _hash


def any_commune(province_code=None):
    stmt = sa.select(Commune).order_by(Commune.code).limit(1)
    if province_code:
        stmt = stmt.where(Commune.province_code == province_code)
    return db.session.scalar(stmt)


def make_facility(code=None, name=None, type=FacilityType.SOCIAL_WORK_CENTER.value, **kwargs):
    commune = any_commune(kwargs.pop("province_code", None))
    facility = Facility(
        code=code or f"F{next(_seq):04d}",
        name=name or "Trung tâm Công tác xã hội thử",
        type=type,
        province_code=commune.province_code,
        commune_code=commune.code,
        **kwargs,
    )
    db.session.add(facility)
    db.session.flush()
    sync_facility_provider(facility)  # as the facility admin pages do: the directory lists every facility
    return facility


def make_user(role="social_worker", facility=None, username=None, second_factor=None, **kwargs):
    """A user; one whose role always needs a second factor (admins, supervisors) has an authenticator
    with TOTP_SECRET already, as in real life — `second_factor=False` for one who has not set it up."""
    facility = facility or make_facility()
    user = User(
        username=username or f"user{next(_seq)}",
        full_name=kwargs.pop("full_name", "Nguyễn Thị Thử"),
        role=role,
        facility_id=facility.id,
        password_hash=kwargs.pop("password_hash", password_hash()),
        **kwargs,
    )
    db.session.add(user)
    db.session.flush()
    if second_factor is None:
        second_factor = capable(role, Capability.NEEDS_SECOND_FACTOR)
    if second_factor:
        give_second_factor(user)
    return user


# The authenticator key of the users make_user gives a second factor (their codes: second_factor_code).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_second_factor(user, secret=TOTP_SECRET):
    """A confirmed authenticator for the user, with `secret`, written as the enrolment would."""
    from flask import current_app

    sealed = encrypt_secret(secret, user_id=user.id, secret_key=current_app.config["SECRET_KEY"])
    now = utcnow()
    db.session.add(TotpCredential(user_id=user.id, secret_encrypted=sealed, created_at=now, confirmed_at=now))
    db.session.flush()


def second_factor_code(user, secret=TOTP_SECRET):
    """A code of the user's authenticator the app will accept now: of the earliest time-step of the
    window not used yet (the app accepts each code once). A test that signs one user in more often than
    the window has codes, within seconds, is treated as if the phone's next code had come: the account's
    memory of its last code is cleared (test set-up only; the app's check is untouched)."""
    last = db.session.scalar(sa.select(TotpCredential.last_step).where(TotpCredential.user_id == user.id))
    now = step_at(utcnow())
    step = max(now - WINDOW, (last or 0) + 1)
    if step > now + WINDOW:
        db.session.execute(sa.update(TotpCredential).where(TotpCredential.user_id == user.id).values(last_step=None))
        step = now - WINDOW
    return code_at_step(secret, step)


def make_client(facility, full_name="Nguyễn Văn Khách", **kwargs):
    """A client row (no history, no audit): fast set-up for tests that are not about the registry.
    Its code is outside the TAM-… range that clients.services hands out from the code sequence, so
    rows made here never collide with clients the app creates on the same database."""
    from caseapp.clients.models import Client
    from caseapp.core.text import fold

    n = next(_seq)
    client = Client(
        facility_id=facility.id, code=kwargs.pop("code", f"TEST-{facility.code}-{n:05d}"), full_name=full_name, **kwargs
    )
    client.search_name = " ".join(
        filter(None, (fold(client.full_name), fold(client.alias), fold(client.other_names), fold(client.code)))
    )
    db.session.add(client)
    db.session.flush()
    return client


def make_case(facility, client=None, worker=None, by=None, case_type="center", urgency="medium", **kwargs):
    """A case opened through cases.services.open_case (real numbering, 'opened' event, audit)."""
    from caseapp.cases.services import open_case

    client = client or make_client(facility)
    status = kwargs.pop("status", None)
    case = open_case(
        facility=facility,
        client=client,
        case_type=case_type,
        urgency=urgency,
        by=by or worker,
        assigned_worker_id=worker.id if worker is not None else None,
        **kwargs,
    )
    if status:
        case.status = status
        db.session.flush()
    return case


@dataclass
class Staff:
    """The people of a test: a facility, another facility, and users by name (staff.worker)."""

    facility: object
    other_facility: object
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def make_membership(client, group_code, since=None, status="receiving", **details):
    """A membership of `client` in a group, in force from `since` (by default long before any test's
    period), written as rows: the register's own rules are tested through its services."""
    from datetime import date

    from caseapp.register.models import GroupMembership, MembershipVersion

    membership = GroupMembership(client_id=client.id, group_code=group_code)
    db.session.add(membership)
    db.session.flush()
    if status != "receiving":
        details.setdefault("reason", "Thôi hưởng")
    version = MembershipVersion(
        membership_id=membership.id, effective_from=since or date(2000, 1, 1), status=status, **details
    )
    db.session.add(version)
    db.session.flush()
    return membership
