"""Server CPU per page, measured in process: the pages of bench/load.py, each asked
--requests times through httpx's ASGI transport (no sockets, no server process), timed
with time.process_time around each request, so the figure is the app's own CPU (the
database's is not in it) and holds on a busy machine.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tl_bench \\
        .venv/bin/python bench/page_cpu.py [--requests 20] [--pages "agenda,partner 360"]
        [--profile "partner 360"] [--as kam=wang.xiaoming@jinxiu.demo]

Signs in one demo user per role (as bench/load.py does), finds the ids each may open,
warms each page up once, then prints the median and mean CPU ms per request per page (and
the median wall time, which includes the database's time and the machine's load), and on
PostgreSQL the mean CPU ms its backends spent per request: only the backends serving this
process's own connections (a backend's command line names its client's port), so other
sessions on a shared server do not count; /proc counts in ticks of 10 ms, so the figure is
good to 10 ms / --requests.
Besides the pages of the mix, two pages measure the floor every signed-in request pays
(session, viewer, middleware, base.html with its menu): "password form", the smallest
full page (a form, no query), and "bell", the unread count every page fetches after it
loads. --profile runs cProfile over that page's requests, timed in CPU (process_time, so
waits for the database do not count), and prints the 40 most expensive functions by
cumulative and by own time. The "queries" column counts the statements one request of the
page sends; --queries prints them too (the start of each), to find the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import DEMO_PASSWORD, LINKS, LISTS, ROLE_PAGES, ROLE_USERS, database_cpu_seconds
from bench.run import log_in


async def demo_user(role: str, chosen: dict[str, str]) -> str | None:
    """The user --as names for a load role, else its first demo user (not one of the
    generated bench users)."""
    from partner_portal.partners.tables import User

    if role in chosen:
        return chosen[role]

    user_role, kind = ROLE_USERS[role]
    rows = (
        await User.select(User.email)
        .where(
            User.is_active == True,  # noqa: E712
            User.role == user_role,
            User.organisation.kind == kind,  # type: ignore[attr-defined]
            User.email.not_like("%.bench.demo"),
        )
        .order_by(User.email)
    )
    return rows[0]["email"] if rows else None


def own_ports() -> set[int]:
    """The local TCP ports of this process's sockets (its database connections)."""
    inodes = set()
    for link in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(link)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def own_database_cpu_seconds(database: str | None) -> float:
    """CPU seconds used so far by the PostgreSQL backends of this process's connections."""
    return database_cpu_seconds(database, own_ports()) if database else 0.0


# Pages outside the mix that every role has: what any signed-in page costs at least.
FLOOR_PAGES = {"password form": "/account/password", "bell": "/notifications/bell"}


async def paths_for(client: httpx.AsyncClient, role: str) -> dict[str, str]:
    """Each page of the role as one path that user may open, then the floor pages."""
    found: dict[str, str] = {}
    for kind, pattern in LINKS.items():
        if any("{" + kind + "}" in page.path for page in ROLE_PAGES[role]):
            ids = pattern.findall((await client.get(LISTS[kind])).text)
            if ids:
                found[kind] = ids[0]
    paths = {}
    for page in ROLE_PAGES[role]:
        kinds = [kind for kind in LINKS if "{" + kind + "}" in page.path]
        if not kinds:
            paths[page.name] = page.path
        elif kinds[0] in found:
            paths[page.name] = page.path.format(**{kinds[0]: found[kinds[0]]})
    return paths | FLOOR_PAGES


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL the app sends while the block runs (the engine's run_querystring)."""
    from partner_portal.database import current_engine

    engine_class = type(current_engine())  # patched on the class: PostgreSQL's has slots
    original = engine_class.run_querystring
    sent: list[str] = []

    async def recording(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(" ".join(str(querystring).split()))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


async def measure(arguments: argparse.Namespace) -> None:
    os.environ.setdefault("SCHEDULER_IN_PROCESS", "0")
    from partner_portal.app import served_app

    app = served_app()  # as `threadline serve` makes it
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    chosen = dict(pair.split("=", 1) for pair in arguments.users.split(",") if "=" in pair)
    wanted = {name.strip() for name in arguments.pages.split(",") if name.strip()}
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    database = url.path.lstrip("/") if url.scheme.startswith("postgres") else None
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan():
        seen: set[str] = set()
        print(f"load average {os.getloadavg()[0]:.2f}; {arguments.requests} requests a page")
        print(
            f"{'page':<18} {'role':<12} {'median ms':>10} {'mean ms':>8} {'wall ms':>8} "
            f"{'PG ms':>6} {'kB':>6} {'queries':>8}"
        )
        for role in ROLE_PAGES:
            email = await demo_user(role, chosen)
            if email is None:
                continue
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await log_in(client, email, DEMO_PASSWORD)
                for name, path in (await paths_for(client, role)).items():
                    if name in seen or (wanted and name not in wanted):
                        continue
                    seen.add(name)
                    with statements_sent() as sent:
                        response = await client.get(path)  # warm-up
                    assert response.status_code == 200, (path, response.status_code)
                    profile = (
                        cProfile.Profile(time.process_time) if name == arguments.profile else None
                    )
                    costs, walls = [], []
                    database_before = own_database_cpu_seconds(database)
                    for _ in range(arguments.requests):
                        if profile:
                            profile.enable()
                        started, wall = time.process_time(), time.perf_counter()
                        await client.get(path)
                        costs.append((time.process_time() - started) * 1000)
                        walls.append((time.perf_counter() - wall) * 1000)
                        if profile:
                            profile.disable()
                    database_ms = (
                        (own_database_cpu_seconds(database) - database_before)
                        * 1000
                        / arguments.requests
                    )
                    print(
                        f"{name:<18} {role:<12} {statistics.median(costs):>10.1f} "
                        f"{statistics.fmean(costs):>8.1f} {statistics.median(walls):>8.1f} "
                        f"{database_ms:>6.1f} {len(response.content) / 1024:>6.0f} {len(sent):>8}"
                    )
                    if arguments.queries:
                        for statement in sent:
                            print(f"    {statement[:160]}")
                    if profile:
                        for order in ("cumulative", "tottime"):
                            pstats.Stats(profile).sort_stats(order).print_stats(40)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pages", default="", help="page names, comma-separated (all)")
    parser.add_argument("--as", dest="users", default="", help="role=email,... to sign in as")
    parser.add_argument("--profile", default="", help="a page name to profile with cProfile")
    parser.add_argument("--queries", action="store_true", help="print each page's statements")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
