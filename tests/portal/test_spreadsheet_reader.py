"""The one reader every import uses: what it makes of cells, and how it stops a file (or a
stuck worker) that would take too long."""

from __future__ import annotations

import dataclasses
import io
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from partner_portal import spreadsheets, workers

COLUMNS = ("code", "day", "note")


def _xlsx(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_dates_numbers_and_row_numbers_read_as_the_spreadsheet_shows_them() -> None:
    content = _xlsx(
        list(COLUMNS),
        [1001, datetime(2026, 3, 1), "first"],
        [None, None, None],
        ["A-7", date(2026, 3, 2), 12.5],
    )

    rows, problems = await spreadsheets.read_rows(content, COLUMNS, ("code",))

    assert problems == []
    assert rows == [
        {"code": "1001", "day": "2026-03-01", "note": "first", "_row": "2"},
        {"code": "A-7", "day": "2026-03-02", "note": "12.5", "_row": "4"},
    ]


async def test_the_quote_an_export_put_before_a_formula_like_text_is_taken_off() -> None:
    content = b"code,day,note\n'=SUM(A1),'-3,'plain\n"

    rows, problems = await spreadsheets.read_rows(content, COLUMNS, ())

    assert problems == []
    assert (rows[0]["code"], rows[0]["day"], rows[0]["note"]) == ("=SUM(A1)", "-3", "'plain")


async def test_a_csv_with_a_quote_left_open_is_refused_not_a_server_error() -> None:
    content = b'code,day,note\n"open,2026-03-01,x\n' + b"y" * 200_000

    rows, problems = await spreadsheets.read_rows(content, COLUMNS, ())

    assert rows == []
    assert [problem.message for problem in problems] == [
        "The file is not readable CSV: check the quotes on row 3."
    ]


async def test_reading_stops_at_the_cpu_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        spreadsheets, "LIMITS", dataclasses.replace(spreadsheets.LIMITS, cpu_seconds=0)
    )
    content = _xlsx(list(COLUMNS), ["A", "B", "C"])

    rows, problems = await spreadsheets.read_rows(content, COLUMNS, ())

    assert rows == []
    assert [problem.message for problem in problems] == [
        "Reading the file needed more than 0 seconds of processing, the limit for one file."
    ]


def wait_forever() -> None:
    """A job that never ends (it runs in a worker process)."""
    threading.Event().wait()


async def test_a_worker_past_its_time_limit_is_stopped_and_the_next_job_runs() -> None:
    with pytest.raises(workers.WorkerTimeout):
        await workers.run(wait_forever, time_limit=0.5)

    table = await workers.run(
        spreadsheets.read_table, b"code\nA\n", spreadsheets.LIMITS, time_limit=30
    )

    assert table == spreadsheets.Table(header=["code"], rows=[(2, ["A"])])


async def test_a_long_list_sent_in_batches_arrives_whole_and_in_order() -> None:
    rows = [{"line": number, "amount": Decimal(number) / 100} for number in range(1234)]

    received: list[dict[str, object]] = await workers.run(
        list, workers.Batches(rows, size=100), time_limit=30
    )

    assert received == rows
