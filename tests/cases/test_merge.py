"""Merging two records of the same person: everything moves to the kept record, both
histories stay readable, empty fields are filled (and recorded), nothing is discarded, it is
audited, and the refusals hold. The page is for supervisors only."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseEvent
from caseapp.clients import merge as merge_module
from caseapp.clients.merge import merge_clients
from caseapp.clients.models import Client, ClientChange, Consent, FamilyMember
from caseapp.clients.queries import client_history, merged_ids, search_statement
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import utcnow
from caseapp.extensions import db
from caseapp.intake.models import Intake
from caseapp.register.models import GroupMembership
from caseapp.shelter.models import ShelterStay

from .. import factories


@pytest.fixture()
def pair(staff):
    """Two records of one woman: the first registered with a name, the second by alias at the shelter."""
    f = staff.facility
    keep = factories.make_client(
        f, full_name="Lò Thị Mai", sex="female", phone="0912 345 678", province_code=f.province_code
    )
    away = factories.make_client(
        f,
        full_name=None,
        alias="Chị M",
        sex="unknown",
        citizen_id="001190012345",
        birth_year=1990,
        birth_precision="year",
        province_code=f.province_code,
        commune_code=f.commune_code,
        is_sensitive=True,
        hometown="Sơn La",
    )
    for client, code in ((keep, "em_domestic_violence"), (away, "em_domestic_violence"), (away, "ot_poor_household")):
        factories.make_membership(client, code)
    db.session.add_all(
        [
            FamilyMember(
                client_id=away.id, full_name="Lò Văn Chồng", relationship="spouse", is_alleged_perpetrator=True
            ),
            Consent(client_id=away.id, purpose="services", given_by="client"),
            Intake(
                facility_id=f.id,
                client_id=away.id,
                received_at=utcnow(),
                channel="hotline_dv",
                urgency="high",
                decision="open_case",
            ),
            ClientChange(client_id=away.id, kind="created", changes={"alias": [None, "Chị M"]}),
            ClientChange(client_id=keep.id, kind="created", changes={"full_name": [None, "Lò Thị Mai"]}),
        ]
    )
    db.session.flush()
    keep_case = factories.make_case(f, client=keep, worker=staff.worker)
    away_case = factories.make_case(f, client=away, worker=staff.colleague, case_type="emergency_shelter")
    db.session.add(
        ShelterStay(
            facility_id=f.id,
            client_id=away.id,
            case_id=away_case.id,
            admitted_at=utcnow(),
            planned_end_at=utcnow() + timedelta(days=30),
        )
    )
    db.session.flush()
    return keep, away, keep_case, away_case


def _count(model, client_id):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.client_id == client_id))


def test_merge_moves_cases_intakes_consents_family_groups_and_stays(staff, pair):
    keep, away, keep_case, away_case = pair
    result = merge_clients(keep, away, by=staff.supervisor, reason="Cùng một người: trùng số căn cước")
    for model in (Case, Intake, Consent, FamilyMember, ShelterStay):
        assert _count(model, away.id) == 0, model
    assert _count(Case, keep.id) == 2
    assert _count(Intake, keep.id) == 1 and _count(Consent, keep.id) == 1
    assert _count(FamilyMember, keep.id) == 1 and _count(ShelterStay, keep.id) == 1
    groups = _group_codes(keep.id)
    assert groups == {"em_domestic_violence", "ot_poor_household"}
    assert result.moved == {
        "cases": 1,
        "intakes": 1,
        "consents": 1,
        "family_members": 1,
        "group_memberships": 1,
        "shelter_stays": 1,
    }
    db.session.expire_all()
    assert db.session.get(Case, away_case.id).client_id == keep.id
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == away_case.id, CaseEvent.kind == "client_merged")
    ).all()
    assert len(events) == 1 and away.code in events[0].text


def test_merge_keeps_both_histories_readable_from_the_kept_record(staff, pair):
    keep, away, *_ = pair
    merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    db.session.flush()
    assert set(merged_ids(keep.id)) == {keep.id, away.id}
    history = db.session.scalars(client_history(merged_ids(keep.id))).unique().all()
    kinds = sorted((h.client_id == keep.id, h.kind) for h in history)
    assert kinds == [(False, "created"), (False, "merged"), (True, "created"), (True, "merged")]
    keep_merge = next(h for h in history if h.client_id == keep.id and h.kind == "merged")
    away_merge = next(h for h in history if h.client_id == away.id and h.kind == "merged")
    assert keep_merge.changes["merged_from"] == [None, away.code]
    assert keep_merge.changes["reason"] == [None, "Trùng"]
    assert away_merge.changes["merged_into"] == [None, keep.code]
    assert keep_merge.changed_by_id == staff.supervisor.id


def test_merge_fills_empty_fields_of_the_kept_record_and_records_which(staff, pair):
    keep, away, *_ = pair
    result = merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    assert keep.full_name == "Lò Thị Mai" and keep.sex == "female"  # kept values are never overwritten
    assert keep.alias == "Chị M"
    assert keep.citizen_id == "001190012345"
    assert (keep.birth_year, keep.birth_precision) == (1990, "year")
    assert keep.commune_code == away.commune_code and keep.hometown == "Sơn La"
    assert keep.is_sensitive is True  # a merge never unseals
    assert set(result.filled) == {
        "alias",
        "citizen_id",
        "birth_year",
        "birth_precision",
        "commune_code",
        "hometown",
        "is_sensitive",
    }
    change = db.session.scalar(
        sa.select(ClientChange).where(ClientChange.client_id == keep.id, ClientChange.kind == "merged")
    )
    assert change.changes["citizen_id"] == [None, "001190012345"]
    assert change.changes["alias"] == [None, "Chị M"]
    assert "full_name" not in change.changes and "sex" not in change.changes


def test_merge_discards_nothing(staff, pair):
    keep, away, *_ = pair
    merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    db.session.flush()
    db.session.expire_all()
    away = db.session.get(Client, away.id)
    assert away is not None and away.merged_into_id == keep.id
    assert (away.alias, away.birth_year, away.hometown, away.is_sensitive) == ("Chị M", 1990, "Sơn La", True)
    # the citizen ID is unique, so it moved — and the merged-away record's history says so
    assert away.citizen_id is None
    change = db.session.scalar(
        sa.select(ClientChange).where(ClientChange.client_id == away.id, ClientChange.kind == "merged")
    )
    assert change.changes["citizen_id"] == ["001190012345", None]
    # a group both had stays on the merged-away record too
    assert _group_codes(away.id) == {"em_domestic_violence"}


def _group_codes(client_id):
    return set(db.session.scalars(sa.select(GroupMembership.group_code).where(GroupMembership.client_id == client_id)))


def test_merged_away_names_still_find_the_kept_record(staff, pair):
    keep, away, *_ = pair
    merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    db.session.flush()
    assert [c.id for c in db.session.scalars(search_statement(staff.supervisor, "chi m"))] == [keep.id]
    assert [c.id for c in db.session.scalars(search_statement(staff.supervisor, "001190012345"))] == [keep.id]


def test_merge_is_audited_without_personal_data(staff, pair):
    keep, away, *_ = pair
    merge_clients(keep, away, by=staff.supervisor, reason="Chị M là Lò Thị Mai")
    db.session.flush()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "clients_merged"))
    assert event.user_id == staff.supervisor.id
    assert (event.entity_type, event.entity_id, event.facility_id) == ("clients", str(keep.id), staff.facility.id)
    assert event.detail["merged_client_id"] == away.id
    assert event.detail["moved"]["cases"] == 1
    for secret in ("Mai", "Chị M", "001190012345", "Sơn La"):
        assert secret not in str(event.detail)


def test_birth_date_fills_only_a_record_without_one(staff):
    f = staff.facility
    keep = factories.make_client(f, full_name="A", birth_year=2010, birth_precision="year")
    away = factories.make_client(
        f, full_name="A", birth_date=date(2010, 3, 4), birth_year=2010, birth_precision="exact"
    )
    merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    assert (keep.birth_date, keep.birth_precision) == (date(2010, 3, 4), "exact")  # same year: a refinement
    other_keep = factories.make_client(f, full_name="B", birth_year=2009, birth_precision="estimated")
    other_away = factories.make_client(
        f, full_name="B", birth_date=date(2011, 1, 1), birth_year=2011, birth_precision="exact"
    )
    merge_clients(other_keep, other_away, by=staff.supervisor, reason="Trùng")
    assert (other_keep.birth_date, other_keep.birth_year) == (None, 2009)  # a different year is not "empty"


def test_merging_into_a_record_that_absorbed_others_keeps_the_whole_chain(staff):
    f = staff.facility
    a, b, c = (factories.make_client(f, full_name=n) for n in ("Một", "Hai", "Ba"))
    merge_clients(b, a, by=staff.supervisor, reason="1")
    merge_clients(c, b, by=staff.supervisor, reason="2")
    db.session.flush()
    assert set(merged_ids(c.id)) == {a.id, b.id, c.id}


def test_refuses_merging_a_record_into_itself(staff, pair):
    keep, *_ = pair
    with pytest.raises(ServiceError, match="chính nó|itself"):
        merge_clients(keep, keep, by=staff.supervisor, reason="x")


def test_refuses_merging_across_facilities(staff, pair):
    keep, *_ = pair
    stranger = factories.make_client(staff.other_facility, full_name="Lò Thị Mai")
    with pytest.raises(ServiceError):
        merge_clients(keep, stranger, by=staff.supervisor, reason="x")
    with pytest.raises(ServiceError):
        merge_clients(stranger, keep, by=staff.supervisor, reason="x")


def test_refuses_an_already_merged_record_either_way(staff, pair):
    keep, away, *_ = pair
    merge_clients(keep, away, by=staff.supervisor, reason="Trùng")
    third = factories.make_client(staff.facility, full_name="Ba")
    with pytest.raises(ServiceError):
        merge_clients(third, away, by=staff.supervisor, reason="x")
    with pytest.raises(ServiceError):
        merge_clients(away, third, by=staff.supervisor, reason="x")


def test_refuses_a_merge_without_a_reason_and_changes_nothing(staff, pair):
    keep, away, *_ = pair
    with pytest.raises(ServiceError) as refused:
        merge_clients(keep, away, by=staff.supervisor, reason="   ")
    assert refused.value.field == "reason"
    assert _count(Case, away.id) == 1 and away.merged_into_id is None


def test_every_table_pointing_at_clients_is_handled_by_the_merge():
    """A new table with a client_id must be added to merge.MOVED_TABLES (or KEPT_TABLES)."""
    pointing = {
        fk.parent.table.name
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "clients"
    }
    handled = set(merge_module.MOVED_TABLES) | set(merge_module.KEPT_TABLES) | set(merge_module.SELF_REFERENCES)
    assert pointing - handled == set(), "decide what a client merge does with these tables"


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["worker", "shelter", "admin", "reporter"])
def test_merge_page_is_for_supervisors_only(staff, pair, signed_in, role):
    keep, away, *_ = pair
    client = signed_in(getattr(staff, role))
    assert client.get(f"/clients/merge?keep={keep.id}&other={away.id}").status_code == 403
    response = client.post(f"/clients/merge?keep={keep.id}&other={away.id}", data={"reason": "x", "confirm": "y"})
    assert response.status_code == 403
    assert db.session.get(Client, away.id).merged_into_id is None


def test_merge_page_shows_both_records_side_by_side(staff, pair, signed_in):
    keep, away, keep_case, away_case = pair
    response = signed_in(staff.supervisor).get(f"/clients/merge?keep={keep.id}&other={away.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Lò Thị Mai",
        "Chị M",
        keep.code,
        away.code,
        "001190012345",
        keep_case.number,
        away_case.number,
        "sẽ được bổ sung từ hồ sơ kia",
        "chuyển sang hồ sơ giữ lại",
        "Lý do gộp hồ sơ",
    ):
        assert text in page, text
    assert f"keep={away.id}&amp;other={keep.id}" in page  # swap which record is kept
    viewed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "clients_merge_viewed"))
    assert viewed.entity_id == str(keep.id) and viewed.detail == {"other_client_id": away.id}


def test_merge_page_without_records_asks_for_them_and_accepts_codes(staff, pair, signed_in):
    keep, away, *_ = pair
    client = signed_in(staff.supervisor)
    assert "Hồ sơ giữ lại (mã đối tượng)" in client.get("/clients/merge").get_data(as_text=True)
    assert client.get(f"/clients/merge?keep={keep.code}&other={away.code.lower()}").status_code == 200


def test_merge_page_answers_404_for_a_client_out_of_reach(staff, pair, signed_in):
    keep, *_ = pair
    stranger = factories.make_client(staff.other_facility, full_name="Người khác")
    client = signed_in(staff.supervisor)
    assert client.get(f"/clients/merge?keep={keep.id}&other={stranger.id}").status_code == 404
    assert (
        client.post(
            f"/clients/merge?keep={keep.id}&other={stranger.id}", data={"reason": "x", "confirm": "y"}
        ).status_code
        == 404
    )


def test_merge_needs_a_reason_and_a_confirmation_and_keeps_what_was_typed(staff, pair, signed_in):
    keep, away, *_ = pair
    client = signed_in(staff.supervisor)
    response = client.post(f"/clients/merge?keep={keep.id}&other={away.id}", data={"reason": "Trùng số CCCD"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Trùng số CCCD" in page and "Trường này là bắt buộc." in page
    assert db.session.get(Client, away.id).merged_into_id is None


def test_merge_through_the_page(staff, pair, signed_in, app):
    keep, away, *_ = pair
    client = signed_in(staff.supervisor)
    response = client.post(
        f"/clients/merge?keep={keep.id}&other={away.id}", data={"reason": "Trùng số CCCD", "confirm": "y"}
    )
    assert response.status_code == 302
    if "clients.show" in app.view_functions:
        assert response.headers["Location"].endswith(f"/clients/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Client, away.id).merged_into_id == keep.id
    assert _count(Case, keep.id) == 2
    # merging again is refused on the page, without a form
    again = client.get(f"/clients/merge?keep={keep.id}&other={away.id}")
    assert "Một trong hai hồ sơ đã được gộp vào hồ sơ khác." in again.get_data(as_text=True)
    assert "Gộp hồ sơ</button>" not in again.get_data(as_text=True)
