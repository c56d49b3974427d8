"""Hostile spreadsheets and big exports against the event loop (issue 14 "Safe by default").

    .venv/bin/python bench/spreadsheets_bench.py [--lines 20000] [--database-url URL]

Two parts, appended to bench/RESULTS.md:

1. In process, the choice of where the work runs. A ticker on the event loop (every 5 ms)
   measures how long the loop is held while the same work runs on the loop, in a worker
   thread (asyncio.to_thread) and in a worker process (partner_portal.workers): reading a
   legitimate 5,000-row partner workbook (the largest import) and writing an order export
   of --lines rows. openpyxl holds the GIL, so a thread only lets the loop in between its
   GIL switches.

2. The real server (`threadline serve`, as bench/run.py starts it) on a database with the
   demo data and a generated order book (bench/order_book.py). /healthz is asked again and
   again, one request at a time, first alone and then while each heavy request runs over
   and over from another connection: a zip bomb and a 1,000 x 1,000 sheet uploaded to the
   order upload, and the order export as xlsx and CSV (as the demo brand admin, about
   --lines lines). The table gives the heavy request's own time and /healthz's latency
   during it (p50, p99, max), and the p50 against /healthz alone.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    HOST,
    Server,
    append_results,
    free_port,
    log_in,
    venv_command,
)

ROUNDS = 3  # heavy requests per kind, one after the other
PREFIX = "X"


def database_url(explicit: str | None) -> str:
    return explicit or os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_sheets.sqlite3'}"
    )


def load_average() -> float:
    return os.getloadavg()[0]


# --------------------------------------------------------------------------- part 1


def partner_workbook(rows: int = 5000) -> bytes:
    from openpyxl import Workbook

    from partner_portal.partners.csv_io import PARTNER_COLUMNS, PARTNER_EXAMPLE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(PARTNER_COLUMNS))
    for number in range(rows):
        sheet.append(
            [f"{PARTNER_EXAMPLE[name]} {number}" if name == "legal_name" else PARTNER_EXAMPLE[name]
             for name in PARTNER_COLUMNS]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_rows(count: int) -> list[dict[str, Any]]:
    from partner_portal.orders.queries import EXPORT_HEADER

    row: dict[str, Any] = {name: "SS27-001" for name in EXPORT_HEADER}
    row |= {"quantity": 12, "unit_price": Decimal("123.45"), "line_total": Decimal("1481.40"),
            "requested_ship_date": date(2026, 3, 1)}  # fmt: skip
    return [dict(row) for _ in range(count)]


async def held_loop(work: Awaitable[Any]) -> tuple[float, list[float]]:
    """Await ``work``; its time and every gap the loop's 5 ms ticker saw beyond 5 ms."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(max(0.0, time.perf_counter() - started - 0.005))

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    await work
    took = time.perf_counter() - started
    done.set()
    await tick
    return took, lags


