"""The import of a register: files of every kind, legacy text, old addresses, the preview, the error
file, duplicates for a person to decide, commit, idempotent re-import, undo, and access."""

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from caseapp.clients.models import Client
from caseapp.extensions import db
from caseapp.register import queries as register_queries
from caseapp.register.imports import services
from caseapp.register.imports.models import ImportBatch, ImportRow
from caseapp.register.models import GroupMembership, MembershipVersion

from . import files

ROWS = [
    [
        "Nguyễn Thị Hoa",
        "12/03/1950",
        "Nữ",
        "Kinh",
        "001150012345",
        None,
        None,
        None,
        "Người cao tuổi",
        "15/QĐ-UBND",
        "01/01/2025",
        "1,5",
        None,
        None,
    ],
    [
        "Vàng A Páo",
        1975,
        "Nam",
        "H'Mông",
        "002075012345",
        None,
        None,
        None,
        "Người khuyết tật nặng",
        "16/QĐ-UBND",
        "01/02/2025",
        "2",
        "Thần kinh, tâm thần",
        "Nặng",
    ],
]


def _upload(http, data, name):
    return http.post("/register/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _batch():
    return db.session.scalar(sa.select(ImportBatch).order_by(ImportBatch.id.desc()))


def _outcomes(batch):
    return db.session.scalars(
        sa.select(ImportRow.outcome).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    ).all()


@pytest.mark.parametrize(
    "name, data",
    [
        ("danh-sach.xlsx", files.xlsx(ROWS, title="DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI")),
        ("danh-sach.ods", files.ods(ROWS)),
        # ROWS as Excel 97–2003 saves them (written once with xlwt 1.3.0: no library we ship writes .xls)
        ("danh-sach.xls", (Path(__file__).parent / "data" / "danh-sach.xls").read_bytes()),
        ("danh-sach.csv", files.csv_bytes(ROWS)),
        ("danh-sach.csv", files.csv_bytes(ROWS, encoding="cp1258")),
    ],
)
def test_a_file_of_each_kind_is_read_into_the_same_preview(staff, signed_in, name, data):
    http = signed_in(staff.supervisor)
    response = _upload(http, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    batch = _batch()
    assert _outcomes(batch) == ["create", "create"]
    row = db.session.scalar(sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number))
    assert row.values["client"]["full_name"] == "Nguyễn Thị Hoa"
    assert row.values["membership"]["effective_from"] == "2025-01-01"
    page = http.get(f"/register/imports/{batch.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in page and "Đối tượng mới</span> 2" in page


def test_commit_writes_clients_and_memberships_and_a_second_import_changes_nothing(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    batch = _batch()
    assert http.post(f"/register/imports/{batch.id}/commit").status_code == 302
    db.session.expire_all()
    assert batch.status == "committed"
    paos = db.session.scalar(sa.select(Client).where(Client.citizen_id == "002075012345"))
    version = db.session.scalar(
        sa.select(MembershipVersion).join(GroupMembership).where(GroupMembership.client_id == paos.id)
    )
    assert (version.disability_type, version.disability_degree, version.source_batch_id) == (
        "mental",
        "severe",
        batch.id,
    )
    assert paos.birth_year == 1975 and paos.sex == "male"
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(MembershipVersion))

    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    again = _batch()
    assert again.id != batch.id and _outcomes(again) == ["unchanged", "unchanged"]
    http.post(f"/register/imports/{again.id}/commit")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipVersion)) == versions


