"""Quantities and dates typed on the new-order page are read by the kernel's parsers: the
digits a Chinese or Korean input method types count, half pieces and impossible dates
are a message on their field and save nothing."""

from __future__ import annotations

import pytest

from partner_portal.orders.tables import Order, OrderLine
from tests.orders.support import Shop, make_shop
from tests.support import Cast, PortalClient


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop(1)


def _order_form(cast: Cast, quantity: str, **fields: str) -> dict[str, str]:
    return {
        "buyer": str(cast.distributor_a.uuid),
        "line-0-style": "SS27-001",
        "line-0-colour": "BLK",
        "line-0-size": "M",
        "line-0-quantity": quantity,
        **fields,
    }


async def test_half_pieces_and_impossible_dates_save_nothing(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    await client.sign_in(cast.distributor)

    half = await client.post_form("/orders/new", _order_form(cast, "2.5"))
    bad_date = await client.post_form(
        "/orders/new", _order_form(cast, "24", requested_ship_date="2027-02-30")
    )

    assert half.status_code == 400 and "A whole number from 1 to 1,000,000." in half.text
    assert bad_date.status_code == 400 and "Enter a date as YYYY-MM-DD." in bad_date.text
    assert await Order.count() == 0


async def test_full_width_digits_are_pieces(client: PortalClient, cast: Cast, shop: Shop) -> None:
    await client.sign_in(cast.distributor)

    response = await client.post_form("/orders/new", _order_form(cast, "１，２００"))

    assert response.status_code == 303, response.text
    assert [row["quantity"] for row in await OrderLine.select(OrderLine.quantity)] == [1200]
