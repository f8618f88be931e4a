"""Dated memberships: a change takes effect on its date, so a count on a past date does not move when
today's data changes, unless the change is explicitly dated in the past."""

from datetime import date

import pytest
import sqlalchemy as sa

from caseapp.clients.models import ClientChange
from caseapp.core.services import ServiceError
from caseapp.extensions import db
from caseapp.register import queries, services
from caseapp.register.models import MembershipVersion

TODAY = date(2026, 12, 8)  # the tests' fixed clock


def _managed(client, day):
    return db.session.scalars(queries.managed_group_codes(client.id, day)).all()


def _add(client, by, group="bt_elderly", **data):
    return services.add_membership(client, group, {"effective_from": date(2025, 1, 1), **data}, by=by)


def _latest(membership):
    return services.latest_version(membership.id)


def test_an_end_today_leaves_past_counts_alone_and_an_end_dated_in_the_past_changes_them(staff, new_client):
    person = new_client("Nguyễn Văn Cao Tuổi")
    membership = _add(person, staff.worker)
    assert _managed(person, date(2025, 6, 30)) == ["bt_elderly"]
    assert _managed(person, date(2024, 12, 31)) == []

    ended = {"effective_from": TODAY, "status": "ended", "reason": "Chuyển nơi cư trú"}
    services.change_membership(membership, ended, by=staff.worker, seen_version_id=_latest(membership).id)
    assert _managed(person, date(2025, 6, 30)) == ["bt_elderly"]
    assert _managed(person, TODAY) == []

    correction = {"effective_from": date(2025, 3, 1), "status": "ended", "reason": "Đã chết từ 01/3/2025"}
    services.change_membership(membership, correction, by=staff.worker, seen_version_id=_latest(membership).id)
    assert _managed(person, date(2025, 2, 28)) == ["bt_elderly"]
    assert _managed(person, date(2025, 6, 30)) == []


def test_a_suspension_keeps_the_person_under_management_and_a_change_keeps_what_it_does_not_set(staff, new_client):
    person = new_client("Trần Thị Khuyết Tật")
    membership = _add(
        person,
        staff.worker,
        group="bt_disability",
        disability_type="mental",
        disability_degree="severe",
        decision_number="12/QĐ-UBND",
        decision_date=date(2024, 12, 20),
        allowance_coefficient="2,5",
        allowance_amount=1_250_000,
    )
    suspended = {"effective_from": date(2026, 3, 1), "status": "suspended", "reason": "Không nhận trợ cấp 3 tháng"}
    services.change_membership(membership, suspended, by=staff.worker, seen_version_id=_latest(membership).id)
    assert _managed(person, date(2026, 6, 1)) == ["bt_disability"]
    version = _latest(membership)
    assert (version.status, version.disability_type, version.disability_degree) == ("suspended", "mental", "severe")
    assert (version.decision_number, str(version.allowance_coefficient), version.allowance_amount) == (
        "12/QĐ-UBND",
        "2.50",
        1_250_000,
    )


@pytest.mark.parametrize(
    "group, data, field",
    [
        ("bt_disability", {}, "disability_type"),
        ("bt_disability", {"disability_type": "vision"}, "disability_degree"),
        ("bt_disability", {"disability_type": "vision", "disability_degree": "mild"}, "disability_degree"),
        ("bt_elderly", {"status": "suspended"}, "reason"),
        ("bt_elderly", {"decision_date": date(2026, 12, 9)}, "decision_date"),
        ("bt_elderly", {"allowance_coefficient": "một rưỡi"}, "allowance_coefficient"),
        ("bt_elderly", {"allowance_coefficient": "0"}, "allowance_coefficient"),
        ("bt_elderly", {"allowance_amount": -1}, "allowance_amount"),
        ("bt_elderly", {"effective_from": None}, "effective_from"),
        ("no_such_group", {}, "group_code"),
    ],
)
def test_a_membership_is_refused_on_the_field_at_fault(staff, new_client, group, data, field):
    person = new_client()
    with pytest.raises(ServiceError) as refused:
        _add(person, staff.worker, group=group, **data)
    assert refused.value.field == field


def test_a_disability_of_a_child_may_be_mild_and_other_groups_drop_a_disabilitys_details(staff, new_client):
    child = new_client("Lê Văn Bé")
    _add(child, staff.worker, group="cs_disability", disability_type="intellectual", disability_degree="mild")
    elderly = _add(child, staff.worker, group="bt_elderly", disability_type="vision", disability_degree="mild")
    assert _latest(elderly).disability_type is None


def test_a_second_open_membership_of_the_same_group_is_refused(staff, new_client):
    person = new_client()
    _add(person, staff.worker)
    with pytest.raises(ServiceError) as refused:
        _add(person, staff.worker)
    assert refused.value.field == "group_code"


