"""Measure the real server under a bounded load and record the figures.

    .venv/bin/python bench/run.py [--requests 2000] [--concurrency 8] [--database-url URL]

Starts `threadline serve` on a free 127.0.0.1 port against the benchmark
database (--database-url, else BENCH_DATABASE_URL, else DATABASE_URL, else
sqlite:///var/bench.sqlite3; an empty or missing database is filled by
bench/generate.py first), signs in as a demo KAM, and sends a fixed number of
requests per route from N concurrent httpx workers: /healthz, the partner list
with and without a search, and partner 360 pages. Prints a Markdown table
(requests/s, mean, p50/median, p99, and each route's throughput relative to
/healthz) and appends it to bench/RESULTS.md. Stops the server with SIGINT and
reports it if the server does not exit within 10 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "sqlite:///var/bench.sqlite3"
RESULTS = REPO / "bench" / "RESULTS.md"
LOG_DIR = REPO / "bench" / "out"
HOST = "127.0.0.1"
STARTUP_SECONDS = 300  # a loaded machine (load average 30 on 2 CPUs) took 150 s to start one
SHUTDOWN_SECONDS = 10
REQUEST_TIMEOUT_SECONDS = 30
UUID_IN_LINK = re.compile(
    r'href="/partners/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"'
)


@dataclass
class Measurement:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    stopped_by_time_limit: bool = False
    server_cpu_seconds: float | None = None  # CPU the server used for the measured requests

    @property
    def completed(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_seconds is None or not self.completed:
            return None
        return self.server_cpu_seconds * 1000 / self.completed

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index] * 1000


def database_url(explicit: str | None) -> str:
    return (
        explicit
        or os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_URL
    )


def database_kind(url: str) -> str:
    return "SQLite" if url.startswith("sqlite:") else "PostgreSQL"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far (Linux /proc).

    Unlike requests/s, it hardly moves when other work shares the CPUs.
    """
    ticks = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended meanwhile
    return ticks / os.sysconf("SC_CLK_TCK")


def venv_command(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate if candidate.exists() else REPO / ".venv" / "bin" / name)


# --------------------------------------------------------------------------- the data set


def data_set_counts(url: str) -> dict[str, int] | None:
    """Row counts of the benchmark database, or None when it is missing or unmigrated."""
    script = (
        "import asyncio, json\n"
        "from partner_portal.partners.tables import Organisation, Contact, TimelineEntry\n"
        "async def main():\n"
        "    print(json.dumps({'partners': await Organisation.count().where(\n"
        "        Organisation.kind != 'brand'), 'contacts': await Contact.count(),\n"
        "        'timeline': await TimelineEntry.count()}))\n"
        "asyncio.run(main())\n"
    )
    # A subprocess, so that this process never holds a connection to the database under test.
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DATABASE_URL": url},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return None
    import json

    counts: dict[str, int] = json.loads(result.stdout.strip().splitlines()[-1])
    return counts


def ensure_data(url: str, force: bool) -> dict[str, int]:
    counts = data_set_counts(url)
    if counts is None or counts["partners"] == 0 or force:
        print("Filling the benchmark database with bench/generate.py ...", flush=True)
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), "--database-url", url],
            cwd=REPO,
            check=True,
            timeout=1800,
            stdout=subprocess.DEVNULL,
        )
        counts = data_set_counts(url)
    if counts is None:
        raise SystemExit(f"cannot read the benchmark database {url}")
    if counts["partners"] < 1000:
        print(
            f"warning: only {counts['partners']} partners in {url}; "
            "run bench/generate.py (or pass --generate) for the full data set",
            flush=True,
        )
    return counts


# --------------------------------------------------------------------------- the server


class Server:
    """`threadline serve` in a subprocess, its output in bench/out/."""

    def __init__(self, url: str, port: int, workers: int) -> None:
        self.url = url
        self.port = port
        self.workers = workers
        self.base = f"http://{HOST}:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"server-{port}.log"

    def start(self) -> None:
        environment = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SCHEDULER_IN_PROCESS": "0",
            "TEMPLATE_AUTO_RELOAD": "0",
            "BASE_URL": self.base,
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    venv_command("threadline"),
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=environment,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        async with httpx.AsyncClient(base_url=self.base, timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited at start; see {self.log_path}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit(
            f"the server did not answer within {STARTUP_SECONDS}s; see {self.log_path}"
        )

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return process_tree_cpu_seconds(self.process.pid)

    def stop(self) -> tuple[bool, float]:
        """SIGINT, then wait; (exited cleanly within the limit, seconds it took)."""
        if self.process is None or self.process.poll() is not None:
            return True, 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=SHUTDOWN_SECONDS)
            return True, time.monotonic() - started
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            return False, time.monotonic() - started


