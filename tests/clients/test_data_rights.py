"""The rights of the people whose data caseapp holds (Nghị định 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân
2025): a written request is recorded first, the export holds everything held about the person (JSON and
PDF) and is audited, only a supervisor of the client's facility handles it, corrections say why, the
retention sweep asks the supervisors once, anonymisation removes what identifies the person and keeps the
counts, and the register of processing activities is for admins."""

import io
import json
import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from caseapp.audit.models import AuditEvent
from caseapp.cases.attachments.models import Attachment
from caseapp.cases.attachments.services import add_attachment
from caseapp.cases.models import Case, CaseEvent
from caseapp.cases.services import add_note
from caseapp.clients.models import Client, ClientChange, Consent, FamilyMember
from caseapp.clients.rights import jobs as rights_jobs
from caseapp.clients.rights.models import ClientAnonymisation, DataSubjectRequest, RetentionNotice
from caseapp.clients.rights.services import record_request
from caseapp.clients.services import add_family_member, record_consent, update_client
from caseapp.core.storage import files
from caseapp.core.timeutil import VN_TZ, local_today, utcnow
from caseapp.intake.models import Intake
from caseapp.notifications.models import Notification
from caseapp.plans.models import Assessment, CarePlan, PlanGoal
from caseapp.referrals.models import Referral
from caseapp.reports import queries as report_queries
from caseapp.reports.models import ReportSnapshot
from caseapp.reports.periods import make_period
from caseapp.reports.services import freeze_report

from .. import factories
from ..referrals.helpers import make_provider, make_referral
from .test_client_pages import _edit_data

PDF_BYTES = b"%PDF-1.4\n% a scanned birth certificate\n"
CLIENT_NAME = "Lê Thị Riêng"
CITIZEN_ID = "079301009876"


def _years_ago(years, days=0):
    """A moment `years` years (and `days` days) before today, at 09:00 in Vietnam."""
    today = local_today()
    return datetime.combine(today.replace(year=today.year - years) - timedelta(days=days), time(9), tzinfo=VN_TZ)


def _close(case, at):
    case.status = "closed"
    case.closed_at = at
    case.closure_reason = "goals_met"
    case.closure_summary = "Chị Riêng đã về sống cùng mẹ ở xã Tân An."


@pytest.fixture()
def person(staff, new_client, new_case, in_request, session):
    """A client with a bit of everything: family, membership (ended), consent, intake, a closed case with a
    note, an assessment, a plan, a referral, a follow-up-free timeline and an attachment."""
    client = new_client(
        CLIENT_NAME,
        sex="female",
        birth_date=date(1990, 5, 3),
        birth_precision="exact",
        citizen_id=CITIZEN_ID,
        phone="0912 345 678",
        street_address="12 đường Lý Thường Kiệt",
        ethnicity="01",
        province_code=staff.facility.province_code,
        commune_code=factories.any_commune(staff.facility.province_code).code,
    )
    add_family_member(
        client,
        {"full_name": "Trần Văn Chồng", "relationship": "spouse", "is_alleged_perpetrator": True},
        by=staff.worker,
    )
    factories.make_membership(
        client, "em_domestic_violence", since=date(2021, 3, 1), status="ended", reason="Đã an toàn"
    )
    record_consent(client, purpose="services", given_by="client", giver_name=CLIENT_NAME, by=staff.worker)
    intake = Intake(
        facility_id=staff.facility.id,
        client_id=client.id,
        received_at=_years_ago(6, days=30),
        channel="walk_in",
        problems=["domestic_violence"],
        problem_note="Bị chồng đánh nhiều lần.",
        referrer_name="Nguyễn Văn Hàng Xóm",
        urgency="high",
        decision="open_case",
    )
    session.add(intake)
    case = new_case(client, worker=staff.worker, intake=intake, opened_at=_years_ago(6, days=30))
    add_note(case, "Chị Riêng kể chồng đe dọa ở nhà số 12.", by=staff.worker)
    session.add(
        Assessment(
            case_id=case.id,
            facility_id=case.facility_id,
            version_no=1,
            risk_level="high",
            risk_reasons="Chồng có dao.",
            domains={"safety": {"situation": "Sống cùng người gây bạo lực", "need_level": "high"}},
            safety={"weapons_threats": "yes"},
        )
    )
    plan = CarePlan(
        case_id=case.id, facility_id=case.facility_id, version_no=1, client_participation="Chị Riêng đồng ý."
    )
    session.add(plan)
    session.flush()
    session.add(PlanGoal(plan_id=plan.id, need_domain="safety", description="Chị Riêng ở nơi an toàn"))
    make_referral(case, make_provider(staff.facility.province_code), staff.worker)
    attachment = add_attachment(case, data=PDF_BYTES, filename="giay-khai-sinh.pdf", by=staff.worker)
    update_client(client, {"full_name": CLIENT_NAME + " Ánh"}, by=staff.worker, reason="Theo giấy khai sinh")
    _close(case, _years_ago(5, days=10))
    session.flush()
    return client, case, attachment


