"""A saturated process refuses at once (503 with Retry-After, in the reader's language)
instead of letting requests queue for half a minute; health checks are never refused.

The limits are tiny here (one request at a time, one waiting) and the request that holds
the slot waits for the test to let it finish, so which request is refused does not depend
on timing: only the bounded wait of the queued request does, and it is only asserted to
end in a 503, not how fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar, get

from partner_portal.settings import Settings, install
from partner_portal.shedding import LoadShedder


class Gate:
    """Holds /slow requests until the test opens it (an event per test: each runs in its
    own event loop)."""

    released: asyncio.Event
    entered: asyncio.Event
    shedder: LoadShedder


@get("/slow")
async def slow() -> str:
    Gate.entered.set()
    await Gate.released.wait()
    return "done"


async def _until_one_holds_and_one_waits(
    holding: asyncio.Task[httpx.Response], queued: asyncio.Task[httpx.Response]
) -> None:
    """No clock involved: the first request is inside the handler, the second queued."""
    await Gate.entered.wait()
    for _turn in range(1000):  # turns of the event loop, no time passes
        if Gate.shedder.waiting:
            return
        await asyncio.sleep(0)
    raise AssertionError("the second request never queued")


@get("/api/v1/orders", sync_to_thread=False)
def api_orders() -> list[str]:
    return []


@get("/healthz", sync_to_thread=False)
def healthz() -> str:
    return "ok"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    install(
        dataclasses.replace(
            settings, max_concurrent_requests=1, max_waiting_requests=1, max_queue_ms=1000
        )
    )
    Gate.released = asyncio.Event()
    Gate.entered = asyncio.Event()
    Gate.shedder = LoadShedder()
    app = Litestar(route_handlers=[slow, api_orders, healthz], middleware=[Gate.shedder])
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_past_the_queue_a_request_is_refused_at_once_in_the_readers_language(
    client: httpx.AsyncClient,
) -> None:
    holding = asyncio.create_task(client.get("/slow"))
    queued = asyncio.create_task(client.get("/slow"))
    await _until_one_holds_and_one_waits(holding, queued)

    refused = await client.get("/slow", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert "门户" in refused.text and "busy" not in refused.text
    assert not holding.done()
    # The queued request gives up after its bounded wait.
    assert (await queued).status_code == 503
    Gate.released.set()
    assert (await holding).status_code == 200


async def test_health_checks_pass_a_saturated_process(client: httpx.AsyncClient) -> None:
    holding = asyncio.create_task(client.get("/slow"))
    queued = asyncio.create_task(client.get("/slow"))
    await _until_one_holds_and_one_waits(holding, queued)

    assert (await client.get("/healthz")).status_code == 200

    Gate.released.set()
    assert (await holding).status_code == 200
    assert (await queued).status_code == 200


async def test_an_api_client_gets_a_problem_document_in_korean(
    client: httpx.AsyncClient,
) -> None:
    holding = asyncio.create_task(client.get("/slow"))
    queued = asyncio.create_task(client.get("/slow"))
    await _until_one_holds_and_one_waits(holding, queued)

    refused = await client.get("/api/v1/orders", headers={"Accept-Language": "ko"})

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["status"] == 503 and "포털" in problem["detail"]
    Gate.released.set()
    await holding
    await queued
