"""The files of an import: the template (with a sheet of the allowed values), the error file (the
refused rows as they were, with why), and the register exported in the template's layout so that
export → import changes nothing."""

import io
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...clients.models import Client
from ...core import categories
from ...core.downloads import neutralise
from ...core.text import vn_number
from ...core.timeutil import format_date
from ...extensions import db
from ...org.models import Commune, Province
from ..models import GroupMembership, MembershipVersion
from ..queries import managed_on
from .columns import COLUMNS
from .models import ImportBatch, ImportRow, RowOutcome
from .rows import column_header

REGISTER_SHEET = "Danh sách đối tượng"
VALUES_SHEET = "Giá trị hợp lệ"
ERROR_HEADER = "Lỗi cần sửa"


def _workbook() -> Any:
    # openpyxl loaded only when a file is made (it is slow to import, and no page needs it)
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _workbook_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Any, title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(value) for value in row])


def template(rows: Iterable[list[Any]] = ()) -> bytes:
    """The register's template: its headers (and `rows`), and the allowed values of each coded column."""
    allowed = {
        "Đối tượng": [c.vi for c in categories.BENEFICIARY_GROUPS],
        "Giới tính": ["Nam", "Nữ"],
        "Dân tộc": [c.vi for c in categories.ETHNIC_GROUPS],
        "Dạng tật": [c.vi for c in categories.DISABILITY_TYPES],
        "Mức độ khuyết tật": [c.vi for c in categories.DISABILITY_DEGREES],
        "Hình thức chăm sóc": [c.vi for c in categories.CARE_MODES],
        "Tình trạng": [c.vi for c in categories.MEMBERSHIP_STATUSES],
    }
    return spreadsheet(REGISTER_SHEET, [c.header for c in COLUMNS], rows, allowed)


def spreadsheet(title: str, header: list[str], rows: Iterable[list[Any]], allowed: dict[str, list[str]]) -> bytes:
    """A list's file: its sheet (`header` and `rows`), and a sheet of the allowed values of each coded
    column (`allowed`: header → values)."""
    workbook = _workbook()
    _sheet(workbook, title, header, rows)
    longest = max(len(v) for v in allowed.values())
    table = [[values[i] if i < len(values) else None for values in allowed.values()] for i in range(longest)]
    _sheet(workbook, VALUES_SHEET, list(allowed), table)
    return _workbook_bytes(workbook)


def error_file(
    batch: ImportBatch, *, header: Callable[[str], str] = column_header, title: str = REGISTER_SHEET
) -> bytes:
    """The refused rows as they were read, each with its errors: to fix and upload again."""
    refused = db.session.scalars(
        sa.select(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.outcome == RowOutcome.REFUSED)
        .order_by(ImportRow.row_number)
    )
    headers = [str(h or "") for h in batch.mapping["headers"]]

    def line(row: ImportRow) -> list[Any]:
        cells = list(row.cells) + [None] * (len(headers) - len(row.cells))
        errors = "; ".join(f"{header(column)}: {message}" for column, message, *_ in row.messages)
        return [*cells[: len(headers)], errors]

    workbook = _workbook()
    _sheet(workbook, title, [*headers, ERROR_HEADER], (line(row) for row in refused))
    return _workbook_bytes(workbook)


def _in_register(facility_id: int, day: date) -> sa.Select:
    """The memberships in force on `day` of the facility's clients, with their versions and clients."""
    return (
        managed_on(day)
        .add_columns(Client)
        .join(Client, Client.id == GroupMembership.client_id)
        .where(Client.facility_id == facility_id, Client.merged_into_id.is_(None))
    )


def register_client_ids(facility_id: int, day: date) -> list[int]:
    """The clients the register of `day` lists (the export's audit row names them)."""
    stmt = _in_register(facility_id, day).with_only_columns(Client.id).distinct().order_by(Client.id)
    return list(db.session.scalars(stmt))


def register(facility_id: int, day: date) -> bytes:
    """The facility's register on `day` in the template's layout: one row per membership in force."""
    stmt = _in_register(facility_id, day).order_by(Client.id, GroupMembership.group_code)
    communes = dict(db.session.execute(sa.select(Commune.code, Commune.name)).tuples().all())
    provinces = dict(db.session.execute(sa.select(Province.code, Province.name)).tuples().all())
    rows = (_register_row(m, v, c, communes, provinces) for m, v, c in db.session.execute(stmt))
    return template(rows)


def _register_row(membership: GroupMembership, v: MembershipVersion, client: Client, communes, provinces) -> list:
    def label(codes, code):
        return next((c.vi for c in codes if c.code == code), None) if code else None

    birth = format_date(client.birth_date) if client.birth_date else client.birth_year
    sex = {"male": "Nam", "female": "Nữ"}.get(client.sex)
    values = {
        "full_name": client.full_name or client.alias,
        "birth": birth,
        "sex": sex,
        "ethnicity": label(categories.ETHNIC_GROUPS, client.ethnicity),
        "citizen_id": client.citizen_id,
        "phone": client.phone,
        "address": client.street_address,
        "commune": communes.get(client.commune_code or ""),
        "district": None,
        "province": provinces.get(client.province_code or ""),
        "group": label(categories.BENEFICIARY_GROUPS, membership.group_code),
        "decision_number": v.decision_number,
        "decision_date": format_date(v.decision_date) or None,
        "decision_issuer": v.decision_issuer,
        "effective_from": format_date(v.effective_from),
        "coefficient": vn_number(v.allowance_coefficient) or None,
        "amount": v.allowance_amount,
        "care_mode": label(categories.CARE_MODES, v.care_mode),
        "disability_type": label(categories.DISABILITY_TYPES, v.disability_type),
        "disability_degree": label(categories.DISABILITY_DEGREES, v.disability_degree),
        "certificate_number": v.certificate_number,
        "certificate_date": format_date(v.certificate_date) or None,
        "status": label(categories.MEMBERSHIP_STATUSES, v.status),
        "reason": v.reason,
    }
    return [values[c.key] for c in COLUMNS]
