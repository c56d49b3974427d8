"""Reading and writing the CSV and Excel (xlsx) files users exchange with spreadsheets.

Every import in the portal reads its upload with ``read_rows`` (CSV or xlsx, told apart
by the content) and reports problems as ``RowError``s (row and column as the
spreadsheet shows them); every export writes with ``csv_chunks`` (UTF-8 with a byte-order
mark, so Excel shows Chinese and Korean) or ``xlsx_file``; partner_portal.web turns them
into downloads (``csv_download``, ``xlsx_download``).

Uploads come from outside, so reading one is bounded (``LIMITS``): the upload's size
(upload routes take ``request_max_body_size=UPLOAD_BYTES``), the size it unpacks to
(an xlsx is a zip archive: a 150 KB file can unpack to gigabytes), its rows, columns and
cells, and the time spent. Reading runs in a worker process (partner_portal.workers), so
a hostile file never stalls the event loop; a file over a limit is refused with a message
that names the limit.

Exports are formula-safe: text that a spreadsheet would take for a formula (it begins
with = + - @, a tab or a carriage return) is written as text. In CSV it gets a leading
single quote (OWASP's advice for CSV injection), which the import takes off again; in
xlsx it is a string cell marked "quote prefix", which Excel and LibreOffice show as text
and never evaluate. Numbers stay numbers and dates stay dates.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from partner_portal import i18n, workers
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _

logger = logging.getLogger("threadline")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# An xlsx file is a zip archive; CSV text never starts like one.
ZIP_MAGIC = b"PK\x03\x04"
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded file the portal reads, and how big an export may be.

    The largest import, 5,000 partners of 23 columns, is 1 MB as CSV, or 0.4 MB as xlsx
    that unpacks to 6 MB; reading the xlsx takes 1.6 s of CPU. Time is counted in CPU
    seconds of the worker process: on a busy machine the same file took 16 s of wall-clock
    time, and a wall-clock limit would refuse good files there."""

    upload_mb: int = 5
    unpacked_mb: int = 20
    rows: int = 5000
    columns: int = 100
    cells: int = 250_000
    cpu_seconds: float = 20
    export_rows: int = 100_000


LIMITS = Limits()
# For `request_max_body_size` on upload routes: the file, and room for the form's other
# fields and the multipart boundaries.
UPLOAD_BYTES = LIMITS.upload_mb * MB + 64 * 1024
# The worker process is stopped (wall-clock) only if it is stuck where the CPU time is not
# checked; generous, because a busy machine runs it up to ten times slower.
STUCK_AFTER_SECONDS = 10 * LIMITS.cpu_seconds
# An xlsx export is bounded by its rows (about 30 s of CPU for the most); this only stops
# a stuck worker.
EXPORT_STUCK_AFTER_SECONDS = 600

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

UNREADABLE_XLSX = N_("The file is not a readable Excel workbook (xlsx).")
NOT_UTF8 = N_("The file is not UTF-8 text. Save it as CSV UTF-8.")
UNREADABLE_CSV = N_("The file is not readable CSV: check the quotes on row %(row)s.")
UNPACKS_TOO_BIG = N_("The file unpacks to more than %(limit)s MB, the limit for one file.")
TOO_MANY_ROWS = N_("The file has more than %(limit)s rows, the limit for one file.")
TOO_MANY_COLUMNS = N_("The sheet has more than %(limit)s columns, the limit for one file.")
TOO_MANY_CELLS = N_("The sheet has more than %(limit)s cells, the limit for one file.")
TOO_SLOW = N_(
    "Reading the file needed more than %(limit)s seconds of processing, the limit for one file."
)
UPLOAD_TOO_BIG = N_("The file is larger than %(limit)s MB, the limit for one upload.")
EXPORT_TOO_BIG = N_(
    "The export would hold more than %(limit)s rows, the limit for one file. "
    "Narrow the filters and export again."
)
EXPORT_TOO_SLOW = N_(
    "Writing the export took longer than %(limit)s seconds. Narrow the filters and export again."
)


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the spreadsheet: the header is row 1
    column: str
    message: str


@dataclass(frozen=True)
class Refusal:
    """Why a whole file is refused: a message id and the limit it names, put in the
    reader's language when shown (the worker process that finds it has no reader)."""

    message: str
    limit: int | float = 0
    row: int = 0

    def text(self) -> str:
        return _(self.message, limit=i18n.format_number(self.limit), row=self.row)


class _Refused(Exception):
    def __init__(self, message: str, limit: int | float = 0, row: int = 0) -> None:
        super().__init__(message)
        self.refusal = Refusal(message, limit, row)


