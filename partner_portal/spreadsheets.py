"""Reading and writing the CSV files users exchange with spreadsheets.

Every import in the portal reads its upload with ``read_rows`` and reports problems
as ``RowError``s (row and column as the spreadsheet shows them); every export writes
with ``csv_text`` (UTF-8 with a byte-order mark, so Excel shows Chinese and Korean).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from partner_portal.i18n import gettext as _

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


def read_rows(
    content: bytes,
    columns: Sequence[str],
    required: Sequence[str],
    export_only: Sequence[str] = (),
) -> tuple[list[dict[str, str]], list[RowError]]:
    """The data rows of an uploaded CSV, or the reasons the file itself cannot be read.

    ``export_only`` columns (ids an export adds) are accepted and left to the caller.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "", _("The file is not UTF-8 text. Save it as CSV UTF-8."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        return [], [RowError(1, "", _("The file is empty."))]
    reader.fieldnames = header
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
    for row in reader:
        if None in row:
            problems.append(
                RowError(reader.line_num, "", _("This row has more cells than the header."))
            )
            continue
        cleaned = {name: (value or "").strip() for name, value in row.items()}
        if any(cleaned.values()):
            cleaned["_row"] = str(reader.line_num)
            rows.append(cleaned)
    if len(rows) > MAX_ROWS:
        problems.append(RowError(0, "", _("At most %(count)s rows per file.", count=MAX_ROWS)))
    if not rows and not problems:
        problems.append(RowError(2, "", _("The file has no data rows.")))
    return rows, problems
