"""Where and when a grid's order goes: the ship-to address from the buyer's addresses, and
styles set to different delivery windows split into one order per window, each with its
own PO number."""

from __future__ import annotations

import re

import pytest

from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.partners.tables import Address
from tests.distributors.support import Sheet, add_windows, grid_form, make_sheet
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def test_styles_in_two_windows_become_two_orders_with_their_own_po_numbers(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    first_window, second_window = await add_windows(sheet)
    first, second = sheet.shop.styles
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert "Split by delivery window" in page.text
    form = grid_form(
        sheet,
        {(0, "BLK", "S"): 10, (1, "WHT", "M"): 6},
        intent="submit",
        window=first_window,
        customer_po="PO-FEB",
        **{f"window-{second.id}": second_window, f"po-{second_window}": "PO-MAR"},
    )
    response = await client.post_form("/distributors/matrix", form)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/distributors/split?ids=")
    orders = await Order.select().order_by(Order.delivery_window_start)
    assert [(row["customer_po"], row["total_quantity"], row["status"]) for row in orders] == [
        ("PO-FEB", 10, OrderStatus.submitted),
        ("PO-MAR", 6, OrderStatus.submitted),
    ]
    assert orders[0]["delivery_window_start"] < orders[1]["delivery_window_start"]
    split = await client.get(response.headers["location"])
    assert "Orders submitted: one per delivery window." in split.text
    later = await client.get(response.headers["location"].replace("&done=orders_submitted", ""))
    assert "submitted as 2 orders, one per delivery window" in later.text
    assert "PO-FEB" in split.text and "PO-MAR" in split.text
    assert first.code  # both styles' orders are listed by number
    assert len(re.findall(r'href="/orders/[0-9a-f-]{36}"', split.text)) == 2


async def test_the_ship_to_address_is_chosen_from_the_buyers_addresses(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await Address.insert(
        Address(
            organisation=cast.distributor_a.id,
            kind="warehouse",
            country="CN",
            region="上海市",
            city="上海市",
            district="嘉定区",
            street="兴贤路 88 号",
        )
    )
    address = await Address.select(Address.id).where(Address.street == "兴贤路 88 号").first()
    assert address is not None
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert "兴贤路 88 号" in page.text
    refused = await client.post_form(
        "/distributors/matrix", grid_form(sheet, {(0, "BLK", "S"): 10}, ship_to="99999")
    )
    assert refused.status_code == 400 and "Choose an address from the list." in refused.text
    saved = await client.post_form(
        "/distributors/matrix",
        grid_form(sheet, {(0, "BLK", "S"): 10}, ship_to=str(address["id"])),
    )
    assert saved.status_code == 303
    draft = await Order.select(Order.ship_to).first()
    assert draft is not None and "嘉定区" in draft["ship_to"] and "兴贤路 88 号" in draft["ship_to"]
    reopened = await client.get(saved.headers["location"])
    assert re.search(rf'<option value="{address["id"]}" selected>', reopened.text)
