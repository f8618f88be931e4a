"""Dates for tests that must hold on any day the suite runs (CASEAPP_TEST_NOW, tests/conftest.py):
counted in working days with the deadline engine's own calendar (deadlines.rules.is_working_day),
so that weekends, Tết and the other public holidays fall where the engine puts them."""

from datetime import datetime, timedelta

from caseapp.core.timeutil import VN_TZ, as_utc
from caseapp.deadlines.rules import is_working_day


def working_days_before(moment, days):
    """The same local time of day, `days` working days before `moment`'s local date (a working day).
    So add_working_days(result, k) lies k working days on, strictly before `moment` while k < days."""
    local = as_utc(moment).astimezone(VN_TZ)
    day, remaining = local.date(), days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz()).astimezone(as_utc(moment).tzinfo)
