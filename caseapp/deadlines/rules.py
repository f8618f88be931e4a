"""The one deadline engine: every due date comes from RULES, each with its basis (the law, or
the facility's default where no law sets the duration).

Durations are either clock hours (emergencies) or working days (Saturdays, Sundays and Vietnamese
public holidays excluded, Tết included — the `holidays` package, country VN). All amounts are
defaults: due_at's `amount` overrides one with a facility's own value (the shelter stay's
Facility.max_stay_days).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from ..core.timeutil import VN_TZ, as_utc


@dataclass(frozen=True)
class Rule:
    key: str
    amount: int
    unit: str  # "hours" | "working_days" | "days"
    source: str


# What the pages show as a rule's basis ("Căn cứ: …"). A duration no law sets is the system's default:
# said so, with the step of the circular it times where there is one.
_TT02 = "Thông tư 02/2020/TT-BLĐTBXH"
DEFAULT_DURATION = "Thời hạn mặc định của hệ thống"
_STEP_WITH_DEFAULT_DURATION = _TT02 + ", bước {}; thời hạn: mặc định của hệ thống"

# Keyed by (item, variant). Variant "default" applies when no more specific one matches.
RULES = {
    # Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26: emergency measures / separation within 12 hours of the report.
    ("safety_check", "default"): Rule("safety_check", 12, "hours", "Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26"),
    # Emergency admission: the intake record is completed within 24 hours (no law sets it).
    ("intake_completion", "default"): Rule("intake_completion", 24, "hours", DEFAULT_DURATION),
    # Needs assessment (TT 02/2020, bước 1): 3 working days; emergency / high risk: 1.
    ("assessment", "default"): Rule("assessment", 3, "working_days", _STEP_WITH_DEFAULT_DURATION.format(1)),
    ("assessment", "urgent"): Rule("assessment", 1, "working_days", _STEP_WITH_DEFAULT_DURATION.format(1)),
    # Intervention plan (TT 02/2020, bước 2): 7 working days after assessment; child protection 5 working
    # days from the report (Nghị định 56/2017/NĐ-CP, the plan approved by the commune chair).
    ("plan", "default"): Rule("plan", 7, "working_days", _STEP_WITH_DEFAULT_DURATION.format(2)),
    ("plan", "child_protection"): Rule("plan", 5, "working_days", "Nghị định 56/2017/NĐ-CP, Điều 27"),
    # Plan review (TT 02/2020, bước 4): every 30 days (high risk: 14).
    ("plan_review", "default"): Rule("plan_review", 30, "days", _STEP_WITH_DEFAULT_DURATION.format(4)),
    ("plan_review", "urgent"): Rule("plan_review", 14, "days", _STEP_WITH_DEFAULT_DURATION.format(4)),
    # Follow-up after closure (TT 02/2020, bước 5): 30 and 90 days.
    ("follow_up_after_closure", "first"): Rule(
        "follow_up_after_closure", 30, "days", _STEP_WITH_DEFAULT_DURATION.format(5)
    ),
    ("follow_up_after_closure", "second"): Rule(
        "follow_up_after_closure", 90, "days", _STEP_WITH_DEFAULT_DURATION.format(5)
    ),
    # Follow-up after leaving a shelter: within 7 days, within 2 where the place she goes is not known
    # to be safe (no law sets it; the case stays open for this contact).
    ("follow_up_after_checkout", "default"): Rule("follow_up_after_checkout", 7, "days", DEFAULT_DURATION),
    ("follow_up_after_checkout", "urgent"): Rule("follow_up_after_checkout", 2, "days", DEFAULT_DURATION),
    # Referral answer by the receiver: 2 working days (emergency: 4 hours); no law sets it.
    ("referral_answer", "default"): Rule("referral_answer", 2, "working_days", DEFAULT_DURATION),
    ("referral_answer", "urgent"): Rule("referral_answer", 4, "hours", DEFAULT_DURATION),
    # Escalation of an overdue item: 1 working day (high risk), 3 otherwise; no law sets it.
    ("escalation", "default"): Rule("escalation", 3, "working_days", DEFAULT_DURATION),
    ("escalation", "urgent"): Rule("escalation", 1, "working_days", DEFAULT_DURATION),
    # Shelter stay: 30 days by default, per facility, extendable by a supervisor (no national maximum).
    ("shelter_stay", "default"): Rule(
        "shelter_stay", 30, "days", "Thời hạn lưu trú do cơ sở quy định (có thể gia hạn)"
    ),
}


def rule_for(item: str, variant: str = "default") -> Rule:
    return RULES.get((item, variant)) or RULES[(item, "default")]


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _vn_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start` (a UTC datetime), at the same local time of day.
    If start falls on a day off, counting begins from the next working day."""
    local = as_utc(start).astimezone(VN_TZ)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, local.timetz()).astimezone(VN_TZ).astimezone(as_utc(start).tzinfo)


