"""The audit page in words: each event's kind named in Vietnamese and its details as a sentence (no raw
codes or JSON up front), filterable by kind, person and case, one page after another (keyset)."""

import re

import pytest

from caseapp.audit.services import record

from ..security.conftest import sign_in


@pytest.fixture()
def trail(session, facility, other_facility, make_user):
    supervisor = make_user("supervisor", facility)
    worker = make_user("social_worker", facility)
    stranger = make_user("social_worker", other_facility)
    record("case_viewed", by=worker, entity_type="cases", entity_id=71, detail={"for": "MARK-VIEW"})
    record("plan_viewed", by=worker, entity_type="care_plans", entity_id=5, detail={"case_id": 71, "version_no": 2})
    record("case_note_added", by=supervisor, entity_type="cases", entity_id=72, detail={"length": 40})
    record("case_viewed", by=stranger, entity_type="cases", entity_id=71, detail={"for": "MARK-OTHER"})
    session.flush()
    return supervisor, worker


def rows(response):
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [
        re.sub(r"\s+", " ", re.sub(r"<details.*?</details>|<[^>]+>", " ", row, flags=re.S)).strip()
        for row in body.split("<tr>")[1:]
    ]


def test_events_are_named_in_vietnamese_with_their_details_as_a_sentence(client, trail):
    supervisor, _ = trail
    sign_in(client, supervisor)
    page = client.get("/audit/").get_data(as_text=True)
    shown = rows(client.get("/audit/"))
    assert any(
        "Xem kế hoạch trợ giúp" in row and "Kế hoạch trợ giúp 5" in row and "Hồ sơ 71, phiên bản 2." in row
        for row in shown
    )
    assert any("Thêm ghi chép vào hồ sơ" in row and "Ghi chép dài 40 ký tự." in row for row in shown)
    assert "<code>case_viewed</code>" not in page
    assert "Chi tiết kỹ thuật" in page  # the raw details, folded away, as before


def test_filter_by_kind_offers_the_kinds_in_vietnamese(client, trail):
    supervisor, _ = trail
    sign_in(client, supervisor)
    page = client.get("/audit/").get_data(as_text=True)
    assert '<option value="case_note_added">Thêm ghi chép vào hồ sơ</option>' in page
    shown = rows(client.get("/audit/?action=case_note_added"))
    assert len(shown) == 1 and "Ghi chép dài 40 ký tự." in shown[0]


def test_filter_by_person(client, trail):
    supervisor, worker = trail
    sign_in(client, supervisor)
    shown = rows(client.get(f"/audit/?user_id={worker.id}"))
    assert len(shown) == 2 and all(worker.username in row for row in shown)


def test_filter_by_case_finds_events_on_it_and_naming_it_in_its_own_facility(client, trail):
    supervisor, _ = trail
    sign_in(client, supervisor)
    shown = rows(client.get("/audit/?case_id=71"))
    assert len(shown) == 2
    assert any("Xem hồ sơ" in row and "Mục đích: MARK-VIEW." in row for row in shown)
    assert any("Hồ sơ 71, phiên bản 2." in row for row in shown)
    assert not any("MARK-OTHER" in row for row in shown)


@pytest.mark.parametrize("value", ["abc", "0", "99999999999", "-3"])
def test_a_case_id_that_is_no_id_is_refused_in_words(client, trail, value):
    supervisor, _ = trail
    sign_in(client, supervisor)
    response = client.get(f"/audit/?case_id={value}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<tbody>" not in page and '<p class="error" role="alert">' in page


def test_pages_follow_one_another_with_the_filters_kept(client, session, trail):
    supervisor, worker = trail
    for number in range(105):
        record("case_viewed", by=worker, entity_type="cases", entity_id=71, detail={"for": f"P{number}"})
    session.flush()
    sign_in(client, supervisor)
    first = client.get("/audit/?case_id=71&action=case_viewed").get_data(as_text=True)
    assert len(rows(client.get("/audit/?case_id=71&action=case_viewed"))) == 100
    link = re.search(r'href="(/audit/\?[^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "case_id=71" in link and "action=case_viewed" in link
    assert len(rows(client.get(link))) == 6