def _record_request(http, client, **fields):
    data = {
        "kind": "export",
        "requester": "person",
        "representative_name": "",
        "representative_relation": "",
        "received_on": (local_today() - timedelta(days=1)).isoformat(),
        "reference": "15/ĐN",
        "details": "",
        **fields,
    }
    return http.post(f"/clients/{client.id}/data-requests", data=data)


def _export_request(client, staff, **fields):
    return record_request(
        client,
        kind=fields.pop("kind", "export"),
        requester=fields.pop("requester", "person"),
        received_on=local_today() - timedelta(days=1),
        reference=fields.pop("reference", "15/ĐN"),
        by=staff.supervisor,
        **fields,
    )


# --- requests ------------------------------------------------------------------------------------


def test_a_written_request_is_recorded_with_who_asked_and_audited(staff, new_client, signed_in, session):
    child = new_client("Phạm Bé Na", birth_precision="year", birth_year=local_today().year - 10)
    http = signed_in(staff.supervisor)
    response = _record_request(
        http, child, requester="representative", representative_name="Phạm Thị Mẹ", representative_relation="parent"
    )
    assert response.status_code == 302
    request = session.scalar(sa.select(DataSubjectRequest).where(DataSubjectRequest.client_id == child.id))
    assert response.headers["Location"].endswith(f"/clients/{child.id}/data-requests/{request.id}")
    assert (request.kind, request.requester, request.representative_relation) == ("export", "representative", "parent")
    assert request.representative_name == "Phạm Thị Mẹ" and request.reference == "15/ĐN"
    assert request.recorded_by_id == staff.supervisor.id and request.outcome is None
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "data_request_recorded"))
    assert event.entity_id == str(child.id) and event.detail["request_id"] == request.id
    assert "Phạm Thị Mẹ" not in json.dumps(event.detail, ensure_ascii=False)
    page = http.get(f"/clients/{child.id}/data-requests").get_data(as_text=True)
    assert "Phạm Thị Mẹ (Cha, mẹ)" in page


def test_the_request_page_names_who_recorded_it_to_a_reader_who_did_not(staff, new_client, signed_in, session):
    child = new_client("Phạm Bé Nhi")
    _record_request(signed_in(staff.supervisor), child)
    request = session.scalar(sa.select(DataSubjectRequest).where(DataSubjectRequest.client_id == child.id))
    other = factories.make_user(role="supervisor", facility=staff.facility, full_name="Lê Giám Sát Khác")
    http = signed_in(other)
    path, recorder = f"/clients/{child.id}/data-requests/{request.id}", staff.supervisor.full_name
    session.expunge_all()  # the page loads the request as a request of its own would: nothing in memory
    page = http.get(path)
    assert page.status_code == 200 and recorder in page.get_data(as_text=True)


def test_a_representative_without_a_relation_is_refused_and_what_was_typed_is_kept(
    staff, new_client, signed_in, session
):
    client = new_client("Phạm Bé Na")
    response = _record_request(
        signed_in(staff.supervisor), client, requester="representative", representative_name="Phạm Thị Mẹ"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Phạm Thị Mẹ"' in page and 'value="15/ĐN"' in page
    assert session.scalar(sa.select(sa.func.count()).select_from(DataSubjectRequest)) == 0


def test_a_request_dated_in_the_future_is_refused(staff, new_client, signed_in, session):
    client = new_client()
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert _record_request(signed_in(staff.supervisor), client, received_on=tomorrow).status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(DataSubjectRequest)) == 0


# --- the export ----------------------------------------------------------------------------------


