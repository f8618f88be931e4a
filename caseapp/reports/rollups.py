"""A province's live statistics as a roll-up.

Why: a province-year report counts every facility of the province (at national scale ~10,000 clients
served a year in a province, ~0.6 s of database work); the province's reporters open the same
period over and over while preparing a report. The numbers are kept STATISTICS_ROLLUP_SECONDS, the
page says when they were counted and offers to count again. A facility's own report is never kept:
its numbers open the drill-down lists and must equal them at every moment.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import queries
from .models import StatisticsRollup

DEFAULT_SECONDS = 300


@dataclass
class Counted:
    numbers: dict
    computed_at: object  # UTC


def _key(scope, period):
    return (
        StatisticsRollup.province_code == scope.province_code,
        StatisticsRollup.period_start == period.start,
        StatisticsRollup.period_end == period.end,
    )


def province_statistics(scope, period, now=None):
    """queries.statistics of a province scope: the kept numbers while fresh, else counted and kept."""
    now = now or utcnow()
    max_age = timedelta(seconds=current_app.config.get("STATISTICS_ROLLUP_SECONDS", DEFAULT_SECONDS))
    row = db.session.scalar(sa.select(StatisticsRollup).where(*_key(scope, period)))
    if row is not None and as_utc(row.computed_at) > now - max_age:
        return Counted(row.data, as_utc(row.computed_at))
    numbers = queries.statistics(scope, period, now=now)
    _store(scope, period, numbers, now)
    return Counted(numbers, now)


def _store(scope, period, numbers, now):
    try:
        with db.session.begin_nested():
            updated = db.session.execute(
                sa.update(StatisticsRollup).where(*_key(scope, period)).values(data=numbers, computed_at=now)
            ).rowcount
            if not updated:
                db.session.execute(
                    sa.insert(StatisticsRollup).values(
                        province_code=scope.province_code,
                        period_start=period.start,
                        period_end=period.end,
                        data=numbers,
                        computed_at=now,
                    )
                )
    except IntegrityError:
        pass  # another request counted the same period meanwhile


def forget(scope, period):
    db.session.execute(sa.delete(StatisticsRollup).where(*_key(scope, period)))
