"""The workforce register brought in from a list through the import wizard: .xlsx and .csv (UTF-8 or
Windows-1258) with the wordings of real lists, legacy TCVN3 text, refused rows in the error file, a
list imported again changes nothing, a changed list updates the people in place, undo, export →
import changes nothing, and who may do it."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from caseapp.audit.models import AuditEvent
from caseapp.core.legacy_text import _TCVN3_SOURCE, _TCVN3_UNICODE
from caseapp.core.text import fold
from caseapp.extensions import db
from caseapp.org.models import Commune
from caseapp.register.imports.models import ImportBatch, ImportRow
from caseapp.workforce.categories import AGENCY_KINDS
from caseapp.workforce.models import Agency, WorkforceMember

from ..register import files

# the wordings of a commune's own list, not the template's
HEADERS = ["STT", "Họ tên", "Năm sinh", "Giới tính", "Số CCCD", "Chuyên trách/kiêm nhiệm", "Đơn vị công tác"]
HEADERS += ["Chức vụ", "Trình độ chuyên môn", "Số điện thoại", "Ngày bắt đầu"]


def _rows(facility):
    commune = db.session.get(Commune, facility.commune_code)
    return [
        [1, "Nguyễn Thị Lan", 1985, "Nữ", "001185012345", "Chuyên trách", f"UBND {commune.name}", "Cộng tác viên"]
        + ["Đại học CTXH", "0912345678", "01/03/2024"],
        [2, "Trần Văn Minh", 1990, "Nam", None, "Công chức, viên chức", facility.name, "Chuyên viên"]
        + ["Trung cấp", None, "15/06/2023"],
    ]


def _upload(http, data, name):
    return http.post(
        "/register/workforce/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _batch():
    return db.session.scalar(sa.select(ImportBatch).order_by(ImportBatch.id.desc()))


def _outcomes(batch):
    return db.session.scalars(
        sa.select(ImportRow.outcome).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    ).all()


def _members():
    db.session.expire_all()
    return db.session.scalars(sa.select(WorkforceMember).order_by(WorkforceMember.id)).all()


def _imported(http, data, name="ds.xlsx"):
    """The list read and committed: its batch."""
    assert _upload(http, data, name).status_code == 302
    batch = _batch()
    assert http.post(f"/register/workforce/imports/{batch.id}/commit").status_code == 302
    db.session.expire_all()
    return batch


def tcvn3(text):
    """Text as typed with a .VnTime font (its upper-case letters with a tone need another font: none here)."""
    return text.translate(str.maketrans(_TCVN3_UNICODE, _TCVN3_SOURCE))


@pytest.mark.parametrize(
    "name,make",
    [
        ("ds.xlsx", lambda rows: files.xlsx(rows, headers=HEADERS, title="DANH SÁCH CỘNG TÁC VIÊN CTXH")),
        ("ds.csv", lambda rows: files.csv_bytes(rows, headers=HEADERS)),
        ("ds.csv", lambda rows: files.csv_bytes(rows, headers=HEADERS, encoding="cp1258")),
    ],
    ids=["xlsx", "csv-utf8", "csv-windows-1258"],
)
def test_a_list_in_its_own_wording_is_read_and_imported(staff, signed_in, name, make):
    http = signed_in(staff.supervisor)
    rows = _rows(staff.facility)
    if name.endswith(".csv"):
        rows = [[None if c is None else str(c) for c in row] for row in rows]
    assert _upload(http, make(rows), name).status_code == 302
    batch = _batch()
    assert (batch.kind, _outcomes(batch)) == ("workforce", ["create", "create"])
    page = http.get(f"/register/workforce/imports/{batch.id}").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page and "Chưa có trong danh sách cơ quan" in page  # the new agency is said

    http.post(f"/register/workforce/imports/{batch.id}/commit")
    lan, minh = _members()
    assert (lan.full_name, lan.search_name, lan.birth_year, lan.sex) == (
        "Nguyễn Thị Lan",
        fold(lan.full_name),
        1985,
        "female",
    )
    assert (lan.citizen_id, lan.phone, lan.kind) == ("001185012345", "0912345678", "collaborator_full_time")
    assert (lan.qualification, lan.position, lan.from_date.isoformat()) == ("university", "Cộng tác viên", "2024-03-01")
    assert (minh.kind, minh.qualification, minh.citizen_id) == ("civil_servant", "intermediate", None)
    assert lan.source_batch_id == minh.source_batch_id == batch.id
    commune_agency = db.session.get(Agency, lan.agency_id)
    assert (commune_agency.kind, commune_agency.commune_code) == ("commune", staff.facility.commune_code)
    assert commune_agency.owner_facility_id == staff.facility.id
    assert lan.commune_code == staff.facility.commune_code
    assert db.session.get(Agency, minh.agency_id).facility_id == staff.facility.id  # the facility's own staff
    committed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "register_import_committed"))
    assert committed.detail["kind"] == "workforce" and committed.detail["counts"] == {"create": 2}


def test_a_large_list_is_written_by_the_scheduler_in_chunks(staff, signed_in, monkeypatch):
    from caseapp.register.imports import jobs, services

    monkeypatch.setattr(services, "SYNC_ROWS", 1)
    monkeypatch.setattr(jobs, "CHUNK", 1)
    rows = _rows(staff.facility)
    rows.append([3, "Lò Thị Mai", 1992, "Nữ", None, "Kiêm nhiệm", rows[0][6], None, None, None, "01/01/2025"])
    http = signed_in(staff.supervisor)
    batch = _imported(http, files.xlsx(rows, headers=HEADERS), "lon.xlsx")
    assert batch.status == "queued"
    assert jobs.run_import_jobs() == 1
    db.session.expire_all()
    assert (batch.status, batch.rows_done) == ("committed", 3)
    lan, _minh, mai = _members()
    assert mai.agency_id == lan.agency_id  # the agency the first chunk added, found by the last
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency).where(Agency.kind == "commune")) == 1


def test_a_new_person_is_not_added_to_an_inactive_agency(staff, signed_in):
    http = signed_in(staff.supervisor)
    data = files.xlsx(_rows(staff.facility), headers=HEADERS)
    _imported(http, data)
    agency = db.session.get(Agency, _members()[0].agency_id)
    agency.active = False
    db.session.flush()
    rows = _rows(staff.facility)
    rows[0][4], rows[0][1] = "001185099999", "Đinh Thị Mới"
    _upload(http, files.xlsx(rows, headers=HEADERS), "moi.xlsx")
    assert _outcomes(_batch()) == ["refused", "unchanged"]


def test_the_template_has_the_headers_and_the_allowed_values(staff, signed_in):
    response = signed_in(staff.admin).get("/register/workforce/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert headers[:2] == ["Họ và tên*", "Giới tính"] and "Cơ quan, đơn vị*" in headers and "Từ ngày*" in headers
    allowed = [c.value for row in workbook.worksheets[1].iter_rows() for c in row]
    assert "Cộng tác viên công tác xã hội kiêm nhiệm" in allowed
    assert next(c.vi for c in AGENCY_KINDS if c.code == "commune") in allowed


def test_text_typed_in_tcvn3_is_converted_to_unicode(staff, signed_in):
    rows = _rows(staff.facility)
    rows[0][7], rows[1][7] = "Cộng tác viên chuyên trách", "Chuyên viên phòng văn hóa - xã hội"
    rows = [[tcvn3(c) if isinstance(c, str) else c for c in row] for row in rows]  # a list typed in .VnTime
    http = signed_in(staff.supervisor)
    _imported(http, files.xlsx(rows, headers=HEADERS))
    assert _batch().encoding == "tcvn3"
    lan, minh = _members()
    assert (lan.full_name, lan.position) == ("Nguyễn Thị Lan", "Cộng tác viên chuyên trách")
    assert minh.position == "Chuyên viên phòng văn hóa - xã hội"


def test_refused_rows_go_to_the_error_file_with_why(staff, signed_in):
    good, other = _rows(staff.facility)
    bad = [
        [3, None, *good[2:]],  # no name
        [4, "Lê Văn Thời", 1970, "Nam", None, "Thời vụ", *good[6:]],  # not a kind of post
        [5, "Phạm Thị Ngày", 1980, "Nữ", "12345", *good[5:10], "32/13/2024"],  # citizen ID, date
    ]
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx([good, *bad, other], headers=HEADERS), "loi.xlsx")
    batch = _batch()
    assert _outcomes(batch) == ["create", "refused", "refused", "refused", "create"]
    response = http.get(f"/register/workforce/imports/{batch.id}/errors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[0] == [*HEADERS, "Lỗi cần sửa"]
    assert [line[1] for line in lines[1:]] == [None, "Lê Văn Thời", "Phạm Thị Ngày"]  # the rows as they were
    assert "Họ và tên*:" in lines[1][-1]
    assert "Loại*: Không nhận ra: Thời vụ." in lines[2][-1]
    assert "Số CCCD/Số định danh:" in lines[3][-1] and "Từ ngày*: Không phải ngày tháng" in lines[3][-1]
    http.post(f"/register/workforce/imports/{batch.id}/commit")
    assert [m.full_name for m in _members()] == ["Nguyễn Thị Lan", "Trần Văn Minh"]


def test_a_list_imported_again_changes_nothing(staff, signed_in):
    http = signed_in(staff.supervisor)
    data = files.xlsx(_rows(staff.facility), headers=HEADERS)
    _imported(http, data)
    before = [(m.id, m.version, m.updated_at) for m in _members()]
    agencies = db.session.scalar(sa.select(sa.func.count()).select_from(Agency))
    again = _imported(http, data, "ds-lan-2.xlsx")
    assert _outcomes(again) == ["unchanged", "unchanged"]
    assert [(m.id, m.version, m.updated_at) for m in _members()] == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == agencies


def test_a_changed_list_updates_the_people_in_place(staff, signed_in):
    http = signed_in(staff.supervisor)
    rows = _rows(staff.facility)
    first = _imported(http, files.xlsx(rows, headers=HEADERS))
    lan, minh = _members()
    rows[0][9] = "0987654321"  # same citizen ID, a new phone
    rows[1][7] = "Phó trưởng phòng"  # no citizen ID: same name, year of birth and agency
    _upload(http, files.xlsx(rows, headers=HEADERS), "ds-moi.xlsx")
    second = _batch()
    assert _outcomes(second) == ["update", "update"]
    messages = db.session.scalars(
        sa.select(ImportRow.messages).where(ImportRow.batch_id == second.id).order_by(ImportRow.row_number)
    ).all()
    assert messages[0][0][0] == "citizen_id" and "Số điện thoại" in messages[0][0][1]
    assert messages[1][0][0] == "full_name" and "Chức vụ / vị trí" in messages[1][0][1]
    http.post(f"/register/workforce/imports/{second.id}/commit")
    lan2, minh2 = _members()
    assert (lan2.id, lan2.phone, lan2.version, lan2.source_batch_id) == (lan.id, "0987654321", 2, second.id)
    assert (minh2.id, minh2.position, minh2.source_batch_id) == (minh.id, "Phó trưởng phòng", second.id)
    assert lan2.updated_at is not None and first.id != second.id


def test_undo_removes_the_people_and_agencies_the_import_added(staff, signed_in):
    http = signed_in(staff.supervisor)
    batch = _imported(http, files.xlsx(_rows(staff.facility), headers=HEADERS))
    commune_agency = _members()[0].agency_id
    assert http.post(f"/register/workforce/imports/{batch.id}/undo").status_code == 302
    db.session.expire_all()
    assert (_batch().status, _members()) == ("undone", [])
    assert db.session.get(Agency, commune_agency) is None
    undone = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "register_import_undone"))
    assert undone.detail["kind"] == "workforce"


def test_undo_of_an_update_gives_the_values_back(staff, signed_in):
    http = signed_in(staff.supervisor)
    rows = _rows(staff.facility)
    first = _imported(http, files.xlsx(rows, headers=HEADERS))
    rows[0][9] = "0987654321"
    second = _imported(http, files.xlsx(rows, headers=HEADERS), "ds-moi.xlsx")
    http.post(f"/register/workforce/imports/{second.id}/undo")
    lan = _members()[0]
    assert (lan.phone, lan.source_batch_id) == ("0912345678", first.id)


def test_an_import_whose_people_were_edited_since_cannot_be_undone(staff, signed_in):
    http = signed_in(staff.supervisor)
    batch = _imported(http, files.xlsx(_rows(staff.facility), headers=HEADERS))
    lan = _members()[0]
    lan.position = "Cộng tác viên (đã sửa)"
    db.session.flush()
    assert "Hủy lần nhập này" not in http.get(f"/register/workforce/imports/{batch.id}").get_data(as_text=True)
    http.post(f"/register/workforce/imports/{batch.id}/undo")
    db.session.expire_all()
    assert _batch().status == "committed" and len(_members()) == 2


def test_export_then_import_changes_nothing(staff, signed_in):
    http = signed_in(staff.supervisor)
    _imported(http, files.xlsx(_rows(staff.facility), headers=HEADERS))
    lan = _members()[0]
    lan.to_date, lan.professional_title = lan.from_date.replace(year=2026), "assistant_social_worker"
    db.session.flush()
    exported = http.get("/register/workforce/export.xlsx")
    assert exported.status_code == 200
    read = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "register_exported"))
    assert read.detail == {"member_ids": [m.id for m in _members()], "kind": "workforce"}
    again = _imported(http, exported.data, "xuat.xlsx")
    assert _outcomes(again) == ["unchanged", "unchanged"]


def test_only_keepers_of_the_workforce_register_import_it(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(_rows(staff.facility), headers=HEADERS), "ds.xlsx")
    batch = _batch()
    for user in (staff.worker, staff.reporter):
        assert signed_in(user).get("/register/workforce/imports").status_code == 403
        assert signed_in(user).get(f"/register/workforce/imports/{batch.id}").status_code == 403
    outsider = signed_in(staff.outsider)
    assert outsider.get(f"/register/workforce/imports/{batch.id}").status_code == 404
    assert outsider.post(f"/register/workforce/imports/{batch.id}/commit").status_code == 404
    assert http.get(f"/register/imports/{batch.id}").status_code == 404  # not a beneficiary register's page
    assert signed_in(staff.admin).get("/register/imports").status_code == 403


def test_the_import_page_offers_the_lists_the_user_may_import(staff, signed_in):
    supervisor = signed_in(staff.supervisor).get("/register/imports").get_data(as_text=True)
    assert 'href="/register/workforce/imports"' in supervisor
    admin = signed_in(staff.admin).get("/register/workforce/imports")
    assert admin.status_code == 200
    assert 'href="/register/imports"' not in admin.get_data(as_text=True)


def test_the_workforce_register_links_to_its_import(staff, signed_in):
    page = signed_in(staff.admin).get("/workforce/").get_data(as_text=True)
    assert 'href="/register/workforce/imports"' in page and "Nhập từ Excel" in page
