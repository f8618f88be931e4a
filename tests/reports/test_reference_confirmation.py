"""Reference numbers take effect when a supervisor confirms them: a reporter's entry waits (the number
confirmed before stays in force), a supervisor's own entry is in force at once, the confirmation is
audited, never made by the person who entered the number (four eyes), and refused when the entry
changed since the page was opened."""

import re

import pytest
import sqlalchemy as sa

from caseapp.audit.models import AuditEvent
from caseapp.extensions import db
from caseapp.org.models import Province
from caseapp.reports import indicators, queries, services
from caseapp.reports.models import ReferenceValue

from .. import factories
from .conftest import Q1

SOURCE = "Báo cáo của Sở Giáo dục và Đào tạo năm 2025"
STAMP = re.compile(r'name="stamp" value="([0-9a-f]+)"')


def _scope(data):
    return queries.Scope("facility", facility_id=data.facility.id, province_code=data.facility.province_code)


def _fifth(data):
    """Indicator 5 (1 child of the indicator group served in Q1 2026) with the reference in force."""
    scope = _scope(data)
    return indicators.compute(queries.statistics(scope, Q1), queries.reference_for(scope, 2026), 2026)[4]


def _enter(http, value, source=SOURCE, key="ind5_children_in_area"):
    response = http.post("/reports/reference", data={"year": 2026, "key": key, "value": value, "source": source})
    assert response.status_code == 302, response.get_data(as_text=True)


def _row(key="ind5_children_in_area"):
    return db.session.scalar(sa.select(ReferenceValue).where(ReferenceValue.key == key))


def _stamp(page):
    return STAMP.findall(page)


def test_a_reporters_denominator_changes_no_indicator_until_a_supervisor_confirms_it(data, signed_in, session):
    reporter, supervisor = signed_in(data.reporter), signed_in(data.supervisor)
    _enter(reporter, "1")
    assert _fifth(data).denominator is None  # waiting: nothing in force yet
    own_page = reporter.get("/reports/reference", query_string={"year": 2026}).get_data(as_text=True)
    assert "Chờ xác nhận" in own_page and SOURCE in own_page and "(chưa có số liệu áp dụng)" in own_page

    pending = supervisor.get("/reports/reference/pending")
    page = pending.get_data(as_text=True)
    assert pending.status_code == 200
    assert data.reporter.full_name in page and SOURCE in page and "Chỉ tiêu 5 — số trẻ em thuộc nhóm chỉ tiêu" in page
    row = _row()
    response = supervisor.post(f"/reports/reference/{row.id}/confirm", data={"stamp": _stamp(page)[0]})
    assert response.status_code == 302

    fifth = _fifth(data)
    assert (fifth.numerator, fifth.denominator, fifth.value) == (1, 1.0, 100.0)
    province = db.session.get(Province, data.facility.province_code).name
    assert fifth.sources == {"ind5_children_in_area": f"{SOURCE} ({province})"}  # the report names its source
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reference_value_confirmed"))
    assert event.user_id == data.supervisor.id and event.entity_id == str(row.id)
    assert event.detail["value"] == 1.0 and event.detail["entered_by"] == data.reporter.id
    assert "Không có số liệu nào chờ xác nhận." in supervisor.get("/reports/reference/pending").get_data(as_text=True)


def test_a_corrected_number_waits_while_the_confirmed_one_stays_in_force(data, signed_in, session):
    reporter = signed_in(data.reporter)
    _enter(reporter, "100")
    row = _row()
    services.confirm_reference_value(row, by=data.supervisor, seen=services.entry_stamp(row))
    _enter(reporter, "120", source="Số liệu điều tra bổ sung năm 2026")
    assert row.is_pending and (row.value, row.confirmed_value) == (120.0, 100.0)
    assert _fifth(data).denominator == 100.0 and SOURCE in _fifth(data).sources["ind5_children_in_area"]
    page = signed_in(data.supervisor).get("/reports/reference/pending").get_data(as_text=True)
    assert "100" in page and "120" in page and "Số liệu điều tra bổ sung năm 2026" in page


