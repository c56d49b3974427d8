"""Integration figures (issue 18): a 100,000-SKU stock upsert through the API, and webhook
deliveries to a local receiver (deliveries per second; delay from commit to delivery).

    .venv/bin/python bench/integration_bench.py [--skus 100000] [--database-url URL]

In process: the app is called through httpx's ASGI transport (everything but the network:
JSON parsing, the idempotency claim, the two set-based statements, the commit). The
receiver is a real HTTP server on 127.0.0.1 in a thread.

1. Stock: --skus SKUs (styles x 5 colours x 10 sizes, with barcodes) are made, then their
   stock on hand is pushed in one call (every row new), again with every figure changed,
   and again taking every SKU to the low level (one stock.low event listing 100 of them).
   Each with its wall time and the CPU seconds spent (CpuClock).
2. Deliveries per second: --events order.submitted events for one endpoint, then the
   delivery round (webhooks.delivery.deliver_due) run until all are delivered.
3. Delay: events recorded at a steady rate for --seconds while the delivery job runs as the
   scheduler runs it (every 5 s); the delay is the receiver's clock at arrival minus the
   event's time (taken inside the recording transaction, just before its commit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from uuid import uuid4

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import append_results, venv_command  # noqa: E402

COLOURS = 5
SIZES = 10


def database_url(explicit: str | None) -> str:
    return explicit or os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_integration.sqlite3'}"
    )


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    subprocess.run(
        [venv_command("threadline"), "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Receiver:
    """Answers 204 to every POST and notes when each event arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrivals.append((time.time(), body.decode()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


async def make_catalog(skus: int) -> list[str]:
    """Styles of 5 colours x 10 sizes up to ``skus`` SKUs; returns their barcodes."""
    from partner_portal.catalog.tables import Colourway, Season, Size, SizeScale, Sku, Style
    from partner_portal.clock import utcnow

    now = utcnow()
    [season] = await Season.insert(Season(code="BENCH", created_at=now)).returning(Season.id)
    [scale] = await SizeScale.insert(
        SizeScale(code="BENCH", name="Bench", kind="numeric")
    ).returning(SizeScale.id)
    sizes = await Size.insert(
        *(Size(size_scale=scale["id"], label=str(36 + 2 * i), position=i) for i in range(SIZES))
    ).returning(Size.id)
    barcodes: list[str] = []
    style_count = skus // (COLOURS * SIZES)
    for first in range(0, style_count, 200):
        chunk = range(first, min(first + 200, style_count))
        styles = await Style.insert(
            *(
                Style(code=f"B{n:06d}", season=season["id"], category="shirts",
                      size_scale=scale["id"], status="active", created_at=now, updated_at=now)
                for n in chunk
            )
        ).returning(Style.id)  # fmt: skip
        colourways = await Colourway.insert(
            *(
                Colourway(style=style["id"], code=f"C{c}")
                for style in styles
                for c in range(COLOURS)
            )
        ).returning(Colourway.id, Colourway.style)
        rows = []
        for colourway in colourways:
            for size in sizes:
                barcode = f"{len(barcodes):013d}"
                barcodes.append(barcode)
                rows.append(
                    Sku(style=colourway["style"], colourway=colourway["id"], size=size["id"],
                        barcode=barcode)
                )  # fmt: skip
        for start in range(0, len(rows), 2000):
            await Sku.insert(*rows[start : start + 2000])
    return barcodes


async def brand_admin_token() -> str:
    from partner_portal.accounts.services import create_api_token, viewer_for_user_id
    from partner_portal.clock import utcnow
    from partner_portal.partners.tables import Organisation, User

    now = utcnow()
    [brand] = await Organisation.insert(
        Organisation(kind="brand", legal_name="Bench brand", status="active",
                     created_at=now, updated_at=now)
    ).returning(Organisation.id)  # fmt: skip
    [user] = await User.insert(
        User(email="admin@bench.test", display_name="admin", password_hash="x",
             role="brand_admin", organisation=brand["id"], created_at=now)
    ).returning(User.id)  # fmt: skip
    return await create_api_token(await viewer_for_user_id(user["id"]), "bench")


class CpuClock:
    """CPU seconds spent while measuring: this process's (the app, in process, and the
    client) and, on PostgreSQL, the server backend's of this process's connections (from
    /proc, the server running on this machine). On a loaded machine wall time mostly
    measures waiting for a CPU; CPU seconds measure the work."""

    def __init__(self) -> None:
        self.backends: list[int] = []

    async def find_backends(self) -> None:
        from partner_portal.database import current_engine, is_sqlite

        if not is_sqlite():
            rows = await current_engine().run_ddl(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            )
            self.backends = [row["pid"] for row in rows or []]

    def _server_seconds(self) -> float:
        total = 0.0
        for pid in self.backends:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def now(self) -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), self._server_seconds()

    def since(self, start: tuple[float, float, float]) -> tuple[str, str]:
        """Wall seconds and CPU seconds since ``start``, as table cells."""
        wall, own, server = (b - a for a, b in zip(start, self.now(), strict=True))
        return f"{wall:.2f} s", f"{own:.2f} s" + (
            f" + server {server:.2f} s" if self.backends else ""
        )


async def stock_part(
    client: httpx.AsyncClient, token: str, barcodes: list[str], cpu: CpuClock
) -> list[str]:
    lines = []
    rounds = (
        ("every row new", 20),
        ("every figure changed", 30),
        ("every figure to the low level: one stock.low event", 5),
    )
    for label, at_once in rounds:
        items = [{"barcode": code, "at_once": at_once} for code in barcodes]
        started = cpu.now()
        answer = await client.post(
            "/api/v1/stock-levels",
            json={"items": items},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{uuid4()}"},
            timeout=900,
        )
        wall, spent = cpu.since(started)
        assert answer.status_code == 200, answer.text[:500]
        lines.append(
            f"| {len(items):,} SKUs, {label} | {wall} | {spent} | {answer.json()['changed']:,} |"
        )
    return lines


async def record_events(count: int, organisation_id: int) -> None:
    from partner_portal.database import write_transaction
    from partner_portal.events import services as events
    from partner_portal.orders import events as order_events

    for n in range(count):
        async with write_transaction():
            await events.record_event(
                None, order_events.SUBMITTED.type, organisation_id=organisation_id,
                object_kind="order", object_uuid=uuid4(), message=order_events.SUBMITTED_MESSAGE,
                params={"buyer": "Bench", "number": f"SO-{n}", "total": "1"},
                payload={"number": f"SO-{n}"},
            )  # fmt: skip


async def webhook_part(
    receiver: Receiver, events_count: int, seconds: int, cpu: CpuClock
) -> list[str]:
    from partner_portal.clock import utcnow
    from partner_portal.partners.tables import Organisation
    from webhooks import delivery, signing
    from webhooks.tables import WebhookEndpoint

    brand = await Organisation.select(Organisation.id).first()
    assert brand is not None
    await WebhookEndpoint.insert(
        WebhookEndpoint(organisation=brand["id"], url=receiver.url, event_types=["order.submitted"],
                        secret=signing.new_secret(), created_at=utcnow())
    )  # fmt: skip
    await record_events(events_count, brand["id"])
    await cpu.find_backends()
    started = cpu.now()
    while len(receiver.arrivals) < events_count:
        await delivery.deliver_due(f"bench-{uuid4()}", batch=200)
    rate = events_count / (time.perf_counter() - started[0])
    wall, spent = cpu.since(started)
    receiver.arrivals.clear()

    async def produce() -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            await record_events(1, brand["id"])
            await asyncio.sleep(0.1)

    async def job() -> None:
        while not producer.done():
            await delivery.deliver_due(f"bench-{uuid4()}")
            await asyncio.sleep(5)
        await delivery.deliver_due(f"bench-{uuid4()}")

    producer = asyncio.create_task(produce())
    await asyncio.gather(producer, job())
    delays = sorted(
        arrived - datetime.fromisoformat(json.loads(body)["timestamp"]).astimezone(UTC).timestamp()
        for arrived, body in receiver.arrivals
    )
    return [
        f"| deliveries per second ({events_count:,} queued events, one round after another, "
        f"200 claimed a round, 20 posts at a time) | {rate:,.0f} /s ({wall}, CPU {spent}) |",
        f"| commit → delivery, job every 5 s ({len(delays)} events at ~10/s over {seconds} s) "
        f"| p50 {statistics.median(delays):.2f} s, p99 {delays[int(len(delays) * 0.99)]:.2f} s, "
        f"max {delays[-1]:.2f} s |",
    ]


async def run(url: str, skus: int, events_count: int, seconds: int) -> str:
    from partner_portal.app import create_app
    from partner_portal.settings import load_settings

    # The receiver listens on 127.0.0.1: an internal address, allowed here explicitly.
    settings = load_settings({**os.environ, "DATABASE_URL": url, "THREADLINE_ENV": "test",
                              "SECRET_KEY": "bench-" + "x" * 40,
                              "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1"})  # fmt: skip
    app = create_app(settings)
    receiver = Receiver()
    async with app.lifespan():  # type: ignore[attr-defined]
        barcodes = await make_catalog(skus)
        token = await brand_admin_token()
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        cpu = CpuClock()
        await cpu.find_backends()
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            stock = await stock_part(client, token, barcodes, cpu)
        hooks = await webhook_part(receiver, events_count, seconds, cpu)
    return "\n".join(
        ["| stock upsert (one call, in process) | wall | CPU | figures changed |",
         "|---|---:|---:|---:|",
         *stock, "", "| webhooks (receiver on 127.0.0.1) | figure |", "|---|---|", *hooks]
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = database_url(arguments.database_url)
    fresh_database(url)
    before = os.getloadavg()[0]
    table = asyncio.run(run(url, arguments.skus, arguments.events, arguments.seconds))
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [f"## Integration: bulk stock and webhooks, {stamp}, {kind}", "",
         f"nproc {os.cpu_count()}; load average {before:.2f} before, {os.getloadavg()[0]:.2f} "
         "after (other sessions share the machine). bench/integration_bench.py. CPU: this "
         "process's (the app, the client, SQLite, the receiver's thread), plus on PostgreSQL "
         "the server backends'.", "", table, ""]
    )  # fmt: skip
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
