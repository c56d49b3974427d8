"""What the request guard (web.RequestGuard: no NUL bytes, no integers beyond 64 bits)
costs a request, measured in-process.

    .venv/bin/python bench/request_guard.py [--requests 2000]

Builds the app twice on a fresh migrated SQLite database in a temporary directory, once
as it is and once with the guard passing every request through unchecked, and sends the
same requests to each through httpx's ASGI transport (no network, one request at a
time, so the figures are server CPU): anonymous /healthz, /healthz with a search's six
query parameters, and an anonymous POST of a 20-field form and of a 1 MB upload (to
/logout, which reads neither: the guard's reading is all there is to see). Prints a
Markdown table (p50 = median and p99 in ms, and each route's median against the
/healthz median of the same app) with the load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
SEARCH = "/healthz?q=服饰&kind=distributor&tier=gold&status=active&owner=&page=2"
FORM = {f"field_{number}": f"value {number} 服饰" for number in range(20)}
UPLOAD = {"file": ("photo.jpg", b"\xff\xd8\xff" + b"\x00" * 1_000_000, "image/jpeg")}


async def measure(send: Callable[[], Awaitable[httpx.Response]], requests: int) -> list[float]:
    for _ in range(50):
        await send()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await send()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 500, response.status_code
    return times


async def measure_routes(client: httpx.AsyncClient, requests: int) -> list[tuple[str, list[float]]]:
    headers = {"x-csrftoken": (await client.get("/login")).cookies["csrftoken"]}
    cases: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "GET /healthz": lambda: client.get("/healthz"),
        "GET /healthz + 6 query parameters": lambda: client.get(SEARCH),
        "POST /logout, 20-field form": lambda: client.post("/logout", data=FORM, headers=headers),
        "POST /logout, 1 MB upload": lambda: client.post(
            "/logout", data=FORM, files=UPLOAD, headers=headers
        ),
    }
    return [(name, await measure(send, requests)) for name, send in cases.items()]


async def run(requests: int) -> str:
    from partner_portal import web
    from partner_portal.app import create_app
    from partner_portal.cli import migrate
    from partner_portal.database import close_database, open_database

    await migrate()
    started_pool = await open_database()
    rows = []

    async def passthrough(self: Any, scope: Any, receive: Any, send: Any, next_app: Any) -> None:
        await next_app(scope, receive, send)

    checked_handle = web.RequestGuard.handle
    try:
        for variant, handle in (("guard", checked_handle), ("no guard", passthrough)):
            web.RequestGuard.handle = handle  # type: ignore[method-assign]
            transport = httpx.ASGITransport(app=create_app())  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                baseline = None
                for name, times in await measure_routes(client, requests):
                    median = statistics.median(times)
                    baseline = baseline or median
                    p99 = statistics.quantiles(times, n=100)[98]
                    rows.append(
                        f"| {name} | {variant} | {median:.2f} | {p99:.2f} | {median / baseline:.2f} |"
                    )
    finally:
        web.RequestGuard.handle = checked_handle  # type: ignore[method-assign]
        await close_database(started_pool)
    return "\n".join(
        [
            "| request | app | p50 (median) ms | p99 ms | median vs /healthz |",
            "|---|---|---:|---:|---:|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ["MEDIA_DIR"] = f"{directory}/media"
        sys.path.insert(0, str(REPO))
        before = os.getloadavg()
        table = asyncio.run(run(arguments.requests))
        after = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average {before[0]:.2f} before, {after[0]:.2f} after")
    print(table)


if __name__ == "__main__":
    main()
