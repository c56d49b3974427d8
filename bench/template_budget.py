"""Does the server keep answering while contract templates that spend their whole budget
are checked? /healthz latency, idle and while heavy templates are saved, on the real
server, and how long each refused save takes.

    .venv/bin/python bench/template_budget.py [--probes 300] [--no-append]

Builds its own SQLite database (var/bench-templates.sqlite3: migrations and the demo
data), starts `threadline serve` on a free 127.0.0.1 port (bench/run.py's Server), signs
in as the demo brand admin and then, for each kind of heavy template (nested loops of
10^8 turns; a macro calling itself twice per call, the slowest to stop), saves it again
and again from one connection while another sends GET /healthz one after the other.
The same /healthz probes on the idle server are the baseline. Every save must answer
400 with the budget's message. Appends a section to bench/RESULTS.md unless --no-append.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench.run
from bench.run import (
    REPO,
    Connection,
    Server,
    append_results,
    free_port,
    log_in,
    venv_command,
)

DATABASE = REPO / "var" / "bench-templates.sqlite3"
ADMIN = "admin@jinxiu.demo"
PASSWORD = "threadline-demo"
HEAVY = {
    "nested loops, 10^8 turns": (
        "<p>{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}</p>"
    ),
    "macro calling itself twice, depth 30": (
        "{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}"
        "{% endmacro %}<p>{{ twice(30) }}</p>"
    ),
}


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)
    save_statuses: dict[int, int] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def prepare_database() -> str:
    url = f"sqlite:///{DATABASE}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_DIR": str(REPO / "var" / "bench-media"),
    }
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    for arguments in (["migrate"], ["demo-data", "--if-empty"]):
        subprocess.run(
            [venv_command("threadline"), *arguments], env=environment, cwd=REPO, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return url


async def probe_healthz(port: int, phase: Phase, count: int, busy: asyncio.Event | None) -> None:
    """GET /healthz one after the other; while ``busy`` is given, only while it is set."""
    connection = Connection(port, "")
    try:
        while len(phase.latencies) < count:
            if busy is not None and not busy.is_set():
                await asyncio.sleep(0.001)
                continue
            started = time.perf_counter()
            status, _ = await connection.get("/healthz")
            if status == 200:
                phase.latencies.append(time.perf_counter() - started)
    finally:
        await connection.close()


async def keep_saving(client: httpx.AsyncClient, body: str, phase: Phase, busy: asyncio.Event,
                      stop: asyncio.Event) -> None:  # fmt: skip
    token = client.cookies.get("csrftoken") or ""
    form = {"name": "Heavy", "kind": "distribution", "language": "en", "body": body}
    while not stop.is_set():
        busy.set()
        started = time.perf_counter()
        response = await client.post(
            "/contracts/templates/new", data=form, headers={"x-csrftoken": token}, timeout=120
        )
        phase.saves.append(time.perf_counter() - started)
        phase.save_statuses[response.status_code] = (
            phase.save_statuses.get(response.status_code, 0) + 1
        )
    busy.clear()


async def run(port: int, probes: int) -> list[Phase]:
    phases = [Phase("idle server")]
    await probe_healthz(port, phases[0], probes, None)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        await log_in(client, ADMIN, PASSWORD)
        for name, body in HEAVY.items():
            phase = Phase(f"while saving: {name}")
            busy, stop = asyncio.Event(), asyncio.Event()
            saving = asyncio.create_task(keep_saving(client, body, phase, busy, stop))
            await probe_healthz(port, phase, probes, busy)
            stop.set()
            await saving
            phases.append(phase)
    return phases


def report(phases: list[Phase], load_before: float, load_after: float) -> str:
    idle = phases[0]
    rows = [
        "| phase | /healthz probes | p50 ms | p99 ms | max ms | p99 vs idle | saves | save median s | save statuses |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for phase in phases:
        saves = f"{statistics.median(phase.saves):.2f}" if phase.saves else "—"
        statuses = (
            ", ".join(f"{code}×{n}" for code, n in sorted(phase.save_statuses.items())) or "—"
        )
        rows.append(
            f"| {phase.name} | {len(phase.latencies)} | {phase.percentile(0.5):.1f} | "
            f"{phase.percentile(0.99):.1f} | {max(phase.latencies) * 1000:.1f} | "
            f"{phase.percentile(0.99) / idle.percentile(0.99):.1f} | {len(phase.saves)} | {saves} | {statuses} |"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"## {when} — SQLite — nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"load average {load_before:.2f} before and {load_after:.2f} after — heavy contract "
        "templates (bench/template_budget.py)\n\n"
        "One connection saves a heavy template again and again (each save is refused when "
        "its rendering budget is spent, in a worker thread); another sends GET /healthz one "
        "after the other meanwhile. 1 server worker.\n\n" + "\n".join(rows) + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=300, help="/healthz requests per phase")
    parser.add_argument("--no-append", action="store_true", help="print only")
    arguments = parser.parse_args()
    url = prepare_database()
    bench.run.STARTUP_SECONDS = 120  # a machine shared with other work starts the server slowly
    server = Server(url, free_port(), 1)
    load_before = os.getloadavg()[0]
    server.start()
    try:
        asyncio.run(server.wait_ready())
        phases = asyncio.run(run(server.port, arguments.probes))
    finally:
        server.stop()
    text = report(phases, load_before, os.getloadavg()[0])
    print(text)
    if not arguments.no_append:
        append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
