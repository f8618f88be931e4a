"""How long a client's record is kept after their cases closed, and whose period has run out.

Personal data is kept only as long as the purpose it was collected for needs it (Nghị định 13/2023/NĐ-CP,
Điều 3 and Điều 16; Luật Bảo vệ dữ liệu cá nhân 2025): once the person's last case is closed and the
retention period of its kind has passed, the facility's supervisors are asked to anonymise the record.

The period is counted in years after a case closed, per kind of case (core.categories.CASE_TYPES),
from the configuration: RETENTION_YEARS_DEFAULT (5) for every kind, and RETENTION_YEARS_BY_KIND
("child_protection=10,center=5") for the kinds the facility's own archive rules keep longer or shorter.
No national text sets one period for these records; the facility sets it from its records schedule.

A client is due for anonymisation when, on `day` (Vietnam time):
- they have at least one case, and every case of theirs (at any facility) is closed, each more than the
  period of its kind before `day` (closed before the same calendar day that many years ago);
- no intake of theirs was received within the default period (a person who came back for advice is
  not yet done with);
- no shelter stay of theirs is open, and no beneficiary-group membership of theirs is under management
  (receiving or suspended) on `day` or later (a person receiving a monthly allowance is still served);
- the record was not merged into another one, nor anonymised already.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from ...cases.models import Case
from ...cases.statuses import CaseStatus
from ...core import categories
from ...core.timeutil import VN_TZ, as_utc
from ...extensions import db
from ...intake.models import Intake
from ...register.queries import managed_during
from ...security.scopes import data_subject_scope
from ...shelter.models import ShelterStay
from ..models import Client
from .models import ClientAnonymisation

if TYPE_CHECKING:  # for annotations only
    from ...auth.models import User

DEFAULT_YEARS = 5
LAST_DAY = date(9999, 12, 31)


class RetentionConfigError(ValueError):
    """RETENTION_YEARS_BY_KIND names an unknown kind of case or a period that is not a whole number of years."""


def retention_years(config: Mapping[str, object] | None = None) -> dict[str, int]:
    """{kind of case: years kept after it closed}, for every kind of CASE_TYPES."""
    config = config if config is not None else current_app.config
    default = _years(config.get("RETENTION_YEARS_DEFAULT", DEFAULT_YEARS), "RETENTION_YEARS_DEFAULT")
    periods = {kind: default for kind in categories.codes(categories.CASE_TYPES)}
    for item in str(config.get("RETENTION_YEARS_BY_KIND") or "").split(","):
        if not item.strip():
            continue
        kind, _, years = item.partition("=")
        kind = kind.strip()
        if kind not in periods:
            raise RetentionConfigError(f"RETENTION_YEARS_BY_KIND: unknown kind of case {kind!r}")
        periods[kind] = _years(years, f"RETENTION_YEARS_BY_KIND[{kind}]")
    return periods


def _years(value: object, name: str) -> int:
    try:
        years = int(str(value).strip())
    except ValueError:
        raise RetentionConfigError(f"{name}: {value!r} is not a number of years") from None
    if years < 1:
        raise RetentionConfigError(f"{name}: keep records at least one year, not {years}")
    return years


def default_years(config: Mapping[str, object] | None = None) -> int:
    config = config if config is not None else current_app.config
    return _years(config.get("RETENTION_YEARS_DEFAULT", DEFAULT_YEARS), "RETENTION_YEARS_DEFAULT")


def years_before(day: date, years: int) -> datetime:
    """The start (local midnight, as UTC) of the same calendar day `years` before `day` (29 February → 28)."""
    try:
        then = day.replace(year=day.year - years)
    except ValueError:
        then = day.replace(year=day.year - years, day=28)
    return as_utc(datetime.combine(then, time.min, tzinfo=VN_TZ))


def _closed_long_enough(day: date, periods: Mapping[str, int]) -> sa.ColumnElement[bool]:
    """SQL on Case: closed before the cut-off of its kind."""
    cutoffs = {kind: years_before(day, years) for kind, years in periods.items()}
    default = years_before(day, max(periods.values()))  # a kind no longer listed: the longest period
    cutoff = sa.case(*((Case.case_type == kind, sa.literal(at)) for kind, at in cutoffs.items()), else_=default)
    return sa.and_(Case.status == CaseStatus.CLOSED, Case.closed_at.is_not(None), Case.closed_at < cutoff)


def due_condition(day: date, periods: Mapping[str, int], default: int) -> sa.ColumnElement[bool]:
    """SQL on Client: the retention of the record has run out on `day` (see the module's docstring)."""
    has_case = sa.exists().where(Case.client_id == Client.id)
    case_kept = sa.exists().where(Case.client_id == Client.id, sa.not_(_closed_long_enough(day, periods)))
    recent_intake = sa.exists().where(Intake.client_id == Client.id, Intake.received_at >= years_before(day, default))
    open_stay = sa.exists().where(ShelterStay.client_id == Client.id, ShelterStay.checked_out_at.is_(None))
    managed = managed_during(day, LAST_DAY).subquery()
    under_management = sa.exists().where(managed.c.client_id == Client.id)
    anonymised = sa.exists().where(ClientAnonymisation.client_id == Client.id)
    return sa.and_(
        Client.merged_into_id.is_(None),
        has_case,
        ~case_kept,
        ~recent_intake,
        ~open_stay,
        ~under_management,
        ~anonymised,
    )


def due_clients(day: date) -> sa.Select[tuple[Client]]:
    """The clients of every facility due for anonymisation on `day` (the retention sweep)."""
    return sa.select(Client).where(due_condition(day, retention_years(), default_years()))


def due_for(user: User, day: date) -> sa.Select[tuple[Client]]:
    """The due clients the user handles: those of the user's own facility, for a holder of
    HANDLE_DATA_REQUESTS (security.scopes.data_subject_scope); nobody else's."""
    return due_clients(day).where(data_subject_scope(user))


def is_due(client: Client, day: date) -> bool:
    return db.session.scalar(due_clients(day).with_only_columns(Client.id).where(Client.id == client.id)) is not None