def test_a_change_based_on_an_old_version_is_refused_and_writes_nothing(staff, new_client):
    person = new_client()
    membership = _add(person, staff.worker)
    seen = _latest(membership).id
    change = {"effective_from": TODAY, "status": "suspended", "reason": "Tạm dừng"}
    services.change_membership(membership, change, by=staff.colleague, seen_version_id=seen)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(MembershipVersion))
    with pytest.raises(ServiceError):
        services.change_membership(membership, {**change, "reason": "Của tôi"}, by=staff.worker, seen_version_id=seen)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipVersion)) == before


def test_a_change_cannot_take_effect_before_the_membership_began(staff, new_client):
    person = new_client()
    membership = _add(person, staff.worker)
    with pytest.raises(ServiceError) as refused:
        services.change_membership(
            membership,
            {"effective_from": date(2024, 1, 1), "status": "ended", "reason": "x"},
            by=staff.worker,
            seen_version_id=_latest(membership).id,
        )
    assert refused.value.field == "effective_from"


def test_the_client_forms_list_starts_and_ends_memberships_today_and_keeps_the_history(staff, new_client):
    person = new_client()
    _add(person, staff.worker, group="ot_poor_household")
    assert services.set_groups(person, ["bt_elderly"], by=staff.worker) is True
    assert _managed(person, TODAY) == ["bt_elderly"]
    assert _managed(person, date(2026, 12, 7)) == ["ot_poor_household"]
    assert services.set_groups(person, ["bt_elderly"], by=staff.worker) is False
    kinds = db.session.scalars(
        sa.select(ClientChange.kind).where(ClientChange.client_id == person.id).order_by(ClientChange.id)
    ).all()
    assert kinds == ["created", "membership_added", "membership_added", "membership_changed"]


def test_counted_during_a_period_from_its_first_day_or_taking_effect_within_it(staff, new_client):
    from caseapp.register.models import GroupMembership

    before = new_client("Trước kỳ")
    within = new_client("Trong kỳ")
    after = new_client("Sau kỳ")
    ended_before = new_client("Thôi trước kỳ")
    _add(before, staff.worker, effective_from=date(2024, 5, 1))
    _add(within, staff.worker, effective_from=date(2025, 6, 1))
    _add(after, staff.worker, effective_from=date(2026, 2, 1))
    gone = _add(ended_before, staff.worker, effective_from=date(2024, 1, 1))
    services.change_membership(
        gone,
        {"effective_from": date(2024, 12, 1), "status": "ended", "reason": "x"},
        by=staff.worker,
        seen_version_id=_latest(gone).id,
    )
    during = queries.managed_during(date(2025, 1, 1), date(2025, 12, 31)).where(
        GroupMembership.client_id.in_([before.id, within.id, after.id, ended_before.id])
    )
    assert {client_id for client_id, _code in db.session.execute(during)} == {before.id, within.id}


def test_a_disability_group_ticked_on_the_client_form_leaves_its_type_and_degree_unrecorded(staff, new_client):
    person = new_client()
    services.set_groups(person, ["bt_disability"], by=staff.worker)
    membership = db.session.scalars(queries.memberships_of(person.id)).one()
    version = _latest(membership)
    assert (version.disability_type, version.disability_degree) == (None, None)
    services.set_groups(person, [], by=staff.worker)  # unticked: ended, still without a guess
    assert (_latest(membership).status, _latest(membership).disability_type) == ("ended", None)


def test_each_version_ends_where_the_next_takes_effect_and_of_two_on_one_day_the_later_is_in_force(staff, new_client):
    person = new_client("Trần Thị Chuỗi")
    membership = _add(person, staff.worker)
    suspended = {"effective_from": date(2025, 6, 1), "status": "suspended", "reason": "Đi khỏi địa phương"}
    services.change_membership(membership, suspended, by=staff.worker, seen_version_id=_latest(membership).id)
    ended = {"effective_from": date(2025, 6, 1), "status": "ended", "reason": "Chuyển nơi cư trú"}
    services.change_membership(membership, ended, by=staff.worker, seen_version_id=_latest(membership).id)
    earlier = {"effective_from": date(2025, 3, 1), "status": "suspended", "reason": "Nằm viện"}
    services.change_membership(membership, earlier, by=staff.worker, seen_version_id=_latest(membership).id)

    chain = db.session.execute(
        sa.select(MembershipVersion.effective_from, MembershipVersion.effective_to, MembershipVersion.status)
        .where(MembershipVersion.membership_id == membership.id)
        .order_by(MembershipVersion.effective_from, MembershipVersion.id)
    ).all()
    assert chain == [
        (date(2025, 1, 1), date(2025, 3, 1), "receiving"),
        (date(2025, 3, 1), date(2025, 6, 1), "suspended"),
        (date(2025, 6, 1), date(2025, 6, 1), "suspended"),  # never in force: ended the same day
        (date(2025, 6, 1), None, "ended"),
    ]
    assert _managed(person, date(2025, 5, 31)) == ["bt_elderly"]  # suspended: still managed
    assert _managed(person, date(2025, 6, 1)) == []
