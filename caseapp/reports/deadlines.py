"""The reports a unit sends every year by a fixed day, and the years it sent them.

A deadline (ReportDeadline) is set by the unit from what its provincial plan asks: e.g. the yearly
implementation report to the Department of Health (Sở Y tế) before 15 December. Each year it falls due
once: the occurrence of that year, on `due_date(deadline, year)` — a day past the month's end (31 in a
30-day month, 29 February in a common year) falls on the month's last day. An occurrence is met when a
ReportSending of that year is recorded (by hand, or when the yearly report is issued:
`mark_sent_from_report`).

The current occurrence — the one the list, the home page and the reminders speak of — is the earliest
year not recorded as sent whose due day is less than OVERDUE_KEPT (half a year) past. So:
- once this year's report is recorded as sent, next year's is current;
- an unsent report stays current, overdue, for half a year after its due day, across New Year too (a
  report due 31/12 is still overdue on 2 January); after that the next year's is nearer and takes its
  place;
- a report due early in January is announced in the December before.
A deadline created (or restarted) within half a year after its due day shows that year's occurrence
overdue until it is recorded as sent: caseapp cannot know whether it was sent before.

Days are counted in Vietnam time (core.timeutil). A deadline is never deleted, only stopped (`active`),
so the years it was sent stay on record. Reads are scoped to the user's own facility; writes take the
acting user (`by=`), validate, audit and flush — the request (or the job) commits.

Reminders (`remind`, run by the scheduler's tick): for each active deadline whose current occurrence is
not sent, every active user of the facility who may manage its reports (Perm.FREEZE_REPORTS) is notified
7 days before the due day, the day before, and once when it is overdue — each step once per user,
deadline and year (the notification's unique key). A step whose day has passed when the job first sees
the occurrence (the scheduler was down, the deadline was created late) is not sent late: only the most
urgent step of the day is.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.models import User
from ..core.services import ServiceError
from ..core.sql import in_ids
from ..core.text import nfc
from ..core.timeutil import VN_TZ, as_utc, format_date, local_today, utcnow
from ..extensions import db
from ..notifications.models import Notification
from ..notifications.services import notify_many
from ..org.models import Facility
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from ..security.scopes import own_facility, users_with
from .models import ReportDeadline, ReportSending

if TYPE_CHECKING:  # for annotations only
    from .models import YearlyReport

log = logging.getLogger("caseapp.reports")

# The deadline every facility starts with (migration 0020 gave it to the facilities of that day, with
# these same values): the yearly implementation report of the social-work plan to the Department of
# Health, before 15 December.
DEFAULT_TITLE = "Báo cáo kết quả thực hiện Kế hoạch công tác xã hội năm"
DEFAULT_RECIPIENT = "Sở Y tế"
DEFAULT_DUE_MONTH = 12
DEFAULT_DUE_DAY = 15

KINDS: dict[str, LazyString] = {
    "yearly": _l("Yearly implementation report"),
    "statistics": _l("Statistics report"),
}
TEXT_MAX = 255
NUMBER_SYMBOL_MAX = 64
FIRST_YEAR = 2000

DUE_SOON_DAYS = 7  # "due within 7 days"
HOME_DAYS = 30  # the home page shows what is due within 30 days, or overdue
OVERDUE_KEPT = timedelta(days=183)  # an unsent report stays current (overdue) half a year
A_LEAP_YEAR = 2024  # the longest each month can be (the due day as the list shows it)

STALE = _l("Someone else changed this deadline since you opened it. Your text is kept below: check it and save again.")


class State(StrEnum):
    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SENT = "sent"


STATE_LABELS: dict[str, LazyString] = {
    State.UPCOMING: _l("Upcoming"),
    State.DUE_SOON: _l("Due within 7 days"),
    State.OVERDUE: _l("Overdue"),
    State.SENT: _l("Recorded as sent"),
}


# --- due dates and states ---------------------------------------------------------------------------------


def due_date(month: int, day: int, year: int) -> date:
    """The due day of a year: a day past the month's end is the month's last day (31 → 30 June,
    29 February → 28 February in a common year)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def deadline_due(deadline: ReportDeadline, year: int) -> date:
    return due_date(deadline.due_month, deadline.due_day, year)


def state_of(due: date, today: date, sent: bool) -> State:
    """Sent; else overdue from the day after the due day; due within 7 days (the due day itself
    included); else upcoming."""
    if sent:
        return State.SENT
    days_left = (due - today).days
    if days_left < 0:
        return State.OVERDUE
    return State.DUE_SOON if days_left <= DUE_SOON_DAYS else State.UPCOMING


