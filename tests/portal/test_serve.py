"""`threadline serve`: the real command serves the portal and stops promptly on SIGTERM.

(The browser tests serve the test's app in process; this is the one run of the command.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import _free_port
from tests.support import PASSWORD, Cast


async def test_the_serve_command_serves_the_portal_and_stops_on_sigterm(
    database: str, cast: Cast, work_dir: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "partner_portal.cli", "serve", "--port", str(port),
        env={**os.environ, "DATABASE_URL": database, "BASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while b"Application startup complete" not in (line := await process.stdout.readline()):
                assert line, b"".join(output).decode()
                output.append(line)
        async with httpx.AsyncClient(base_url=url) as client:
            health = await client.get("/healthz")
            readiness = await client.get("/readyz")
            login_page = await client.get("/login")
            signed_in = await client.post(
                "/login",
                data={"email": cast.kam.email, "password": PASSWORD},
                headers={"x-csrftoken": client.cookies["csrftoken"]},
            )
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(15):
            rest, _ = await process.communicate()

    assert health.json()["status"] == "ok"
    assert readiness.json()["status"] == "ready"
    assert login_page.status_code == 200
    assert signed_in.status_code == 303
    # uvicorn finishes open work, shuts the app down, then re-raises the signal it caught.
    assert b"Application shutdown complete" in rest
    assert process.returncode == -signal.SIGTERM
