"""Follow-ups at scale (issue 5): the agenda against the trivial route with 50,000
follow-ups on 2,000 partners; one rules run and one reminder sweep of 10,000 due
items, with time and memory.

    .venv/bin/python bench/scheduler_bench.py                      # SQLite (var/)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/threadline_bench_scheduler \\
        .venv/bin/python bench/scheduler_bench.py

The data set is made once per database: the demo network, 2,000 more partners owned
by the demo KAMs, 50,000 follow-ups over four months around today (10,000 of them with
a reminder due and not yet sent). Pages are measured with bench/run.py's server and
load client, signed in as a demo KAM and as their manager (team view); the rules run
and the reminder sweep run in this process, each timed with its peak Python memory
(tracemalloc). The sweep is measured once on fresh data: it claims the 10,000 due
reminders, so a second run of this script would find nothing to send (it says so).
Appends a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARTNERS, FOLLOW_UPS, DUE_REMINDERS = 2_000, 50_000, 10_000
KAM = "wang.xiaoming@jinxiu.demo"
MANAGER = "chen.jianhua@jinxiu.demo"
CHUNK = 500


def database_url() -> str:
    return os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_scheduler.sqlite3'}"
    )


async def generate() -> str:
    """The demo network plus the bulk partners and follow-ups, once per database."""
    from partner_portal import demo
    from partner_portal.cli import migrate
    from partner_portal.database import write_transaction
    from partner_portal.partners.tables import Organisation, User
    from scheduler import plugin as scheduler_plugin
    from scheduler.tables import FollowUp

    await migrate()
    if await FollowUp.count() >= FOLLOW_UPS:
        return "data set present"
    started = time.perf_counter()
    await demo.load_demo_data(True, (scheduler_plugin,))
    rng = random.Random(5)
    now = datetime.now(UTC)
    kams = [row["id"] for row in await User.select(User.id).where(User.role == "kam")]
    new_partners = [
        Organisation(
            kind=rng.choice(("distributor", "retailer", "group_client")),
            legal_name=f"基准伙伴 {index:05d}",
            status="active",
            owner=rng.choice(kams),
            created_at=now - timedelta(days=rng.randint(1, 400)),
            updated_at=now,
        )
        for index in range(PARTNERS)
    ]
    for start in range(0, len(new_partners), CHUNK):
        async with write_transaction():
            await Organisation.insert(*new_partners[start : start + CHUNK])
    partners = await Organisation.select(Organisation.id, Organisation.owner).where(
        Organisation.legal_name.like("基准伙伴%")
    )
    existing = await FollowUp.count()
    rows = []
    for index in range(FOLLOW_UPS - existing):
        partner = rng.choice(partners)
        due = now + timedelta(minutes=rng.randint(-60 * 24 * 60, 60 * 24 * 60))
        reminder_due = index < DUE_REMINDERS
        if reminder_due:
            due = now + timedelta(minutes=rng.randint(1, 50))
        done = not reminder_due and due < now and rng.random() < 0.7
        rows.append(
            FollowUp(
                organisation=partner["id"],
                owner=partner["owner"],
                kind=rng.choice(("call", "visit", "email", "meeting", "task")),
                title=f"基准跟进 {index}",
                due_at=due,
                priority=rng.choice(("low", "normal", "normal", "high")),
                state="done" if done else "open",
                remind_at=due - timedelta(hours=1),
                reminded_at=None if reminder_due else now,
                created_at=now,
                updated_at=now,
            )
        )
    for start in range(0, len(rows), CHUNK):
        async with write_transaction():
            await FollowUp.insert(*rows[start : start + CHUNK])
    return f"generated in {time.perf_counter() - started:.1f} s"


async def timed(label: str, work: Callable[[], Awaitable[str]]) -> tuple[str, float, float, str]:
    """(label, seconds, peak MiB allocated by Python during the work, its summary)."""
    tracemalloc.start()
    started = time.perf_counter()
    summary = await work()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return label, seconds, peak / 2**20, summary


async def jobs() -> list[tuple[str, float, float, str]]:
    from partner_portal.settings import load_settings
    from scheduler import reminders, rules

    settings = load_settings()

    async def rules_run() -> str:
        return (await rules.run_rules()).message

    async def sweep() -> str:
        return await reminders.send_reminders(settings)

    return [
        await timed("rules run (every rule, first time)", rules_run),
        await timed("rules run again (nothing new)", rules_run),
        await timed(f"reminder sweep ({DUE_REMINDERS:,} due)", sweep),
    ]


async def pages(arguments: argparse.Namespace) -> list[Any]:
    import httpx

    from bench.run import Server, free_port, log_in, measure

    server = Server(database_url(), free_port(), 1)
    server.start()
    try:
        await server.wait_ready()
        cookies = {}
        for email in (KAM, MANAGER):
            async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
                await log_in(client, email, "threadline-demo")
                cookies[email] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        results = [
            await measure(server.port, "", "GET /healthz (anonymous)", ["/healthz"], arguments)
        ]
        for name, email, path in (
            ("GET /agenda (KAM)", KAM, "/agenda"),
            ("GET /agenda?owner=team (manager)", MANAGER, "/agenda?owner=team"),
            ("GET /agenda/calendar?view=month (KAM)", KAM, "/agenda/calendar?view=month"),
        ):
            results.append(await measure(server.port, cookies[email], name, [path], arguments))
        return results
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60)
    arguments = parser.parse_args()
    os.environ["DATABASE_URL"] = database_url()
    from bench.run import append_results, table

    async def everything() -> tuple[str, list[Any], list[tuple[str, float, float, str]]]:
        from partner_portal import database
        from partner_portal.app import register_plugins

        register_plugins()
        generated = await generate()
        print(generated, flush=True)
        load = os.getloadavg()[0]
        results = await pages(arguments)
        timings = await jobs()
        await database.close_database(False)
        return f"{generated}; load average {load:.2f} before the run", results, timings

    note, results, timings = asyncio.run(everything())
    kind = "SQLite" if database_url().startswith("sqlite") else "PostgreSQL"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = (
        f"\n## Scheduler: agenda, rules run, reminder sweep, {stamp}, {kind}\n\n"
        f"{FOLLOW_UPS:,} follow-ups on {PARTNERS:,} more partners than the demo's; "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}; {note}. "
        f"{arguments.requests} requests per route from {arguments.concurrency} connections.\n\n"
        f"{table(results)}\n\n| job | seconds | peak Python memory MiB | result |\n"
        "|---|---:|---:|---|\n"
        + "".join(
            f"| {label} | {seconds:.2f} | {peak:.1f} | {summary} |\n"
            for label, seconds, peak, summary in timings
        )
        + f"\nPeak resident memory of the benchmark process: {rss:.0f} MiB.\n"
    )
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
