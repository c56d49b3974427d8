"""Partner health at scale (issue 8): 2,000 partners, 2,000,000 order lines over two years.

    .venv/bin/python bench/insights_bench.py                                 # SQLite (var/)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/threadline_bench_insights \\
        .venv/bin/python bench/insights_bench.py

1. The data set, once per database: migrations, the demo network (`threadline demo-data
   --if-empty`: the brand, its admin and KAMs), then bench/order_book.py's order book with
   --partners buyer organisations owned by the demo KAMs and --order-lines lines over
   two years, and a unit cost for half of its styles (so both margin paths are used).
2. The full recomputation (insights.snapshots.recompute_all, stage by stage: facts,
   metrics, cross-sell) in a fresh process: seconds per stage and peak RSS (ru_maxrss).
3. The /insights dashboard (12 months; 8 quarters by KAM, first page of groups; 6 seasons)
   and the drill-down from last month's active partners, for a demo KAM and for the brand
   admin, against /healthz on the same running server, with bench/run.py's tools.

Prints a Markdown report and appends it to bench/RESULTS.md (unless --no-record); the
report is also written to bench/out/insights-<database kind>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import run as load_tool  # noqa: E402
from bench.order_book import OrderBookSpec, generate_order_book  # noqa: E402

KAM_EMAIL = "wang.xiaoming@jinxiu.demo"
ADMIN_EMAIL = "admin@jinxiu.demo"
PASSWORD = "threadline-demo"


def pages(today: date) -> tuple[tuple[str, str], ...]:
    """The dashboard views, and the drill-down from last month's active partners (the
    biggest list of a month's figures)."""
    last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
    return (
        ("12 months", "/insights?period=month&count=12"),
        ("8 quarters by KAM", "/insights?period=quarter&count=8&by=kam"),
        ("6 seasons", "/insights?period=season&count=6"),
        (
            "drill-down, last month's active partners",
            f"/insights/partners?period=month&count=12&kpi=active&window={last_month}",
        ),
    )


def database_url() -> str:
    return os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_insights.sqlite3'}"
    )


def order_book_spec(partners: int, order_lines: int) -> OrderBookSpec:
    return OrderBookSpec(
        buyers=partners,
        styles=500,
        order_lines=order_lines,
        lines_per_order=20,
        span_days=730,
        open_days=30,
        seed=8,
        prefix="IB",
    )


def threadline(*arguments: str) -> None:
    subprocess.run(
        [load_tool.venv_command("threadline"), *arguments],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=1800,
    )


async def generate(partners: int, order_lines: int) -> str:
    """The demo network, then the order book and style costs (once)."""
    from insights.tables import StyleCost
    from partner_portal.database import close_database, open_database
    from partner_portal.partners.tables import Organisation

    started_pool = await open_database()
    try:
        present = await Organisation.count().where(
            Organisation.email.like("%@orderbook.bench.demo")
        )
    except Exception:  # an empty database: no tables yet
        present = 0
    finally:
        await close_database(started_pool)
    if present:
        return "data set present"
    threadline("migrate")
    threadline("demo-data", "--if-empty")
    book = await generate_order_book(order_book_spec(partners, order_lines), database_url())
    started_pool = await open_database()
    try:
        await StyleCost.insert(
            *[
                StyleCost(style=style, unit_cost=Decimal(60 + style % 200) * Decimal("0.45"))
                for style in book.style_ids[::2]
            ]
        )
    finally:
        await close_database(started_pool)
    return (
        f"generated {len(book.buyer_ids):,} partners, {book.orders:,} orders and "
        f"{book.lines:,} order lines in {book.seconds:.1f} s"
    )