def current_year(deadline: ReportDeadline, today: date, sent_years: Iterable[int]) -> int:
    """The year of the current occurrence (see the module's docstring): the earliest year not sent
    whose due day is less than OVERDUE_KEPT past."""
    sent = set(sent_years)
    year = today.year - 1
    while year in sent or deadline_due(deadline, year) < today - OVERDUE_KEPT:
        year += 1
    return year


def report_title(title: str, year: int) -> str:
    """The report's title for a year: a title ending in "năm" ("… năm") is completed with the year."""
    words = title.split()
    return f"{title} {year}" if words and words[-1].casefold() == "năm" else title


@dataclass(frozen=True)
class Occurrence:
    """A deadline in one year: its due day, its state on `today`, and the sending if it was sent."""

    deadline: ReportDeadline
    year: int
    due: date
    state: State
    days_left: int  # negative when overdue
    sending: ReportSending | None = None

    @property
    def title(self) -> str:
        return report_title(self.deadline.title, self.year)

    @property
    def state_label(self) -> LazyString:
        return STATE_LABELS[self.state]


def occurrence(deadline: ReportDeadline, year: int, today: date, sendings: Mapping[int, ReportSending]) -> Occurrence:
    due = deadline_due(deadline, year)
    sending = sendings.get(year)
    return Occurrence(deadline, year, due, state_of(due, today, sending is not None), (due - today).days, sending)


def current_occurrence(deadline: ReportDeadline, today: date, sendings: Mapping[int, ReportSending]) -> Occurrence:
    return occurrence(deadline, current_year(deadline, today, sendings), today, sendings)


# --- reads (the user's own facility) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline as the list shows it: this year's occurrence (perhaps sent) and the current one
    (the same, or last year's still overdue, or next year's once this year's was sent)."""

    deadline: ReportDeadline
    this_year: Occurrence
    current: Occurrence
    last_sending: ReportSending | None

    @property
    def kind_label(self) -> LazyString | str:
        return KINDS.get(self.deadline.report_kind, self.deadline.report_kind)

    @property
    def due_label(self) -> str:
        """The due day as dd/mm: 31 June reads 30/06, as every year's due day falls (29/02 in February)."""
        month = self.deadline.due_month
        return f"{min(self.deadline.due_day, calendar.monthrange(A_LEAP_YEAR, month)[1]):02d}/{month:02d}"


def deadline_for(deadline_id: int, user: Any) -> ReportDeadline | None:
    """One deadline of the user's facility (None: another facility's, or none)."""
    return db.session.scalar(
        sa.select(ReportDeadline).where(
            ReportDeadline.id == deadline_id, own_facility(ReportDeadline.facility_id, user)
        )
    )


def _sendings_by_deadline(
    deadline_ids: Iterable[int], from_year: int | None = None
) -> dict[int, dict[int, ReportSending]]:
    ids = list(deadline_ids)
    found: dict[int, dict[int, ReportSending]] = defaultdict(dict)
    if not ids:
        return found
    stmt = sa.select(ReportSending).where(in_ids(ReportSending.deadline_id, ids))
    if from_year is not None:
        stmt = stmt.where(ReportSending.year >= from_year)
    for sending in db.session.scalars(stmt):
        found[sending.deadline_id][sending.year] = sending
    return found


def sendings_of(deadline: ReportDeadline) -> dict[int, ReportSending]:
    """The years a deadline was met: {year: sending}."""
    return _sendings_by_deadline([deadline.id]).get(deadline.id, {})


def facility_deadlines(user: Any, today: date | None = None) -> list[DeadlineRow]:
    """Every deadline of the user's facility (active first, then stopped), with its states: two reads."""
    today = today or local_today()
    deadlines = db.session.scalars(
        sa.select(ReportDeadline)
        .where(own_facility(ReportDeadline.facility_id, user))
        .order_by(ReportDeadline.active.desc(), ReportDeadline.due_month, ReportDeadline.due_day, ReportDeadline.id)
    ).all()
    sendings = _sendings_by_deadline(d.id for d in deadlines)
    rows = []
    for deadline in deadlines:
        sent = sendings.get(deadline.id, {})
        last = sent[max(sent)] if sent else None
        rows.append(
            DeadlineRow(
                deadline,
                occurrence(deadline, today.year, today, sent),
                current_occurrence(deadline, today, sent),
                last,
            )
        )
    return rows


def due_for_home(user: Any, today: date | None = None) -> list[Occurrence]:
    """The current occurrences of the facility's active deadlines due within HOME_DAYS or overdue, not
    sent, soonest first: one read (the deadlines and their recent sendings, joined)."""
    today = today or local_today()
    rows = db.session.execute(
        sa.select(ReportDeadline, ReportSending)
        .outerjoin(
            ReportSending,
            sa.and_(ReportSending.deadline_id == ReportDeadline.id, ReportSending.year >= today.year - 1),
        )
        .where(own_facility(ReportDeadline.facility_id, user), ReportDeadline.active.is_(True))
        .order_by(ReportDeadline.id)
    ).all()
    deadlines: dict[int, ReportDeadline] = {}
    sendings: dict[int, dict[int, ReportSending]] = defaultdict(dict)
    for deadline, sending in rows:
        deadlines[deadline.id] = deadline
        if sending is not None:
            sendings[deadline.id][sending.year] = sending
    due = [current_occurrence(d, today, sendings[d.id]) for d in deadlines.values()]
    return sorted((o for o in due if o.days_left <= HOME_DAYS), key=lambda o: (o.due, o.deadline.id))


# --- writes -------------------------------------------------------------------------------------------


def _may_manage(by: Any, deadline: ReportDeadline | None = None) -> None:
    if not has_perm(by, Perm.FREEZE_REPORTS) or (deadline is not None and not same_facility(by, deadline)):
        raise ServiceError(_l("You may not manage the report deadlines of this facility."))


def _text(data: Mapping[str, Any], key: str, missing: LazyString) -> str:
    value = nfc(str(data.get(key) or ""))
    if not value:
        raise ServiceError(missing, field=key)
    if len(value) > TEXT_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=TEXT_MAX), field=key)
    return value


