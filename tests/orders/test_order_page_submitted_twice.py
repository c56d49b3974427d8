"""The order page's Submit button pressed twice at once: one submission, both presses land
on the submitted order (no "already submitted" error)."""

from __future__ import annotations

import pytest

from partner_portal.orders.tables import OrderStatus, OrderStatusChange
from tests.orders.pages_support import idempotency_key, order_row, place
from tests.orders.support import Shop, make_shop
from tests.support import Cast, PortalClient, landed_on_one_page


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


async def test_two_presses_of_submit_at_once_submit_once_and_both_land_on_the_order(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order_uuid = await place(shop, cast.distributor, cast.distributor_a, OrderStatus.draft)
    await client.sign_in(cast.distributor)
    form = {"idempotency_key": idempotency_key((await client.get(f"/orders/{order_uuid}")).text)}
    url = f"/orders/{order_uuid}/submit"

    landed = landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    assert landed == f"/orders/{order_uuid}?done=order_submitted"
    assert (await order_row(order_uuid))["status"] == OrderStatus.submitted
    assert (
        await OrderStatusChange.count().where(OrderStatusChange.to_status == OrderStatus.submitted)
        == 1
    )
