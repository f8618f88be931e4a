"""The home dashboards per role: small aggregates, each number with the list it opens.

Every number is counted on the very statement of the list it links to — the case lists'
`cases.queries.filtered_cases` with the same `CaseFilters`, the tasks page's due items
(`deadlines.items`), the approval queue (`approvals.services.pending_for_facility`), the overdue
referrals (`referrals.queries.overdue_referrals`), the bed board (`shelter.queries`) — so a click
shows exactly that many rows (Primero R2-3453: dashboards whose click-through shows other numbers).

Reads are a fixed number of grouped counts whatever the size of the facility (a test guards it);
never the event table, never a row per case. The lists themselves do not count (keyset pages).
No personal data of clients: only numbers, case steps and the names of the facility's staff.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..approvals.models import Approval
from ..approvals.services import pending_for_facility
from ..cases.caseload import services as caseload_reads
from ..cases.models import Case
from ..cases.queries import CaseFilters, filtered_cases, high_risk_condition
from ..cases.statuses import OPEN_STATUSES
from ..core.timeutil import VN_TZ, local_today, utcnow
from ..deadlines import items as deadlines
from ..extensions import db
from ..referrals.models import Referral
from ..referrals.queries import overdue_referrals
from ..reports import deadlines as report_deadlines
from ..security.policy import Capability, Perm, capable, has_perm
from ..security.scopes import own_facility
from ..shelter.models import ShelterStay
from ..shelter.queries import capacity_of

WEEKS_CHARTED = 8  # intakes per week over the last 8 weeks
# The tasks page (cases.tasks) chooses among these roles' accounts (cases.queries.facility_workers).
TASKS_UNASSIGNED = "unassigned"  # the tasks page's ?worker= value for cases nobody holds (cases.task_views)


@dataclass(frozen=True)
class Count:
    """One number of a dashboard and the list that shows the same count (endpoint + its arguments)."""

    value: int
    endpoint: str | None = None
    args: dict = field(default_factory=dict)
    anchor: str | None = None


def _case_list(scope, value, **filters):
    """A number that opens "Hồ sơ của tôi" / "Hồ sơ của cơ sở" with the same filters (their GET form)."""
    args = {}
    for key, wanted in filters.items():
        if wanted is True:
            args[key] = "y"
        elif wanted not in (None, False, ""):
            args[key] = wanted.isoformat() if isinstance(wanted, date) else wanted
    return Count(value, "cases.mine" if scope == "mine" else "cases.facility", args)


def _args_filters(scope, **args):
    """The CaseFilters the list builds from these arguments (cases.forms.CaseFilterForm.filters)."""
    status = args.pop("status", "open")
    return CaseFilters(scope=scope, status=None if status == "all" else status, **args)


def _as_counts(stmt, *columns):
    """The list statement reduced to aggregate columns: same FROM, joins and WHERE, no rows loaded."""
    return stmt.with_only_columns(*columns, maintain_column_froms=False).order_by(None)


def _counted(condition):
    return sa.func.count(sa.case((condition, Case.id)))


# --- the open cases of a list, by step ----------------------------------------------------------------


@dataclass
class CaseSteps:
    """Open cases of one list (mine / facility) by step, with the high-risk and intake counts."""

    scope: str
    by_step: list  # [(status code, Count)] in the order of the steps
    total: Count
    high_risk: Count
    intake_incomplete: Count
    intake_overdue: int  # of the incomplete ones, past the 24-hour deadline


def case_steps(user, scope, now=None):
    """One grouped count on the list statement of `scope` with status "open"."""
    now = now or utcnow()
    incomplete = Case.intake_incomplete.is_(True)
    stmt = _as_counts(
        filtered_cases(user, _args_filters(scope, status="open")),
        Case.status,
        sa.func.count(Case.id),
        _counted(high_risk_condition()),
        _counted(incomplete),
        _counted(sa.and_(incomplete, Case.intake_due_at < now)),
    ).group_by(Case.status)
    rows = {status: values for status, *values in db.session.execute(stmt)}
    totals = [sum(values[i] for values in rows.values()) for i in range(4)]
    by_step = [(code, _case_list(scope, rows.get(code, (0,))[0], status=code)) for code in OPEN_STATUSES]
    return CaseSteps(
        scope=scope,
        by_step=by_step,
        total=_case_list(scope, totals[0], status="open"),
        high_risk=_case_list(scope, totals[1], status="open", high_risk=True),
        intake_incomplete=_case_list(scope, totals[2], status="open", intake_incomplete=True),
        intake_overdue=totals[3],
    )


# --- cases opened per period (local time) -------------------------------------------------------------


@dataclass
class Period:
    start: date  # first local day
    end: date  # last local day (inclusive)
    count: Count


@dataclass
class Openings:
    this_week: Period
    this_month: Period
    weeks: list  # the last WEEKS_CHARTED weeks, oldest first (the current one last)


def _local_start(day):
    return datetime.combine(day, time.min, VN_TZ)


def _month_end(day):
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def openings(user, today=None):
    """Cases of the facility list opened this week (Monday to Sunday), this month and in each of the
    last weeks, Vietnam time — one statement of conditional counts on the list with status "all"
    and the opened_from / opened_to filter the numbers link to."""
    today = today or local_today()
    monday = today - timedelta(days=today.weekday())
    spans = [
        (monday - timedelta(weeks=n), monday - timedelta(weeks=n) + timedelta(days=6))
        for n in range(WEEKS_CHARTED - 1, -1, -1)
    ]
    month = (today.replace(day=1), _month_end(today))
    wanted = [*spans, month]

    def within(start, end):  # as filtered_cases reads opened_from / opened_to
        return sa.and_(Case.opened_at >= _local_start(start), Case.opened_at < _local_start(end + timedelta(days=1)))

    # The WHERE on the earliest start adds nothing to the counts; it lets the (facility, opened_at)
    # index read only the charted weeks, not every case the facility ever opened (bench/: 84 → ~5 ms).
    earliest = min(start for start, _end in wanted)
    stmt = _as_counts(
        filtered_cases(user, _args_filters("facility", status="all")).where(Case.opened_at >= _local_start(earliest)),
        *[_counted(within(start, end)) for start, end in wanted],
    )
    values = db.session.execute(stmt).one()

    def period(span, value):
        return Period(
            span[0], span[1], _case_list("facility", value, status="all", opened_from=span[0], opened_to=span[1])
        )

    *week_values, month_value = values
    weeks = [period(span, value) for span, value in zip(spans, week_values, strict=True)]
    return Openings(this_week=weeks[-1], this_month=period(month, month_value), weeks=weeks)


# --- tasks -------------------------------------------------------------------------------------------


@dataclass
class Tasks:
    overdue: Count
    soon: Count
    truncated: bool = False


def my_tasks(user, now=None):
    """The user's due items as "Việc cần làm" groups them (deadlines.items: the one source)."""
    now = now or utcnow()
    found = deadlines.user_items(user)
    groups = deadlines.group_items(found.items, now)
    return Tasks(
        overdue=Count(len(groups.overdue), "cases.tasks", anchor="tasks-overdue"),
        soon=Count(len(groups.soon), "cases.tasks", anchor="tasks-soon"),
        truncated=found.truncated,
    )


