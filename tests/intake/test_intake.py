"""The centre intake (tiếp nhận): reception, problems, first screening with a suggested urgency that may
be raised but not lowered, the decision, consent per purpose — all in one transaction, and the case
number <facility code>-<year>-<6 digits> when a case is opened."""

import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.cases.models import Case
from caseapp.clients.models import Client, Consent
from caseapp.core.services import ServiceError
from caseapp.core.timeutil import VN_TZ, local_today
from caseapp.intake import services as intake_services
from caseapp.intake.models import Intake
from caseapp.intake.services import suggest_urgency

NUMBER = re.compile(r"^(?P<code>[A-Z0-9]+)-(?P<year>\d{4})-(?P<seq>\d{6})$")


# --- the screening -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers,child,expected",
    [
        ({"danger_now": "yes"}, False, "emergency"),
        ({"danger_now": "no", "perpetrator_access": "yes"}, True, "emergency"),  # NĐ 56/2017 Điều 26.3
        ({"danger_now": "no", "child_involved": "yes", "perpetrator_access": "yes"}, False, "emergency"),
        ({"danger_now": "no", "injured": "yes", "safe_place": "no"}, False, "emergency"),
        ({"danger_now": "no", "injured": "yes", "safe_place": "yes"}, False, "high"),
        ({"danger_now": "no", "perpetrator_access": "yes"}, False, "high"),
        ({"danger_now": "no", "safe_place": "no"}, False, "high"),
        ({"danger_now": "no"}, True, "medium"),
        ({"danger_now": "unknown"}, False, "medium"),
        ({}, False, "medium"),
        ({"danger_now": "no", "injured": "no", "perpetrator_access": "no", "safe_place": "yes"}, False, "low"),
    ],
)
def test_screening_suggests_an_urgency(answers, child, expected):
    assert suggest_urgency(answers, child=child) == expected


# --- the page ------------------------------------------------------------------------------------


def form(**extra):
    data = {
        "received_at": "2026-03-10T21:30",
        "channel": "hotline_111",
        "referrer_name": "Chị Hoa",
        "referrer_org": "Hội LHPN xã",
        "referrer_contact": "0912 000 999",
        "problems": ["domestic_violence", "child_abuse"],
        "problem_note": "Bị chồng đánh",
        "danger_now": "no",
        "injured": "no",
        "child_involved": "no",
        "perpetrator_access": "no",
        "safe_place": "yes",
        "urgency": "",
        "decision": "open_case",
        "case_type": "center",
        "care_kind": "continuous",
        "referred_to": "",
        "note": "",
        "consent_services": "y",
        "consent_reports": "y",
        "consent_given_by": "client",
        "consent_giver_name": "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_intake_without_a_client_starts_with_search_before_create(staff, signed_in):
    response = signed_in(staff.worker).get("/intake/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/clients/new?next=intake"


def test_intake_form_defaults_to_now_the_current_worker_and_vietnamese(staff, new_client, signed_in):
    client = new_client("Lý Thị Hạnh")
    page = signed_in(staff.worker).get(f"/intake/new?client_id={client.id}").get_data(as_text=True)
    now = datetime.now(VN_TZ).strftime("%Y-%m-%dT")
    assert re.search(rf'name="received_at" type="datetime-local" value="{now}\d\d:\d\d"', page) or re.search(
        rf'type="datetime-local" value="{now}', page
    )
    assert f'<option selected value="{staff.worker.id}">' in page
    assert "Tổng đài 111" in page and "Sàng lọc ban đầu" in page
    assert "Lý Thị Hạnh" in page


def test_open_case_creates_intake_consents_and_case_in_one_go(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Hạnh")
    response = signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}", data=form(assigned_worker_id=str(staff.worker.id))
    )
    assert response.status_code == 302
    intake = session.scalar(sa.select(Intake).where(Intake.client_id == client.id))
    case = session.scalar(sa.select(Case).where(Case.intake_id == intake.id))
    assert response.headers["Location"] == f"/cases/{case.id}"
    # received at 21:30 Vietnam time = 14:30 UTC
    assert intake.received_at == datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc)
    assert (intake.channel, intake.referrer_name, intake.referrer_org, intake.referrer_contact) == (
        "hotline_111",
        "Chị Hoa",
        "Hội LHPN xã",
        "0912 000 999",
    )
    assert intake.problems == ["domestic_violence", "child_abuse"] and intake.problem_note == "Bị chồng đánh"
    assert intake.screening["safe_place"] == "yes" and intake.screening["suggested_urgency"] == "low"
    assert (intake.urgency, intake.decision, intake.created_by_id) == ("low", "open_case", staff.worker.id)
    assert (case.status, case.case_type, case.care_kind, case.urgency, case.assigned_worker_id) == (
        "intake",
        "center",
        "continuous",
        "low",
        staff.worker.id,
    )
    match = NUMBER.match(case.number)
    assert match and match["code"] == staff.facility.code and int(match["year"]) == local_today().year
    consents = session.scalars(sa.select(Consent).where(Consent.client_id == client.id).order_by(Consent.purpose)).all()
    assert [(c.purpose, c.given_by, c.giver_name, c.intake_id) for c in consents] == [
        ("reports", "client", "Lý Thị Hạnh", intake.id),
        ("services", "client", "Lý Thị Hạnh", intake.id),
    ]
    assert consents[0].given_at == intake.received_at
    actions = set(session.scalars(sa.select(AuditEvent.action).where(AuditEvent.user_id == staff.worker.id)))
    assert {"intake_created", "case_opened", "consent_recorded"} <= actions
    page = signed_in(staff.worker).get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.number in page