def due_at(item: str, start: datetime, *, variant: str = "default", amount: int | None = None) -> datetime:
    """Due moment (UTC) of `item` counted from `start` (UTC). `amount` overrides the rule's default
    (a facility's configured value)."""
    rule = rule_for(item, variant)
    amount = rule.amount if amount is None else amount
    start = as_utc(start)
    if rule.unit == "hours":
        return start + timedelta(hours=amount)
    if rule.unit == "days":
        return start + timedelta(days=amount)
    return add_working_days(start, amount)


# --- the engine's words: every page, job and service asks here -------------------------------------------

END_OF_DAY = time(23, 59, 59)  # an item due "on" a date is due until this moment, Vietnam time
DUE_SOON = timedelta(days=7)  # "Trong 7 ngày tới": the tasks page, the case page, the dashboard
# The bed board's warning is another idea: a stay whose planned end is this close needs its exit or an
# extension arranged (rooms are planned a few days ahead), not a task due soon.
STAY_ENDING_WARNING = timedelta(days=3)
URGENT = "urgent"  # the variant of a rule for urgent cases (see is_urgent)


def end_of_day(day: date) -> datetime:
    """The moment (Vietnam time) an item due on the local date `day` falls due."""
    return datetime.combine(day, END_OF_DAY, VN_TZ)


def end_of_local_day(moment: datetime) -> datetime:
    """END_OF_DAY on the local day of `moment` — for items due 'on' a date."""
    return end_of_day(as_utc(moment).astimezone(VN_TZ).date())


def is_due_soon(due_at: datetime, now: datetime) -> bool:
    """Not yet due, and due within DUE_SOON of `now`."""
    now = as_utc(now)
    return now <= as_utc(due_at) < now + DUE_SOON


def is_urgent(urgency: str | None, risk_level: str | None) -> bool:
    """An emergency or high-urgency case, or one whose assessed risk is high: its assessment, referral
    answer and escalation run on the shorter, urgent rule."""
    return urgency in ("emergency", "high") or risk_level == "high"


def urgency_variant(urgency: str | None, risk_level: str | None) -> str:
    return URGENT if is_urgent(urgency, risk_level) else "default"


def review_variant(risk_level: str | None) -> str:
    """The plan review's rule: its shorter interval follows the assessed risk alone (high risk: every
    14 days, otherwise 30); an emergency case whose risk is not high keeps the ordinary interval."""
    return URGENT if risk_level == "high" else "default"


def reminder_moments(due: datetime, offsets: list[tuple[str, timedelta]], now: datetime) -> list[tuple[str, datetime]]:
    """[(slot, remind_at)] of the reminders to make for an item due at `due`, earliest first.

    `offsets` are (slot, offset from the due time), sorted earliest first. Only the moments still
    ahead of `now` are kept: an item due in two hours gets no "one day before" reminder. When none is
    ahead (the item is due or overdue already), the last slot alone is kept, for now. So no two
    reminders of one item ever fall on the same moment, and they come in the order of their offsets."""
    due, now = as_utc(due), as_utc(now)
    ahead = [(slot, due + offset) for slot, offset in offsets if due + offset >= now]
    if ahead or not offsets:
        return ahead
    return [(offsets[-1][0], now)]
