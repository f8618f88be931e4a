"""The supervisor dashboard as a roll-up: computed at most once per DASHBOARD_ROLLUP_SECONDS
per supervisor, kept in `dashboard_rollups`, shared by every gunicorn worker.

Why: a supervisor's numbers are counted over every open case of the facility (the deadline engine's
due items for the overdue tasks per worker, the steps, the caseload). At national scale a busy
facility holds about 1,500 open cases: that is ~0.4 s of database and Python per page view, which
twenty supervisors reloading their home page saturate two cores with (bench/README.md). The page says
when its numbers were counted and offers to count them again; the supervisor's own changes drop the
roll-up in the same transaction (forget_writers, after the flush of their audit event), so what they just did shows on their next view.

The payload is JSON of the dashboard's dataclasses (a closed list of types, no pickle).
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit.models import AuditEvent
from ..audit.services import changes_data
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import dashboard
from .models import DashboardRollup

_FORGOTTEN_KEY = "caseapp.rollups_forgotten"  # the writers whose roll-up this transaction dropped
FORMAT_VERSION = 1  # bump when a dashboard dataclass changes: older rows are then recomputed
DEFAULT_SECONDS = 120

_TYPES = {
    cls.__name__: cls
    for cls in (
        dashboard.Count,
        dashboard.CaseSteps,
        dashboard.Period,
        dashboard.Openings,
        dashboard.WorkerRow,
        dashboard.Referrals,
        dashboard.Shelter,
        dashboard.SupervisorDashboard,
    )
}


@dataclass
class Home:
    """What the home page shows of a supervisor: the facility's dashboard and the "My cases" tiles."""

    dashboard: object
    mine: object  # dashboard.CaseSteps of the supervisor's own list
    computed_at: object  # UTC


def encode(value):
    if dataclasses.is_dataclass(value):
        return {
            "__type__": type(value).__name__,
            **{f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {key: encode(v) for key, v in value.items()}
    return value


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        kind = value.get("__type__")
        items = {key: decode(v) for key, v in value.items() if key != "__type__"}
        return _TYPES[kind](**items) if kind else items
    return value


def _max_age():
    return timedelta(seconds=current_app.config.get("DASHBOARD_ROLLUP_SECONDS", DEFAULT_SECONDS))


def _usable(row, user, now):
    return (
        row is not None
        and row.format_version == FORMAT_VERSION
        and row.counted_for(user)
        and as_utc(row.computed_at) > now - _max_age()
    )


def supervisor_home(user, now=None):
    """The supervisor's Home: the stored roll-up while it is fresh, else counted now and stored."""
    now = now or utcnow()
    row = db.session.get(DashboardRollup, user.id)
    if _usable(row, user, now):
        payload = decode(row.payload)
        return Home(payload["dashboard"], payload["mine"], as_utc(row.computed_at))
    home = Home(dashboard.for_supervisor(user, now), dashboard.case_steps(user, "mine", now), now)
    _store(user, home)
    return home


def _store(user, home):
    payload = encode({"dashboard": home.dashboard, "mine": home.mine})
    values = {
        "role": user.role,
        "facility_id": user.facility_id,
        "computed_at": home.computed_at,
        "format_version": FORMAT_VERSION,
        "payload": payload,
    }
    try:
        with db.session.begin_nested():
            updated = db.session.execute(
                sa.update(DashboardRollup).where(DashboardRollup.user_id == user.id).values(**values)
            ).rowcount
            if not updated:
                db.session.execute(sa.insert(DashboardRollup).values(user_id=user.id, **values))
    except IntegrityError:
        pass  # another request of the same user stored its roll-up meanwhile: as good as ours


def forget(user_id):
    """Drop the user's roll-up (in the caller's transaction): their next home page counts again."""
    db.session.execute(
        sa.delete(DashboardRollup)
        .where(DashboardRollup.user_id == user_id)
        .execution_options(synchronize_session=False)
    )


# The listeners below are registered by caseapp.hooks (why a hook there, not a call here).


def forget_writers(session, _flush_context):
    """after_flush: the users whose audit events of a change this flush wrote (audit.services.record)
    lose their roll-up in the same flush — so in their transaction, and gone with it if it rolls back."""
    writers = {
        obj.user_id
        for obj in session.new
        if isinstance(obj, AuditEvent) and obj.user_id is not None and changes_data(obj.action)
    }
    done = session.info.setdefault(_FORGOTTEN_KEY, set())
    writers -= done  # once per transaction, not once per flush of it
    if writers:
        session.connection().execute(sa.delete(DashboardRollup).where(DashboardRollup.user_id.in_(writers)))
        done.update(writers)


def transaction_done(session):
    """after_commit and after_rollback: the next transaction forgets again."""
    session.info.pop(_FORGOTTEN_KEY, None)