def test_export_json_holds_everything_held_about_the_person_and_is_audited(staff, person, signed_in, session):
    client, case, attachment = person
    request = _export_request(client, staff)
    session.commit()
    response = signed_in(staff.supervisor).post(f"/clients/{client.id}/data-requests/{request.id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert set(data) >= {
        "client",
        "family",
        "memberships",
        "consents",
        "intakes",
        "cases",
        "shelter_stays",
        "history",
        "data_requests",
        "request",
    }
    assert data["client"]["citizen_id"] == CITIZEN_ID and data["client"]["full_name"] == CLIENT_NAME + " Ánh"
    assert data["family"][0]["full_name"] == "Trần Văn Chồng"
    assert data["memberships"][0]["versions"][0]["status"] == "ended"
    assert data["intakes"][0]["problem_note"] == "Bị chồng đánh nhiều lần."
    exported_case = data["cases"][0]
    assert exported_case["number"] == case.number
    assert "Chị Riêng kể chồng đe dọa ở nhà số 12." in [e["text"] for e in exported_case["events"]]
    assert exported_case["assessments"][0]["risk_reasons"] == "Chồng có dao."
    assert exported_case["plans"][0]["goals"][0]["description"] == "Chị Riêng ở nơi an toàn"
    assert exported_case["referrals"][0]["reason"] == "Cần khám sức khỏe"
    assert exported_case["attachments"] == [
        {
            "filename": "giay-khai-sinh.pdf",
            "content_type": "application/pdf",
            "size": len(PDF_BYTES),
            "description": None,
            "uploaded_at": exported_case["attachments"][0]["uploaded_at"],
            "uploaded_by": "Lê Văn Nhân Viên",
        }
    ]
    assert "scanned birth certificate" not in response.get_data(as_text=True)  # listed, never the content
    correction = [h for h in data["history"] if h["reason"]]
    assert correction[0]["changes"]["full_name"] == [CLIENT_NAME, CLIENT_NAME + " Ánh"]
    assert correction[0]["reason"] == "Theo giấy khai sinh"
    session.expire_all()
    handled = session.get(DataSubjectRequest, request.id)
    assert (handled.outcome, handled.handled_by_id) == ("provided", staff.supervisor.id)
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "client_data_exported"))
    assert event.entity_id == str(client.id) and event.detail == {"request_id": request.id, "format": "json"}


def test_export_pdf_is_the_administrative_document_with_the_persons_data(staff, person, signed_in, session):
    client, case, _attachment = person
    request = _export_request(client, staff)
    session.commit()
    response = signed_in(staff.supervisor).post(f"/clients/{client.id}/data-requests/{request.id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "PHIẾU CUNG CẤP DỮ LIỆU CÁ NHÂN",
        CLIENT_NAME,
        CITIZEN_ID,
        case.number,
        "Trần Văn Chồng",
        "giay-khai-sinh.pdf",
        "Theo giấy khai sinh",
    ):
        assert expected in text, expected
    formats = session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "client_data_exported")).all()
    assert formats == [{"request_id": request.id, "format": "pdf"}]


def test_export_is_refused_to_a_representative_recorded_as_an_alleged_perpetrator(staff, person, signed_in, session):
    client, _case, _attachment = person
    request = _export_request(
        client,
        staff,
        requester="representative",
        representative_name="trần văn chồng",
        representative_relation="authorised",
    )
    session.commit()
    http = signed_in(staff.supervisor)
    page = http.get(f"/clients/{client.id}/data-requests/{request.id}").get_data(as_text=True)
    assert "Không cung cấp dữ liệu cho họ; hãy từ chối yêu cầu và ghi lý do." in page
    assert "export.json" not in page
    response = http.post(f"/clients/{client.id}/data-requests/{request.id}/export.json")
    assert response.status_code == 302
    assert session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "client_data_exported")) == 0


# --- who may handle requests -----------------------------------------------------------------------


def test_another_facilitys_client_answers_404_to_its_supervisor(staff, new_client, signed_in, session):
    client = new_client("Người Ngoài", facility=staff.other_facility)
    request = record_request(
        client,
        kind="export",
        requester="person",
        received_on=local_today(),
        reference="1",
        by=staff.outsider_supervisor,
    )
    session.commit()
    http = signed_in(staff.supervisor)
    for path in (
        f"/clients/{client.id}/data-requests",
        f"/clients/{client.id}/data-requests/{request.id}",
        f"/clients/{client.id}/anonymise",
    ):
        assert http.get(path).status_code == 404, path
    assert http.post(f"/clients/{client.id}/data-requests/{request.id}/export.json").status_code == 404
    assert session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "client_data_exported")) == 0


