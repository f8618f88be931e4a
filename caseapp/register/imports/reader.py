"""A register file as rows: .xlsx, .xls and .ods through python-calamine (the Rust reader: no
workbook object model in Python memory), .csv in UTF-8 or a Windows code page, as a stream."""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from flask_babel import gettext as _
from python_calamine import CalamineWorkbook

from ...core.services import ServiceError

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEETS, ".csv")
HEADER_SEARCH_ROWS = 10  # a register's title lines above the header row


@dataclass
class Sheet:
    headers: list[Any]
    header_row: int  # 1-based, as the spreadsheet numbers it
    rows: Iterator[tuple[int, list[Any]]]  # (row number, cells)


def open_sheet(stream: IO[bytes], filename: str) -> Sheet:
    """The first sheet's header row (the first of its first rows with at least three filled cells)
    and the rows below it. Refused with a ServiceError when the file cannot be read."""
    name = filename.lower()
    if not name.endswith(EXTENSIONS):
        raise ServiceError(_("Choose an .xlsx, .xls, .ods or .csv file."), field="file")
    rows = _csv_rows(stream) if name.endswith(".csv") else _spreadsheet_rows(stream)
    for number, cells in rows:
        if sum(1 for c in cells if c not in (None, "")) >= 3:
            return Sheet(headers=cells, header_row=number, rows=rows)
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ServiceError(_("No header row was found in the first rows of the file."), field="file")


def _spreadsheet_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # calamine raises its own error types for every unreadable file
        raise ServiceError(_("The file could not be read as a spreadsheet."), field="file") from error
    for number, row in enumerate(sheet.iter_rows(), start=1):
        yield number, [None if cell == "" else cell for cell in row]


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    text = io.TextIOWrapper(stream, encoding=_csv_encoding(stream), newline="")
    sample = text.read(8192)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(text, dialect), start=1):
        yield number, [cell.strip() or None for cell in row]


def _csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without its mark) when the first 64 kB decode as UTF-8, else Windows-1258
    (Vietnamese), the code page of a CSV saved by a Vietnamese Excel."""
    start = stream.read(65536)
    stream.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(start) - 3:  # not merely a character cut at the end of the sample
            return "cp1258"
    return "utf-8"