def _number(data: Mapping[str, Any], key: str, low: int, high: int, message: LazyString) -> int:
    try:
        value = int(str(data.get(key)).strip())
    except (TypeError, ValueError):
        raise ServiceError(message, field=key) from None
    if not low <= value <= high:
        raise ServiceError(message, field=key)
    return value


def _values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The deadline's fields from the form, cleaned and checked."""
    kind = data.get("report_kind") or "yearly"
    if kind not in KINDS:
        raise ServiceError(_l("Choose the kind of report."), field="report_kind")
    return {
        "title": _text(data, "title", _l("Give the report's title.")),
        "report_kind": kind,
        "recipient": _text(data, "recipient", _l("Say to whom the report is sent.")),
        "due_month": _number(data, "due_month", 1, 12, _l("Choose a month.")),
        "due_day": _number(data, "due_day", 1, 31, _l("Give a day from 1 to 31.")),
    }


def _audit(action: str, deadline: ReportDeadline, by: Any, **detail: Any) -> None:
    record(action, by=by, entity=deadline, facility_id=deadline.facility_id, detail={"title": deadline.title, **detail})


def create_deadline(data: Mapping[str, Any], *, by: Any) -> ReportDeadline:
    """A new deadline of the user's facility."""
    _may_manage(by)
    deadline = ReportDeadline(facility_id=by.facility_id, active=True, updated_by_id=by.id, updated_at=utcnow())
    for key, value in _values(data).items():
        setattr(deadline, key, value)
    db.session.add(deadline)
    db.session.flush()
    _audit("report_deadline_created", deadline, by, due=f"{deadline.due_day:02d}/{deadline.due_month:02d}")
    return deadline


def update_deadline(deadline: ReportDeadline, data: Mapping[str, Any], *, by: Any, seen_version: int) -> ReportDeadline:
    """Change a deadline; refused when someone changed it since the form was opened (`seen_version`)."""
    _may_manage(by, deadline)
    if deadline.version != seen_version:
        raise ServiceError(STALE)
    values = _values(data)
    changed = sorted(key for key, value in values.items() if getattr(deadline, key) != value)
    for key, value in values.items():
        setattr(deadline, key, value)
    deadline.updated_by_id, deadline.updated_at = by.id, utcnow()
    db.session.flush()
    _audit("report_deadline_changed", deadline, by, fields=changed)
    return deadline


def set_active(deadline: ReportDeadline, active: bool, *, by: Any) -> ReportDeadline:
    """Stop a deadline (no more reminders; the years sent stay) or restart it."""
    _may_manage(by, deadline)
    if deadline.active == active:
        raise ServiceError(
            _l("This deadline is already in use.") if active else _l("This deadline is already stopped.")
        )
    deadline.active = active
    deadline.updated_by_id, deadline.updated_at = by.id, utcnow()
    db.session.flush()
    _audit("report_deadline_restarted" if active else "report_deadline_stopped", deadline, by)
    return deadline