def test_advice_only_records_the_intake_without_a_case(staff, new_client, signed_in, session):
    client = new_client("Lý Văn Tư Vấn")
    response = signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}",
        data=form(decision="advice_only", consent_services=None, consent_reports=None),
    )
    assert response.headers["Location"] == f"/clients/{client.id}"
    intake = session.scalar(sa.select(Intake).where(Intake.client_id == client.id))
    assert intake.decision == "advice_only"
    assert session.scalar(sa.select(Case).where(Case.client_id == client.id)) is None
    page = signed_in(staff.worker).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Chỉ tư vấn" in page


def test_refer_out_needs_where_to_and_records_it(staff, new_client, signed_in, session):
    client = new_client("Lý Văn Chuyển")
    http = signed_in(staff.worker)
    page = http.post(f"/intake/new?client_id={client.id}", data=form(decision="refer_out")).get_data(as_text=True)
    assert "Ghi rõ nơi chuyển gửi đến." in page
    response = http.post(
        f"/intake/new?client_id={client.id}", data=form(decision="refer_out", referred_to="Trung tâm Trợ giúp pháp lý")
    )
    assert response.headers["Location"] == f"/clients/{client.id}"
    intake = session.scalar(sa.select(Intake).where(Intake.client_id == client.id))
    assert (intake.decision, intake.referred_to) == ("refer_out", "Trung tâm Trợ giúp pháp lý")
    assert session.scalar(sa.select(Case).where(Case.client_id == client.id)) is None