def test_bad_rows_are_refused_with_the_reason_and_come_back_in_the_error_file(staff, signed_in):
    bad = [
        [
            "",
            "12/03/1950",
            "Nữ",
            "Kinh",
            None,
            None,
            None,
            None,
            "Người cao tuổi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ],
        [
            "Trần Văn Sai",
            "31/02/1950",
            "Nam",
            "Kinh",
            "12345",
            None,
            None,
            None,
            "Không có nhóm này",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ],
    ]
    future = ["Lê Thị Tương Lai", "01/01/2030", "Nữ", "Kinh"] + [None] * 4 + ["Người cao tuổi", None, "01/01/2025"]
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx([*ROWS[:1], *bad, future]), "loi.xlsx")
    batch = _batch()
    assert _outcomes(batch) == ["create", "refused", "refused", "refused"]
    response = http.get(f"/register/imports/{batch.id}/errors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi cần sửa"
    assert rows[2][0] == "Trần Văn Sai"
    assert "Số CCCD/Số định danh: Số căn cước có 12 chữ số." in rows[2][-1]
    assert "Không nhận ra: Không có nhóm này." in rows[2][-1]
    assert "Họ và tên" in rows[1][-1]
    assert "Ngày tháng năm sinh: Ngày sinh phải trong khoảng từ năm 1900 đến hôm nay." in rows[3][-1]


def test_text_typed_in_tcvn3_or_vni_is_converted_to_unicode(staff, signed_in):
    tcvn3 = [
        [
            "NguyÔn ThÞ Hoa",
            1950,
            "N÷",
            "Kinh",
            None,
            None,
            None,
            None,
            "Ng­êi cao tuæi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ]
    ]
    vni = [
        [
            "Traàn Vaên Ñöùc",
            1948,
            "Nam",
            "Kinh",
            None,
            None,
            None,
            None,
            "Ngöôøi cao tuoåi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ]
    ]
    http = signed_in(staff.supervisor)
    for rows, encoding, name in ((tcvn3, "tcvn3", "Nguyễn Thị Hoa"), (vni, "vni", "Trần Văn Đức")):
        _upload(http, files.xlsx(rows), "cu.xlsx")
        batch = _batch()
        assert batch.encoding == encoding
        row = db.session.scalar(sa.select(ImportRow).where(ImportRow.batch_id == batch.id))
        assert row.outcome == "create", row.messages
        assert row.values["client"]["full_name"] == name and row.values["group"] == "bt_elderly"


def test_an_old_address_becomes_todays_commune_and_a_split_one_asks_the_user(staff, signed_in):
    rows = [
        [
            "Lê Văn Một",
            1950,
            "Nam",
            "Kinh",
            None,
            "Phường Phúc Xá",
            "Quận Ba Đình",
            "Thành phố Hà Nội",
            "Người cao tuổi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ],
        [
            "Lê Văn Hai",
            1950,
            "Nam",
            "Kinh",
            None,
            "Xã Tân Thạnh",
            "Huyện Thới Lai",
            "Thành phố Cần Thơ",
            "Người cao tuổi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ],
    ]
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(rows), "dia-chi-cu.xlsx")
    batch = _batch()
    first, second = db.session.scalars(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    ).all()
    assert first.outcome == "create" and first.values["client"]["commune_code"] == "00097"
    assert second.outcome == "choose" and {code for code, _name in second.options} == {"31666", "31288"}
    commit = http.post(f"/register/imports/{batch.id}/commit")
    assert commit.status_code == 302 and _batch().status == "previewed"  # refused until decided
    http.post(f"/register/imports/{batch.id}/rows/{second.id}", data={"choice": "31288"})
    http.post(f"/register/imports/{batch.id}/commit")
    hai = db.session.scalar(sa.select(Client).where(Client.full_name == "Lê Văn Hai"))
    assert hai.commune_code == "31288"


def test_a_probable_duplicate_waits_for_the_user_and_is_never_merged(staff, signed_in, new_client):
    existing = new_client("Nguyễn Thị Hoa", birth_year=1950, birth_precision="year")
    rows = [
        [
            "Nguyễn Thị Hòa",
            1950,
            "Nữ",
            "Kinh",
            None,
            None,
            None,
            None,
            "Người cao tuổi",
            None,
            "01/01/2025",
            None,
            None,
            None,
        ]
    ]
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(rows), "trung.xlsx")
    batch = _batch()
    row = db.session.scalar(sa.select(ImportRow).where(ImportRow.batch_id == batch.id))
    assert row.outcome == "review" and row.options[0][0] == existing.id
    http.post(f"/register/imports/{batch.id}/rows/{row.id}", data={"choice": str(existing.id)})
    http.post(f"/register/imports/{batch.id}/commit")
    assert db.session.scalars(register_queries.managed_group_codes(existing.id, date(2025, 6, 1))).all() == [
        "bt_elderly"
    ]
    assert db.session.scalar(sa.select(sa.func.count()).where(Client.full_name == "Nguyễn Thị Hòa")) == 0


def test_undo_removes_what_the_batch_wrote_until_a_row_is_edited(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    batch = _batch()
    http.post(f"/register/imports/{batch.id}/commit")
    assert http.post(f"/register/imports/{batch.id}/undo").status_code == 302
    db.session.expire_all()
    assert batch.status == "undone"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMembership)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Client.citizen_id == "001150012345")) == 0


def test_a_batch_is_out_of_reach_of_another_facility_and_of_workers_and_reporters(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    batch = _batch()
    assert signed_in(staff.outsider_supervisor).get(f"/register/imports/{batch.id}").status_code == 404
    assert signed_in(staff.outsider_supervisor).post(f"/register/imports/{batch.id}/undo").status_code == 404
    assert signed_in(staff.worker).get(f"/register/imports/{batch.id}").status_code == 403
    assert signed_in(staff.reporter).get(f"/register/imports/{batch.id}").status_code == 403


def test_the_exported_register_imports_back_with_no_change(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    http.post(f"/register/imports/{_batch().id}/commit")
    exported = http.get("/register/export.xlsx")
    assert exported.status_code == 200
    _upload(http, exported.data, "xuat.xlsx")
    assert _outcomes(_batch()) == ["unchanged", "unchanged"]


def test_a_changed_file_records_a_dated_change_with_the_batch_as_its_source(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    first = _batch()
    http.post(f"/register/imports/{first.id}/commit")
    changed = [ROWS[0][:11] + ["2"] + ROWS[0][12:], ROWS[1]]
    _upload(http, files.xlsx(changed), "ds-moi.xlsx")
    second = _batch()
    assert _outcomes(second) == ["update", "unchanged"]
    http.post(f"/register/imports/{second.id}/commit")
    hoa = db.session.scalar(sa.select(Client).where(Client.citizen_id == "001150012345"))
    versions = db.session.execute(
        sa.select(
            MembershipVersion.effective_from, MembershipVersion.allowance_coefficient, MembershipVersion.source_batch_id
        )
        .join(GroupMembership)
        .where(GroupMembership.client_id == hoa.id)
        .order_by(MembershipVersion.id)
    ).all()
    assert [(d, str(c), b) for d, c, b in versions] == [
        (date(2025, 1, 1), "1.50", first.id),
        (date(2026, 12, 8), "2.00", second.id),  # today (the fixed clock): last year's figures stay
    ]


def test_a_large_file_is_queued_and_the_scheduler_writes_it_in_chunks(staff, signed_in, monkeypatch):
    from caseapp.register.imports import jobs

    monkeypatch.setattr(services, "SYNC_ROWS", 1)
    monkeypatch.setattr(jobs, "CHUNK", 1)
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "lon.xlsx")
    batch = _batch()
    http.post(f"/register/imports/{batch.id}/commit")
    db.session.expire_all()
    assert batch.status == "queued" and batch.rows_done == 0
    page = http.get(f"/register/imports/{batch.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Đã nhập 0 trên 2 dòng" in page
    assert jobs.run_import_jobs() == 1
    db.session.expire_all()
    assert (batch.status, batch.rows_done) == ("committed", 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMembership)) == 2
    assert jobs.run_import_jobs() == 0


def test_a_batch_stopped_after_a_chunk_resumes_after_its_last_row_written(staff, signed_in, monkeypatch):
    from caseapp.register.imports import jobs

    monkeypatch.setattr(services, "SYNC_ROWS", 1)
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "lon.xlsx")
    batch = _batch()
    http.post(f"/register/imports/{batch.id}/commit")
    first_row = db.session.scalar(sa.select(sa.func.min(ImportRow.id)).where(ImportRow.batch_id == batch.id))
    assert services.write_rows(batch, user=staff.supervisor, limit=1) == 1  # then the process is killed
    db.session.commit()
    assert (batch.rows_done, batch.last_row_id) == (1, first_row)
    batch.status = "queued"
    db.session.commit()
    assert jobs.run_import_jobs() == 1
    db.session.expire_all()
    assert (batch.status, batch.rows_done) == ("committed", 2)
    written = db.session.scalars(sa.select(GroupMembership.client_id).order_by(GroupMembership.id)).all()
    assert len(written) == len(set(written)) == 2  # each row once


def test_a_cell_that_cannot_be_read_refuses_every_row_it_is_on(staff, signed_in):
    """Each distinct cell of a column is read once per file: the error too, on every row with it."""
    again = [ROWS[1][:4] + ["003075012345"] + ROWS[1][5:], ROWS[1]]
    bad = [[*row[:2], "không rõ", *row[3:]] for row in (ROWS[0], *again)]
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(bad), "loi.xlsx")
    batch = _batch()
    assert _outcomes(batch) == ["refused", "refused", "refused"]
    messages = db.session.scalars(
        sa.select(ImportRow.messages).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    ).all()
    assert all(any(column == "sex" for column, _text in row) for row in messages)


def test_undoing_a_change_puts_the_version_before_it_back_in_force(staff, signed_in):
    http = signed_in(staff.supervisor)
    _upload(http, files.xlsx(ROWS), "ds.xlsx")
    http.post(f"/register/imports/{_batch().id}/commit")
    _upload(http, files.xlsx([ROWS[0][:11] + ["2"] + ROWS[0][12:], ROWS[1]]), "ds-moi.xlsx")
    second = _batch()
    http.post(f"/register/imports/{second.id}/commit")
    hoa = db.session.scalar(sa.select(Client).where(Client.citizen_id == "001150012345"))

    def coefficients_in_force(day):
        in_force = register_queries.managed_on(day).where(GroupMembership.client_id == hoa.id)
        return [str(v.allowance_coefficient) for _m, v in db.session.execute(in_force)]

    assert coefficients_in_force(date(2026, 12, 31)) == ["2.00"]
    assert http.post(f"/register/imports/{second.id}/undo").status_code == 302
    db.session.expire_all()
    assert coefficients_in_force(date(2026, 12, 31)) == ["1.50"]
