"""`threadline serve`: the real command serves the portal and stops promptly on SIGTERM.

(The browser tests serve the test's app in process; this and test_concurrent_writes.py run
the command.)
"""

from __future__ import annotations

import signal

import httpx

from tests.portal.serve_command import ServeCommand
from tests.support import PASSWORD, Cast


async def test_the_serve_command_serves_the_portal_and_stops_on_sigterm(
    database: str, cast: Cast
) -> None:
    serve = ServeCommand(database)
    url = await serve.start()
    try:
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
        rest = await serve.stop()

    assert health.json()["status"] == "ok"
    assert readiness.json()["status"] == "ready"
    assert login_page.status_code == 200
    assert signed_in.status_code == 303
    # uvicorn finishes open work, shuts the app down, then re-raises the signal it caught.
    assert b"Application shutdown complete" in rest
    assert serve.returncode == -signal.SIGTERM
