"""An ERP that retries: requests sent again with the same Idempotency-Key, even all at
once, are carried out once and every retry gets the first answer."""

from __future__ import annotations

import asyncio

import pytest

from partner_portal.orders.tables import Order, OrderStatus, OrderStatusChange
from tests.orders.support import Shop, make_shop
from tests.orders.test_order_api import token_for
from tests.support import Cast, PortalClient, problem_fields

RETRIES = 100


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


def _draft(cast: Cast, quantity: int = 4) -> dict[str, object]:
    return {
        "buyer": str(cast.distributor_a.uuid),
        "lines": [{"style": "SS27-001", "colour": "BLK", "size": "S", "quantity": quantity}],
        "customer_po": "ERP-7",
    }


async def test_a_hundred_retries_of_a_submit_at_once_submit_once_with_one_answer(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    headers = await token_for(cast.distributor)
    created = await client.post("/api/v1/orders", headers=headers, json=_draft(cast))
    assert created.status_code == 201, created.text
    url = f"/api/v1/orders/{created.json()['id']}/submit"
    keyed = {**headers, "Idempotency-Key": "erp-submit-retry-0001"}

    answers = await asyncio.gather(*(client.post(url, headers=keyed) for _ in range(RETRIES)))

    assert {answer.status_code for answer in answers} == {200}, answers[0].text
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json()["status"] == "submitted"
    submissions = await OrderStatusChange.count().where(
        OrderStatusChange.to_status == OrderStatus.submitted
    )
    assert submissions == 1


async def test_a_hundred_retries_of_a_new_draft_at_once_create_one_draft(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    keyed = {**await token_for(cast.distributor), "Idempotency-Key": "erp-draft-retry-0001"}

    answers = await asyncio.gather(
        *(client.post("/api/v1/orders", headers=keyed, json=_draft(cast)) for _ in range(RETRIES))
    )

    assert {answer.status_code for answer in answers} == {201}, answers[0].text
    assert len({answer.content for answer in answers}) == 1
    assert await Order.count() == 1
    assert answers[0].json()["id"] == str((await Order.select(Order.uuid).first() or {})["uuid"])


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    keyed = {**await token_for(cast.distributor), "Idempotency-Key": "erp-draft-retry-0002"}
    first = await client.post("/api/v1/orders", headers=keyed, json=_draft(cast, 4))
    assert first.status_code == 201

    other = await client.post("/api/v1/orders", headers=keyed, json=_draft(cast, 40))

    problem_fields(other, 422)
    assert "Idempotency-Key" in other.json()["detail"]
    assert await Order.count() == 1
    again = await client.post("/api/v1/orders", headers=keyed, json=_draft(cast, 4))
    assert again.status_code == 201 and again.content == first.content


async def test_keys_belong_to_their_user(client: PortalClient, cast: Cast, shop: Shop) -> None:
    key = {"Idempotency-Key": "erp-draft-retry-0003"}
    mine = {**await token_for(cast.distributor), **key}
    colleague = {**await token_for(cast.distributor_colleague), **key}

    first = await client.post("/api/v1/orders", headers=mine, json=_draft(cast))
    second = await client.post("/api/v1/orders", headers=colleague, json=_draft(cast))

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert await Order.count() == 2


async def test_the_openapi_document_declares_the_key_on_create_and_submit(
    client: PortalClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = {
        "create": document["paths"]["/api/v1/orders"]["post"],
        "submit": document["paths"]["/api/v1/orders/{order_id}/submit"]["post"],
    }
    for name, operation in operations.items():
        headers = {
            parameter["name"]: parameter
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "header"
        }
        assert "Idempotency-Key" in headers, name
    assert operations["submit"]["parameters"]
