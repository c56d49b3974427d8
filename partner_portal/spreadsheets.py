"""Reading and writing the CSV and Excel (xlsx) files users exchange with spreadsheets.

Every import in the portal reads its upload with ``read_rows`` (CSV or xlsx, told apart
by the content) and reports problems as ``RowError``s (row and column as the
spreadsheet shows them); every export writes with ``csv_text`` (UTF-8 with a byte-order
mark, so Excel shows Chinese and Korean) or ``xlsx_bytes``.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from partner_portal.i18n import gettext as _

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An xlsx file is a zip archive; CSV text never starts like one.
ZIP_MAGIC = b"PK\x03\x04"

MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the spreadsheet: the header is row 1
    column: str
    message: str


def csv_text(header: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as CSV text with a byte-order mark; missing and None cells are empty."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row.get(name) is None else row.get(name) for name in header})
    return buffer.getvalue()


def xlsx_bytes(header: Sequence[str], rows: Sequence[Mapping[str, Any]], title: str = "") -> bytes:
    """The rows as an Excel workbook of one sheet; missing and None cells are empty.

    Codes that look like numbers (barcodes, sizes such as 100) are written as text so
    Excel keeps every digit; Decimals and ints stay numbers.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Sheet1")[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(row.get(name)) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | datetime.date):
        return value
    return str(value)


def is_xlsx(content: bytes) -> bool:
    return content.startswith(ZIP_MAGIC)


def _cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: 12000 not 12000.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_table(content: bytes) -> tuple[list[list[str]], RowError | None]:
    """The first sheet's rows as text cells, or why the workbook cannot be read."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], RowError(0, "", _("The file is not a readable Excel workbook (xlsx)."))
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return [], None
        table = []
        for values in sheet.iter_rows(values_only=True):
            table.append([_cell_text(value) for value in values])
            if len(table) > MAX_ROWS + 2:
                break
        return table, None
    finally:
        workbook.close()


def _csv_table(content: bytes) -> tuple[list[list[str]], RowError | None]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], RowError(0, "", _("The file is not UTF-8 text. Save it as CSV UTF-8."))
    return list(csv.reader(io.StringIO(text, newline=""))), None


def read_rows(
    content: bytes,
    columns: Sequence[str],
    required: Sequence[str],
    export_only: Sequence[str] = (),
) -> tuple[list[dict[str, str]], list[RowError]]:
    """The data rows of an uploaded CSV or xlsx file (its first sheet), or the reasons
    the file itself cannot be read. Each row maps column -> text, plus ``_row``: the
    row number the spreadsheet shows (the header is row 1).

    ``export_only`` columns (ids an export adds) are accepted and left to the caller.
    """
    table, problem = _xlsx_table(content) if is_xlsx(content) else _csv_table(content)
    if problem is not None:
        return [], [problem]
    header = [name.strip() for name in table[0]] if table else []
    # Spreadsheets leave empty cells to the right of the header.
    while header and not header[-1]:
        header.pop()
    if not header:
        return [], [RowError(1, "", _("The file is empty."))]
    problems = []
    unknown = [name for name in header if name and name not in columns and name not in export_only]
    if unknown:
        problems.append(
            RowError(1, ", ".join(unknown), _("Unknown column. Use the header of the template."))
        )
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(RowError(1, ", ".join(missing), _("This column is required.")))
    if problems:
        return [], problems
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        extra = cells[len(header) :]
        if any(cell.strip() for cell in extra):
            problems.append(RowError(number, "", _("This row has more cells than the header.")))
            continue
        cleaned = {
            name: (cells[index] if index < len(cells) else "").strip()
            for index, name in enumerate(header)
        }
        if any(cleaned.values()):
            cleaned["_row"] = str(number)
            rows.append(cleaned)
    if len(rows) > MAX_ROWS:
        problems.append(RowError(0, "", _("At most %(count)s rows per file.", count=MAX_ROWS)))
    if not rows and not problems:
        problems.append(RowError(2, "", _("The file has no data rows.")))
    return rows, problems