def _sending_of(deadline_id: int, year: int) -> ReportSending | None:
    return db.session.scalar(
        sa.select(ReportSending).where(ReportSending.deadline_id == deadline_id, ReportSending.year == year)
    )


def _already_sent(sending: ReportSending) -> ServiceError:
    return ServiceError(
        _l(
            "The report of %(year)s was already recorded as sent (%(number)s, %(date)s).",
            year=sending.year,
            number=sending.number_symbol,
            date=format_date(sending.sent_on),
        ),
        field="year",
    )


def _store_sending(deadline: ReportDeadline, sending: ReportSending, by: Any) -> ReportSending:
    """Insert the sending (one per deadline and year, whatever two browsers do) and audit it."""
    try:
        with db.session.begin_nested():  # a failed insert leaves the session clean
            db.session.add(sending)
            db.session.flush()
    except sa.exc.IntegrityError:  # recorded meanwhile (uq_report_sendings_deadline_id_year)
        existing = _sending_of(deadline.id, sending.year)
        raise _already_sent(existing) if existing else ServiceError(_l("This could not be saved.")) from None
    record(
        "report_deadline_sent",
        by=by,
        entity=sending,
        facility_id=deadline.facility_id,
        detail={
            "deadline_id": deadline.id,
            "year": sending.year,
            "number_symbol": sending.number_symbol,
            "sent_on": sending.sent_on.isoformat(),
            "yearly_report_id": sending.yearly_report_id,
        },
    )
    return sending


def mark_sent(
    deadline: ReportDeadline,
    year: Any,
    number_symbol: str | None,
    sent_on: date | None,
    *,
    by: Any,
    today: date | None = None,
) -> ReportSending:
    """Record the report of `year` as sent, with its number and symbol ("15/BC-TTCTXH") and the day it
    was sent; refused when that year is recorded already, or the deadline is stopped."""
    _may_manage(by, deadline)
    today = today or local_today()
    if not deadline.active:
        raise ServiceError(_l("This deadline is stopped: restart it first."))
    year = _number({"year": year}, "year", FIRST_YEAR, today.year + 1, _l("Choose the year of the report."))
    number_symbol = nfc(number_symbol or "")
    if not number_symbol:
        raise ServiceError(_l("Give the report's number and symbol (e.g. 15/BC-TTCTXH)."), field="number_symbol")
    if len(number_symbol) > NUMBER_SYMBOL_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=NUMBER_SYMBOL_MAX), field="number_symbol")
    if sent_on is None:
        raise ServiceError(_l("Give the date it was sent."), field="sent_on")
    if sent_on > today:
        raise ServiceError(_l("The date sent cannot be in the future."), field="sent_on")
    existing = _sending_of(deadline.id, year)
    if existing is not None:
        raise _already_sent(existing)
    sending = ReportSending(
        deadline_id=deadline.id,
        year=year,
        number_symbol=number_symbol,
        sent_on=sent_on,
        sent_by_id=by.id,
        recorded_at=utcnow(),
    )
    return _store_sending(deadline, sending, by)


def mark_sent_from_report(report: YearlyReport, *, by: Any) -> list[ReportSending]:
    """The yearly report was issued: record it as sent for each active 'yearly' deadline of its facility
    not yet recorded for its year (usually the one, to the Department of Health), with the report's
    number, date and id. None such, or already recorded: nothing is written. The caller (issuing the
    report) has checked the user may issue it."""
    deadlines = db.session.scalars(
        sa.select(ReportDeadline)
        .where(
            ReportDeadline.facility_id == report.facility_id,
            ReportDeadline.report_kind == "yearly",
            ReportDeadline.active.is_(True),
        )
        .order_by(ReportDeadline.id)
    ).all()
    recorded = []
    for deadline in deadlines:
        if report.number_symbol is None or report.issued_on is None or _sending_of(deadline.id, report.year):
            continue
        sending = ReportSending(
            deadline_id=deadline.id,
            year=report.year,
            number_symbol=report.number_symbol,
            sent_on=report.issued_on,
            yearly_report_id=report.id,
            sent_by_id=getattr(by, "id", None),
            recorded_at=utcnow(),
        )
        recorded.append(_store_sending(deadline, sending, by))
    return recorded