def test_a_request_of_another_client_answers_404(staff, new_client, signed_in, session):
    mine, other = new_client("Một"), new_client("Hai")
    request = _export_request(other, staff)
    session.commit()
    assert signed_in(staff.supervisor).get(f"/clients/{mine.id}/data-requests/{request.id}").status_code == 404


def test_a_sealed_client_is_exported_by_the_supervisor_never_by_the_worker_of_its_case(
    staff, new_client, new_case, signed_in, session
):
    client = new_client("Vũ Thị Kín", is_sensitive=True)
    case = new_case(client, worker=staff.worker, is_sensitive=True)
    request = _export_request(client, staff)
    session.commit()
    worker = signed_in(staff.worker)
    assert worker.get(f"/clients/{client.id}").status_code == 200  # the worker of the case sees the client
    assert worker.get(f"/clients/{client.id}/data-requests").status_code == 403
    assert worker.post(f"/clients/{client.id}/data-requests/{request.id}/export.json").status_code == 403
    response = signed_in(staff.supervisor).post(f"/clients/{client.id}/data-requests/{request.id}/export.json")
    assert response.status_code == 200
    assert [c["number"] for c in json.loads(response.data)["cases"]] == [case.number]


# --- corrections --------------------------------------------------------------------------------------


def test_correcting_an_identifying_field_asks_why_and_the_client_page_shows_it(staff, new_client, signed_in, session):
    client = new_client("Bùi Văn Cũ", citizen_id="001099000123")
    http = signed_in(staff.worker)
    data = _edit_data(http.get(f"/clients/{client.id}/edit").get_data(as_text=True))
    refused = http.post(f"/clients/{client.id}/edit", data={**data, "citizen_id": "001099000124"})
    page = refused.get_data(as_text=True)
    assert "Ghi lý do chỉnh sửa họ tên, giới tính, ngày sinh hoặc số định danh cá nhân." in page
    assert 'value="001099000124"' in page
    session.refresh(client)
    assert client.citizen_id == "001099000123"
    saved = http.post(
        f"/clients/{client.id}/edit",
        data={**data, "citizen_id": "001099000124", "change_reason": "Theo thẻ căn cước bản gốc"},
    )
    assert saved.status_code == 302
    change = session.scalar(
        sa.select(ClientChange).where(ClientChange.client_id == client.id, ClientChange.kind == "updated")
    )
    assert change.changes["citizen_id"] == ["001099000123", "001099000124"]
    assert (change.reason, change.changed_by_id) == ("Theo thẻ căn cước bản gốc", staff.worker.id)
    page = http.get(f"/clients/{client.id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "<del>001099000123</del> → 001099000124" in history
    assert "Theo thẻ căn cước bản gốc" in history and "Lê Văn Nhân Viên" in history


def test_filling_a_field_that_was_empty_needs_no_reason(staff, new_client, signed_in, session):
    client = new_client("Bùi Văn Mới")
    http = signed_in(staff.worker)
    data = _edit_data(http.get(f"/clients/{client.id}/edit").get_data(as_text=True))
    assert http.post(f"/clients/{client.id}/edit", data={**data, "citizen_id": "001099000125"}).status_code == 302
    session.refresh(client)
    assert client.citizen_id == "001099000125"


# --- retention ------------------------------------------------------------------------------------


def _closed_client(staff, new_client, new_case, name, years, days=0, case_type="center"):
    client = new_client(name)
    case = new_case(client, worker=staff.worker, case_type=case_type, opened_at=_years_ago(years + 1))
    _close(case, _years_ago(years, days))
    return client


def test_the_retention_sweep_asks_the_supervisors_once(staff, new_client, new_case, session):
    due = _closed_client(staff, new_client, new_case, "Đến Hạn", 5, days=1)
    recent = _closed_client(staff, new_client, new_case, "Chưa Đến Hạn", 4, days=300)
    still_open = new_client("Đang Mở")
    new_case(still_open, worker=staff.worker, opened_at=_years_ago(7))
    other = _closed_client(staff, new_client, new_case, "Cơ Sở Khác", 6)
    other.facility_id = staff.other_facility.id
    session.commit()

    assert rights_jobs.run_retention_sweep() == 2
    noticed = set(session.scalars(sa.select(RetentionNotice.client_id)))
    assert noticed == {due.id, other.id} and recent.id not in noticed and still_open.id not in noticed
    asked = session.scalars(sa.select(Notification).where(Notification.kind == "retention_due")).all()
    assert {n.user_id for n in asked} == {staff.supervisor.id, staff.outsider_supervisor.id}
    assert all(n.params == {"count": 1} for n in asked)
    assert CLIENT_NAME not in str([n.params for n in asked])

    assert rights_jobs.run_retention_sweep() is None  # the day's sweep ran already
    tomorrow = utcnow() + timedelta(days=1)
    assert rights_jobs.run_retention_sweep(tomorrow) == 0  # the next day: nobody is asked twice
    assert session.scalar(sa.select(sa.func.count()).where(Notification.kind == "retention_due")) == 2


def test_the_retention_period_is_set_per_kind_of_case(app, staff, new_client, new_case, session, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_YEARS_BY_KIND", "child_protection=10")
    child_case = _closed_client(staff, new_client, new_case, "Trẻ Em", 6, case_type="child_protection")
    centre_case = _closed_client(staff, new_client, new_case, "Người Lớn", 6)
    session.commit()
    assert rights_jobs.run_retention_sweep() == 1
    assert set(session.scalars(sa.select(RetentionNotice.client_id))) == {centre_case.id}
    assert child_case.id not in set(session.scalars(sa.select(RetentionNotice.client_id)))


def test_the_due_list_shows_the_facilitys_due_records_and_audits_the_read(
    staff, new_client, new_case, signed_in, session
):
    due = _closed_client(staff, new_client, new_case, "Đến Hạn Ẩn Danh", 6)
    other = _closed_client(staff, new_client, new_case, "Cơ Sở Khác", 6)
    other.facility_id = staff.other_facility.id
    session.commit()
    response = signed_in(staff.supervisor).get("/clients/anonymisation-due")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hồ sơ đến hạn ẩn danh hóa" in page
    assert "Đến Hạn Ẩn Danh" in page and "Cơ Sở Khác" not in page
    listed = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "clients_listed"))
    assert listed.detail["client_ids"] == [due.id]
    assert signed_in(staff.worker).get("/clients/anonymisation-due").status_code == 403


