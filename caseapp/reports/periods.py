"""Reporting periods (month, quarter, 6 months, year; plus custom dates).

A Period holds local (Asia/Ho_Chi_Minh) calendar days, the last one included; `start_utc` and
`end_utc` are the instants the SQL compares with (end exclusive: the midnight after the last day).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.timeutil import DATE_OUT_OF_RANGE, VN_TZ, date_in_range
from ..security.policy import Perm, has_perm

KINDS = ("month", "quarter", "half", "year", "custom")
STANDARD_KINDS = KINDS[:-1]
MAX_CUSTOM_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def start_utc(self):
        return datetime.combine(self.start, time(0), tzinfo=VN_TZ).astimezone(timezone.utc)

    @property
    def end_utc(self):
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=VN_TZ).astimezone(timezone.utc)

    @property
    def year(self):
        return self.start.year

    @property
    def label(self):
        if self.kind == "month":
            return _("Month %(month)d/%(year)d", month=self.start.month, year=self.start.year)
        if self.kind == "quarter":
            return _("Quarter %(quarter)d/%(year)d", quarter=(self.start.month - 1) // 3 + 1, year=self.start.year)
        if self.kind == "half":
            if self.start.month == 1:
                return _("First 6 months of %(year)d", year=self.start.year)
            return _("Last 6 months of %(year)d", year=self.start.year)
        if self.kind == "year":
            return _("Year %(year)d", year=self.start.year)
        return _("From %(start)s to %(end)s", start=self.start.strftime("%d/%m/%Y"), end=self.end.strftime("%d/%m/%Y"))

    @property
    def slug(self):
        """For file names: 2026-q1, 2026-03, 2026-h2, 2026, 20260301-20260315."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-h{1 if self.start.month == 1 else 2}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def as_args(self):
        """The query-string arguments of the period form that give this period back."""
        args = {"kind": self.kind, "year": self.start.year}
        if self.kind == "month":
            args["number"] = self.start.month
        elif self.kind == "quarter":
            args["number"] = (self.start.month - 1) // 3 + 1
        elif self.kind == "half":
            args["number"] = 1 if self.start.month == 1 else 2
        elif self.kind == "custom":
            args = {"kind": "custom", "date_from": self.start.isoformat(), "date_to": self.end.isoformat()}
        return args

    def as_dict(self):
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data):
        return cls(data["kind"], date.fromisoformat(data["start"]), date.fromisoformat(data["end"]))


def _month_end(year, month):
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def kinds_for(user):
    """The kinds of period `user` may ask for: a reader of aggregates only (who may not open the
    facility's cases) the standard ones, as two overlapping custom periods would give a hidden
    count by subtraction."""
    return KINDS if has_perm(user, Perm.VIEW_FACILITY_CASES) else STANDARD_KINDS


STANDARD_PERIODS_ONLY = _l("Choose a month, a quarter, six months or a year.")


def make_period(kind, year=None, number=None, date_from=None, date_to=None):
    """The period asked for, or ValueError with a translated message."""
    if kind not in KINDS:
        raise ValueError(_("Choose a kind of period."))
    if kind == "custom":
        if date_from is None or date_to is None:
            raise ValueError(_("Give the first and the last day of the period."))
        if not (date_in_range(date_from) and date_in_range(date_to)):  # the query string of an export
            raise ValueError(str(DATE_OUT_OF_RANGE))
        if date_to < date_from:
            raise ValueError(_("The last day comes before the first day."))
        if (date_to - date_from).days > MAX_CUSTOM_DAYS:
            raise ValueError(_("A custom period covers at most five years."))
        return Period("custom", date_from, date_to)
    if year is None or not 2000 <= year <= 2100:
        raise ValueError(_("Give a year between 2000 and 2100."))
    if kind == "year":
        return Period("year", date(year, 1, 1), date(year, 12, 31))
    limits = {"month": 12, "quarter": 4, "half": 2}
    if number is None or not 1 <= number <= limits[kind]:
        raise ValueError(_("Choose the month, quarter or half of the year."))
    if kind == "month":
        return Period("month", date(year, number, 1), _month_end(year, number))
    first_month = {"quarter": 3 * (number - 1) + 1, "half": 6 * (number - 1) + 1}[kind]
    months = 3 if kind == "quarter" else 6
    return Period(kind, date(year, first_month, 1), _month_end(year, first_month + months - 1))


def default_period(today):
    """The quarter in progress (its figures so far): what a report page opens on. In December the
    last full quarter would show a summer long past, and the year's reports are being written."""
    return make_period("quarter", today.year, (today.month - 1) // 3 + 1)