@dataclass
class WorkerRow:
    """One worker of the supervisor's facility (or the row of cases nobody holds)."""

    name: str | None  # None: not assigned
    active: bool
    open: Count
    high_risk: Count
    overdue_tasks: Count


def _overdue_by_assignee(user, now):
    """{assignee id or None: overdue due items} over every open case in the supervisor's scope: the
    items the tasks page shows for each worker (deadlines.items narrows by the same assignee column
    that DueItem.assignee_id holds), read once — five statements — instead of once per worker."""
    found = deadlines.scope_items(user)
    counts = {}
    for item in found.items:
        if item.is_overdue(now):
            counts[item.assignee_id] = counts.get(item.assignee_id, 0) + 1
    return counts, found.truncated


def workers(user, now=None):
    """Per worker: open cases and high-risk ones (cases.caseload, the caseload review's counts and
    rows) and overdue tasks (deadlines.items). Returns (rows, truncated)."""
    now = now or utcnow()
    data = caseload_reads.caseload(user, now)
    overdue, truncated = _overdue_by_assignee(user, now)
    rows = []
    for row in data.rows + [data.unassigned]:
        worker = row.worker
        arg = row.worker_arg  # the facility list's worker filter value (cases.caseload)
        if worker is None:
            tasks = Count(overdue.get(None, 0), "cases.tasks", {"worker": TASKS_UNASSIGNED}, "tasks-overdue")
        elif capable(worker, Capability.TAKES_CASE_TASKS):
            tasks = Count(overdue.get(worker.id, 0), "cases.tasks", {"worker": str(worker.id)}, "tasks-overdue")
        else:  # an account the tasks page does not offer (it still holds cases): the number, no link
            tasks = Count(overdue.get(worker.id, 0))
        linkable = worker is None or capable(
            worker, Capability.TAKES_CASE_TASKS
        )  # the list's worker filter offers them
        rows.append(
            WorkerRow(
                name=worker.full_name if worker is not None else None,
                active=worker is None or worker.active,
                open=_case_list("facility", row.open, status="open", worker=arg) if linkable else Count(row.open),
                high_risk=(
                    _case_list("facility", row.high_risk, status="open", worker=arg, high_risk=True)
                    if linkable
                    else Count(row.high_risk)
                ),
                overdue_tasks=tasks,
            )
        )
    return rows, truncated