async def part_one(lines: int) -> str:
    from partner_portal import spreadsheets, workers
    from partner_portal.orders.queries import EXPORT_HEADER

    workbook = partner_workbook()
    rows = export_rows(lines)
    jobs: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "read a 5,000-row partner workbook": (
            spreadsheets.read_table,
            (workbook, spreadsheets.LIMITS),
        ),
        f"write a {lines:,}-row order export (xlsx)": (
            spreadsheets.xlsx_bytes,
            (EXPORT_HEADER, rows, "Orders", "Asia/Shanghai"),
        ),
    }
    await workers.run(len, b"", time_limit=60)  # the worker processes start once, not here
    await workers.run(len, b"", time_limit=60)

    async def on_loop(function: Callable[..., Any], arguments: tuple[Any, ...]) -> Any:
        return function(*arguments)

    async def in_thread(function: Callable[..., Any], arguments: tuple[Any, ...]) -> Any:
        return await asyncio.to_thread(function, *arguments)

    async def in_process(function: Callable[..., Any], arguments: tuple[Any, ...]) -> Any:
        return await workers.run(function, *arguments, time_limit=600)

    lines_out = [
        "| work | where | took s | loop held: max ms | p99 ms | median ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, (function, arguments) in jobs.items():
        for place, runner in (
            ("on the event loop", on_loop),
            ("worker thread", in_thread),
            ("worker process", in_process),
        ):
            took, lags = await held_loop(runner(function, arguments))
            lags.sort()
            lines_out.append(
                f"| {name} | {place} | {took:.2f} | {lags[-1] * 1000:,.0f} | "
                f"{lags[int(len(lags) * 0.99)] * 1000:,.1f} | {statistics.median(lags) * 1000:.2f} |"
            )
    return "\n".join(lines_out)


# --------------------------------------------------------------------------- part 2


def prepare_database(url: str, lines: int) -> None:
    environment = {**os.environ, "DATABASE_URL": url}
    for arguments in (["migrate"], ["demo-data", "--if-empty"]):
        subprocess.run(
            [venv_command("threadline"), *arguments],
            env=environment,
            cwd=ROOT,
            check=True,
            timeout=1800,
            stdout=subprocess.DEVNULL,
        )
    # The order book in a child process: the load generator holds no database connection.
    script = (
        "import asyncio, os\n"
        "from bench.order_book import OrderBookSpec, generate_order_book\n"
        "from partner_portal.orders.tables import Order\n"
        "async def main():\n"
        "    from partner_portal.database import open_database, close_database\n"
        "    pool = await open_database()\n"
        f"    if await Order.count().where(Order.number.like('{PREFIX}O-%')) == 0:\n"
        f"        await generate_order_book(OrderBookSpec(buyers=50, order_lines={lines},"
        f" prefix='{PREFIX}'), url=os.environ['DATABASE_URL'])\n"
        "    await close_database(pool)\n"
        "asyncio.run(main())\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, check=True, timeout=1800
    )


async def latencies(
    client: httpx.AsyncClient, until: Callable[[], bool], at_least: int
) -> list[float]:
    """/healthz one request at a time until ``until()`` (and at least ``at_least`` times)."""
    found: list[float] = []
    while len(found) < at_least or not until():
        started = time.perf_counter()
        response = await client.get("/healthz")
        response.raise_for_status()
        found.append(time.perf_counter() - started)
    return found


async def while_running(
    monitor: httpx.AsyncClient, request: Callable[[], Awaitable[httpx.Response]]
) -> tuple[list[float], set[int], list[float]]:
    """``request`` ROUNDS times in a row; their times and statuses, and /healthz's latencies
    meanwhile."""
    durations: list[float] = []
    statuses: set[int] = set()

    async def rounds() -> None:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = await request()
            durations.append(time.perf_counter() - started)
            statuses.add(response.status_code)

    task = asyncio.create_task(rounds())
    during = await latencies(monitor, task.done, 1)
    await task
    return durations, statuses, during


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def part_two(url: str) -> tuple[str, str]:
    from partner_portal.demo import DEMO_PASSWORD, demo_logins
    from tests import spreadsheet_files

    logins = {login.role: login.email for login in demo_logins()}
    server = Server(url, free_port(), 1)
    server.start()
    try:
        await server.wait_ready()
        async with (
            httpx.AsyncClient(base_url=server.base, timeout=600) as monitor,
            httpx.AsyncClient(base_url=server.base, timeout=600) as admin,
            httpx.AsyncClient(base_url=server.base, timeout=600) as buyer,
        ):
            await log_in(admin, logins["brand_admin"], DEMO_PASSWORD)
            await log_in(buyer, logins["distributor"], DEMO_PASSWORD)
            token = buyer.cookies["csrftoken"]
            columns = ("style", "colour", "size", "quantity")
            bomb = spreadsheet_files.zip_bomb(columns)
            square = spreadsheet_files.square(1000)

            def upload(content: bytes) -> Callable[[], Awaitable[httpx.Response]]:
                return lambda: buyer.post(
                    "/distributors/upload",
                    files={"file": ("upload.xlsx", content)},
                    headers={"x-csrftoken": token},
                )

            heavy: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
                f"zip bomb upload ({len(bomb) // 1024} KB, 66 MB unpacked)": upload(bomb),
                f"1,000 x 1,000 sheet upload ({len(square) // 1024} KB)": upload(square),
                "GET /orders/export.xlsx (brand admin)": lambda: admin.get("/orders/export.xlsx"),
                "GET /orders/export.csv (brand admin)": lambda: admin.get("/orders/export.csv"),
            }
            exported = await admin.get("/orders/export.csv")
            exported_lines = exported.text.count("\n") - 1
            alone = await latencies(monitor, lambda: True, 200)
            rows = [
                "| while | heavy request s (median of 3) | status | /healthz n | p50 ms | p99 ms "
                "| max ms | p50 vs alone |",
                "|---|---:|---|---:|---:|---:|---:|---:|",
                f"| nothing (/healthz alone) | | | {len(alone)} | "
                f"{statistics.median(alone) * 1000:.1f} | {percentile(alone, 0.99) * 1000:.1f} | "
                f"{max(alone) * 1000:.1f} | 1.00 |",
            ]
            for name, request in heavy.items():
                durations, statuses, during = await while_running(monitor, request)
                rows.append(
                    f"| {name} | {statistics.median(durations):.2f} | "
                    f"{', '.join(map(str, sorted(statuses)))} | {len(during)} | "
                    f"{statistics.median(during) * 1000:.1f} | {percentile(during, 0.99) * 1000:.1f} | "
                    f"{max(during) * 1000:.1f} | "
                    f"{statistics.median(alone) / statistics.median(during):.2f} |"
                )
            note = f"The order export held {exported_lines:,} lines."
    finally:
        clean, seconds = server.stop()
    shutdown = f"SIGINT, the server exited in {seconds:.1f}s" + (
        "" if clean else " (FINDING: killed)"
    )
    return "\n".join(rows), f"{note} Shutdown: {shutdown}."


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=20_000, help="order lines to export")
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = database_url(arguments.database_url)
    os.environ["DATABASE_URL"] = url
    prepare_database(url, arguments.lines)
    before = load_average()
    first = asyncio.run(part_one(arguments.lines))
    second, note = asyncio.run(part_two(url))
    after = load_average()
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Spreadsheets: hostile uploads and big exports against the event loop, {stamp}, {kind}",
            "",
            f"nproc {os.cpu_count()}; load average {before:.2f} before, {after:.2f} after "
            "(other sessions share the machine). bench/spreadsheets_bench.py.",
            "",
            "In process: how long the event loop is held while the work runs (a 5 ms ticker).",
            "",
            first,
            "",
            f"The real server on {HOST} (one worker process, spreadsheet work in "
            "partner_portal.workers): /healthz one request at a time, alone and while each "
            f"heavy request runs {ROUNDS} times in a row from another connection.",
            "",
            second,
            "",
            note,
        ]
    )
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