def test_urgency_may_be_raised_but_not_lowered(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Khẩn")
    http = signed_in(staff.worker)
    danger = form(danger_now="yes", urgency="medium", assigned_worker_id=str(staff.worker.id))
    page = http.post(f"/intake/new?client_id={client.id}", data=danger).get_data(as_text=True)
    assert "Câu trả lời sàng lọc cần mức ít nhất “Khẩn cấp”" in page
    assert session.scalar(sa.select(Intake).where(Intake.client_id == client.id)) is None
    http.post(f"/intake/new?client_id={client.id}", data=form(urgency="high", assigned_worker_id=str(staff.worker.id)))
    assert session.scalar(sa.select(Intake.urgency).where(Intake.client_id == client.id)) == "high"


def test_an_invalid_intake_keeps_everything_typed(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Sai")
    page = (
        signed_in(staff.worker)
        .post(
            f"/intake/new?client_id={client.id}",
            data=form(
                channel="",
                problems=["drugs"],
                problem_note="Ghi chú của tôi",
                referrer_name="Anh Ba",
                danger_now="yes",
                consent_share="y",
                share_recipient="",
                assigned_worker_id="",
            ),
        )
        .get_data(as_text=True)
    )
    assert "Trường này là bắt buộc." in page  # channel
    assert "Ghi rõ nơi cung cấp dịch vụ được chia sẻ thông tin." in page
    assert "Chọn nhân viên phụ trách hồ sơ." in page
    assert "Ghi chú của tôi" in page and 'value="Anh Ba"' in page
    assert re.search(r'value="drugs" checked', page)
    assert re.search(
        r'checked[^>]*name="danger_now"[^>]*value="yes"|name="danger_now"[^>]*value="yes"[^>]*checked', page
    ) or re.search(r'<input checked id="danger_now-0"', page)
    assert session.scalar(sa.select(Intake).where(Intake.client_id == client.id)) is None


def test_received_at_in_the_future_is_refused(staff, new_client, signed_in):
    client = new_client("Lý Thị Tương Lai")
    page = (
        signed_in(staff.worker)
        .post(
            f"/intake/new?client_id={client.id}",
            data=form(received_at=f"{local_today().year + 1}-01-01T08:00", assigned_worker_id=str(staff.worker.id)),
        )
        .get_data(as_text=True)
    )
    assert "Thời điểm tiếp nhận không thể ở tương lai." in page


# --- consent at intake ---------------------------------------------------------------------------


def _child(new_client, age):
    return new_client(
        f"Trẻ {age}",
        birth_date=date(local_today().year - age, 1, 1),
        birth_precision="exact",
        birth_year=local_today().year - age,
    )


def test_child_consent_needs_the_guardian_and_from_7_the_childs_assent(staff, new_client, signed_in, session):
    child = _child(new_client, 10)
    http = signed_in(staff.worker)
    url = f"/intake/new?client_id={child.id}"
    page = http.get(url).get_data(as_text=True)
    assert "Trẻ (từ đủ 7 tuổi) có đồng ý không?" in page
    assert '<option selected value="guardian">' in page
    base = form(assigned_worker_id=str(staff.worker.id))
    page = http.post(url, data=base).get_data(as_text=True)  # given by the client: refused
    assert "Với trẻ em, người giám hộ là người đồng ý." in page
    page = http.post(url, data={**base, "consent_given_by": "guardian"}).get_data(as_text=True)
    assert "Nhập tên người giám hộ đồng ý." in page
    page = http.post(url, data={**base, "consent_given_by": "guardian", "consent_giver_name": "Mẹ Trẻ"}).get_data(
        as_text=True
    )
    assert "Ghi nhận trẻ (từ đủ 7 tuổi) có đồng ý hay không." in page
    assert session.scalar(sa.select(Intake).where(Intake.client_id == child.id)) is None
    response = http.post(
        url, data={**base, "consent_given_by": "guardian", "consent_giver_name": "Mẹ Trẻ", "child_assent": "yes"}
    )
    assert response.status_code == 302
    consents = session.scalars(sa.select(Consent).where(Consent.client_id == child.id)).all()
    assert {(c.given_by, c.giver_name, c.child_assent) for c in consents} == {("guardian", "Mẹ Trẻ", True)}


def test_a_young_childs_assent_is_not_asked(staff, new_client, signed_in, session):
    child = _child(new_client, 4)
    http = signed_in(staff.worker)
    assert "từ đủ 7 tuổi) có đồng ý không?" not in http.get(f"/intake/new?client_id={child.id}").get_data(as_text=True)
    response = http.post(
        f"/intake/new?client_id={child.id}",
        data=form(
            assigned_worker_id=str(staff.worker.id),
            consent_given_by="guardian",
            consent_giver_name="Bà ngoại",
            child_assent="yes",
        ),
    )
    assert response.status_code == 302
    assert {c.child_assent for c in session.scalars(sa.select(Consent).where(Consent.client_id == child.id))} == {None}


def test_sharing_consent_names_the_provider(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Chia Sẻ")
    signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}",
        data=form(assigned_worker_id=str(staff.worker.id), consent_share="y", share_recipient="Bệnh viện Bãi Cháy"),
    )
    shared = session.scalar(
        sa.select(Consent).where(Consent.client_id == client.id, Consent.purpose == "share_provider")
    )
    assert shared.recipient == "Bệnh viện Bãi Cháy"


# --- the case it opens ---------------------------------------------------------------------------


def test_case_numbers_follow_the_facility_and_year_and_never_repeat(staff, new_client, session):
    numbers = []
    for i in range(3):
        client = new_client(f"Khách {i}")
        _intake, case = intake_services.create_intake(
            client,
            {
                "received_at": datetime.now(timezone.utc),
                "channel": "walk_in",
                "problems": ["poverty"],
                "decision": "open_case",
                "case_type": "center",
                "assigned_worker_id": staff.worker.id,
            },
            facility=staff.facility,
            by=staff.worker,
        )
        numbers.append(case.number)
    other_client = new_client("Khách ngoài", facility=staff.other_facility)
    _intake, other_case = intake_services.create_intake(
        other_client,
        {
            "received_at": datetime.now(timezone.utc),
            "channel": "walk_in",
            "problems": ["poverty"],
            "decision": "open_case",
            "case_type": "center",
            "assigned_worker_id": staff.outsider.id,
        },
        facility=staff.other_facility,
        by=staff.outsider,
    )
    year = local_today().year
    seqs = [int(NUMBER.match(n)["seq"]) for n in numbers]
    assert all(n.startswith(f"{staff.facility.code}-{year}-") for n in numbers)
    assert seqs == sorted(seqs) and len(set(seqs)) == 3 and seqs[2] - seqs[0] == 2
    assert other_case.number.startswith(f"{staff.other_facility.code}-{year}-")
    assert NUMBER.match(other_case.number)
    assert len(set(numbers + [other_case.number])) == 4


def test_case_can_be_assigned_only_to_active_staff_of_the_facility(staff, new_client, signed_in, in_request):
    client = new_client("Lý Văn Giao")
    data = {
        "received_at": datetime.now(timezone.utc),
        "channel": "walk_in",
        "problems": ["poverty"],
        "decision": "open_case",
        "case_type": "center",
    }
    for worker_id in (staff.outsider.id, staff.reporter.id, None):
        with pytest.raises(ServiceError) as refused:
            intake_services.create_intake(
                client, {**data, "assigned_worker_id": worker_id}, facility=staff.facility, by=staff.worker
            )
        assert refused.value.field == "assigned_worker_id"
    page = signed_in(staff.worker).get(f"/intake/new?client_id={client.id}").get_data(as_text=True)
    assert "Người Ngoài" not in page and "Báo Cáo" not in page
    assert "Phạm Thị Đồng Nghiệp" in page and "Trần Thị Giám Sát" in page


def test_case_assigned_to_a_colleague_lands_on_the_client_page(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Đồng Nghiệp")
    response = signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}", data=form(assigned_worker_id=str(staff.colleague.id))
    )
    case = session.scalar(sa.select(Case).where(Case.client_id == client.id))
    assert case.assigned_worker_id == staff.colleague.id
    assert response.headers["Location"] == f"/clients/{client.id}"