async def measure_recompute() -> dict[str, Any]:
    """recompute_all's stages one after another, timed; peak RSS of this process."""
    from insights import figures, snapshots
    from partner_portal.app import register_plugins
    from partner_portal.clock import utcnow
    from partner_portal.database import close_database, open_database
    from partner_portal.orders.tables import OrderLine
    from partner_portal.partners.tables import Organisation

    register_plugins()
    started_pool = await open_database()
    try:
        today = utcnow().date()
        lines = await OrderLine.count()
        partners = await Organisation.count().where(Organisation.kind.is_in(figures.BUYING_KINDS))
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        timings: dict[str, float] = {}
        counts: dict[str, int] = {}
        begin = time.perf_counter()
        counts["monthly facts"] = await figures.refresh_facts()
        timings["facts (refresh_facts)"] = time.perf_counter() - begin
        begin = time.perf_counter()
        counts["partner metrics"] = await figures.recompute_metrics(today)
        timings["metrics: CLV, loyalty, RFM, segments (recompute_metrics)"] = (
            time.perf_counter() - begin
        )
        begin = time.perf_counter()
        counts["cross-sell suggestions"] = await figures.recompute_cross_sell(today)
        timings["cross-sell (recompute_cross_sell)"] = time.perf_counter() - begin
        begin = time.perf_counter()
        counts["dashboard tables"] = await snapshots.store_kpi_snapshots(today)
        timings["dashboard tables per scope (store_kpi_snapshots)"] = time.perf_counter() - begin
        timings["total (recompute_all)"] = sum(timings.values())
    finally:
        await close_database(started_pool)
    return {
        "timings": timings,
        "counts": counts,
        "order_lines": lines,
        "partners": partners,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def measure_pages(
    arguments: argparse.Namespace, server: load_tool.Server
) -> list[load_tool.Measurement]:
    results = [
        await load_tool.measure(
            server.port, "", "GET /healthz (anonymous)", ["/healthz"], arguments
        )
    ]
    for who, email in (("KAM", KAM_EMAIL), ("brand admin", ADMIN_EMAIL)):
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
            await load_tool.log_in(client, email, PASSWORD)
            cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        for label, path in pages(datetime.now(UTC).date()):
            print(f"  {who}: {path} ...", flush=True)
            results.append(
                await load_tool.measure(
                    server.port, cookies, f"GET {path} ({who}, {label})", [path], arguments
                )
            )
    return results


def report(
    arguments: argparse.Namespace,
    generated: str,
    recompute: dict[str, Any],
    pages: list[load_tool.Measurement],
    load_average: float,
) -> str:
    kind = load_tool.database_kind(database_url())
    errors = {page.name: page.statuses for page in pages if page.errors}
    lines = [
        f"### {kind}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
    ]
    if recompute["timings"]:
        lines += [
            f"{recompute['partners']:,} buying partners, {recompute['order_lines']:,} order lines "
            f"over two years ({generated}); nproc {os.cpu_count()}, Python "
            f"{platform.python_version()}, load average {load_average:.2f} before the run.",
            "",
            "Full recomputation, in a fresh process:",
            "",
            "| stage | seconds | rows written |",
            "|---|---:|---:|",
        ]
        written = list(recompute["counts"].values())
        for index, (stage, seconds) in enumerate(recompute["timings"].items()):
            rows = f"{written[index]:,}" if index < len(written) else ""
            lines.append(f"| {stage} | {seconds:.2f} | {rows} |")
        lines += [
            "",
            f"Peak memory (ru_maxrss of the measuring process): {recompute['peak_rss_mb']:.0f} "
            f"MB ({recompute['baseline_rss_mb']:.0f} MB after imports, before the first stage).",
        ]
    else:
        lines.append(
            f"The pages only (--skip-recompute), on the existing data set of "
            f"{arguments.partners:,} partners and {arguments.order_lines:,} order lines "
            f"({generated}) and the figures its last recomputation stored; nproc "
            f"{os.cpu_count()}, Python {platform.python_version()}, load average "
            f"{load_average:.2f} before the run."
        )
    lines += [
        "",
        f"Dashboard: {arguments.requests} requests per route after {arguments.warmup} warm-up, "
        f"{arguments.concurrency} keep-alive connections, 1 server worker, time limit "
        f"{arguments.time_limit:.0f} s per route; KAM {KAM_EMAIL}, brand admin {ADMIN_EMAIL}.",
        "",
        load_tool.table(pages),
    ]
    if errors:
        lines += ["", f"Errors by status: {errors}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--order-lines", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--skip-recompute", action="store_true", help="measure the pages only")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    url = database_url()
    os.environ["DATABASE_URL"] = url
    if arguments.measure_only:
        print(json.dumps(asyncio.run(measure_recompute())))
        return 0
    if url.startswith("postgres"):
        from bench.generate import ensure_postgres_database

        ensure_postgres_database(url)
    generated = asyncio.run(generate(arguments.partners, arguments.order_lines))
    print(generated, flush=True)
    load_average = os.getloadavg()[0]
    if arguments.skip_recompute:
        recompute: dict[str, Any] = {"timings": {}, "counts": {}, "order_lines": 0, "partners": 0,
                                     "baseline_rss_mb": 0.0, "peak_rss_mb": 0.0}  # fmt: skip
    else:
        completed = subprocess.run(
            [sys.executable, __file__, "--measure-only"],
            capture_output=True,
            text=True,
            env=os.environ,
            check=True,
        )
        recompute = json.loads(completed.stdout.strip().splitlines()[-1])
        print(json.dumps(recompute, indent=1), flush=True)
    server = load_tool.Server(url, load_tool.free_port(), 1)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        pages = asyncio.run(measure_pages(arguments, server))
    finally:
        server.stop()
    text = report(arguments, generated, recompute, pages, load_average)
    print(text)
    kind = load_tool.database_kind(url)
    load_tool.LOG_DIR.mkdir(parents=True, exist_ok=True)
    (load_tool.LOG_DIR / f"insights-{kind}.md").write_text(text, encoding="utf-8")
    if not arguments.no_record:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
            results.write("\n## Partner health (issue 8)\n\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