def ensure_default(facility: Facility, *, by: Any = None) -> ReportDeadline | None:
    """Give a facility without any deadline (stopped ones count) the default one; returns it, or None
    when the facility had one. Called where a facility is created (org.services.create_facility, the
    demo data): the facilities that existed before got it from the migration."""
    has_one = db.session.scalar(sa.select(ReportDeadline.id).where(ReportDeadline.facility_id == facility.id).limit(1))
    if has_one is not None:
        return None
    deadline = ReportDeadline(
        facility_id=facility.id,
        title=DEFAULT_TITLE,
        report_kind="yearly",
        recipient=DEFAULT_RECIPIENT,
        due_month=DEFAULT_DUE_MONTH,
        due_day=DEFAULT_DUE_DAY,
        active=True,
        updated_by_id=getattr(by, "id", None),
        updated_at=utcnow(),
    )
    db.session.add(deadline)
    db.session.flush()
    _audit("report_deadline_created", deadline, by, due=f"{DEFAULT_DUE_DAY:02d}/{DEFAULT_DUE_MONTH:02d}", default=True)
    return deadline


# --- reminders (the scheduler's tick) ----------------------------------------------------------------------

WEEK, EVE, OVERDUE = "7d", "1d", "overdue"
NOTIFICATION_KIND = "report_due"


def reminder_step(days_left: int) -> str | None:
    """The reminder due on a day: the overdue one from the day after the due day, the day-before one
    on the day before (and, caught up, on the due day itself), the 7-days one from 7 days before.
    One step a day: the most urgent, so a late first look never sends the earlier steps too."""
    if days_left < 0:
        return OVERDUE
    if days_left <= 1:
        return EVE
    if days_left <= DUE_SOON_DAYS:
        return WEEK
    return None


def _text_key(step: str, days_left: int) -> str:
    if step == OVERDUE:
        return "report_overdue"
    return "report_due_today" if days_left == 0 else "report_due_soon"


def _active_deadlines() -> list[ReportDeadline]:
    return list(
        db.session.scalars(
            sa.select(ReportDeadline)
            .join(Facility, Facility.id == ReportDeadline.facility_id)
            .where(ReportDeadline.active.is_(True), Facility.is_active.is_(True))
            .order_by(ReportDeadline.id)
        )
    )


def _report_managers(facility_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active users of each facility who may manage its reports (Perm.FREEZE_REPORTS)."""
    ids = set(facility_ids)
    found: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(User.id, User.facility_id)
        .where(in_ids(User.facility_id, ids), User.active.is_(True), users_with(Perm.FREEZE_REPORTS))
        .order_by(User.id)
    ).all()
    for user_id, facility_id in rows:
        found[facility_id].append(user_id)
    return found


def _reminder_entries(occurrences: list[tuple[Occurrence, str]], now: datetime) -> list[dict[str, Any]]:
    managers = _report_managers(o.deadline.facility_id for o, _step in occurrences)
    entries: list[dict[str, Any]] = []
    for due, step in occurrences:
        deadline = due.deadline
        params = {
            "title": due.title,
            "recipient": deadline.recipient,
            "due": format_date(due.due),
            "days": max(due.days_left, 0),
        }
        entries.extend(
            {
                "user_id": user_id,
                "kind": NOTIFICATION_KIND,
                "case": None,
                "text_key": _text_key(step, due.days_left),
                "params": params,
                "unique_key": f"report_due:{deadline.id}:{due.year}:{step}:{user_id}",
                "at": now,
            }
            for user_id in managers.get(deadline.facility_id, [])
        )
    return entries


def _not_yet_sent(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries whose notification was not written before: read first, so that a tick every
    minute does not try to insert again what it wrote the first time."""
    keys = [entry["unique_key"] for entry in entries]
    if not keys:
        return []
    written = set(
        db.session.scalars(
            sa.select(Notification.unique_key).where(in_ids(Notification.unique_key, keys, of=sa.String))
        )
    )
    return [entry for entry in entries if entry["unique_key"] not in written]


def remind(now: datetime | None = None) -> int:
    """Notify the report managers of the deadlines due (see the module's docstring); commits at its
    end. Returns how many notifications were written."""
    now = as_utc(now) if now else utcnow()
    today = now.astimezone(VN_TZ).date()
    deadlines = _active_deadlines()
    sendings = _sendings_by_deadline((d.id for d in deadlines), from_year=today.year - 1)
    due = []
    for deadline in deadlines:
        current = current_occurrence(deadline, today, sendings.get(deadline.id, {}))
        step = reminder_step(current.days_left)
        if step is not None:
            due.append((current, step))
    written = notify_many(_not_yet_sent(_reminder_entries(due, now))) if due else []
    db.session.commit()
    if written:
        log.info("report deadlines: %d reminder(s) for %s", len(written), today.isoformat())
    return len(written)