# --- anonymisation ----------------------------------------------------------------------------------


def test_anonymisation_removes_what_identifies_the_person_and_keeps_the_counts(app, staff, person, signed_in, session):
    client, case, attachment = person
    storage_key = attachment.storage_key
    year = case.opened_at.astimezone(VN_TZ).year
    period = make_period("year", year)
    scope = report_queries.Scope("facility", facility_id=staff.facility.id, province_code=staff.facility.province_code)
    snapshot = freeze_report(staff.facility, period, by=staff.supervisor)
    frozen = json.loads(json.dumps(snapshot.data))
    live_before = report_queries.statistics(scope, period)
    session.commit()
    assert "Riêng" not in json.dumps(frozen, ensure_ascii=False)  # a frozen report holds numbers only

    http = signed_in(staff.supervisor)
    page = http.get(f"/clients/{client.id}/anonymise").get_data(as_text=True)
    assert "không thể hoàn tác" in page.lower()
    response = http.post(f"/clients/{client.id}/anonymise", data={"reason": "Hết thời hạn lưu trữ 5 năm"})
    assert response.status_code == 302
    session.expire_all()

    person_now = session.get(Client, client.id)
    assert person_now.full_name is None and person_now.alias == "Đã ẩn danh"
    assert (person_now.citizen_id, person_now.phone, person_now.street_address, person_now.birth_date) == (None,) * 4
    assert person_now.code == client.code and person_now.sex == "female" and person_now.birth_year == 1990
    assert person_now.commune_code == client.commune_code
    assert "rieng" not in person_now.search_name
    assert session.scalar(sa.select(sa.func.count()).where(FamilyMember.client_id == client.id)) == 0
    assert all(
        pair is None
        for change in session.scalars(sa.select(ClientChange).where(ClientChange.client_id == client.id))
        for pair in (change.changes or {}).values()
    )
    assert session.scalar(sa.select(Consent.giver_name).where(Consent.client_id == client.id)) is None
    intake = session.scalar(sa.select(Intake).where(Intake.client_id == client.id))
    assert (intake.problem_note, intake.referrer_name, intake.problems) == (None, None, ["domestic_violence"])
    assert all(e.text is None for e in session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id)))
    kept_case = session.get(Case, case.id)
    assert (kept_case.number, kept_case.status, kept_case.closure_summary) == (case.number, "closed", None)
    assessment = session.scalar(sa.select(Assessment).where(Assessment.case_id == case.id))
    assert assessment.risk_reasons is None and assessment.domains["safety"] == {"need_level": "high"}
    referral = session.scalar(sa.select(Referral).where(Referral.case_id == case.id))
    assert (referral.reason, referral.shared_info) == ("Đã ẩn danh", "Đã ẩn danh")
    assert session.scalar(sa.select(sa.func.count()).where(Attachment.case_id == case.id)) == 0
    assert not files("attachments").exists(storage_key)

    assert session.get(ReportSnapshot, snapshot.id).data == frozen
    live_after = report_queries.statistics(scope, period)
    assert live_after["headline"] == live_before["headline"]
    assert live_after["breakdowns"]["sex"] == live_before["breakdowns"]["sex"]
    assert live_after["breakdowns"]["commune"] == live_before["breakdowns"]["commune"]
    assert live_after["breakdowns"]["age_group"] == live_before["breakdowns"]["age_group"]

    done = session.scalar(sa.select(ClientAnonymisation).where(ClientAnonymisation.client_id == client.id))
    assert done.anonymised_by_id == staff.supervisor.id and done.reason == "Hết thời hạn lưu trữ 5 năm"
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "client_anonymised"))
    assert event.entity_id == str(client.id) and CLIENT_NAME not in json.dumps(event.detail, ensure_ascii=False)
    page = http.get(f"/clients/{client.id}").get_data(as_text=True)
    assert CLIENT_NAME not in page and CITIZEN_ID not in page and "Đã ẩn danh" in page


