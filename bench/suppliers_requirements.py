"""Material requirement computation at scale (issue 6): 2,000,000 order lines, 500 styles,
200 materials, 26 weeks; time and peak memory on SQLite or PostgreSQL.

    .venv/bin/python bench/suppliers_requirements.py                      # SQLite (var/)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/threadline_bench_suppliers \\
        .venv/bin/python bench/suppliers_requirements.py

The data set is generated once per database: the order book by bench/order_book.py (the
shared generator; bulk inserts outside the ORM: executemany on SQLite, COPY on PostgreSQL),
then suppliers, materials and BOMs the same way; the measurement runs in a fresh process so its peak
memory (ru_maxrss) is the computation's alone. Appends a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.order_book import BulkWriter, OrderBookSpec, generate_order_book  # noqa: E402

STYLES, MATERIALS, SUPPLIERS, BUYERS = 500, 200, 10, 50
LINES_PER_ORDER = 20
SIZES = ("S", "M", "L", "XL", "XXL")
COLOURS = ("BLK", "NVY")


def database_url() -> str:
    return os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_suppliers.sqlite3'}"
    )


# The buyers' order book of the original figures: 50 buyers, 500 styles in 2 colours and 5
# sizes, orders of 20 lines; delivered orders over the last 360 days and open ones (submitted,
# confirmed, in production) in the last 20 days, shipping 7-190 days ahead.
SUPPLIERS_STATUS_MIX = (("delivered", 12), ("confirmed", 3), ("in_production", 2), ("submitted", 3))


def order_book_spec(order_lines: int) -> OrderBookSpec:
    return OrderBookSpec(
        buyers=BUYERS,
        styles=STYLES,
        colours=COLOURS,
        sizes=SIZES,
        order_lines=order_lines,
        lines_per_order=LINES_PER_ORDER,
        span_days=360,
        open_days=20,
        status_weights=SUPPLIERS_STATUS_MIX,
        seed=6,
    )


async def generate(order_lines: int) -> str:
    """Suppliers, materials and BOMs, on top of bench/order_book.py's order book (once)."""
    from partner_portal.cli import migrate
    from partner_portal.orders.tables import Order

    await migrate()
    if await Order.count() > 0:
        return "data set present"
    started = time.perf_counter()
    book = await generate_order_book(order_book_spec(order_lines), database_url())
    rng = random.Random(6)
    now = datetime.now(UTC)

    def uid() -> str:
        import uuid

        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    writer = BulkWriter(database_url())
    await writer.open()
    try:
        first_org = await writer.max_id("organisation") + 1
        suppliers = list(range(first_org, first_org + SUPPLIERS))
        await writer.write(
            "organisation",
            ["id", "uuid", "kind", "legal_name", "status", "created_at", "updated_at"],
            [(i, uid(), "fabric_supplier", f"Org {i}", "active", now, now) for i in suppliers],
        )
        first_material = await writer.max_id("material") + 1
        materials = list(range(first_material, first_material + MATERIALS))
        fabrics, trims = materials[:120], materials[120:]
        await writer.write(
            "material",
            ["id", "uuid", "supplier", "code", "name", "kind", "unit", "composition", "colour", "dye_lot", "price",
             "currency", "lead_time_days", "minimum_order", "on_hand", "created_at", "updated_at", "version"],
            [
                (m, uid(), suppliers[n % SUPPLIERS], f"MAT-{n + 1:03d}", f"Material {n + 1}",
                 "fabric" if n < 120 else "trim", "metre" if n < 120 else "piece", "", "", "",
                 Decimal("10"), "CNY", 28, Decimal(0), Decimal(rng.randint(0, 2000)), now, now, 1)
                for n, m in enumerate(materials)
            ],
        )  # fmt: skip
        bom: list[tuple[Any, ...]] = []
        bom_id = await writer.max_id("bom_line")
        for style in book.style_ids:
            fabric = rng.choice(fabrics)
            for position, size in enumerate(book.size_ids, start=1):
                bom_id += 1
                bom.append(
                    (bom_id, uid(), style, fabric, None, size,
                     Decimal("1.30") + Decimal("0.05") * position, Decimal("4"))
                )  # fmt: skip
            for trim in rng.sample(trims, 2):
                bom_id += 1
                bom.append(
                    (
                        bom_id,
                        uid(),
                        style,
                        trim,
                        None,
                        None,
                        Decimal(rng.randint(1, 8)),
                        Decimal("2"),
                    )
                )
        await writer.write(
            "bom_line",
            [
                "id",
                "uuid",
                "style",
                "material",
                "colourway",
                "size",
                "consumption",
                "wastage_percent",
            ],
            bom,
        )
    finally:
        await writer.close()
    return f"generated {book.lines:,} order lines in {time.perf_counter() - started:.1f} s"


async def measure() -> dict[str, Any]:
    """Time each stage, then a full publish; peak RSS of this process."""
    from partner_portal.app import register_plugins
    from partner_portal.clock import utcnow
    from partner_portal.database import close_database, open_database
    from partner_portal.registries import registry
    from suppliers import forecasting, planning

    register_plugins()
    started_pool = await open_database()
    try:
        settings = forecasting.ForecastSettings()
        first_week = planning.monday_of(utcnow().date())
        timings: dict[str, float] = {}
        begin = time.perf_counter()
        demand_lines = await registry.demand_sources["order_book"](first_week)
        timings["order book demand source (order_book)"] = time.perf_counter() - begin
        begin = time.perf_counter()
        monthly, _mix = await forecasting.order_history(
            first_week - timedelta(weeks=52), first_week
        )
        timings["order history, aggregated in SQL"] = time.perf_counter() - begin
        begin = time.perf_counter()
        outcome = await forecasting.publish_forecast(None, settings)
        timings["full computation and publish (all stages)"] = time.perf_counter() - begin
    finally:
        await close_database(started_pool)
    return {
        "timings": timings,
        "demand_lines": len(demand_lines),
        "styles_with_history": len(monthly),
        "forecast_lines": outcome.lines,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--order-lines", type=int, default=2_000_000)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    os.environ["DATABASE_URL"] = database_url()
    if arguments.measure_only:
        import json

        print(json.dumps(asyncio.run(measure())))
        return 0
    print(asyncio.run(generate(arguments.order_lines)))
    completed = subprocess.run(
        [sys.executable, __file__, "--measure-only"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    import json

    result = json.loads(completed.stdout.strip().splitlines()[-1])
    kind = "PostgreSQL" if database_url().startswith("postgres") else "SQLite"
    load = os.getloadavg()[0]
    report = [
        "",
        f"## Material requirements (suppliers), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {kind}",
        "",
        f"{arguments.order_lines:,} order lines, {STYLES} styles, {MATERIALS} materials, 26 weeks; "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, load average {load:.2f} before the run.",
        "",
        "| stage | seconds |",
        "|---|---|",
        *(f"| {stage} | {seconds:.2f} |" for stage, seconds in result["timings"].items()),
        "",
        f"Demand lines from the order book: {result['demand_lines']:,}; styles with order history: "
        f"{result['styles_with_history']}; forecast lines published: {result['forecast_lines']:,}; "
        f"peak memory (RSS of the measuring process): {result['peak_rss_mb']:.0f} MB.",
        "",
    ]
    print("\n".join(report))
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