def test_sensitive_intake_seals_the_case_and_the_client(staff, new_client, signed_in, session):
    client = new_client("Lý Thị Kín")
    response = signed_in(staff.worker).post(
        f"/intake/new?client_id={client.id}", data=form(assigned_worker_id=str(staff.worker.id), is_sensitive="y")
    )
    case = session.scalar(sa.select(Case).where(Case.client_id == client.id))
    assert response.headers["Location"] == f"/cases/{case.id}"
    session.refresh(client)
    assert case.is_sensitive and client.is_sensitive
    # a colleague without a case of this client no longer finds it
    assert signed_in(staff.colleague).get(f"/clients/{client.id}").status_code == 404


def test_intake_for_a_client_of_another_facility_answers_404(staff, new_client, signed_in):
    other = new_client("Ngoài", facility=staff.other_facility)
    assert signed_in(staff.worker).post(f"/intake/new?client_id={other.id}", data=form()).status_code == 404


def test_roles_without_intake_are_refused(staff, new_client, signed_in):
    client = new_client("Ai Đó")
    for user in (staff.admin, staff.reporter):
        assert signed_in(user).get(f"/intake/new?client_id={client.id}").status_code == 403


def test_the_intake_rolls_back_whole_when_a_consent_is_refused(staff, new_client, session, in_request):
    child = _child(new_client, 9)
    nested = session.begin_nested()
    with pytest.raises(ServiceError):
        intake_services.create_intake(
            child,
            {
                "received_at": datetime.now(timezone.utc),
                "channel": "walk_in",
                "problems": ["neglect"],
                "decision": "open_case",
                "case_type": "child_protection",
                "assigned_worker_id": staff.worker.id,
                "consent_services": True,
                "consent_given_by": "guardian",
                "consent_giver_name": "Mẹ",
            },
            facility=staff.facility,
            by=staff.worker,
        )
    nested.rollback()  # what the view does: the intake and its case go together
    assert session.scalar(sa.select(Intake).where(Intake.client_id == child.id)) is None


def test_search_before_create_continues_to_the_intake(staff, signed_in, session):
    http = signed_in(staff.worker)
    data = {
        "full_name": "Mai Thị Mới",
        "sex": "female",
        "birth_precision": "estimated",
        "estimated_age": "30",
        "purpose": "intake",
    }
    page = http.post("/clients/new", data={**data, "action": "check"}).get_data(as_text=True)
    key = re.search(r'name="checked_key" type="hidden" value="([0-9a-f]+)"', page).group(1)
    response = http.post("/clients/new", data={**data, "action": "create", "checked_key": key})
    client = session.scalar(sa.select(Client).where(Client.full_name == "Mai Thị Mới"))
    assert client.birth_year == local_today().year - 30 and client.birth_precision == "estimated"
    assert response.headers["Location"] == f"/intake/new?client_id={client.id}"
    assert http.get(response.headers["Location"]).status_code == 200
