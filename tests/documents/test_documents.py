"""The five case forms as PDF (Nghị định 30/2020/NĐ-CP layout): each renders for a real case in the
Vietnamese administrative layout, its text (pypdf) holds the exact Vietnamese strings with their tones,
generating it is audited, and it is reached exactly like the case page (out of scope → 404)."""

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.core.timeutil import to_local
from caseapp.extensions import db

from .helpers import pdf_text

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
TITLES = {
    "intake": "PHIẾU TIẾP NHẬN ĐỐI TƯỢNG",
    "assessment": "PHIẾU ĐÁNH GIÁ NHU CẦU",
    "plan": "KẾ HOẠCH TRỢ GIÚP",
    "referral": "PHIẾU CHUYỂN GỬI",
    "closure": "BIÊN BẢN",
}


def url(case, kind, item=None):
    return f"/cases/{case.id}/documents/{kind}.pdf" + (f"?id={item}" if item else "")


def item_of(full, kind):
    return {"assessment": full.assessment.id, "plan": full.plan.id, "referral": full.referral.id}.get(kind)


@pytest.mark.parametrize("kind", list(TITLES))
def test_each_form_renders_with_the_vietnamese_layout_and_the_record(kind, staff, full_case, signed_in, artifacts_dir):
    response = signed_in(staff.worker).get(url(full_case.case, kind, item_of(full_case, kind)))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    text = pdf_text(response.data)
    for expected in (
        QUOC_HIEU,
        TIEU_NGU,
        TITLES[kind],
        "Nguyễn Thị Lan",
        full_case.case.number,
        staff.facility.name.upper(),
        "Nơi nhận:",
    ):
        assert expected in text, (kind, expected)
    (artifacts_dir / f"document-{kind}.pdf").write_bytes(response.data)


def test_forms_carry_what_the_record_says(staff, full_case, signed_in):
    worker = signed_in(staff.worker)
    intake = pdf_text(worker.get(url(full_case.case, "intake")).data)
    assert "Bạo lực gia đình" in intake and "Bị chồng đánh nhiều lần" in intake
    assert "Hội Liên hiệp Phụ nữ xã" in intake and "05/03/1990" in intake and "Khẩn cấp" in intake
    assert "NGƯỜI TIẾP NHẬN" in intake and "Lê Văn Nhân Viên" in intake

    assessment = pdf_text(worker.get(url(full_case.case, "assessment")).data)
    assert "Tình hình an toàn" in assessment and "Nguy cơ bị bạo lực tái diễn" in assessment
    assert "Đã phê duyệt" in assessment and "Trần Thị Giám Sát" in assessment
    assert "Cần tách đối tượng khỏi người gây hại (trong 12 giờ)?" in assessment

    plan = pdf_text(worker.get(url(full_case.case, "plan")).data)
    assert "Đảm bảo an toàn cho chị Lan" in plan and "Tham vấn tâm lý hằng tuần" in plan
    assert "KẾ HOẠCH AN TOÀN" in plan and "Nhà mẹ đẻ" in plan and "Gọi 111, đến nhà mẹ đẻ" in plan

    referral = pdf_text(worker.get(url(full_case.case, "referral")).data)
    assert "Kính gửi: Bệnh viện Đa khoa tỉnh" in referral and "Chị Lan cần khám vết thương ở tay" in referral
    assert "Cần khám sức khỏe" in referral and "đã đồng ý chia sẻ thông tin" in referral

    record = pdf_text(worker.get(url(full_case.case, "closure")).data)
    assert "Kết thúc quản lý trường hợp" in record and "Đạt mục tiêu kế hoạch" in record
    assert "Chị Lan đã an toàn, có việc làm ổn định" in record and "Đồng ý kết thúc" in record
    assert "LÃNH ĐẠO PHÊ DUYỆT" in record and "Trần Thị Giám Sát" in record


def test_the_dated_line_follows_decree_30(staff, full_case, signed_in):
    """NĐ 30/2020/NĐ-CP: "<tỉnh>, ngày dd tháng m năm yyyy" — the date of the record, in Vietnam time."""
    from caseapp.core.pdf import place_and_date, place_name

    text = pdf_text(signed_in(staff.worker).get(url(full_case.case, "closure")).data)
    province = db.session.scalar(
        sa.text("SELECT name FROM provinces WHERE code = :c"), {"c": staff.facility.province_code}
    )
    assert place_and_date(place_name(province), to_local(full_case.case.closed_at).date()) in text
    assert f"Số: {full_case.case.number}/BB" in text


def test_a_chosen_assessment_version_is_printed(staff, full_case, signed_in):
    from .helpers import with_assessment

    second = with_assessment(full_case.case, staff.worker, staff.supervisor) if full_case.case.is_open else None
    # the case is closed: print version 1 by its id, and the newest by default
    worker = signed_in(staff.worker)
    first = pdf_text(worker.get(url(full_case.case, "assessment", full_case.assessment.id)).data)
    assert "(lần 1)" in first and f"Số: {full_case.case.number}-01/PĐG" in first
    assert second is None


