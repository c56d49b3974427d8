"""Sales at scale (issue 9): the kanban board and the case list with 100,000 opportunities
and 200,000 cases, against the trivial route; one rebate run over a season of 2,000,000
order lines.

    .venv/bin/python bench/sales_pipeline.py                      # SQLite (var/)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/threadline_bench_sales \\
        .venv/bin/python bench/sales_pipeline.py

The data set is generated once per database: the demo network (kernel, order book and
sales demo data), then bulk rows outside the ORM (executemany on SQLite, COPY on
PostgreSQL). Pages are measured with bench/run.py's server and load client, signed in
as the demo brand admin (who sees every row); the rebate run is timed in this process,
twice (the second run finds nothing new: earning is idempotent). Appends a section to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OPPORTUNITIES, CASES = 100_000, 200_000
ORDERS, LINES_PER_ORDER = 100_000, 20
STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
KINDS = ("new_distributor", "reorder_season", "group_tender", "private_label")
PRIORITIES = ("urgent", "high", "normal", "low")
CASE_STATUSES = ("new", "in_progress", "waiting_on_partner", "resolved", "closed")
ADMIN = "admin@jinxiu.demo"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_sales.sqlite3'}")


async def generate() -> str:
    """Demo network plus the bulk rows, once per database."""
    from partner_portal import demo
    from partner_portal.cli import migrate
    from partner_portal.orders import plugin as orders_plugin
    from partner_portal.partners.tables import Organisation, User
    from sales import plugin as sales_plugin
    from sales.tables import Opportunity

    await migrate()
    if await Opportunity.count() >= OPPORTUNITIES:
        return "data set present"
    started = time.perf_counter()
    await demo.load_demo_data(True, (orders_plugin, sales_plugin))
    rng = random.Random(9)
    now = datetime.now(UTC)
    partners = await Organisation.select(Organisation.id, Organisation.owner).where(
        Organisation.kind.is_in(["distributor", "retailer", "group_client"])
    )
    kams = [row["id"] for row in await User.select(User.id).where(User.role == "kam")]

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    opportunities = []
    for _ in range(OPPORTUNITIES):
        partner = rng.choice(partners)
        stage = rng.choice(STAGES)
        closed = now - timedelta(days=rng.randint(0, 400)) if stage in ("won", "lost") else None
        opportunities.append(
            (uid(), partner["id"], "Bench opportunity", rng.choice(KINDS),
             Decimal(rng.randrange(10, 5000) * 1000), "CNY",
             (now + timedelta(days=rng.randint(-30, 365))).date(), stage,
             Decimal(rng.choice((10, 25, 50, 75))), "", partner["owner"] or rng.choice(kams),
             "", "", closed, "", now, now, 1)
        )  # fmt: skip
    rows["sales_opportunity"] = (
        ["uuid", "organisation", "title", "kind", "expected_value", "currency",
         "expected_close_date", "stage", "probability", "lost_reason", "owner", "competitors",
         "next_step", "closed_at", "draft_link", "created_at", "updated_at", "version"],
        opportunities,
    )  # fmt: skip
    cases = []
    for _ in range(CASES):
        opened = now - timedelta(hours=rng.randint(0, 24 * 365))
        cases.append(
            (uid(), rng.choice(partners)["id"], "Bench case", "question",
             rng.choice(PRIORITIES), rng.choice(CASE_STATUSES), "",
             opened + timedelta(hours=8), opened + timedelta(hours=45), opened, opened, 1)
        )  # fmt: skip
    rows["sales_case"] = (
        ["uuid", "organisation", "subject", "kind", "priority", "status", "order_number",
         "first_response_due_at", "resolution_due_at", "created_at", "updated_at", "version"],
        cases,
    )  # fmt: skip
    first_order = 1_000_000
    orders, lines = [], []
    for index in range(ORDERS):
        order_id = first_order + index
        status = rng.choice(("delivered",) * 8 + ("shipped", "cancelled"))
        placed = now - timedelta(days=rng.randint(1, 150))
        orders.append(
            (order_id, uid(), f"SO-B{order_id}", rng.choice(partners)["id"], "distributor",
             status, "CNY", "", "", "", 0, Decimal(0), Decimal(0),
             Decimal(rng.randrange(1000, 200000)), placed, placed, placed, placed, 1)
        )  # fmt: skip
        for _ in range(LINES_PER_ORDER):
            lines.append((order_id, 1, 1, 1, 1, 10, Decimal(100), Decimal(0), Decimal(1000), 0))
    rows["sales_order"] = (
        ["id", "uuid", "number", "buyer", "channel", "status", "currency", "price_list_name",
         "ship_to", "customer_po", "total_quantity", "subtotal", "discount_total", "total",
         "submitted_at", "status_changed_at", "created_at", "updated_at", "version"],
        orders,
    )  # fmt: skip
    rows["sales_order_line"] = (
        ["order", "sku", "style", "colourway", "size", "quantity", "unit_price",
         "discount_percent", "line_total", "shipped_quantity"],
        lines,
    )  # fmt: skip
    await _bulk_insert(rows)
    await _programme(now.date())
    return f"generated in {time.perf_counter() - started:.1f} s"


async def _programme(today: date) -> None:
    from sales.tables import RebateProgramme, RebateTier

    programme = RebateProgramme(
        name="Bench season",
        starts_on=today - timedelta(days=180),
        ends_on=today - timedelta(days=1),
        currency="CNY",
        points_per_hundred=Decimal(1),
        points_expiry_days=365,
    )
    await programme.save().run()
    await RebateTier.insert(
        RebateTier(programme=programme.id, threshold=Decimal(1_000_000), percent=Decimal(2)),
        RebateTier(programme=programme.id, threshold=Decimal(2_000_000), percent=Decimal(3)),
    ).run()


async def _bulk_insert(rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    from partner_portal.database import current_engine, is_sqlite

    engine: Any = current_engine()
    if is_sqlite():
        import sqlite3

        sqlite3.register_adapter(Decimal, str)
        sqlite3.register_adapter(datetime, lambda moment: moment.isoformat(sep=" "))
        sqlite3.register_adapter(date, lambda day: day.isoformat())
        connection = sqlite3.connect(engine.path)
        with connection:
            for table, (columns, values) in rows.items():
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
            connection.execute("ANALYZE")
        connection.close()
        return
    import asyncpg

    connection = await asyncpg.connect(database_url())
    for table, (columns, values) in rows.items():
        if "uuid" in columns:
            at = columns.index("uuid")
            values = [(*row[:at], uuid.UUID(row[at]), *row[at + 1 :]) for row in values]
        await connection.copy_records_to_table(table, records=values, columns=columns)
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT MAX(id) FROM "{table}"))'
        )
    await connection.execute("ANALYZE")
    await connection.close()


async def rebate_runs() -> list[tuple[str, float, str]]:
    from sales import rebates

    timings = []
    for label in ("first run (earns the season)", "second run (nothing new)"):
        started = time.perf_counter()
        summary = await rebates.run_rebates()
        timings.append((label, time.perf_counter() - started, summary))
    return timings


async def service_times(runs: int = 5) -> list[tuple[str, float]]:
    """What the board and the forecast page cost in this process, as the brand admin
    (median of ``runs`` after one warm-up): one request's work without the load client's
    concurrency."""
    import statistics

    from partner_portal.accounts.services import viewer_for_user_id
    from partner_portal.app import register_plugins
    from partner_portal.partners.tables import User
    from sales import forecast as sales_forecast
    from sales import pipeline

    register_plugins()
    admin = await User.select(User.id).where(User.email == ADMIN).first()
    assert admin is not None
    viewer = await viewer_for_user_id(admin["id"])

    async def board() -> None:
        await pipeline.board(viewer, pipeline.OpportunityFilters())

    async def forecast_page() -> None:
        await sales_forecast.forecast(viewer)
        await sales_forecast.won_lost_analysis(viewer)

    timings = []
    for label, work in (
        ("board: totals per stage and the first cards", board),
        ("forecast page: forecast and won/lost analysis", forecast_page),
    ):
        await work()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await work()
            samples.append(time.perf_counter() - started)
        timings.append((label, statistics.median(samples) * 1000))
    return timings


async def pages(arguments: argparse.Namespace) -> list[Any]:
    import httpx

    from bench.run import Server, free_port, log_in, measure

    server = Server(database_url(), free_port(), 1)
    server.start()
    try:
        await server.wait_ready()
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
            await log_in(client, ADMIN, "threadline-demo")
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
            # Open the list once with explicit filters, so it is not redirected to saved ones.
            await client.get("/sales/cases?status=open")
        results = [
            await measure(server.port, "", "GET /healthz (anonymous)", ["/healthz"], arguments)
        ]
        for name, path in (
            ("GET /sales/opportunities (board)", "/sales/opportunities"),
            ("GET /sales/opportunities/list", "/sales/opportunities/list?stage=proposal"),
            ("GET /sales/cases?status=open", "/sales/cases?status=open"),
            ("GET /sales/forecast", "/sales/forecast"),
        ):
            results.append(await measure(server.port, cookie, name, [path], arguments))
        return results
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="measure the pages again on an existing data set (the rebate run is timed only "
        "on a fresh one: a second run finds the season already earned)",
    )
    arguments = parser.parse_args()
    os.environ["DATABASE_URL"] = database_url()
    from bench.run import table

    async def everything() -> tuple[
        str, list[tuple[str, float, str]], list[Any], list[tuple[str, float]]
    ]:
        from partner_portal import database

        generated = "existing data set" if arguments.pages_only else await generate()
        print(generated, flush=True)
        load = os.getloadavg()[0]
        results = await pages(arguments)
        services = await service_times()
        timings = [] if arguments.pages_only else await rebate_runs()
        await database.close_database(False)
        note = f"{generated}; load average {load:.2f} before the run"
        return note, timings, results, services

    note, timings, results, services = asyncio.run(everything())
    kind = "SQLite" if database_url().startswith("sqlite") else "PostgreSQL"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"\n## Sales: board, case list, rebate run, {stamp}, {kind}\n\n"
        f"{OPPORTUNITIES:,} opportunities, {CASES:,} cases, {ORDERS:,} orders with "
        f"{ORDERS * LINES_PER_ORDER:,} order lines; nproc {os.cpu_count()}, Python "
        f"{platform.python_version()}; {note}. Signed in as the brand admin (sees every row); "
        f"{arguments.requests} requests per route from {arguments.concurrency} connections.\n\n"
        f"{table(results)}\n"
        "\n| in one process (median of 5) | ms |\n|---|---:|\n"
        + "".join(f"| {label} | {ms:.1f} |\n" for label, ms in services)
    )
    if timings:
        text += "\n| rebate run | seconds | result |\n|---|---|---|\n" + "".join(
            f"| {label} | {seconds:.2f} | {summary} |\n" for label, seconds, summary in timings
        )
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results_file:
        results_file.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
