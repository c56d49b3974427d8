"""A mixed load of many signed-in users with think time, stepped up until the server
no longer answers in time.

    .venv/bin/python bench/load.py [--users 100,200,400,700,1000] [--step-seconds 60]
        [--think 5] [--workers 2] [--mix distributor=40,retailer=30,kam=20,brand=10]
        [--database-url URL] [--no-record] [--pages-only]

It starts `threadline serve` (bench/run.py's Server) on the benchmark database (filled
by bench/generate.py when empty), signs in one demo user per role, finds the line
sheets, orders and partners each may open, and then plays virtual users: each holds
its own keep-alive connection (as a browser does), picks a page of its role by weight,
waits for the answer, then thinks (exponential, mean --think seconds, at most 4×).
Users are added step by step (--users), each step ramped in over --ramp seconds and
then measured for --step-seconds.

Per step it reports users, requests/s, p50/p95/p99 per page and overall, errors,
the server's and PostgreSQL's CPU ms per request (from /proc; PostgreSQL counts only
the backends of the benchmark database), the load generator's own CPU, and the
server's RSS. Before the steps, each page is measured alone (--page-requests from 4
connections) for its CPU ms per request, next to the anonymous /healthz of the same
server: that table says where the time goes. The run stops after the first step whose
p95 is over --p95-limit ms or which had errors, and names the largest passing step.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (
    REPO,
    Connection,
    Server,
    append_results,
    database_url,
    ensure_data,
    free_port,
    heading,
    log_in,
)

DEMO_PASSWORD = "threadline-demo"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LINKS = {
    "sheet": re.compile(rf'href="/line-sheets/({UUID})"'),
    "order": re.compile(rf'href="/orders/({UUID})"'),
    "partner": re.compile(rf'href="/partners/({UUID})"'),
}
# Where each kind of id is found: the list page a user of that role can open.
LISTS = {"sheet": "/line-sheets", "order": "/orders", "partner": "/partners?page=1"}
MAX_THINK_FACTOR = 4  # an exponential think time is cut at 4× its mean
PAGE_CONNECTIONS = 4


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may name {sheet}, {order} or {partner}
    weight: int


# The pages each role uses in a busy hour (an ordering fair): buyers in line sheets,
# grids and their orders; KAMs in partner pages, the agenda and their dashboards; the
# brand in the order book.
ROLE_PAGES: dict[str, tuple[Page, ...]] = {
    "distributor": (
        Page("home", "/", 1),
        Page("line sheet", "/line-sheets/{sheet}", 3),
        Page("matrix grid", "/line-sheets/{sheet}/order", 2),
        Page("order list", "/orders", 2),
        Page("order", "/orders/{order}", 2),
    ),
    "retailer": (
        Page("home", "/", 1),
        Page("line sheet", "/line-sheets/{sheet}", 3),
        Page("matrix grid", "/line-sheets/{sheet}/order", 2),
        Page("order list", "/orders", 2),
        Page("order", "/orders/{order}", 2),
    ),
    "kam": (
        Page("partner list", "/partners?page=1", 1),
        Page("partner search", "/partners?q=%E6%9C%8D%E9%A5%B0", 2),
        Page("partner 360", "/partners/{partner}", 3),
        Page("agenda", "/agenda", 2),
        Page("health dashboard", "/insights", 1),
        Page("sales board", "/sales/opportunities", 1),
    ),
    "brand": (
        Page("order list", "/orders", 3),
        Page("order", "/orders/{order}", 3),
        Page("partner 360", "/partners/{partner}", 1),
        Page("sales board", "/sales/opportunities", 1),
        Page("health dashboard", "/insights", 1),
    ),
}
# The demo users a role's virtual users sign in as: (role in the users table, kind of
# the user's organisation).
ROLE_USERS = {
    "distributor": ("distributor", "distributor"),
    "retailer": ("retailer", "retailer"),
    "kam": ("kam", "brand"),
    "brand": ("brand_staff", "brand"),
}


@dataclass
class Session:
    """One signed-in demo user and the concrete paths its role's pages resolve to."""

    role: str
    email: str
    cookie_header: str
    paths: list[tuple[str, list[str], int]]  # (page name, paths to cycle, weight)


@dataclass
class Sample:
    at: float
    page: str
    status: int
    seconds: float


