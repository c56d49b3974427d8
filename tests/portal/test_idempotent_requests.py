"""The one mechanism behind every "do this once" request (partner_portal.idempotency), seen
through the order API: keys are checked, spent on one request, released when a request
is refused before it starts, forgotten after a day, and taken over from a request that
died; a repeat that waits too long is told to retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from partner_portal import idempotency
from partner_portal.accounts.tables import IdempotentRequest
from partner_portal.orders.tables import Order
from tests.orders.support import Shop, make_shop
from tests.orders.test_order_api import token_for
from tests.support import Cast, PortalClient, problem_fields

NOON = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
KEY = "erp-idempotency-0001"


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


@pytest.fixture
async def keyed(cast: Cast, shop: Shop) -> dict[str, str]:
    return {**await token_for(cast.distributor), idempotency.KEY_HEADER: KEY}


def draft(cast: Cast, quantity: int = 4) -> dict[str, Any]:
    return {
        "buyer": str(cast.distributor_a.uuid),
        "lines": [{"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": quantity}],
    }


async def test_a_malformed_key_is_refused_with_a_clear_message(
    client: PortalClient, cast: Cast, keyed: dict[str, str]
) -> None:
    for bad in ("short", "x" * 81, "has spaces in it"):
        response = await client.post(
            "/api/v1/orders", headers={**keyed, idempotency.KEY_HEADER: bad}, json=draft(cast)
        )
        assert problem_fields(response) == {idempotency.KEY_HEADER: "invalid"}, bad
        assert "8 to 80 characters" in response.json()["detail"]
    assert await Order.count() == 0


async def test_a_request_refused_before_it_started_leaves_its_key_free(
    client: PortalClient, cast: Cast, keyed: dict[str, str]
) -> None:
    broken = await client.post(
        "/api/v1/orders", headers={**keyed, "Content-Type": "application/json"}, content=b"{"
    )
    assert broken.status_code == 400

    mended = await client.post("/api/v1/orders", headers=keyed, json=draft(cast))

    assert mended.status_code == 201
    assert await Order.count() == 1


async def test_an_answer_with_errors_is_replayed_too(
    client: PortalClient, cast: Cast, keyed: dict[str, str]
) -> None:
    nothing = {**draft(cast), "lines": []}
    first = await client.post("/api/v1/orders", headers=keyed, json=nothing)
    again = await client.post("/api/v1/orders", headers=keyed, json=nothing)

    assert first.status_code == again.status_code == 400
    assert first.content == again.content
    # The key is spent on that request: another body needs another key.
    other = await client.post("/api/v1/orders", headers=keyed, json=draft(cast))
    assert other.status_code == 422


async def test_a_key_is_forgotten_after_a_day(
    client: PortalClient, cast: Cast, keyed: dict[str, str], frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOON
    first = await client.post("/api/v1/orders", headers=keyed, json=draft(cast, 4))
    assert first.status_code == 201

    frozen_clock.frozen_at = NOON + idempotency.KEY_LIFETIME + timedelta(minutes=1)
    later = await client.post("/api/v1/orders", headers=keyed, json=draft(cast, 40))

    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert await Order.count() == 2


async def test_the_scheduled_job_forgets_expired_keys(
    client: PortalClient, cast: Cast, keyed: dict[str, str], frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOON
    await client.post("/api/v1/orders", headers=keyed, json=draft(cast))
    frozen_clock.frozen_at = NOON + timedelta(hours=1)
    await client.post(
        "/api/v1/orders", headers={**keyed, idempotency.KEY_HEADER: f"{KEY}-b"}, json=draft(cast)
    )

    frozen_clock.frozen_at = NOON + idempotency.KEY_LIFETIME + timedelta(minutes=1)
    summary = await idempotency.purge_expired()

    assert summary.startswith("1 ")
    assert [row["user_key"] for row in await IdempotentRequest.select()] == [
        f"{cast.distributor.id}:{KEY}-b"
    ]


async def _claim_without_an_answer(
    client: PortalClient, cast: Cast, keyed: dict[str, str], claimed_at: datetime
) -> str:
    """A key claimed at ``claimed_at`` for the draft request and not answered yet (a
    request still at work, or one whose server died); returns the key. The draft is sent
    once under another key first, for its fingerprint (which does not depend on the key)."""
    sent = await client.post("/api/v1/orders", headers=keyed, json=draft(cast))
    assert sent.status_code == 201
    first = await IdempotentRequest.select(IdempotentRequest.fingerprint).first()
    assert first is not None
    unanswered = f"{KEY}-unanswered"
    await IdempotentRequest.insert(
        IdempotentRequest(
            user=cast.distributor.id,
            user_key=f"{cast.distributor.id}:{unanswered}",
            fingerprint=first["fingerprint"],
            claimed_at=claimed_at,
            expires_at=claimed_at + idempotency.KEY_LIFETIME,
        )
    )
    return unanswered


async def test_a_repeat_takes_over_a_key_whose_request_died(
    client: PortalClient, cast: Cast, keyed: dict[str, str], frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOON
    dead_key = await _claim_without_an_answer(
        client, cast, keyed, NOON - idempotency.ABANDONED_AFTER
    )

    response = await client.post(
        "/api/v1/orders", headers={**keyed, idempotency.KEY_HEADER: dead_key}, json=draft(cast)
    )

    assert response.status_code == 201
    assert await Order.count() == 2
    stored = (
        await IdempotentRequest.select(IdempotentRequest.status_code)
        .where(IdempotentRequest.user_key == f"{cast.distributor.id}:{dead_key}")
        .first()
    )
    assert stored == {"status_code": 201}


async def test_a_repeat_that_waited_in_vain_is_told_to_retry(
    client: PortalClient,
    cast: Cast,
    keyed: dict[str, str],
    frozen_clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen_clock.frozen_at = NOON
    # Claimed a moment ago by a request still at work.
    busy_key = await _claim_without_an_answer(client, cast, keyed, NOON)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.0)

    response = await client.post(
        "/api/v1/orders", headers={**keyed, idempotency.KEY_HEADER: busy_key}, json=draft(cast)
    )

    problem_fields(response, 409)
    assert response.headers["retry-after"] == "5"
    assert "still being processed" in response.json()["detail"]
    assert await Order.count() == 1
