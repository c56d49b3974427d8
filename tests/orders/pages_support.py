"""Orders for the page, API and document tests, placed through the order book's services."""

from __future__ import annotations

import re
from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import Order, OrderChannel, OrderStatus
from partner_portal.partners.tables import User
from tests.orders.support import Shop
from tests.support import Member, Org

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


async def place(
    shop: Shop,
    placer: Member,
    buyer: Org,
    status: OrderStatus = OrderStatus.submitted,
    quantity: int = 10,
    **details: Any,
) -> Any:
    """An order of 10 black M and 5 white L of the first style, moved to ``status`` by the
    brand's admin (``placer`` places it); returns its UUID."""
    viewer = await viewer_for_user_id(placer.id)
    style = shop.styles[0]
    draft = OrderDraft(
        buyer_id=buyer.id,
        channel=OrderChannel.rep_entered if viewer.is_brand else OrderChannel.distributor,
        lines=[style.line("BLK", "M", quantity), style.line("WHT", "L", 5)],
        **details,
    )
    if status == OrderStatus.draft:
        result = await services.create_draft(viewer, draft)
    else:
        result = await services.place_order(viewer, draft)
    assert result.saved, result.errors
    order_uuid = result.uuid
    assert order_uuid is not None
    steps = {
        OrderStatus.confirmed: [OrderStatus.confirmed],
        OrderStatus.in_production: [OrderStatus.confirmed, OrderStatus.in_production],
        OrderStatus.rejected: [OrderStatus.rejected],
    }.get(status, [])
    for step in steps:
        await move(order_uuid, step)
    return order_uuid


async def move(order_uuid: Any, to_status: OrderStatus) -> None:
    """Move an order a step as the brand's admin."""
    admin = await User.select(User.id).where(User.role == "brand_admin").first()
    assert admin is not None
    result = await services.change_status(
        await viewer_for_user_id(admin["id"]), order_uuid, to_status
    )
    assert result.saved, result.errors


async def order_row(order_uuid: Any) -> dict[str, Any]:
    row = await Order.select(*Order.all_columns()).where(Order.uuid == order_uuid).first()
    assert row is not None
    return row


def idempotency_key(page: str) -> str:
    found = KEY.search(page)
    assert found, "the page has no submit button"
    return found.group(1)
