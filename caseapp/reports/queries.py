"""Every read of the reports: grouped counts in SQL, one definition per count.

A count is defined once, as a *population*: a select of client ids (or of case, referral, stay ids)
for a scope and a period. The statistics count it with COUNT(*) / GROUP BY; the drill-down list
(`population_clients`) pages through the very same select — so the number on the report and the
length of the list behind it cannot differ. Nothing here loops over cases in Python.

Definitions (a period is local calendar days, see periods.Period):
- received: clients with an intake received in the period;
- counselled: clients with an intake of the period decided "advice only" (INTAKE_DECISIONS);
- supported: clients with a case active in the period (opened before its end, not closed before
  its start);
- served: received ∪ supported — the population the breakdowns by group, sex, age, ethnicity and
  commune describe;
- cases opened / closed: cases opened / closed (status closed) in the period;
- age: full years on the last day of the period (AGE_GROUPS; a client known only by a
  year of birth has the age reached in that year, as Client.age_on does);
- services: clients per service type of a plan activity (not cancelled) of a case active in the
  period, or of a referral sent in the period (not revoked);
- referrals: sent in the period, by the provider's kind and by their status now;
- shelter: stays admitted in the period; bed-nights = nights spent in the period (local calendar
  days between arrival and departure, or the end of the period / now for a stay still open);
  average stay = nights of the stays checked out in the period ÷ their number.

Scopes (Scope): the facilities counted — one, or every facility of a province — and, for a commune
or a commune group, only the people who live there. A client lives where the client record says
(Client.commune_code, the current residence: the record holds one). Every count keeps its definition
above and adds one condition, Scope.covers: the record (intake, case, referral, stay, client) is of
a facility in scope, and its client lives in one of the scope's communes — so a case, an intake, a
referral or a shelter stay counts for a commune when the person it is about lives there, whichever
facility of the scope worked it, and a client with no commune recorded counts for no commune.
Indicator 3 counts the facilities in scope (not where they stand) that worked a case of a person
living there, over the active facilities in scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload, selectinload

from ..cases.models import Case
from ..cases.statuses import CaseStatus
from ..clients.models import Client
from ..core import categories
from ..core.text import place_sort_key
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..intake.models import Intake
from ..org.models import Commune, Facility, Province
from ..plans.models import ActivityStatus, CarePlan, PlanActivity
from ..referrals.models import Provider, Referral, ReferralStatus
from ..register.models import GroupMembership
from ..register.queries import managed_during, managed_memberships
from ..security.policy import Perm, has_perm
from ..security.rules import same_facility
from ..security.scopes import Condition, client_scope, commune_group_scope, own_facility, own_province
from ..shelter.models import ShelterStay
from ..workforce import counts as workforce_counts
from . import indicators
from .models import (
    CommuneGroup,
    ExportJob,
    ReferenceValue,
    ReportSettings,
    ReportSnapshot,
    SnapshotStatus,
    commune_group_communes,
)
from .periods import Period

if TYPE_CHECKING:  # for annotations only
    from ..auth.models import User

# A select of ids (clients, cases): what a count counts and a drill-down lists.
Population = sa.Select[tuple[int]] | sa.CompoundSelect[tuple[int]]
# A column of UTC instants, or an expression giving one (a literal instant, CASE, COALESCE).
Instant = sa.ColumnElement[datetime] | sa.ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None]

# Age groups of the statistics: 0–5, 6–10, 11–15 (trẻ em: under 16, Luật Trẻ em 2016), 16–17, 18–59, 60 and over
# (người cao tuổi, Luật Người cao tuổi 2009). (lower bound in years, code)
AGE_GROUPS = ((0, "0-5"), (6, "6-10"), (11, "11-15"), (16, "16-17"), (18, "18-59"), (60, "60+"))
CHILD_AGE = 16  # Luật Trẻ em 2016, Điều 1
INDICATOR_GROUP_CODES = tuple(c.code for c in categories.BENEFICIARY_GROUPS if c.family == "indicator")


@dataclass(frozen=True)
class Scope:
    """Whose data: the facilities counted — one (facility_id), or every facility of the province
    (facility_id None) — and, for a commune or a commune group, the people living in its communes.

    kind: facility | province (every resident) | commune | commune_group (communes: the codes of
    the commune, or of the group's communes; group_id: the group). `name` says the scope on pages and
    files ("Huyện Thới Lai cũ — Cần Thơ"), `place` the commune or group alone."""

    kind: str
    facility_id: int | None = None
    province_code: str | None = None
    communes: tuple[str, ...] | None = None  # None: wherever the people live
    group_id: int | None = None
    name: str = field(default="", compare=False)
    place: str = field(default="", compare=False)  # the commune's or the group's name

    @property
    def across_facilities(self) -> bool:
        """Figures of several facilities: they leave the facility (small cells hidden, no drill-down)."""
        return self.facility_id is None

    @property
    def commune_code(self) -> str | None:
        return self.communes[0] if self.kind == "commune" and self.communes else None

    def facility_ids(self) -> sa.Select[tuple[int]]:
        """SQL: the ids of the facilities in scope (a subquery; one id for a facility)."""
        if self.facility_id is not None:
            return sa.select(sa.literal(self.facility_id))
        return sa.select(Facility.id).where(Facility.province_code == self.province_code)

    def holds(self, column: InstrumentedAttribute[int]) -> Condition:
        """SQL: `column` (a facility id) is a facility in scope."""
        if self.facility_id is not None:
            return column == self.facility_id
        return column.in_(self.facility_ids())

    def lives_in(self, client_id: sa.ColumnElement[int] | InstrumentedAttribute[int]) -> Condition:
        """SQL: the client (an id) lives in one of the scope's communes; always true without communes."""
        if self.communes is None:
            return sa.true()
        resident = aliased(Client)  # aliased: never correlates with a Client of the enclosing query
        return client_id.in_(sa.select(resident.id).where(resident.commune_code.in_(self.communes)))

    def covers(
        self, facility_id: InstrumentedAttribute[int], client_id: sa.ColumnElement[int] | InstrumentedAttribute[int]
    ) -> Condition:
        """SQL: a record of a facility in scope about a person living in scope — every count's condition."""
        return sa.and_(self.holds(facility_id), self.lives_in(client_id))


def _t(value: datetime) -> sa.BindParameter[datetime]:
    return sa.literal(value, UTCDateTime())


# --- populations: one definition per count --------------------------------------------------------


def received(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    return sa.select(Intake.client_id).where(_intakes_in(scope, period))


def counselled(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    return received(scope, period).where(Intake.decision == "advice_only")


def _case_active(period: Period) -> Condition:
    return sa.and_(
        Case.opened_at < period.end_utc, sa.or_(Case.closed_at.is_(None), Case.closed_at >= period.start_utc)
    )


def supported(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    return sa.select(Case.client_id).where(_cases_in(scope), _case_active(period))


def served(scope: Scope, period: Period) -> sa.CompoundSelect[tuple[int]]:
    return sa.union(received(scope, period), supported(scope, period))


def counselled_or_supported(scope: Scope, period: Period) -> sa.CompoundSelect[tuple[int]]:
    """QĐ 112 indicator 4: people in difficult circumstances counselled and supported."""
    return sa.union(counselled(scope, period), supported(scope, period))


def _born_after(years: int, period: Period) -> Condition:
    """SQL on Client: younger than `years` on the period's last day."""
    day = period.end
    try:
        limit = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        limit = day.replace(year=day.year - years, day=28)
    return sa.or_(Client.birth_date > limit, sa.and_(Client.birth_date.is_(None), Client.birth_year > day.year - years))


def _age_known() -> Condition:
    return sa.or_(Client.birth_date.is_not(None), Client.birth_year.is_not(None))


def _indicator_child(scope: Scope, period: Period) -> Condition:
    """SQL on Client: a child (under 16) of the indicator group (INDICATOR_GROUP_CODES) — QĐ 112 indicator 5."""
    during = managed_during(period.start, period.end, clients=served(scope, period)).subquery()
    in_group = sa.exists().where(during.c.client_id == Client.id, during.c.group_code.in_(INDICATOR_GROUP_CODES))
    return sa.and_(_born_after(CHILD_AGE, period), in_group)


def children_of_indicator_group(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    """QĐ 112 indicator 5: children (under 16) of the indicator group served."""
    return sa.select(Client.id).where(Client.id.in_(served(scope, period)), _indicator_child(scope, period))


def cases_opened(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    return sa.select(Case.id).where(
        _cases_in(scope), Case.opened_at >= period.start_utc, Case.opened_at < period.end_utc
    )


def cases_closed(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    return sa.select(Case.id).where(
        _cases_in(scope),
        Case.status == CaseStatus.CLOSED,
        Case.closed_at >= period.start_utc,
        Case.closed_at < period.end_utc,
    )


def managed(scope: Scope, period: Period) -> sa.Select[tuple[int]]:
    """People under management on the period's last day (đang quản lý tại ngày): the clients of the
    facilities in scope with a group membership receiving or suspended on that day. A record merged
    into another is counted on the kept record only."""
    in_force = managed_memberships(period.end, clients=_clients_of(scope)).subquery()
    return sa.select(Client.id).where(Client.id.in_(sa.select(in_force.c.client_id)))


def _clients_of(scope: Scope) -> sa.Select[tuple[int]]:
    """The clients of the facilities in scope living in scope, merged-away records left out."""
    return sa.select(Client.id).where(*_client_in(scope))


def _client_in(scope: Scope) -> tuple[Condition, ...]:
    return scope.covers(Client.facility_id, Client.id), Client.merged_into_id.is_(None)


# Populations of clients a drill-down can list (key → definition).
CLIENT_POPULATIONS: dict[str, Callable[[Scope, Period], Population]] = {
    "managed": managed,
    "received": received,
    "counselled": counselled,
    "supported": supported,
    "served": served,
    "ind4": counselled_or_supported,
    "ind5": children_of_indicator_group,
}


def count(population: Population) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(population.subquery())) or 0


# --- breakdowns -------------------------------------------------------------------------------------


def age_group_expr(period: Period) -> sa.Case[str]:
    whens: list[tuple[Condition, str]] = [(sa.not_(_age_known()), "unknown")]
    for (_lower, code), (upper, _next) in pairwise(AGE_GROUPS):
        whens.append((_born_after(upper, period), code))
    return sa.case(*whens, else_=AGE_GROUPS[-1][1])


def client_dimension(name: str, period: Period) -> sa.ColumnElement[str] | InstrumentedAttribute[str]:
    """The SQL expression a breakdown of clients groups by (and a drill-down filters on)."""
    if name == "sex":
        return Client.sex
    if name == "age_group":
        return age_group_expr(period)
    if name == "ethnicity":
        return sa.func.coalesce(Client.ethnicity, "unknown")
    if name == "commune":
        return sa.func.coalesce(Client.commune_code, "")
    raise KeyError(name)


CLIENT_DIMENSIONS = ("sex", "age_group", "ethnicity", "commune")


def _grouped(stmt: sa.Select[tuple[Any, int]]) -> dict[str, int]:
    """{group: count} of a two-column grouped count; a group of NULL is counted under ""."""
    return {(key if key is not None else ""): n for key, n in db.session.execute(stmt)}


def breakdown_clients(dimension: str, scope: Scope, period: Period) -> dict[str, int]:
    expr = client_dimension(dimension, period).label("k")
    stmt = sa.select(expr, sa.func.count(Client.id)).where(Client.id.in_(served(scope, period))).group_by(expr)
    return _grouped(stmt)


@dataclass
class ServedClients:
    """The served population counted once: in total, by each client dimension, and indicator 5."""

    total: int
    by_dimension: dict[str, dict[str, int]]  # {dimension: {value: clients}} — what breakdown_clients gives each
    indicator_children: int  # = count(children_of_indicator_group(...))


def served_clients(scope: Scope, period: Period) -> ServedClients:
    """One statement for what breakdown_clients (per dimension), count(served) and indicator 5 would
    read in six: the served set is found once and grouped by every dimension together; Python adds up
    the margins. (bench/: each of the six read the province's served set again, ~110 ms each at
    1 M clients.) The expressions are client_dimension's and _indicator_child's, as the drill-downs'."""
    labels = [client_dimension(name, period).label(name) for name in CLIENT_DIMENSIONS]
    stmt = (
        sa.select(
            *labels, sa.func.count(Client.id), sa.func.count(sa.case((_indicator_child(scope, period), Client.id)))
        )
        .where(Client.id.in_(served(scope, period)))
        .group_by(*labels)
    )
    by_dimension: dict[str, dict[str, int]] = {name: {} for name in CLIENT_DIMENSIONS}
    total = children = 0
    for *keys, clients, indicator in db.session.execute(stmt):
        total += clients
        children += indicator
        for name, key in zip(CLIENT_DIMENSIONS, keys, strict=True):
            key = key if key is not None else ""
            by_dimension[name][key] = by_dimension[name].get(key, 0) + clients
    return ServedClients(total=total, by_dimension=by_dimension, indicator_children=children)


def breakdown_groups(scope: Scope, period: Period) -> dict[str, int]:
    """Served clients per beneficiary group they were in during the period (a client may be in several)."""
    during = managed_during(period.start, period.end, clients=served(scope, period)).subquery()
    stmt = sa.select(during.c.group_code, sa.func.count(sa.distinct(during.c.client_id))).group_by(during.c.group_code)
    return _grouped(stmt)


# --- people under management ---------------------------------------------------------------------------

# What a count of people under management groups by besides the client record: their memberships.
MEMBERSHIP_DIMENSIONS = ("family", "group", "disability_type", "disability_degree", "disability", "care_mode")
NOT_RECORDED = "unknown"


def _membership_condition(dimension: str, value: str, in_force: sa.Subquery) -> Condition:
    """SQL on a managed_memberships subquery: the memberships a row of `dimension` = `value` counts."""
    if dimension == "family":
        return in_force.c.group_code.in_(categories.register_family_groups().get(value, ()))
    if dimension == "group":
        return in_force.c.group_code == value
    if dimension == "care_mode":
        return sa.func.coalesce(in_force.c.care_mode, NOT_RECORDED) == value
    disability = in_force.c.group_code.in_(sorted(categories.DISABILITY_GROUPS))
    kind = sa.func.coalesce(in_force.c.disability_type, NOT_RECORDED)
    degree = sa.func.coalesce(in_force.c.disability_degree, NOT_RECORDED)
    if dimension == "disability_type":
        return sa.and_(disability, kind == value)
    if dimension == "disability_degree":
        return sa.and_(disability, degree == value)
    if dimension == "disability":
        kind_value, _sep, degree_value = value.partition("|")
        return sa.and_(disability, kind == kind_value, degree == degree_value)
    raise KeyError(dimension)


def _families_of_groups() -> dict[str, list[str]]:
    """group code → the families it counts in."""
    out: dict[str, list[str]] = {}
    for family, codes in categories.register_family_groups().items():
        for code in codes:
            out.setdefault(code, []).append(family)
    return out


def managed_with(dimension: str, value: str, scope: Scope, period: Period) -> Condition:
    """SQL on Client: under management on the period's last day by a membership that `dimension` = `value`."""
    in_force = managed_memberships(period.end, clients=_clients_of(scope)).subquery()
    return Client.id.in_(sa.select(in_force.c.client_id).where(_membership_condition(dimension, value, in_force)))


def managed_numbers(scope: Scope, period: Period) -> dict[str, Any]:
    """The people under management on the period's last day, each count in distinct persons: in total,
    per family of groups (a child in two codes of one family counts once in it), per group, per
    disability type, degree and both, per care mode, and by the client dimensions of the statistics.

    The scope's memberships in force are read once, with their clients' dimensions (a province: a
    hundred thousand short rows), and counted here: each count a set of client ids, as the
    drill-down's SQL (managed_with, managed) selects them. Grouped statements over the same
    memberships, one per kind of count, took several times as long (bench/)."""
    labels = [client_dimension(name, period).label(name) for name in CLIENT_DIMENSIONS]
    rows = (
        managed_memberships(period.end)
        .add_columns(*labels)
        .join(Client, Client.id == GroupMembership.client_id)
        .where(*_client_in(scope))  # the clients of managed(): read once, for the scope and the dimensions
    )
    people: dict[str, dict[str, set[int]]] = {key: {} for key in (*MEMBERSHIP_DIMENSIONS, *CLIENT_DIMENSIONS)}
    everyone: set[int] = set()
    family_of = _families_of_groups()
    for client_id, group, mode, kind, degree, *client_keys in db.session.execute(rows):
        everyone.add(client_id)
        counted_in = {"group": [group], "family": family_of.get(group, []), "care_mode": [mode or NOT_RECORDED]}
        if group in categories.DISABILITY_GROUPS:
            kind, degree = kind or NOT_RECORDED, degree or NOT_RECORDED
            counted_in.update(disability_type=[kind], disability_degree=[degree], disability=[f"{kind}|{degree}"])
        for name, key in zip(CLIENT_DIMENSIONS, client_keys, strict=True):
            counted_in[name] = [key if key is not None else ""]
        for dimension, values in counted_in.items():
            for value in values:
                people[dimension].setdefault(value, set()).add(client_id)
    numbers: dict[str, Any] = {"on": period.end.isoformat(), "total": len(everyone)}
    numbers.update({dimension: {k: len(v) for k, v in counts.items()} for dimension, counts in people.items()})
    return numbers


def _intakes_in(scope: Scope, period: Period) -> Condition:
    return sa.and_(
        scope.covers(Intake.facility_id, Intake.client_id),
        Intake.received_at >= period.start_utc,
        Intake.received_at < period.end_utc,
    )


def _cases_in(scope: Scope) -> Condition:
    return scope.covers(Case.facility_id, Case.client_id)


def breakdown_channels(scope: Scope, period: Period) -> dict[str, int]:
    """Clients received per intake channel."""
    stmt = (
        sa.select(Intake.channel, sa.func.count(sa.distinct(Intake.client_id)))
        .where(_intakes_in(scope, period))
        .group_by(Intake.channel)
    )
    return _grouped(stmt)


def _json_elements(column: InstrumentedAttribute[list[Any]]) -> sa.TableValuedAlias:
    """The elements of a JSON array column as a table (SQLite json_each, PostgreSQL json_array_elements_text)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.json_array_elements_text(column).table_valued("value")
    return sa.func.json_each(column).table_valued("value")


def breakdown_problems(scope: Scope, period: Period) -> dict[str, int]:
    """Clients received per presenting problem (an intake may name several)."""
    element = _json_elements(Intake.problems)
    stmt = (
        sa.select(element.c.value, sa.func.count(sa.distinct(Intake.client_id)))
        .select_from(Intake)
        .join(element, sa.true())
        .where(_intakes_in(scope, period))
        .group_by(element.c.value)
    )
    return _grouped(stmt)


def breakdown_services(scope: Scope, period: Period) -> dict[str, int]:
    """Clients per service type: plan activities of active cases, referrals sent in the period."""
    from_plans = (
        sa.select(Case.client_id.label("client_id"), PlanActivity.service_type.label("service"))
        .join(CarePlan, CarePlan.id == PlanActivity.plan_id)
        .join(Case, Case.id == CarePlan.case_id)
        .where(_cases_in(scope), _case_active(period), PlanActivity.status != ActivityStatus.CANCELLED)
    )
    from_referrals = (
        sa.select(Case.client_id.label("client_id"), Referral.service_type.label("service"))
        .join(Case, Case.id == Referral.case_id)
        .where(_referrals_in(scope, period), Referral.status != ReferralStatus.REVOKED)
    )
    both = sa.union(from_plans, from_referrals).subquery()
    stmt = sa.select(both.c.service, sa.func.count(sa.distinct(both.c.client_id))).group_by(both.c.service)
    return _grouped(stmt)


def _referrals_in(scope: Scope, period: Period) -> Condition:
    case = aliased(Case)  # aliased: never correlates with a Case of the enclosing query
    client_id = sa.select(case.client_id).where(case.id == Referral.case_id).scalar_subquery()
    return sa.and_(
        scope.covers(Referral.facility_id, client_id),
        Referral.sent_at >= period.start_utc,
        Referral.sent_at < period.end_utc,
    )


def breakdown_referral_kinds(scope: Scope, period: Period) -> dict[str, int]:
    stmt = (
        sa.select(Provider.kind, sa.func.count(Referral.id))
        .join(Provider, Provider.id == Referral.provider_id)
        .where(_referrals_in(scope, period))
        .group_by(Provider.kind)
    )
    return _grouped(stmt)


def breakdown_referral_statuses(scope: Scope, period: Period) -> dict[str, int]:
    stmt = (
        sa.select(Referral.status, sa.func.count(Referral.id))
        .where(_referrals_in(scope, period))
        .group_by(Referral.status)
    )
    return _grouped(stmt)


# --- shelter --------------------------------------------------------------------------------------


def _local_day(expr: Instant) -> sa.ColumnElement[float | Decimal]:
    """SQL: the local calendar day of a UTC instant as a day number (Vietnam is UTC+7 all year)."""
    if db.engine.dialect.name == "postgresql":
        local = sa.func.timezone("Asia/Ho_Chi_Minh", expr)
        return sa.extract("epoch", sa.func.date_trunc("day", local)) / 86400
    return sa.func.julianday(sa.func.date(expr, "+7 hours"))


def _later(a: Instant, b: Instant) -> sa.Case[datetime]:
    return sa.case((a > b, a), else_=b)


def _earlier(a: Instant, b: Instant) -> sa.Case[datetime]:
    return sa.case((a < b, a), else_=b)


class ShelterNumbers(TypedDict):
    """The shelter's figures of a period (defined in this module's docstring)."""

    admissions: int
    bed_nights: int
    stays_ended: int
    stay_nights_ended: int


def shelter_numbers(scope: Scope, period: Period, now: datetime | None = None) -> ShelterNumbers:
    now = now or utcnow()
    in_scope = scope.covers(ShelterStay.facility_id, ShelterStay.client_id)
    admissions = (
        db.session.scalar(
            sa.select(sa.func.count(ShelterStay.id)).where(
                in_scope, ShelterStay.admitted_at >= period.start_utc, ShelterStay.admitted_at < period.end_utc
            )
        )
        or 0
    )
    start = _later(ShelterStay.admitted_at, _t(period.start_utc))
    end = _earlier(sa.func.coalesce(ShelterStay.checked_out_at, _t(now)), _t(period.end_utc))
    nights = db.session.scalar(
        sa.select(sa.func.sum(_local_day(end) - _local_day(start))).where(
            in_scope,
            ShelterStay.admitted_at < period.end_utc,
            sa.or_(ShelterStay.checked_out_at.is_(None), ShelterStay.checked_out_at > period.start_utc),
            ShelterStay.admitted_at < _t(now),
        )
    )
    ended = db.session.execute(
        sa.select(
            sa.func.count(ShelterStay.id),
            sa.func.sum(_local_day(ShelterStay.checked_out_at) - _local_day(ShelterStay.admitted_at)),
        ).where(in_scope, ShelterStay.checked_out_at >= period.start_utc, ShelterStay.checked_out_at < period.end_utc)
    ).one()
    return {
        "admissions": int(admissions),
        "bed_nights": int(round(float(nights or 0))),
        "stays_ended": int(ended[0] or 0),
        "stay_nights_ended": int(round(float(ended[1] or 0))),
    }


# --- indicator 3: facilities with at least one case in the period ---------------------------------


def facilities_in_scope(scope: Scope) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Facility.id)).where(
                Facility.is_active.is_(True), Facility.id.in_(scope.facility_ids())
            )
        )
        or 0
    )


def facilities_with_cases(scope: Scope, period: Period) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Case.facility_id))).where(_cases_in(scope), _case_active(period))
        )
        or 0
    )


# --- everything at once ------------------------------------------------------------------------------


def commune_names(codes: Iterable[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(db.session.execute(sa.select(Commune.code, Commune.name).where(Commune.code.in_(codes))).tuples().all())


def statistics(scope: Scope, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Every number of the report as plain JSON-able data (what a frozen snapshot stores).

    A plain dict, not a TypedDict: a snapshot adds its period, facility and reference values to it, and
    it comes back from the JSON column as a dict."""
    clients = served_clients(scope, period)
    headline = {key: count(CLIENT_POPULATIONS[key](scope, period)) for key in ("received", "counselled", "supported")}
    headline["served"] = clients.total
    headline["cases_opened"] = count(cases_opened(scope, period))
    headline["cases_closed"] = count(cases_closed(scope, period))
    breakdowns = dict(clients.by_dimension)
    breakdowns["group"] = breakdown_groups(scope, period)
    breakdowns["channel"] = breakdown_channels(scope, period)
    breakdowns["problem"] = breakdown_problems(scope, period)
    breakdowns["service"] = breakdown_services(scope, period)
    breakdowns["referral_kind"] = breakdown_referral_kinds(scope, period)
    breakdowns["referral_status"] = breakdown_referral_statuses(scope, period)
    indicators = {
        "facilities_with_cases": facilities_with_cases(scope, period),
        "facilities_total": facilities_in_scope(scope),
        "ind4_people": count(counselled_or_supported(scope, period)),
        "ind5_children": clients.indicator_children,
    }
    under_management = managed_numbers(scope, period)
    return {
        "version": 1,
        "headline": headline,
        "breakdowns": breakdowns,
        "managed": under_management,
        "shelter": shelter_numbers(scope, period, now),
        "indicators": indicators,
        "commune_names": commune_names(breakdowns["commune"].keys() | under_management["commune"].keys()),
        # the register on the period's last day, its training and communication (indicators 1 and 2)
        "workforce": workforce_counts.workforce_numbers(scope, period),
    }


# --- the drill-down list -----------------------------------------------------------------------------


def population_clients(
    key: str,
    scope: Scope,
    period: Period,
    *,
    user: User,
    dimension: str | None = None,
    value: str | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Sequence[Client]:
    """The clients behind a count, in the user's client scope, keyset-paged on id."""
    population = CLIENT_POPULATIONS[key](scope, period)
    stmt = sa.select(Client).where(Client.id.in_(population), client_scope(user))
    if dimension is not None:
        stmt = stmt.where(_dimension_is(dimension, value or "", scope, period))
    if after:
        stmt = stmt.where(Client.id > after)
    return db.session.scalars(stmt.order_by(Client.id).limit(limit + 1)).all()


def population_count(
    key: str, scope: Scope, period: Period, *, user: User, dimension: str | None = None, value: str | None = None
) -> int:
    stmt = sa.select(sa.func.count(Client.id)).where(
        Client.id.in_(CLIENT_POPULATIONS[key](scope, period)), client_scope(user)
    )
    if dimension is not None:
        stmt = stmt.where(_dimension_is(dimension, value or "", scope, period))
    return db.session.scalar(stmt) or 0


def _dimension_is(dimension: str, value: str, scope: Scope, period: Period) -> Condition:
    if dimension in MEMBERSHIP_DIMENSIONS:
        return managed_with(dimension, value, scope, period)
    return client_dimension(dimension, period) == value


def cases_of_clients(client_ids: Sequence[int], scope: Scope, period: Period) -> dict[int, list[Case]]:
    """The cases (active in the period, in scope) of the listed clients: {client_id: [Case]}."""
    if not client_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Case)
        .where(Case.client_id.in_(client_ids), scope.holds(Case.facility_id), _case_active(period))
        .order_by(Case.id)
    ).all()
    result: dict[int, list[Case]] = {}
    for case in rows:
        result.setdefault(case.client_id, []).append(case)
    return result


# --- reference data and snapshots ----------------------------------------------------------------------


def _place_is(group_id: int | None, commune_code: str | None) -> Condition:
    """SQL on ReferenceValue: entered for that place (both None: the province itself)."""
    return sa.and_(ReferenceValue.commune_group_id == group_id, ReferenceValue.commune_code == commune_code)


def reference_values(
    province_code: str, year: int, *, group_id: int | None = None, commune_code: str | None = None
) -> dict[str, ReferenceValue]:
    """{key: ReferenceValue} entered for one place of the province — the province itself, one of its
    commune groups or one of its communes — and year."""
    rows = db.session.scalars(
        sa.select(ReferenceValue).where(
            ReferenceValue.province_code == province_code,
            ReferenceValue.year == year,
            _place_is(group_id, commune_code),
        )
    ).all()
    return {row.key: row for row in rows}


@dataclass(frozen=True)
class Place:
    """Where reference numbers are entered: a commune, a commune group, or the province (both None)."""

    group_id: int | None
    commune_code: str | None
    name: str


def reference_places(scope: Scope) -> list[Place]:
    """Where the reference numbers of a scope's report are looked for, narrowest first: a commune, then
    the commune groups holding it (the smallest first), then the province; a commune group, then the
    province; a facility or the province: the province."""
    places = []
    if scope.kind == "commune" and scope.commune_code:
        commune = db.session.get(Commune, scope.commune_code)
        places.append(Place(None, scope.commune_code, commune.name if commune else scope.commune_code))
        places += [Place(group.id, None, group.name) for group in groups_holding(scope.commune_code)]
    elif scope.kind == "commune_group" and scope.group_id is not None:
        group = db.session.get(CommuneGroup, scope.group_id)
        places.append(Place(scope.group_id, None, group.name if group else ""))
    province = db.session.get(Province, scope.province_code)
    places.append(Place(None, None, province.name if province else scope.province_code or ""))
    return places


PLAN_YEARS = (2025, 2030)  # the years the plans set their targets for (QĐ 112/QĐ-TTg and the local plans)


def reference_for(scope: Scope, year: int) -> dict[str, list[Any]]:
    """{key: [value, source, place name]} of the scope's report (what a frozen report keeps): for each
    number, the value in force — as a supervisor confirmed it; an entry waiting for confirmation is not
    used — of the narrowest place that has one (reference_places). A district plan's target entered
    for its commune group is the target of the group and of each of its communes that has none of its
    own; the province's, of the rest. A place that set a target for 2025 and 2030 but none for a year in
    between has the one its own targets give (indicators.own_target_between), as [value, sources, place,
    "path" | "2030"]."""
    places = reference_places(scope)
    rank = {(place.group_id, place.commune_code): n for n, place in enumerate(places)}
    years = {year, *PLAN_YEARS} if PLAN_YEARS[0] < year < PLAN_YEARS[1] else {year}
    rows = db.session.scalars(
        sa.select(ReferenceValue).where(
            ReferenceValue.province_code == scope.province_code,
            ReferenceValue.year.in_(sorted(years)),
            ReferenceValue.confirmed_value.is_not(None),
            sa.or_(*(_place_is(place.group_id, place.commune_code) for place in places)),
        )
    ).all()
    found = {(rank[(row.commune_group_id, row.commune_code)], row.key, row.year): row for row in rows}
    reference: dict[str, list[Any]] = {}
    for key in sorted({row.key for row in rows}):
        for n, place in enumerate(places):
            entry = _in_force(key, year, *(found.get((n, key, y)) for y in (year, *PLAN_YEARS)))
            if entry is not None:
                reference[key] = [entry[0], entry[1], place.name, *entry[2:]]
                break
    return reference


def _in_force(
    key: str, year: int, of_year: ReferenceValue | None, first: ReferenceValue | None, last: ReferenceValue | None
) -> list[Any] | None:
    """[value, source] a place entered for the year, else [value, sources, how] of a target its 2025
    and 2030 targets give (None: neither)."""
    if of_year is not None:
        return [of_year.confirmed_value, of_year.confirmed_source]
    between = indicators.own_target_between(
        key, year, first.confirmed_value if first else None, last.confirmed_value if last else None
    )
    if between is None:
        return None
    sources = [row.confirmed_source for row in (first, last) if row is not None and row.confirmed_source]
    return [between[0], "; ".join(dict.fromkeys(sources)), between[1]]


def _waiting() -> Condition:
    """SQL on ReferenceValue: entered (or changed) since a supervisor last confirmed it (is_pending)."""
    value, source = ReferenceValue.confirmed_value, ReferenceValue.confirmed_source
    return sa.or_(value.is_(None), source.is_(None), value != ReferenceValue.value, source != ReferenceValue.source)


def pending_reference_values(province_code: str) -> Sequence[ReferenceValue]:
    """The province's reference numbers waiting for a supervisor's confirmation, with who entered them:
    the latest year first."""
    return db.session.scalars(
        sa.select(ReferenceValue)
        .where(ReferenceValue.province_code == province_code, _waiting())
        .options(joinedload(ReferenceValue.entered_by))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
        .order_by(
            ReferenceValue.year.desc(),
            ReferenceValue.commune_group_id,
            ReferenceValue.commune_code,
            ReferenceValue.key,
            ReferenceValue.id,
        )
    ).all()


def reference_value_in_reach(value_id: int, user: User) -> ReferenceValue | None:
    """A reference number of the user's province (None: another province's, or none)."""
    return db.session.scalar(
        sa.select(ReferenceValue).where(ReferenceValue.id == value_id, own_province(ReferenceValue.province_code, user))
    )


# --- commune groups --------------------------------------------------------------------------------------


def _group_size() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .where(commune_group_communes.c.group_id == CommuneGroup.id)
        .correlate(CommuneGroup)
        .scalar_subquery()
    )


def groups_holding(commune_code: str) -> Sequence[CommuneGroup]:
    """The commune groups a commune belongs to, the smallest (fewest communes) first."""
    return db.session.scalars(
        sa.select(CommuneGroup)
        .join(commune_group_communes, commune_group_communes.c.group_id == CommuneGroup.id)
        .where(commune_group_communes.c.commune_code == commune_code)
        .order_by(_group_size(), CommuneGroup.id)
    ).all()


def commune_groups(user: User) -> Sequence[tuple[CommuneGroup, int]]:
    """(group, number of communes) of the user's province, by name."""
    rows = db.session.execute(
        sa.select(CommuneGroup, _group_size()).where(commune_group_scope(user)).order_by(CommuneGroup.name)
    )
    return [(group, size) for group, size in rows.tuples()]


def commune_group(group_id: int, user: User) -> CommuneGroup | None:
    """A group of the user's province, with its communes (None: another province's, or none)."""
    return db.session.scalar(
        sa.select(CommuneGroup)
        .where(CommuneGroup.id == group_id, commune_group_scope(user))
        .options(selectinload(CommuneGroup.communes))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property
    )


def province_commune(commune_code: str, user: User) -> Commune | None:
    """A commune of the user's province (None: another province's, or none)."""
    return db.session.scalar(
        sa.select(Commune).where(Commune.code == commune_code, own_province(Commune.province_code, user))
    )


def province_communes(user: User) -> Sequence[Commune]:
    """The communes of the user's province, in Vietnamese alphabetical order."""
    rows = db.session.scalars(sa.select(Commune).where(own_province(Commune.province_code, user)))
    return sorted(rows, key=lambda c: (place_sort_key(c.name), c.code))


def snapshots_of_facility(facility_id: int, limit: int = 100) -> Sequence[ReportSnapshot]:
    return (
        db.session.scalars(
            sa.select(ReportSnapshot)
            .where(ReportSnapshot.facility_id == facility_id)
            .options(joinedload(ReportSnapshot.frozen_by), joinedload(ReportSnapshot.reopened_by))  # type: ignore[arg-type]  # an unannotated db.relationship() is typed as its property, not an attribute
            .order_by(ReportSnapshot.period_start.desc(), ReportSnapshot.id.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )


def frozen_snapshot(facility_id: int, period: Period) -> ReportSnapshot | None:
    return db.session.scalar(
        sa.select(ReportSnapshot).where(
            ReportSnapshot.facility_id == facility_id,
            ReportSnapshot.period_start == period.start,
            ReportSnapshot.period_end == period.end,
            ReportSnapshot.status == SnapshotStatus.FROZEN,
        )
    )


def province_facilities(province_code: str) -> Sequence[Facility]:
    return db.session.scalars(
        sa.select(Facility)
        .where(Facility.province_code == province_code, Facility.is_active.is_(True))
        .order_by(Facility.name, Facility.id)
    ).all()


def province_frozen_snapshots(province_code: str, period: Period) -> dict[int, ReportSnapshot]:
    """{facility_id: ReportSnapshot} of the province's facilities frozen for exactly this period."""
    rows = db.session.scalars(
        sa.select(ReportSnapshot)
        .join(Facility, Facility.id == ReportSnapshot.facility_id)
        .where(
            Facility.province_code == province_code,
            ReportSnapshot.period_start == period.start,
            ReportSnapshot.period_end == period.end,
            ReportSnapshot.status == SnapshotStatus.FROZEN,
        )
    ).all()
    return {row.facility_id: row for row in rows}


def snapshot_in_reach(snapshot_id: int, user: User) -> ReportSnapshot | None:
    """A snapshot the user may read: their facility's, or (VIEW_PROVINCE_REPORTS) their province's."""
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        return None
    if same_facility(user, snapshot):
        return snapshot
    if has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
        facility = db.session.get(Facility, snapshot.facility_id)
        if facility is not None and facility.province_code == user.facility.province_code:
            return snapshot
    return None


# --- report files made in the background -----------------------------------------------------------------

PROVINCE_SCOPES = ("province", "province_frozen")


def _jobs_in_reach(user: User) -> Condition:
    """SQL on ExportJob: the facility's report files; those of the province only for province readers."""
    condition = own_facility(ExportJob.facility_id, user)
    if not has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
        condition = sa.and_(condition, ExportJob.user_id == user.id)
    return condition


def export_jobs(user: User, limit: int = 50) -> Sequence[ExportJob]:
    return db.session.scalars(
        sa.select(ExportJob).where(_jobs_in_reach(user)).order_by(ExportJob.id.desc()).limit(limit)
    ).all()


def export_job_in_reach(job_id: int, user: User) -> ExportJob | None:

    return db.session.scalar(sa.select(ExportJob).where(ExportJob.id == job_id, _jobs_in_reach(user)))


def report_settings(facility_id: int) -> ReportSettings | None:
    """How the facility heads and signs its reports (none saved yet: None)."""
    return db.session.scalar(sa.select(ReportSettings).where(ReportSettings.facility_id == facility_id))
