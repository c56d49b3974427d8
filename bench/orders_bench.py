"""The order book at scale (issue 3 "Benchmark"): 500 styles × 6 colours × 8 sizes, 200
partners, 200,000 orders / 2,000,000 lines, measured on the real server.

    createdb -h 127.0.0.1 -U postgres threadline_bench_orders
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/threadline_bench_orders \\
        .venv/bin/python bench/orders_bench.py

Measures, in one run, a distributor's order list (50 per page, filtered by status) and
order detail pages against the anonymous /healthz (the trivial route: requests/s, mean,
p50 = median, p99, ratio), the time to submit a 1,000-line order (orders.services
.submit_order, in process), and the query count of the list and detail pages for few and
many rows. Aims: each page at >= 1/10 of /healthz's throughput; submit < 300 ms; query
counts that do not grow with rows. Appends a section to bench/RESULTS.md.

The data set comes from bench/order_book.py (the shared generator; COPY on PostgreSQL),
once per database; the preparation (a distributor user with its retailers and a price
list, so it can order) runs in a child process that also times the submission and counts
queries, so the load generator never holds a connection to the database under test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# bench/run.py is a script: imported by its file name, as `python bench/run.py` names it.

from bench.run import (  # noqa: E402
    RESULTS,
    Server,
    append_results,
    database_kind,
    free_port,
    heading,
    log_in,
    measure,
    table,
    venv_command,
)

STYLES, BUYERS = 500, 200
COLOURS = ("BLK", "NVY", "WHT", "GRY", "RED", "KHK")
SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")
LINES_PER_ORDER = 10
PREFIX = "D"
EMAIL = "distributor@orders.bench.demo"
PASSWORD = "threadline-demo"
SUBMIT_LINES = 1000
SUBMIT_RUNS = 5
# The PO number of the drafts timed for submission, which tells them from generated orders.
TIMED_SUBMISSION_PO = "BENCH-1000-LINES"
LIST_FILTER = "status=confirmed"


def database_url() -> str:
    return os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_orders.sqlite3'}"
    )


def threadline(url: str, *arguments: str) -> None:
    subprocess.run(
        [venv_command("threadline"), *arguments],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        timeout=1800,
        stdout=subprocess.DEVNULL,
    )


# --------------------------------------------------------------------------- the child


async def _generate_if_missing(order_lines: int) -> str:
    from bench.order_book import OrderBookSpec, generate_order_book
    from partner_portal.orders.tables import Order

    if await Order.count().where(Order.number.like(f"{PREFIX}O-%")) > 0:
        return "the order book was already there"
    book = await generate_order_book(
        OrderBookSpec(
            buyers=BUYERS,
            styles=STYLES,
            colours=COLOURS,
            sizes=SIZES,
            order_lines=order_lines,
            lines_per_order=LINES_PER_ORDER,
            prefix=PREFIX,
        ),
        url=os.environ["DATABASE_URL"],
    )
    return f"generated {book.orders:,} orders / {book.lines:,} lines in {book.seconds:.0f}s"


async def _distributor() -> dict[str, Any]:
    """The bench's distributor (the CNY distributor with the most orders), its user, five
    retailers it serves and a price list for every bench style, made once."""
    from decimal import Decimal

    from piccolo.querystring import QueryString

    from partner_portal.accounts.services import hash_password
    from partner_portal.catalog.tables import Price, PriceList, Style
    from partner_portal.clock import utcnow
    from partner_portal.database import current_engine
    from partner_portal.partners.tables import Organisation, User

    user = await User.select(User.id, User.organisation).where(User.email == EMAIL).first()
    if user is not None:
        return {"user_id": user["id"], "organisation_id": user["organisation"]}
    rows = await current_engine().run_querystring(
        QueryString(
            "SELECT o.id FROM organisation o JOIN sales_order s ON s.buyer = o.id "
            "WHERE o.kind = 'distributor' AND o.currency = 'CNY' AND o.email LIKE {} "
            "GROUP BY o.id ORDER BY COUNT(*) DESC LIMIT 1",
            "%@orderbook.bench.demo",
        )
    )
    organisation_id = rows[0]["id"]
    retailers = await (
        Organisation.select(Organisation.id)
        .where(
            (Organisation.kind == "retailer")
            & (Organisation.currency == "CNY")
            & Organisation.email.like("%@orderbook.bench.demo")
        )
        .order_by(Organisation.id)
        .limit(5)
    )
    await Organisation.update({Organisation.parent_distributor: organisation_id}).where(
        Organisation.id.is_in([row["id"] for row in retailers] or [-1])
    )
    now = utcnow()
    inserted = await User.insert(
        User(
            email=EMAIL,
            display_name="Bench distributor",
            password_hash=hash_password(PASSWORD),
            role="distributor",
            organisation=organisation_id,
            is_org_admin=True,
            created_at=now,
        )
    ).returning(User.id)
    price_list = await PriceList.insert(
        PriceList(name="Bench CNY", currency="CNY", created_at=now)
    ).returning(PriceList.id)
    styles = await Style.select(Style.id).where(Style.code.like(f"{PREFIX}-%"))
    await Price.insert(
        *[
            Price(price_list=price_list[0]["id"], style=row["id"], wholesale=Decimal(120))
            for row in styles
        ]
    )
    return {"user_id": inserted[0]["id"], "organisation_id": organisation_id}


async def _time_submissions(distributor: dict[str, Any]) -> list[float]:
    """Milliseconds to submit drafts of 1,000 lines (each a fresh draft)."""
    from partner_portal.accounts.services import viewer_for_user_id
    from partner_portal.catalog.tables import Sku
    from partner_portal.orders import services as orders
    from partner_portal.orders.services import LineRequest, OrderDraft
    from partner_portal.orders.tables import OrderChannel

    viewer = await viewer_for_user_id(distributor["user_id"])
    skus = await (
        Sku.select(Sku.id)
        .where(Sku.style.code.like(f"{PREFIX}-%"))  # type: ignore[attr-defined]
        .order_by(Sku.id)
        .limit(SUBMIT_LINES)
    )
    timings = []
    for _run in range(SUBMIT_RUNS):
        draft = await orders.create_draft(
            viewer,
            OrderDraft(
                buyer_id=distributor["organisation_id"],
                channel=OrderChannel.distributor,
                lines=[LineRequest(row["id"], 12) for row in skus],
                customer_po=TIMED_SUBMISSION_PO,
            ),
        )
        assert draft.uuid is not None, draft.errors
        started = time.perf_counter()
        result = await orders.submit_order(viewer, draft.uuid)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.saved, result.errors
    return timings


async def _query_counts(distributor: dict[str, Any]) -> dict[str, int]:
    """Queries per page for few and many rows, in process (the engine's run_querystring)."""
    import httpx

    from partner_portal.app import create_app
    from partner_portal.database import current_engine
    from partner_portal.orders.tables import Order, OrderLine

    app = create_app()
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    counted = 0

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal counted
        counted += 1
        return await original(self, *args, **kwargs)

    big = await (
        Order.select(Order.uuid, Order.number)
        .where(Order.buyer == distributor["organisation_id"])
        .order_by(Order.total_quantity, ascending=False)
        .first()
    )
    small = await (
        Order.select(Order.uuid, Order.number)
        .where((Order.buyer == distributor["organisation_id"]) & (Order.total_quantity > 0))
        .order_by(Order.total_quantity)
        .first()
    )
    assert big and small
    lines = {
        name: await OrderLine.count().where(OrderLine.order.uuid == row["uuid"])  # type: ignore[attr-defined]
        for name, row in (("big", big), ("small", small))
    }
    counts: dict[str, int] = {}
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await log_in(client, EMAIL, PASSWORD)
        pages = {
            f"list, 50 rows ({LIST_FILTER})": f"/orders?{LIST_FILTER}",
            "list, 1 row (search by number)": f"/orders?q={small['number']}",
            f"detail, {lines['small']} lines": f"/orders/{small['uuid']}",
            f"detail, {lines['big']} lines": f"/orders/{big['uuid']}",
        }
        for name, path in pages.items():
            await client.get(path)  # the first visit may remember the list's filters
            engine_class.run_querystring = counting  # type: ignore[method-assign]
            counted = 0
            response = await client.get(path)
            engine_class.run_querystring = original  # type: ignore[method-assign]
            counts[name] = counted if response.status_code == 200 else -response.status_code
    return counts


async def child(order_lines: int) -> dict[str, Any]:
    from partner_portal.app import register_plugins
    from partner_portal.orders.tables import Order

    # Submitting records the order's event, whose kind the modules register, as the app
    # does at start.
    register_plugins()

    generated = await _generate_if_missing(order_lines)
    distributor = await _distributor()
    # The generator's ten-line orders: the 1,000-line orders that each run's submission
    # timing leaves behind (their PO number says so) are measured on their own row.
    detail = await (
        Order.select(Order.uuid)
        .where(
            (Order.buyer == distributor["organisation_id"])
            & (Order.status != "draft")
            & (Order.customer_po != TIMED_SUBMISSION_PO)
        )
        .order_by(Order.id, ascending=False)
        .limit(50)
    )
    submit_ms = await _time_submissions(distributor)
    submitted = await (
        Order.select(Order.uuid)
        .where(
            (Order.buyer == distributor["organisation_id"])
            & (Order.customer_po == TIMED_SUBMISSION_PO)
        )
        .order_by(Order.id, ascending=False)
        .limit(SUBMIT_RUNS)
    )
    return {
        "generated": generated,
        "orders": await Order.count(),
        "detail_paths": [f"/orders/{row['uuid']}" for row in detail],
        "big_detail_paths": [f"/orders/{row['uuid']}" for row in submitted],
        "submit_ms": submit_ms,
        "query_counts": await _query_counts(distributor),
    }


# --------------------------------------------------------------------------- the parent


def prepare(url: str, order_lines: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--order-lines", str(order_lines)],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(f"preparation failed:\n{result.stderr[-4000:]}")
    prepared: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return prepared


async def load(
    arguments: argparse.Namespace, server: Server, prepared: dict[str, Any]
) -> list[Any]:
    import httpx

    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        await log_in(client, EMAIL, PASSWORD)
        await client.get(f"/orders?{LIST_FILTER}")
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    routes = [
        ("GET /healthz", ["/healthz"], ""),
        (f"GET /orders?{LIST_FILTER} (distributor)", [f"/orders?{LIST_FILTER}"], cookies),
        ("GET /orders/<uuid> (distributor, 10 lines)", prepared["detail_paths"], cookies),
        (
            f"GET /orders/<uuid> (distributor, {SUBMIT_LINES:,} lines)",
            prepared["big_detail_paths"],
            cookies,
        ),
    ]
    results = []
    for name, paths, cookie_header in routes:
        print(f"  {name} ...", flush=True)
        results.append(await measure(server.port, cookie_header, name, paths, arguments))
    return results


def report(
    url: str,
    arguments: argparse.Namespace,
    prepared: dict[str, Any],
    results: list[Any],
    load_average: float,
) -> str:
    submit = prepared["submit_ms"]
    baseline = results[0].throughput or float("nan")
    verdicts = [
        f"- `{result.name}`: {result.throughput / baseline:.2f} of /healthz "
        f"({'meets' if result.throughput / baseline >= 0.1 else 'MISSES'} the aim of 0.10)"
        for result in results[1:]
    ]
    median = statistics.median(submit)
    counts = prepared["query_counts"]
    lines = [
        heading(url, load_average) + " — order book (bench/orders_bench.py)",
        "",
        f"Data: {prepared['orders']:,} orders ({prepared['generated']}); {STYLES} styles × "
        f"{len(COLOURS)} colours × {len(SIZES)} sizes, {BUYERS} partners, {LINES_PER_ORDER} lines "
        f"per order. Signed in as a distributor with five retailers. Load: {arguments.requests:,} "
        f"requests per route after {arguments.warmup} warm-up, {arguments.concurrency} concurrent "
        f"keep-alive connections, 1 server worker, on {database_kind(url)}.",
        "",
        table(results),
        "",
        *verdicts,
        f"- Submitting a {SUBMIT_LINES:,}-line order (orders.services.submit_order, {len(submit)} runs): "
        f"median {median:.0f} ms, max {max(submit):.0f} ms "
        f"({'meets' if median < 300 else 'MISSES'} the aim of < 300 ms).",
        "- Queries per page: "
        + "; ".join(f"{name}: {count}" for name, count in counts.items())
        + ".",
    ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--order-lines", type=int, default=2_000_000)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    if arguments.child:
        print(json.dumps(asyncio.run(child(arguments.order_lines))))
        return 0
    url = database_url()
    print(f"Benchmark database: {url}", flush=True)
    if url.startswith("postgresql"):
        from bench.generate import ensure_postgres_database

        ensure_postgres_database(url)
    threadline(url, "migrate")
    threadline(url, "demo-data", "--if-empty")
    print(
        "Preparing (the order book, a distributor; submit timing and query counts) ...", flush=True
    )
    prepared = prepare(url, arguments.order_lines)
    load_average = os.getloadavg()[0]
    server = Server(url, free_port(), 1)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        results = asyncio.run(load(arguments, server, prepared))
    finally:
        server.stop()
    text = report(url, arguments, prepared, results, load_average)
    print()
    print(text)
    if not arguments.no_record:
        append_results(text)
        print(f"Appended to {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