def test_generating_a_form_is_audited_without_personal_data(staff, full_case, signed_in):
    signed_in(staff.worker).get(url(full_case.case, "referral", full_case.referral.id))
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "document_generated").order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.user_id == staff.worker.id
    assert (event.entity_type, event.entity_id) == ("cases", str(full_case.case.id))
    assert event.detail == {"kind": "referral", "case_id": full_case.case.id, "subject_id": full_case.referral.id}
    assert "Nguyễn Thị Lan" not in str(event.detail)


def test_case_page_links_to_every_printable_form(staff, full_case, signed_in):
    page = signed_in(staff.worker).get(f"/cases/{full_case.case.id}?section=documents").get_data(as_text=True)
    for kind in TITLES:
        assert url(full_case.case, kind, item_of(full_case, kind)).replace("&", "&amp;") in page, kind
    assert "In biểu mẫu (PDF)" in page


def test_a_form_the_case_cannot_fill_answers_404(staff, signed_in):
    from .helpers import intake_case

    case = intake_case(staff.facility, staff.worker)
    db.session.commit()
    worker = signed_in(staff.worker)
    assert worker.get(url(case, "intake")).status_code == 200
    for kind in ("assessment", "plan", "referral", "closure"):  # none recorded, the case is open
        assert worker.get(url(case, kind)).status_code == 404, kind
    assert worker.get(url(case, "passport")).status_code == 404
    assert worker.get(url(case, "assessment") + "?id=abc").status_code == 404
    page = worker.get(f"/cases/{case.id}?section=documents").get_data(as_text=True)
    assert url(case, "intake") in page and url(case, "closure") not in page


def test_a_version_of_another_case_is_not_printed(staff, full_case, signed_in):
    from .helpers import intake_case, with_assessment

    other = intake_case(staff.facility, staff.worker, name="Trần Văn Khác")
    foreign = with_assessment(other, staff.worker, staff.supervisor)
    db.session.commit()
    response = signed_in(staff.worker).get(url(full_case.case, "assessment", foreign.id))
    assert response.status_code == 404


# --- the referral form shares only what the consent allows (NĐ 13/2023/NĐ-CP) --------------------------


def _client_code(case):
    from caseapp.clients.models import Client

    return db.session.get(Client, case.client_id).code


def _referral_text(client, case, referral):
    response = client.get(url(case, "referral", referral.id))
    assert response.status_code == 200
    return pdf_text(response.data)


def test_a_referral_without_consent_names_the_client_by_code_only(staff, signed_in):
    from caseapp.referrals import services as referral_services

    from ..referrals.helpers import make_provider
    from .helpers import intake_case

    case = intake_case(staff.facility, staff.worker)
    provider = make_provider(staff.facility.province_code, name="Công an xã An Bình", kind="police")
    referral = referral_services.create_referral(
        case,
        provider=provider,
        service_type="legal_aid",
        reason="Cần can thiệp ngay",
        is_urgent=True,
        shared_info="Nạn nhân đang gặp nguy hiểm tại nhà",
        by=staff.supervisor,
        override_reason="Chị Lan bất tỉnh, không thể hỏi ý kiến",
    )
    db.session.commit()
    text = _referral_text(signed_in(staff.worker), case, referral)
    assert "Nguyễn Thị Lan" not in text and "05/03/1990" not in text and "1990" not in text
    assert _client_code(case) in text and "Nạn nhân đang gặp nguy hiểm tại nhà" in text
    assert "Chuyển gửi khẩn cấp khi chưa có sự đồng ý" in text
    assert "bất tỉnh" not in text  # the override's reason stays in the record
    assert "0912 345 678" not in text and "Bạo lực gia đình" not in text  # nothing else of the record


def test_a_referral_whose_consent_was_withdrawn_no_longer_names_the_client(staff, full_case, signed_in):
    from caseapp.clients.models import Consent
    from caseapp.clients.services import withdraw_consent

    worker = signed_in(staff.worker)
    assert "Nguyễn Thị Lan" in _referral_text(worker, full_case.case, full_case.referral)
    consent = db.session.get(Consent, full_case.referral.consent_id)
    withdraw_consent(consent, reason="Chị Lan không muốn chia sẻ nữa", by=staff.worker)
    db.session.commit()
    text = _referral_text(worker, full_case.case, full_case.referral)
    assert "Nguyễn Thị Lan" not in text and _client_code(full_case.case) in text
    assert "Chị Lan cần khám vết thương ở tay" in text  # what was shared then is on the record


def test_an_official_form_is_vietnamese_whatever_the_users_language(staff, full_case, signed_in):
    staff.worker.locale = "en"
    db.session.commit()
    worker = signed_in(staff.worker)
    page = worker.get(f"/cases/{full_case.case.id}?section=documents").get_data(as_text=True)
    assert "Print forms (PDF)" in page  # the UI speaks English …
    text = pdf_text(worker.get(url(full_case.case, "intake")).data)
    assert "Tổng đài quốc gia về phòng, chống bạo lực gia đình" in text  # … the form stays Vietnamese
    assert "Nữ" in text and "Female" not in text