# --- approvals, referrals, shelter ------------------------------------------------------------------------


def pending_approvals(user):
    """The approval queue's length (plans.approvals lists pending_for_facility)."""
    value = db.session.scalar(_as_counts(pending_for_facility(user), sa.func.count(Approval.id))) or 0
    return Count(value, "plans.approvals")


@dataclass
class Referrals:
    awaiting_cases: Count  # cases with a referral awaiting its answer (facility list filter)
    overdue: Count  # referrals past their answer deadline (referrals.overdue)


def referrals(user, now=None):
    """Referrals the facility sent that await the receiver's answer: the cases concerned (one count on
    the facility list with the awaiting_referral filter) and the overdue referrals (one count on
    referrals.queries.overdue_referrals, the list referrals.overdue shows)."""
    now = now or utcnow()
    awaiting = (
        db.session.scalar(
            _as_counts(
                filtered_cases(user, _args_filters("facility", status="all", awaiting_referral=True)),
                sa.func.count(Case.id),
            )
        )
        or 0
    )
    overdue = db.session.scalar(_as_counts(overdue_referrals(user, now), sa.func.count(Referral.id))) or 0
    return Referrals(
        awaiting_cases=_case_list("facility", awaiting, status="all", awaiting_referral=True),
        overdue=Count(overdue, "referrals.overdue"),
    )


@dataclass
class Shelter:
    occupied: Count
    capacity: int
    overstays: Count

    @property
    def is_full(self):
        return self.capacity > 0 and self.occupied.value >= self.capacity


def shelter(user, now=None):
    """The bed board's summary for the user's facility (shelter.queries.bed_board counts the same open
    stays; an overstay is an open stay past its planned end), or None when the facility
    has neither beds nor stays."""
    if not has_perm(user, Perm.MANAGE_STAYS):
        return None
    now = now or utcnow()
    occupied, overstays = db.session.execute(
        sa.select(
            sa.func.count(ShelterStay.id), sa.func.count(sa.case((ShelterStay.planned_end_at < now, ShelterStay.id)))
        ).where(own_facility(ShelterStay.facility_id, user), ShelterStay.checked_out_at.is_(None))
    ).one()
    capacity = capacity_of(user.facility)
    if not capacity and not occupied:
        return None
    return Shelter(
        occupied=Count(occupied, "shelter.board"), capacity=capacity, overstays=Count(overstays, "shelter.board")
    )


# --- per role -------------------------------------------------------------------------------------------


@dataclass
class WorkerDashboard:
    steps: CaseSteps
    tasks: Tasks
    shelter: Shelter | None


@dataclass
class SupervisorDashboard:
    steps: CaseSteps
    openings: Openings
    workers: list
    workers_truncated: bool
    approvals: Count | None
    referrals: Referrals
    shelter: Shelter | None


def for_worker(user, now=None):
    """Social workers and shelter staff: their open cases by step, their tasks, their shelter."""
    now = now or utcnow()
    return WorkerDashboard(steps=case_steps(user, "mine", now), tasks=my_tasks(user, now), shelter=shelter(user, now))


def for_supervisor(user, now=None, today=None):
    """Supervisors: their facility."""
    now = now or utcnow()
    rows, truncated = workers(user, now)
    return SupervisorDashboard(
        steps=case_steps(user, "facility", now),
        openings=openings(user, today),
        workers=rows,
        workers_truncated=truncated,
        approvals=pending_approvals(user) if has_perm(user, Perm.APPROVE) else None,
        referrals=referrals(user, now),
        shelter=shelter(user, now),
    )


def reports_due(user, today=None):
    """The facility's reports due within 30 days or overdue and not sent, for those who issue them
    (supervisors, reporters; None for the others): one read, live (a report just recorded as sent
    leaves the home page at once), never kept in the supervisor's roll-up."""
    if not has_perm(user, Perm.FREEZE_REPORTS):
        return None
    return report_deadlines.due_for_home(user, today)


def for_user(user, now=None):
    """The dashboard of the user's role, or None (admins and reporters: links only, no case numbers)."""
    if has_perm(user, Perm.VIEW_FACILITY_CASES):
        return for_supervisor(user, now)
    if has_perm(user, Perm.VIEW_CASES):
        return for_worker(user, now)
    return None