def test_anonymisation_needs_a_reason(staff, person, signed_in, session):
    client, _case, _attachment = person
    session.commit()
    response = signed_in(staff.supervisor).post(f"/clients/{client.id}/anonymise", data={"reason": "  "})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Client, client.id).full_name is not None


def test_anonymisation_is_refused_while_a_case_is_open_or_before_the_period(
    staff, new_client, new_case, signed_in, session
):
    open_case_client = new_client("Còn Hồ Sơ Mở")
    new_case(open_case_client, worker=staff.worker)
    recent = _closed_client(staff, new_client, new_case, "Mới Đóng", 1)
    session.commit()
    http = signed_in(staff.supervisor)
    for client in (open_case_client, recent):
        response = http.post(f"/clients/{client.id}/anonymise", data={"reason": "Thử"})
        assert response.status_code == 422
        session.expire_all()
        assert session.get(Client, client.id).full_name is not None
    assert session.scalar(sa.select(sa.func.count()).select_from(ClientAnonymisation)) == 0


def test_an_erasure_request_is_answered_by_the_anonymisation(staff, new_client, new_case, signed_in, session):
    client = _closed_client(staff, new_client, new_case, "Xin Xóa", 1)
    request = _export_request(client, staff, kind="erasure")
    session.commit()
    response = signed_in(staff.supervisor).post(f"/clients/{client.id}/anonymise", data={"reason": "Theo yêu cầu xóa"})
    assert response.status_code == 302
    session.expire_all()
    answered = session.get(DataSubjectRequest, request.id)
    assert (answered.outcome, answered.handled_by_id) == ("anonymised", staff.supervisor.id)
    assert session.scalar(sa.select(ClientAnonymisation.request_id)) == request.id


# --- the register of processing activities ------------------------------------------------------------


def test_the_processing_register_is_for_admins(staff, signed_in):
    response = signed_in(staff.admin).get("/clients/processing-register")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in ("Nghị định 13/2023/NĐ-CP", "Thông tư 02/2020/TT-BLĐTBXH", "Bảo vệ trẻ em"):
        assert expected in page, expected
    for role in ("supervisor", "worker", "reporter"):
        assert signed_in(getattr(staff, role)).get("/clients/processing-register").status_code == 403