# --------------------------------------------------------------------------- the load


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    """GET /login for the CSRF cookie, then POST the form; a 303 sets the session cookie."""
    page = await client.get("/login")
    page.raise_for_status()
    token = client.cookies.get("csrftoken")
    if not token:
        raise SystemExit("GET /login set no csrftoken cookie")
    response = await client.post(
        "/login", data={"email": email, "password": password, "_csrf_token": token}
    )
    if response.status_code != 303 or "threadline_session" not in client.cookies:
        raise SystemExit(f"could not sign in as {email}: HTTP {response.status_code}")


class Connection:
    """A minimal HTTP/1.1 keep-alive client for GETs.

    httpx spends more CPU per request than the server does on /healthz (its cookie
    jar alone costs milliseconds), and on a small machine the client shares the
    CPUs with the server, so the load is sent with plain asyncio streams; httpx
    only signs in.
    """

    def __init__(self, port: int, cookie_header: str) -> None:
        self.port = port
        self.cookie_header = cookie_header
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, int]:
        """(status, body length); reconnects when the server closed the connection."""
        async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
            return await self._get(path)

    async def _get(self, path: str) -> tuple[int, int]:
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._exchange(path)
        except (asyncio.IncompleteReadError, ConnectionResetError) as error:
            # The server closed a kept-alive connection that sat idle past its keep-alive
            # time (a loaded machine makes the gaps long): a GET is sent again, once.
            if not reused or (isinstance(error, asyncio.IncompleteReadError) and error.partial):
                raise
            await self.close()
            return await self._exchange(path)

    async def _exchange(self, path: str) -> tuple[int, int]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        cookie = f"Cookie: {self.cookie_header}\r\n" if self.cookie_header else ""
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{cookie}\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        size = 0
        if "content-length" in headers:
            size = int(headers["content-length"])
            await self.reader.readexactly(size)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                chunk_size = int((await self.reader.readline()).split(b";")[0], 16)
                await self.reader.readexactly(chunk_size + 2)
                size += chunk_size
                if chunk_size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, size

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def measure(
    port: int,
    cookie_header: str,
    name: str,
    paths: list[str],
    arguments: argparse.Namespace,
    server_cpu: Callable[[], float] | None = None,
) -> Measurement:
    """Send a fixed number of GETs (cycling through paths) from N workers; bounded in time.
    With ``server_cpu`` (the server's CPU seconds so far), also what the requests cost it."""
    result = Measurement(name=name, path=paths[0])
    connections = [Connection(port, cookie_header) for _ in range(arguments.concurrency)]
    for index in range(arguments.warmup):
        await connections[index % len(connections)].get(paths[index % len(paths)])
    issued = 0
    deadline = time.monotonic() + arguments.time_limit

    async def worker(connection: Connection) -> None:
        nonlocal issued
        while issued < arguments.requests:
            if time.monotonic() > deadline:
                result.stopped_by_time_limit = True
                return
            path = paths[issued % len(paths)]
            issued += 1
            started = time.perf_counter()
            try:
                status, _size = await connection.get(path)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                await connection.close()
            latency = time.perf_counter() - started
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.latencies.append(latency)
            else:
                result.errors += 1

    started = time.perf_counter()
    cpu_before = server_cpu() if server_cpu else 0.0
    try:
        await asyncio.gather(*(worker(connection) for connection in connections))
    finally:
        result.elapsed = time.perf_counter() - started
        if server_cpu:
            result.server_cpu_seconds = server_cpu() - cpu_before
        for connection in connections:
            await connection.close()
    return result


async def partner_uuids(client: httpx.AsyncClient, limit: int) -> list[str]:
    response = await client.get("/partners?page=1")
    if response.status_code != 200:
        return []
    found = list(dict.fromkeys(UUID_IN_LINK.findall(response.text)))
    return found[:limit]


async def run_load(arguments: argparse.Namespace, server: Server) -> tuple[list[Measurement], str]:
    note = ""
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        await log_in(client, arguments.email, arguments.password)
        uuids = await partner_uuids(client, arguments.detail_pages)
        cookie_header = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        # (name, paths, signed in): the anonymous /healthz is the baseline of the ratios; the
        # signed-in one adds what every page pays for the session lookup.
        routes: list[tuple[str, list[str], bool]] = [
            ("GET /healthz", ["/healthz"], False),
            ("GET /healthz (signed in)", ["/healthz"], True),
        ]
        if uuids:
            search = httpx.QueryParams({"q": arguments.search})
            routes += [
                ("GET /partners", ["/partners"], True),
                (f"GET /partners?q={arguments.search}", [f"/partners?{search}"], True),
                ("GET /partners/<uuid>", [f"/partners/{value}" for value in uuids], True),
            ]
        else:
            note = (
                "The partner pages did not answer (no /partners list yet): only /healthz measured."
            )
            print(note, flush=True)
        results = []
        for name, paths, signed_in in routes:
            if name == "GET /partners":
                # The list remembers its filters: a request with no filters resets them, so
                # that plain /partners answers 200 instead of redirecting to a saved search.
                await client.get("/partners?page=1")
            print(f"  {name} ...", flush=True)
            cookies = cookie_header if signed_in else ""
            results.append(
                await measure(server.port, cookies, name, paths, arguments, server.cpu_seconds)
            )
    return results, note