@dataclass
class Step:
    users: int
    seconds: float
    samples: list[Sample]
    server_cpu: float
    database_cpu: float
    client_cpu: float
    rss_mb: float
    by_status: dict[int, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(1 for sample in self.samples if sample.status != 200)

    def latencies(self, page: str | None = None) -> list[float]:
        return [
            sample.seconds * 1000
            for sample in self.samples
            if sample.status == 200 and (page is None or sample.page == page)
        ]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --------------------------------------------------------------------------- /proc readings


def database_cpu_seconds(database: str | None, ports: set[int] | None = None) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving ``database`` (and, given
    ``ports``, only those of clients on these ports).

    A backend's command line names its database and client ("postgres: user db
    127.0.0.1(port) idle"), so other databases on the same server do not count.
    """
    if database is None:
        return 0.0
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not command.startswith("postgres: ") or f" {database} " not in command:
                continue
            if ports is not None and not any(f"({port})" in command for port in ports):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def resident_megabytes(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers)."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def machine_busy_seconds() -> float:
    """CPU seconds the machine's CPUs have not been idle since boot, summed (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def postgres_database(url: str) -> str | None:
    return url.rsplit("/", 1)[1].split("?")[0] if url.startswith("postgresql") else None


# --------------------------------------------------------------------------- sessions


def demo_users(url: str) -> dict[str, list[str]]:
    """The demo users' e-mail addresses by load role (read in a subprocess, so this
    process holds no connection to the database under test)."""
    script = (
        "import asyncio, json\n"
        "from partner_portal.partners.tables import User\n"
        "async def main():\n"
        "    rows = await User.select(User.email, User.role,\n"
        "        User.organisation.kind.as_alias('kind')).where(User.is_active == True)\n"
        "    print(json.dumps(rows))\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DATABASE_URL": url},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    import json

    rows = json.loads(result.stdout.strip().splitlines()[-1])
    found: dict[str, list[str]] = defaultdict(list)
    for role, (user_role, kind) in ROLE_USERS.items():
        found[role] = sorted(
            row["email"]
            for row in rows
            if row["role"] == user_role
            and row["kind"] == kind
            and not row["email"].endswith(".bench.demo")
        )
    return found


async def open_session(base: str, port: int, role: str, email: str) -> Session | None:
    """Sign in and resolve the role's pages to paths that user may open; pages whose ids
    cannot be found (no line sheet for that buyer, say) are left out."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await log_in(client, email, DEMO_PASSWORD)
        found: dict[str, list[str]] = {}
        for kind, pattern in LINKS.items():
            if not any("{" + kind + "}" in page.path for page in ROLE_PAGES[role]):
                continue
            response = await client.get(LISTS[kind])
            found[kind] = (
                list(dict.fromkeys(pattern.findall(response.text)))[:20]
                if response.status_code == 200
                else []
            )
        paths = []
        for page in ROLE_PAGES[role]:
            kinds = [kind for kind in LINKS if "{" + kind + "}" in page.path]
            if not kinds:
                paths.append((page.name, [page.path], page.weight))
            elif found.get(kinds[0]):
                values = found[kinds[0]]
                paths.append(
                    (page.name, [page.path.format(**{kinds[0]: v}) for v in values], page.weight)
                )
        if not paths:
            return None
        cookie_header = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return Session(role, email, cookie_header, paths)


# --------------------------------------------------------------------------- the load


class VirtualUser:
    def __init__(self, session: Session, port: int, think: float, rng: random.Random) -> None:
        self.session = session
        self.connection = Connection(port, session.cookie_header)
        self.think = think
        self.rng = rng
        self.stopped = False
        self.visits = 0

    async def run(self, samples: list[Sample], first_delay: float) -> None:
        await asyncio.sleep(first_delay)
        names = [name for name, _paths, _weight in self.session.paths]
        weights = [weight for _name, _paths, weight in self.session.paths]
        by_name = {name: paths for name, paths, _weight in self.session.paths}
        while not self.stopped:
            page = self.rng.choices(names, weights)[0]
            paths = by_name[page]
            path = paths[self.visits % len(paths)]
            self.visits += 1
            started = time.perf_counter()
            try:
                status, _size = await self.connection.get(path)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                await self.connection.close()
            samples.append(Sample(time.monotonic(), page, status, time.perf_counter() - started))
            pause = self.rng.expovariate(1 / self.think) if self.think else 0
            await asyncio.sleep(min(pause, self.think * MAX_THINK_FACTOR))
        await self.connection.close()


def role_counts(total: int, mix: dict[str, int]) -> dict[str, int]:
    """Split ``total`` users by the mix's weights (largest remainders)."""
    weight = sum(mix.values())
    exact = {role: total * share / weight for role, share in mix.items()}
    counts = {role: int(value) for role, value in exact.items()}
    for role in sorted(exact, key=lambda r: exact[r] - counts[r], reverse=True):
        if sum(counts.values()) >= total:
            break
        counts[role] += 1
    return counts


async def play(
    server: Server,
    sessions: dict[str, list[Session]],
    arguments: argparse.Namespace,
    database: str | None,
) -> list[Step]:
    rng = random.Random(arguments.seed)
    samples: list[Sample] = []
    users: list[VirtualUser] = []
    tasks: list[asyncio.Task[None]] = []
    steps: list[Step] = []
    assert server.process is not None
    for target in arguments.users:
        wanted = role_counts(target, arguments.mix)
        have: dict[str, int] = defaultdict(int)
        for user in users:
            have[user.session.role] += 1
        for role, count in wanted.items():
            for index in range(have[role], count):
                choices = sessions[role]
                user = VirtualUser(choices[index % len(choices)], server.port, arguments.think, rng)
                users.append(user)
                delay = rng.uniform(0, arguments.ramp)
                tasks.append(asyncio.create_task(user.run(samples, delay)))
        print(f"  {target} users: ramping in over {arguments.ramp:.0f}s ...", flush=True)
        await asyncio.sleep(arguments.ramp + arguments.think)
        first = len(samples)
        cpu = server.cpu_seconds(), database_cpu_seconds(database), own_cpu_seconds()
        started = time.monotonic()
        await asyncio.sleep(arguments.step_seconds)
        seconds = time.monotonic() - started
        step_samples = samples[first:]
        step = Step(
            users=target,
            seconds=seconds,
            samples=step_samples,
            server_cpu=server.cpu_seconds() - cpu[0],
            database_cpu=database_cpu_seconds(database) - cpu[1],
            client_cpu=own_cpu_seconds() - cpu[2],
            rss_mb=resident_megabytes(server.process.pid),
        )
        for sample in step_samples:
            step.by_status[sample.status] = step.by_status.get(sample.status, 0) + 1
        steps.append(step)
        p95 = percentile(step.latencies(), 0.95)
        statuses = ", ".join(
            f"{status or 'no answer'}: {count}"
            for status, count in sorted(step.by_status.items())
            if status != 200
        )
        print(
            f"  {target} users: {step.requests / seconds:.1f} req/s, p95 {p95:.0f} ms, "
            f"{step.errors} errors" + (f" ({statuses})" if statuses else ""),
            flush=True,
        )
        if step.errors or not p95 < arguments.p95_limit:
            break
    for user in users:
        user.stopped = True
    await asyncio.wait(tasks, timeout=arguments.think * MAX_THINK_FACTOR + 35)
    return steps


async def send_each(
    connections: list[Connection], paths: list[str], count: int
) -> tuple[list[float], int]:
    """``count`` GETs cycling through ``paths`` over the connections at once: the
    latencies (ms) of the 200s and the number of other answers."""
    issued = 0
    latencies: list[float] = []
    errors = 0

    async def worker(connection: Connection) -> None:
        nonlocal issued, errors
        while issued < count:
            path = paths[issued % len(paths)]
            issued += 1
            started = time.perf_counter()
            try:
                status, _size = await connection.get(path)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                await connection.close()
            if status == 200:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    await asyncio.gather(*(worker(connection) for connection in connections))
    return latencies, errors


@dataclass(frozen=True)
class Saturation:
    """The mixed pages sent with no think time: the most the server answers per second."""

    workers: int
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    server_cpu_ms: float
    database_cpu_ms: float
    client_cpu_ms: float
    # CPUs the whole machine kept busy (every process and the kernel, from /proc/stat): at
    # nproc, a second worker can only add what the database and this client leave over.
    machine_cpus_busy: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def saturate(
    server: Server,
    sessions: dict[str, list[Session]],
    arguments: argparse.Namespace,
    workers: int,
) -> Saturation:
    """``--saturation-connections`` users of the mix asking again at once for
    ``--saturation-seconds``: the server's saturated throughput on the same pages."""
    rng = random.Random(arguments.seed)
    samples: list[Sample] = []
    users = []
    for role, count in role_counts(arguments.saturation_connections, arguments.mix).items():
        for index in range(count):
            choices = sessions[role]
            users.append(VirtualUser(choices[index % len(choices)], server.port, 0, rng))
    tasks = [asyncio.create_task(user.run(samples, 0)) for user in users]
    await asyncio.sleep(3)  # warm-up
    database = postgres_database(server.url)
    first, started = len(samples), time.monotonic()
    cpu, database_cpu, client_cpu = (
        server.cpu_seconds(),
        database_cpu_seconds(database),
        own_cpu_seconds(),
    )
    machine_busy = machine_busy_seconds()
    await asyncio.sleep(arguments.saturation_seconds)
    measured = samples[first:]
    seconds = time.monotonic() - started
    cpu_seconds = server.cpu_seconds() - cpu
    database_seconds = database_cpu_seconds(database) - database_cpu
    client_seconds = own_cpu_seconds() - client_cpu
    machine_seconds = machine_busy_seconds() - machine_busy
    for user in users:
        user.stopped = True
    await asyncio.wait(tasks, timeout=60)
    latencies = [sample.seconds * 1000 for sample in measured if sample.status == 200]
    return Saturation(
        workers,
        len(users),
        seconds,
        len(measured),
        sum(1 for sample in measured if sample.status != 200),
        percentile(latencies, 0.5),
        cpu_seconds * 1000 / max(len(measured), 1),
        database_seconds * 1000 / max(len(measured), 1),
        client_seconds * 1000 / max(len(measured), 1),
        machine_seconds / seconds,
    )


@dataclass
class PageCost:
    name: str
    role: str
    requests: int
    errors: int
    median_ms: float
    server_cpu_ms: float
    database_cpu_ms: float


async def page_costs(
    server: Server,
    sessions: dict[str, list[Session]],
    arguments: argparse.Namespace,
    database: str | None,
) -> list[PageCost]:
    """Each page alone, then /healthz anonymous: CPU per request where the time goes."""
    targets: list[tuple[str, str, list[str], str]] = [("/healthz", "anonymous", ["/healthz"], "")]
    seen = set()
    for role, role_sessions in sessions.items():
        session = role_sessions[0]
        for name, paths, _weight in session.paths:
            if name not in seen:
                seen.add(name)
                targets.append((name, role, paths, session.cookie_header))
    costs = []
    for name, role, paths, cookie_header in targets:
        connections = [Connection(server.port, cookie_header) for _ in range(PAGE_CONNECTIONS)]
        for index in range(PAGE_CONNECTIONS * 2):  # warm-up: caches, prepared queries
            await connections[index % PAGE_CONNECTIONS].get(paths[index % len(paths)])
        before = server.cpu_seconds(), database_cpu_seconds(database)
        latencies, errors = await send_each(connections, paths, arguments.page_requests)
        server_cpu = server.cpu_seconds() - before[0]
        database_cpu = database_cpu_seconds(database) - before[1]
        for connection in connections:
            await connection.close()
        count = arguments.page_requests
        costs.append(
            PageCost(
                name,
                role,
                count,
                errors,
                statistics.median(latencies) if latencies else float("nan"),
                server_cpu * 1000 / count,
                database_cpu * 1000 / count,
            )
        )
        print(f"  {name}: {costs[-1].server_cpu_ms:.1f} ms server CPU per request", flush=True)
    return costs


# --------------------------------------------------------------------------- the report


def step_table(steps: list[Step]) -> str:
    lines = [
        "| users | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req "
        "| PostgreSQL CPU ms/req | load generator CPU ms/req | server RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in steps:
        latencies = step.latencies()
        requests = max(step.requests, 1)
        lines.append(
            f"| {step.users:,} | {step.requests / step.seconds:.1f} "
            f"| {percentile(latencies, 0.5):.0f} | {percentile(latencies, 0.95):.0f} "
            f"| {percentile(latencies, 0.99):.0f} | {step.errors} "
            f"| {step.server_cpu * 1000 / requests:.1f} | {step.database_cpu * 1000 / requests:.1f} "
            f"| {step.client_cpu * 1000 / requests:.2f} | {step.rss_mb:.0f} |"
        )
    return "\n".join(lines)


def page_table(step: Step) -> str:
    pages = sorted({sample.page for sample in step.samples})
    lines = [
        f"Per page at {step.users:,} users:",
        "",
        "| page | requests | share | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        latencies = step.latencies(page)
        count = sum(1 for sample in step.samples if sample.page == page)
        errors = sum(1 for s in step.samples if s.page == page and s.status != 200)
        lines.append(
            f"| {page} | {count} | {count / max(step.requests, 1):.0%} "
            f"| {percentile(latencies, 0.5):.0f} | {percentile(latencies, 0.95):.0f} "
            f"| {percentile(latencies, 0.99):.0f} | {errors} |"
        )
    return "\n".join(lines)


def cost_table(costs: list[PageCost]) -> str:
    baseline = costs[0].server_cpu_ms if costs and costs[0].server_cpu_ms > 0 else float("nan")
    lines = [
        "| page | role | requests | errors | median ms | server CPU ms/req "
        "| PostgreSQL CPU ms/req | × /healthz CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for cost in costs:
        lines.append(
            f"| {cost.name} | {cost.role} | {cost.requests} | {cost.errors} "
            f"| {cost.median_ms:.1f} | {cost.server_cpu_ms:.1f} | {cost.database_cpu_ms:.1f} "
            f"| {cost.server_cpu_ms / baseline:.0f} |"
        )
    return "\n".join(lines)


def saturation_table(saturations: list[Saturation]) -> str:
    """The throughputs side by side, with what bounds them: a server that wastes nothing
    per process keeps its CPU per request as workers are added, and then N workers answer
    N times as much until the machine's CPUs are all busy; past that, the ceiling is
    nproc / (server + database + load generator CPU per request), whatever the server."""
    lines = [
        "| workers | connections | req/s | p50 ms | errors | server CPU ms/req "
        "| PostgreSQL CPU ms/req | load generator CPU ms/req | machine CPUs busy "
        "| ceiling req/s | × 1 worker |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    one = next((s.per_second for s in saturations if s.workers == 1), float("nan"))
    cpus = os.cpu_count() or 1
    for saturation in saturations:
        per_request = (
            saturation.server_cpu_ms + saturation.database_cpu_ms + saturation.client_cpu_ms
        )
        ceiling = min(
            saturation.workers * 1000 / max(saturation.server_cpu_ms, 0.001),
            cpus * 1000 / max(per_request, 0.001),
        )
        lines.append(
            f"| {saturation.workers} | {saturation.connections} | {saturation.per_second:.1f} "
            f"| {saturation.p50_ms:.0f} | {saturation.errors} | {saturation.server_cpu_ms:.1f} "
            f"| {saturation.database_cpu_ms:.1f} | {saturation.client_cpu_ms:.2f} "
            f"| {saturation.machine_cpus_busy:.2f} of {cpus} | {ceiling:.1f} "
            f"| {saturation.per_second / one:.2f} |"
        )
    return "\n".join(lines)


def report(
    url: str,
    arguments: argparse.Namespace,
    costs: list[PageCost],
    steps: list[Step],
    saturations: list[Saturation],
    load_average: float,
) -> str:
    passing = [
        step
        for step in steps
        if not step.errors and percentile(step.latencies(), 0.95) < arguments.p95_limit
    ]
    mix = ", ".join(f"{role} {share}" for role, share in arguments.mix.items())
    verdict = (
        f"**Largest step with p95 < {arguments.p95_limit:.0f} ms and 0 errors: "
        f"{passing[-1].users:,} users.**"
        if passing
        else f"**No step had p95 < {arguments.p95_limit:.0f} ms with 0 errors.**"
    )
    lines = [
        heading(url, load_average) + " — bench/load.py",
        "",
        f"{arguments.workers} server worker(s); mix {mix}; think time exponential, mean "
        f"{arguments.think:.0f}s (cut at {MAX_THINK_FACTOR}×); each step ramped over "
        f"{arguments.ramp:.0f}s, measured for {arguments.step_seconds:.0f}s; one keep-alive "
        "connection per user; the load generator runs on the same machine (its CPU below).",
        "",
        "Each page alone (4 connections), CPU per request:",
        "",
        cost_table(costs),
    ]
    if arguments.pages_only:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "Mixed load, by step:",
        "",
        step_table(steps),
        "",
        verdict,
    ]
    if saturations:
        lines += [
            "",
            f"Saturated throughput, the same pages and mix with no think time "
            f"({arguments.saturation_seconds:.0f}s each, one server after the other):",
            "",
            saturation_table(saturations),
        ]
    for step in steps[-2:]:
        lines += ["", page_table(step)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--users", default="100,200,400,700,1000", help="users per step")
    parser.add_argument("--step-seconds", type=float, default=60.0)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to add a step's users")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time, seconds")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--mix", default="distributor=40,retailer=30,kam=20,brand=10")
    parser.add_argument("--p95-limit", type=float, default=300.0, help="ms")
    parser.add_argument("--page-requests", type=int, default=100, help="per page, alone")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pages-only", action="store_true", help="measure each page alone, no mixed load"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument(
        "--compare-workers",
        default="1",
        help="worker counts whose saturated throughput is measured beside --workers ('' = none)",
    )
    parser.add_argument("--saturation-seconds", type=float, default=30.0)
    parser.add_argument("--saturation-connections", type=int, default=32)
    arguments = parser.parse_args(argv)
    try:
        arguments.users = [int(value) for value in arguments.users.split(",")]
        arguments.mix = {
            role: int(share)
            for role, share in (item.split("=") for item in arguments.mix.split(","))
        }
        arguments.compare_workers = [
            int(value) for value in arguments.compare_workers.split(",") if value.strip()
        ]
    except ValueError:
        parser.error("--users and --compare-workers are lists of numbers; --mix is role=weight,...")
    unknown = set(arguments.mix) - set(ROLE_PAGES)
    if unknown:
        parser.error(f"unknown roles in --mix: {', '.join(sorted(unknown))}")
    if arguments.users != sorted(arguments.users) or arguments.users[0] < 1:
        parser.error("--users must be increasing and positive")
    return arguments


async def open_sessions(url: str, arguments: argparse.Namespace, server: Server) -> dict:
    await server.wait_ready()
    emails = demo_users(url)
    sessions: dict[str, list[Session]] = {}
    for role in arguments.mix:
        opened = [
            session
            for email in emails[role][:5]
            if (session := await open_session(server.base, server.port, role, email))
        ]
        if not opened:
            raise SystemExit(f"no demo user of role {role} could open its pages")
        sessions[role] = opened
    return sessions


async def run(
    url: str, arguments: argparse.Namespace, server: Server
) -> tuple[list[PageCost], list[Step], Saturation | None]:
    sessions = await open_sessions(url, arguments, server)
    database = postgres_database(url)
    print("Each page alone:", flush=True)
    costs = await page_costs(server, sessions, arguments, database)
    if arguments.pages_only:
        return costs, [], None
    saturation = None
    if arguments.compare_workers:
        print("Saturated throughput:", flush=True)
        saturation = await saturate(server, sessions, arguments, arguments.workers)
        print(f"  {saturation.per_second:.1f} req/s", flush=True)
    print("Mixed load:", flush=True)
    steps = await play(server, sessions, arguments, database)
    return costs, steps, saturation


async def saturate_alone(url: str, arguments: argparse.Namespace, server: Server) -> Saturation:
    sessions = await open_sessions(url, arguments, server)
    return await saturate(server, sessions, arguments, server.workers)


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    url = database_url(arguments.database_url)
    print(f"Benchmark database: {url}", flush=True)
    ensure_data(url, force=False)
    # One file descriptor per virtual user here and in the server (inherited limit).
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    load_average = os.getloadavg()[0]
    saturations = []
    # The other worker counts first, each on its own server, so the ratio comes from one run.
    for workers in [] if arguments.pages_only else arguments.compare_workers:
        if workers == arguments.workers:
            continue
        print(f"Saturated throughput with {workers} worker(s):", flush=True)
        server = Server(url, free_port(), workers)
        server.start()
        try:
            saturations.append(asyncio.run(saturate_alone(url, arguments, server)))
        finally:
            server.stop()
        print(f"  {saturations[-1].per_second:.1f} req/s", flush=True)
    server = Server(url, free_port(), arguments.workers)
    server.start()
    try:
        costs, steps, saturation = asyncio.run(run(url, arguments, server))
    finally:
        server.stop()
    if saturation is not None:
        saturations.append(saturation)
    saturations.sort(key=lambda item: item.workers)
    text = report(url, arguments, costs, steps, saturations, load_average)
    print()
    print(text)
    if not arguments.no_record:
        append_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