def test_a_supervisors_own_entry_is_in_force_at_once(data, signed_in, session):
    _enter(signed_in(data.supervisor), "40")
    row = _row()
    assert not row.is_pending and (row.confirmed_value, row.confirmed_by_id) == (40.0, data.supervisor.id)
    assert _fifth(data).denominator == 40.0
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reference_value_set"))
    assert event.detail["in_force"] is True


def test_the_person_who_entered_a_number_cannot_confirm_it(data, signed_in, session):
    _enter(signed_in(data.reporter), "1")
    data.reporter.role = "supervisor"  # promoted since: still four eyes on their own entry
    session.flush()
    factories.give_second_factor(data.reporter)  # as every supervisor signs in
    promoted = signed_in(data.reporter)
    page = promoted.get("/reports/reference/pending").get_data(as_text=True)
    assert "Bạn đã nhập số liệu này: một lãnh đạo khác xác nhận." in page and not _stamp(page)
    row = _row()
    response = promoted.post(
        f"/reports/reference/{row.id}/confirm", data={"stamp": services.entry_stamp(row)}, follow_redirects=True
    )
    assert "Bạn là người nhập số liệu này: một lãnh đạo khác phải xác nhận." in response.get_data(as_text=True)
    assert row.is_pending and _fifth(data).denominator is None
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reference_value_confirmed")) is None


def test_a_confirmation_of_an_entry_changed_since_the_page_was_opened_is_refused(data, signed_in, session):
    reporter, supervisor = signed_in(data.reporter), signed_in(data.supervisor)
    _enter(reporter, "1")
    seen = _stamp(supervisor.get("/reports/reference/pending").get_data(as_text=True))[0]
    _enter(reporter, "2")  # entered again meanwhile
    row = _row()
    response = supervisor.post(f"/reports/reference/{row.id}/confirm", data={"stamp": seen}, follow_redirects=True)
    assert "Số liệu này đã được nhập lại sau khi bạn mở trang." in response.get_data(as_text=True)
    assert row.confirmed_value is None and _fifth(data).denominator is None
    fresh = _stamp(supervisor.get("/reports/reference/pending").get_data(as_text=True))[0]
    assert supervisor.post(f"/reports/reference/{row.id}/confirm", data={"stamp": fresh}).status_code == 302
    assert _fifth(data).denominator == 2.0


def test_a_number_already_in_force_is_not_confirmed_twice(data, session):
    services.set_reference_value(data.facility.province_code, 2026, "ind2_staff_total", 5, SOURCE, by=data.reporter)
    row = _row("ind2_staff_total")
    other = factories.make_user(role="supervisor", facility=data.other_facility)  # same province
    services.confirm_reference_value(row, by=other, seen=services.entry_stamp(row))
    with pytest.raises(services.ServiceError):
        services.confirm_reference_value(row, by=data.supervisor, seen=services.entry_stamp(row))


def test_a_number_of_another_province_answers_404_and_a_reporter_may_not_confirm(data, stranger, signed_in, session):
    services.set_reference_value(data.facility.province_code, 2026, "ind2_staff_total", 5, SOURCE, by=data.reporter)
    row = _row("ind2_staff_total")
    outsider = factories.make_user(role="supervisor", facility=stranger.facility)
    stamp = {"stamp": services.entry_stamp(row)}
    assert signed_in(outsider).post(f"/reports/reference/{row.id}/confirm", data=stamp).status_code == 404
    assert signed_in(outsider).get("/reports/reference/pending").get_data(as_text=True).count("stamp") == 0
    assert signed_in(data.reporter).post(f"/reports/reference/{row.id}/confirm", data=stamp).status_code == 403
    assert signed_in(data.reporter).get("/reports/reference/pending").status_code == 403
    assert row.is_pending


def test_a_frozen_report_keeps_only_the_numbers_in_force(data, signed_in, session):
    _enter(signed_in(data.reporter), "1")
    snapshot = services.freeze_report(data.facility, Q1, by=data.supervisor)
    assert "ind5_children_in_area" not in snapshot.data["reference"]