# --------------------------------------------------------------------------- the report


def table(results: list[Measurement]) -> str:
    baseline = results[0].throughput if results and results[0].throughput else float("nan")
    with_cpu = any(result.server_cpu_seconds is not None for result in results)
    cpu_heading = (" server CPU ms/req |", "---:|") if with_cpu else ("", "")
    lines = [
        "| route | requests | errors | req/s | mean ms | p50 (median) ms | p99 ms | vs /healthz |"
        + cpu_heading[0],
        "|---|---:|---:|---:|---:|---:|---:|---:|" + cpu_heading[1],
    ]
    for result in results:
        mean = statistics.fmean(result.latencies) * 1000 if result.latencies else float("nan")
        suffix = " (time limit)" if result.stopped_by_time_limit else ""
        cpu = result.server_cpu_ms_per_request
        lines.append(
            f"| `{result.name}` | {result.completed}{suffix} | {result.errors} "
            f"| {result.throughput:,.0f} | {mean:.1f} | {result.percentile(0.5):.1f} "
            f"| {result.percentile(0.99):.1f} | {result.throughput / baseline:.2f} |"
            + ((f" {cpu:.2f} |" if cpu is not None else " |") if with_cpu else "")
        )
    return "\n".join(lines)


def heading(url: str, load_average: float) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"## {stamp} — {database_kind(url)} — nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, load average {load_average:.2f} before the run"
    )


def report(
    url: str,
    arguments: argparse.Namespace,
    counts: dict[str, int],
    results: list[Measurement],
    shutdown: str,
    note: str,
    load_average: float,
) -> str:
    errors = {
        result.name: result.statuses for result in results if result.errors
    }  # which statuses, when any failed
    lines = [
        heading(url, load_average),
        "",
        f"Data: {counts['partners']:,} partners, {counts['contacts']:,} contacts, "
        f"{counts['timeline']:,} timeline entries. Signed in as {arguments.email}. "
        f"Load: {arguments.requests:,} requests per route after {arguments.warmup} warm-up, "
        f"{arguments.concurrency} concurrent keep-alive connections from one asyncio client process on the same "
        f"machine, {arguments.server_workers} server worker(s), time limit "
        f"{arguments.time_limit:.0f}s per route.",
        "",
        table(results),
        "",
        f"Shutdown: {shutdown}",
    ]
    if errors:
        lines += ["", f"Errors by status: {errors}"]
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def append_results(text: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nWritten by `bench/run.py` (see bench/README.md); newest last.\n"
        )
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n" + text)


# --------------------------------------------------------------------------- main


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per route")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests per route")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent client workers")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per route at most")
    parser.add_argument("--server-workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--email", default="wang.xiaoming@jinxiu.demo", help="a demo KAM")
    parser.add_argument("--password", default="threadline-demo")
    parser.add_argument("--search", default="服饰", help="the list's search term (q=)")
    parser.add_argument("--detail-pages", type=int, default=50, help="partner 360 pages to cycle")
    parser.add_argument("--generate", action="store_true", help="run bench/generate.py first")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    arguments = parser.parse_args(argv)
    for name in ("requests", "concurrency", "server_workers", "detail_pages"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    url = database_url(arguments.database_url)
    print(f"Benchmark database: {url}", flush=True)
    counts = ensure_data(url, arguments.generate)
    load_average = os.getloadavg()[0]  # other work on the machine skews the figures
    server = Server(url, free_port(), arguments.server_workers)
    server.start()
    results: list[Measurement] = []
    note = ""
    try:
        asyncio.run(server.wait_ready())
        results, note = asyncio.run(run_load(arguments, server))
    finally:
        clean, seconds = server.stop()
    if clean:
        shutdown = f"SIGINT, the server exited in {seconds:.1f}s."
    else:
        shutdown = (
            f"FINDING: the server did not exit within {SHUTDOWN_SECONDS}s of SIGINT "
            f"and was terminated (see {server.log_path.relative_to(REPO)})."
        )
    text = report(url, arguments, counts, results, shutdown, note, load_average)
    print()
    print(text)
    if not arguments.no_record:
        append_results(text)
        print(f"Appended to {RESULTS.relative_to(REPO)}.")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
