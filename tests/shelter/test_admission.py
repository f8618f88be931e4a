"""Emergency admission: one screen, one transaction, one admission per form."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case, CaseEvent
from caseapp.clients.models import Client
from caseapp.core.sequences import CodeSequence
from caseapp.core.timeutil import VN_TZ, local_today, utcnow
from caseapp.intake.models import Intake
from caseapp.shelter import queries, services
from caseapp.shelter.forms import AdmissionForm
from caseapp.shelter.models import Bed, Room, ShelterStay
from caseapp.shelter.services import AdmittedChild

from .. import factories
from ..documents.helpers import pdf_text
from .conftest import SECRET_STREET


def counts(session):
    return {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Client, Intake, Case, ShelterStay, CaseEvent)
    }


def bed_names(session, stays):
    names = []
    for stay in stays:
        if stay.bed_id is None:
            names.append(None)
            continue
        bed = session.get(Bed, stay.bed_id)
        names.append(f"{session.get(Room, bed.room_id).name}/{bed.label}")
    return names


def local_input(moment):
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides):
    data = {
        "alias": "Chị Lan",
        "sex": "female",
        "approximate_age": "32",
        "arrived_at": local_input(utcnow() - timedelta(minutes=3)),
        "brought_by": "police",
        "children-0-sex": "female",
        "children-0-age": "3",
        "children-1-sex": "male",
        "children-1-age": "7",
        "children-1-name": "Bé Tí",
        "immediate_needs": ["medical", "clothing"],
        "immediate_danger": "yes",
        "submission_key": "k" * 32,
    }
    data.update(overrides)
    return data


# --- the service ------------------------------------------------------------------------------


def test_admission_creates_clients_intake_case_and_stays_with_links_and_due_dates(session, shelter, staff, admit):
    arrived = utcnow() - timedelta(minutes=10)
    admission = admit(children=[3, 7], arrived_at=arrived, submission_key="abc")
    assert admission.created
    stay, case = admission.stay, admission.case

    adult = session.get(Client, stay.client_id)
    assert adult.alias == "Chị H." and adult.full_name is None
    assert adult.code.startswith(f"TAM-{shelter.code}-")
    assert adult.birth_precision == "estimated" and adult.birth_year == local_today().year - 30
    assert adult.sex == "female"

    intake = session.get(Intake, case.intake_id)
    assert intake.is_emergency_admission and intake.decision == "open_case"
    assert intake.channel == "police" and intake.urgency == "emergency"
    assert intake.client_id == adult.id and intake.received_at == arrived
    assert intake.screening["danger_now"] == "yes" and intake.screening["child_involved"] == "yes"

    assert case.case_type == "emergency_shelter" and case.care_kind == "emergency"
    assert case.client_id == adult.id and case.facility_id == shelter.id
    assert case.assigned_worker_id == staff.id
    assert case.intake_incomplete is True
    assert case.intake_due_at == arrived + timedelta(hours=24)
    assert case.urgency == "emergency"

    children = queries.children_stays(stay)
    assert len(children) == 2
    kids = [session.get(Client, c.client_id) for c in children]
    assert [k.alias for k in kids] == [f"Con 1 của {adult.code}", f"Con 2 của {adult.code}"]
    assert [k.birth_year for k in kids] == [local_today().year - 3, local_today().year - 7]
    assert all(k.birth_precision == "estimated" for k in kids)
    for child in children:
        assert child.accompanying_stay_id == stay.id and child.case_id == case.id
        assert child.submission_key is None
    for one in [stay, *children]:
        assert one.admitted_at == arrived
        assert one.planned_end_at == arrived + timedelta(days=30)
        assert one.immediate_needs == ["medical"] and one.immediate_danger is True
        assert one.brought_by == "police"
    assert stay.submission_key == "abc"
    # beds: the first free ones, by room and bed label
    assert bed_names(session, [stay, *children]) == ["P1/1", "P1/2", "P2/1"]
    kinds = session.scalars(sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "opened" in kinds and "admitted" in kinds


def test_planned_end_follows_the_facility_maximum_stay(session, shelter, admit):
    shelter.max_stay_days = 90
    arrived = utcnow() - timedelta(hours=1)
    stay = admit(arrived_at=arrived).stay
    assert stay.planned_end_at == arrived + timedelta(days=90)


def test_no_immediate_danger_is_high_urgency_and_unknown_bringer_is_channel_other(session, admit):
    admission = admit(immediate_danger=False, brought_by="Hàng xóm đưa đến")
    intake = session.get(Intake, admission.case.intake_id)
    assert admission.case.urgency == "high" and intake.urgency == "high"
    assert intake.channel == "other"
    assert admission.stay.brought_by == "Hàng xóm đưa đến"


def test_full_shelter_refuses_the_whole_group_and_leaves_nothing(session, shelter, admit):
    shelter.capacity = 2
    session.flush()
    before = counts(session)
    sequences = session.scalars(sa.select(CodeSequence.last_value).order_by(CodeSequence.id)).all()
    with pytest.raises(services.ShelterFull) as refused:
        admit(children=[4, 9], submission_key="full-1")
    assert "2" in str(refused.value)
    assert counts(session) == before
    assert session.scalars(sa.select(CodeSequence.last_value).order_by(CodeSequence.id)).all() == sequences
    assert queries.stay_by_submission_key("full-1") is None


def test_capacity_is_the_number_of_active_beds_when_the_facility_sets_none(session, shelter, admit):
    assert shelter.capacity is None
    admit(children=[2, 5, 8])  # 4 persons, 4 beds
    with pytest.raises(services.ShelterFull):
        admit()


def test_capacity_beyond_beds_admits_without_a_bed(session, shelter, admit):
    shelter.capacity = 6
    admission = admit(children=[1, 2, 3, 4])  # 5 persons, 4 beds
    stays = [admission.stay, *queries.children_stays(admission.stay)]
    assert [s.bed_id is None for s in stays] == [False, False, False, False, True]


def test_same_submission_key_returns_the_first_admission(session, admit):
    first = admit(children=[5], submission_key="same-key")
    before = counts(session)
    again = admit(children=[5], submission_key="same-key")
    assert not again.created
    assert again.case.id == first.case.id and again.stay.id == first.stay.id
    assert counts(session) == before


def test_a_concurrent_insert_of_the_same_key_returns_the_first_admission(session, admit, monkeypatch):
    """The race: the look-up found nothing, then the insert hits the unique key committed meanwhile."""
    first = admit(submission_key="race-key")
    before = counts(session)
    real = queries.stay_by_submission_key
    calls = []

    def not_yet_visible(key):
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(queries, "stay_by_submission_key", not_yet_visible)
    again = admit(submission_key="race-key")
    assert len(calls) == 2
    assert not again.created and again.case.id == first.case.id
    assert counts(session) == before


def test_audit_of_an_admission_holds_no_personal_data(session, admit):
    admission = admit(alias="Chị Bí Danh Riêng", children=[6])
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "shelter_admitted")).all()
    assert [e.entity_id for e in events] == [str(admission.stay.id)]
    all_details = " ".join(str(e.detail) for e in session.scalars(sa.select(AuditEvent)))
    assert "Bí Danh" not in all_details and "Con 1" not in all_details


def test_each_child_is_admitted_with_sex_age_and_the_name_when_given(session, admit):
    admission = admit(
        children=[AdmittedChild(age=4, sex="male", name="Trần Văn Tí"), AdmittedChild(age=9, sex="female")]
    )
    kids = [session.get(Client, c.client_id) for c in queries.children_stays(admission.stay)]
    assert [(k.sex, k.birth_year, k.full_name) for k in kids] == [
        ("male", local_today().year - 4, "Trần Văn Tí"),
        ("female", local_today().year - 9, None),
    ]


def test_a_child_without_a_known_sex_or_with_an_adult_age_is_refused(session, admit):
    with pytest.raises(services.ServiceError):
        admit(children=[AdmittedChild(age=4, sex="")])
    with pytest.raises(services.ServiceError):
        admit(children=[AdmittedChild(age=18, sex="female")])


def test_admission_form_has_at_most_eight_required_fields(app):
    with app.test_request_context():
        form = AdmissionForm()
        required = [f.name for f in form if f.flags.required]
        visible = [f.name for f in form if f.type not in ("HiddenField", "CSRFTokenField")]
    assert len(required) <= 8, required
    assert set(required) >= {"alias", "sex", "approximate_age", "arrived_at", "brought_by", "immediate_danger"}
    assert len(visible) <= 10


# --- the screen ------------------------------------------------------------------------------


def test_admission_screen_defaults_arrival_to_now_in_vietnam_time(signed_in, staff):
    page = signed_in(staff).get("/shelter/admit").get_data(as_text=True)
    now_local = utcnow().astimezone(VN_TZ)
    assert f'value="{now_local.strftime("%Y-%m-%dT%H")}' in page
    assert re.search(r'name="submission_key" type="hidden" value="[0-9a-f]{32}"', page)
    for label in ("Y tế", "Ăn ở", "Quần áo", "Tâm lý", "Pháp lý"):
        assert label in page


def test_admission_screen_admits_and_lands_on_the_case(session, signed_in, staff):
    client = signed_in(staff)
    response = client.post("/shelter/admit", data=form_data())
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    case = session.get(Case, case_id)
    assert case.intake_incomplete and case.assigned_worker_id == staff.id
    stays = session.scalars(sa.select(ShelterStay).where(ShelterStay.case_id == case_id)).all()
    assert len(stays) == 3
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Chị Lan" in page


def test_double_submit_of_the_admission_form_creates_one_admission(session, signed_in, staff):
    client = signed_in(staff)
    before = counts(session)
    first = client.post("/shelter/admit", data=form_data(submission_key="d" * 32))
    second = client.post("/shelter/admit", data=form_data(submission_key="d" * 32))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    after = counts(session)
    assert after["Case"] == before["Case"] + 1
    assert after["Client"] == before["Client"] + 3
    assert after["ShelterStay"] == before["ShelterStay"] + 3
    assert after["Intake"] == before["Intake"] + 1


def test_a_validation_error_keeps_everything_typed(signed_in, staff):
    response = signed_in(staff).post("/shelter/admit", data=form_data(sex="", **{"children-1-sex": ""}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Chị Lan"' in page and 'value="32"' in page and 'value="Bé Tí"' in page
    assert 'value="' + "k" * 32 + '"' in page  # same one-time key: a resubmit is still one admission
    assert re.search(r'value="medical"[^>]*checked|checked[^>]*value="medical"', page)
    assert "Hãy chọn giới tính." in page
    assert "Hãy chọn giới tính của trẻ." in page  # the second child's row: age and name typed, no sex


def test_another_child_button_adds_a_row_and_saves_nothing(session, signed_in, staff):
    before = session.scalar(sa.select(sa.func.count(ShelterStay.id)))
    response = signed_in(staff).post("/shelter/admit", data=form_data(add_child="1"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="children-2-age"' in page and 'value="Bé Tí"' in page
    assert session.scalar(sa.select(sa.func.count(ShelterStay.id))) == before


def test_empty_child_rows_are_no_children(session, signed_in, staff):
    data = {k: v for k, v in form_data().items() if not k.startswith("children-")}
    response = signed_in(staff).post("/shelter/admit", data=data)
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert session.scalar(sa.select(sa.func.count(ShelterStay.id)).where(ShelterStay.case_id == case_id)) == 1


def test_full_shelter_screen_refuses_with_a_clear_message_and_the_referral_option(session, signed_in, staff, shelter):
    shelter.capacity = 1
    other = factories.make_facility(
        code="NTLKHAC",
        name="Nhà an toàn khác",
        type="shelter",
        province_code=shelter.province_code,
        phone="0203 111 222",
        confidential_address=True,
        street_address="Số 5 phố Kín",
    )
    centre = factories.make_facility(
        code="CTXHKHAC",
        name="Trung tâm CTXH cùng tỉnh",
        province_code=shelter.province_code,
        street_address="Số 2 Lê Lợi",
    )
    session.flush()
    before = counts(session)
    response = signed_in(staff).post("/shelter/admit", data=form_data())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nhà tạm lánh đã hết chỗ" in page
    assert other.name in page and centre.name in page and "0203 111 222" in page
    assert "Số 5 phố Kín" not in page and SECRET_STREET not in page
    assert counts(session) == before


def test_referral_list_prints_no_confidential_address(session, signed_in, staff, shelter):
    factories.make_facility(
        code="NTLKIN",
        name="Nhà an toàn kín",
        type="shelter",
        province_code=shelter.province_code,
        confidential_address=True,
        street_address="Số 5 phố Kín",
    )
    factories.make_facility(
        code="CTXHMO", name="Trung tâm mở", province_code=shelter.province_code, street_address="Số 2 Lê Lợi"
    )
    page = signed_in(staff).get("/shelter/referral").get_data(as_text=True)
    assert "Nhà an toàn kín" in page and "Số 5 phố Kín" not in page
    assert "Số 2 Lê Lợi" in page
    assert SECRET_STREET not in page


@pytest.mark.parametrize("role", ["social_worker", "reporter", "admin"])
def test_roles_without_admission_permission_are_refused(signed_in, shelter, role):
    client = signed_in(factories.make_user(role=role, facility=shelter))
    assert client.get("/shelter/admit").status_code == 403
    assert client.post("/shelter/admit", data=form_data()).status_code == 403


def test_a_submission_key_of_another_shelter_reveals_nothing(session, admit):
    admit(submission_key="shared-key")
    elsewhere = factories.make_facility(code="NTLKEY", type="shelter", capacity=5)
    other_staff = factories.make_user(role="shelter_staff", facility=elsewhere)
    with pytest.raises(services.ServiceError) as refused:
        admit(facility=elsewhere, by=other_staff, submission_key="shared-key")
    assert not isinstance(refused.value, services.ShelterFull)


def test_the_intake_form_prints_the_admission_once_and_lists_each_child(signed_in, staff, admit):
    admission = admit(
        alias="Chị Hạnh",
        children=[AdmittedChild(age=4, sex="male", name="Trần Văn Tí"), AdmittedChild(age=9, sex="female")],
    )
    response = signed_in(staff).get(f"/cases/{admission.case.id}/documents/intake.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert text.count("Tiếp nhận vào nhà tạm lánh") == 1
    assert "Trẻ em đi cùng (2)" in text
    assert "Trần Văn Tí" in text and "Nam 4 tuổi" in text
    assert "Con 2 của TAM-" in text and "Nữ 9 tuổi" in text