@dataclass
class Table:
    """A file's first sheet as text: its first row, and the non-blank rows after it with
    the row numbers the spreadsheet shows."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Reading (in a worker process)


def is_xlsx(content: bytes) -> bool:
    return content.startswith(ZIP_MAGIC)


def cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: 12000 not 12000.0, dates as YYYY-MM-DD, and
    without the quote our exports put before text a spreadsheet would take for a formula."""
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
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class _Bounds:
    """Counts what has been read against the limits, and refuses past any of them."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.process_time() + limits.cpu_seconds
        self.cells = 0
        self.table = Table()

    def add(self, number: int, values: Sequence[Any]) -> None:
        self.cells += len(values)
        if self.cells > self.limits.cells:
            raise _Refused(TOO_MANY_CELLS, self.limits.cells)
        cells = [cell_text(value) for value in values]
        # Spreadsheets leave empty cells to the right of the data.
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > self.limits.columns:
            raise _Refused(TOO_MANY_COLUMNS, self.limits.columns)
        if number == 1:
            self.table.header = cells
        elif cells:
            if len(self.table.rows) == self.limits.rows:
                raise _Refused(TOO_MANY_ROWS, self.limits.rows)
            self.table.rows.append((number, cells))
        if time.process_time() > self.deadline:
            raise _Refused(TOO_SLOW, self.limits.cpu_seconds)


def _check_archive(content: bytes, limits: Limits) -> None:
    """Refuse a zip that unpacks to more than the limit, by what it declares and by what
    it really unpacks to (a declaration can lie), before any XML is parsed."""
    limit = limits.unpacked_mb * MB
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise _Refused(UNREADABLE_XLSX) from None
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > limit:
            raise _Refused(UNPACKS_TOO_BIG, limits.unpacked_mb)
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(MB):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise _Refused(UNPACKS_TOO_BIG, limits.unpacked_mb)


def _read_xlsx(content: bytes, bounds: _Bounds) -> None:
    _check_archive(content, bounds.limits)
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # The dimension the file declares is not trusted: read what the sheet holds
        # (a lie would otherwise cut rows off silently, or pad each row to 16,384 cells).
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            bounds.add(number, values)
    finally:
        workbook.close()


def _read_csv(content: bytes, bounds: _Bounds) -> None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Refused(NOT_UTF8) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, values in enumerate(reader, start=1):
            bounds.add(number, values)
    except csv.Error:
        raise _Refused(UNREADABLE_CSV, row=reader.line_num) from None


def read_table(content: bytes, limits: Limits) -> Table | Refusal:
    """The first sheet of an xlsx workbook or the rows of a CSV file as text, or why the
    file is refused. Runs in a worker process (see ``read_rows``)."""
    bounds = _Bounds(limits)
    try:
        if is_xlsx(content):
            _read_xlsx(content, bounds)
        else:
            _read_csv(content, bounds)
    except _Refused as refused:
        return refused.refusal
    except Exception:
        # openpyxl raises whatever the broken part of the file leads it to (KeyError,
        # ValueError, XML parse errors, an entity bomb's expansion limit...).
        if not is_xlsx(content):
            raise
        logger.info("an unreadable xlsx upload", exc_info=True)
        return Refusal(UNREADABLE_XLSX)
    return bounds.table


async def read_rows(
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
    limits = LIMITS
    try:
        table = await workers.run(read_table, content, limits, time_limit=STUCK_AFTER_SECONDS)
    except (workers.WorkerTimeout, workers.WorkerLost):
        table = Refusal(TOO_SLOW, limits.cpu_seconds)
    if isinstance(table, Refusal):
        return [], [RowError(0, "", table.text())]
    header = [name.strip() for name in table.header]
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
    for number, cells in table.rows:
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
    if not rows and not problems:
        problems.append(RowError(2, "", _("The file has no data rows.")))
    return rows, problems


# ---------------------------------------------------------------------------
# Writing


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.date):  # and datetimes
        return value.isoformat()
    text = str(value)
    return "'" + text if _is_formula_like(text) else text


def csv_chunks(
    header: Sequence[str], rows: Iterable[Mapping[str, Any]], rows_per_chunk: int = 100
) -> Iterator[str]:
    """The rows as CSV text, a hundred rows at a time (about a millisecond of CPU each, so
    a download streamed chunk by chunk lets other requests in between), the first chunk
    starting with a byte-order mark and the header; missing and None cells are empty."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(row.get(name)) for name in header])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as CSV text with a byte-order mark (templates and other small files)."""
    return "".join(csv_chunks(header, rows))


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, zone: ZoneInfo) -> Any:
    if value is None or value == "":
        return None  # an empty cell
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # A number Excel can add up, shown with its own decimals (5266.80 CNY, 190000 KRW).
        number = WriteOnlyCell(sheet, value=value)
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        number.number_format = "0." + "0" * places if places else "0"
        return number
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the reader's local time.
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, datetime.date):
        return value
    # Codes that look like numbers (barcodes, sizes such as 100) stay text so Excel keeps
    # every digit; text is never a formula, whatever it begins with.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    if _is_formula_like(cell.value):
        cell.quotePrefix = True
    return cell


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    title: str = "",
    time_zone: str = "UTC",
) -> bytes:
    """The rows as an Excel workbook of one sheet; missing, None and "" cells are empty.
    Decimals and ints stay numbers, dates stay dates (datetimes in ``time_zone``)."""
    zone = ZoneInfo(time_zone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Sheet1")[:31])
    sheet.append([_xlsx_cell(sheet, name, zone) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(name), zone) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_refusal(rows: Sequence[Any]) -> Refusal | None:
    """Why an export of these rows is refused (too many), or None."""
    if len(rows) > LIMITS.export_rows:
        return Refusal(EXPORT_TOO_BIG, LIMITS.export_rows)
    return None


async def xlsx_file(
    header: Sequence[str], rows: Sequence[Mapping[str, Any]], title: str = ""
) -> bytes | Refusal:
    """``xlsx_bytes`` in a worker process (openpyxl takes tens of microseconds a cell and
    would hold the event loop for seconds), or why the export is refused."""
    refusal = export_refusal(rows)
    if refusal is not None:
        return refusal
    try:
        return await workers.run(
            xlsx_bytes,
            tuple(header),
            workers.Batches(rows),
            title,
            i18n.current_time_zone.get(),
            time_limit=EXPORT_STUCK_AFTER_SECONDS,
        )
    except workers.WorkerTimeout:
        return Refusal(EXPORT_TOO_SLOW, EXPORT_STUCK_AFTER_SECONDS)
