"""An order a corporate client enters on the distributor pages comes in by the same
channel as on the order book's own page: one channel rule (orders.services.channel_for)."""

from __future__ import annotations

import pytest

from partner_portal.orders import services as orders
from partner_portal.orders.tables import Order, OrderChannel
from tests.distributors.support import Sheet, make_sheet, viewer
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def test_a_corporate_clients_upload_is_a_group_order(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.client)

    response = await client.post_form(
        "/distributors/upload",
        files={
            "file": ("order.csv", b"style,colour,size,quantity\nSS27-001,BLK,S,12\n", "text/csv")
        },
    )

    assert response.status_code == 303, response.text
    order = await Order.select(Order.channel).where(Order.buyer == cast.bank.id).first()
    assert order is not None and order["channel"] == OrderChannel.group


async def test_one_channel_rule_for_every_way_an_order_is_entered(cast: Cast) -> None:
    bank = {"kind": "group_client"}
    assert orders.channel_for(bank) == OrderChannel.group
    assert orders.channel_for(bank, await viewer(cast.client)) == OrderChannel.group
    assert orders.channel_for(bank, await viewer(cast.kam)) == OrderChannel.rep_entered
    assert orders.channel_for({"kind": "retailer"}) == OrderChannel.retailer
    assert orders.channel_for({"kind": "distributor"}) == OrderChannel.distributor
