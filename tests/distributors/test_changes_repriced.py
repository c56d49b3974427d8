"""A change request is repriced and checked against the order rules as accepting it would
make the order: both sides see the new totals before the decision, a change across a volume
break loses its discount, a blocking multiple refuses it, and every accepted change is a
new order version the versions page compares line by line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from distributors.tables import RuleKind
from partner_portal.catalog.tables import VolumeBreak
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import (
    ChangeRequest,
    Order,
    OrderChannel,
    OrderLine,
    OrderVersion,
)
from tests.distributors.support import set_rule, viewer
from tests.orders.support import Shop, make_shop
from tests.support import Cast, PortalClient


@pytest.fixture
async def shop(database: str) -> Shop:
    shop = await make_shop(1)
    # 2,000 pieces of a style or more: 8% off the gold list.
    await VolumeBreak.insert(
        VolumeBreak(price_list=shop.cny_gold_list, min_quantity=2000, discount_percent=Decimal("8"))
    )
    return shop


async def _order(order_uuid: Any) -> dict[str, Any]:
    row = await Order.select(*Order.all_columns()).where(Order.uuid == order_uuid).first()
    assert row is not None
    return row


async def _submitted(cast: Cast, shop: Shop) -> Any:
    """1,000 S + 1,010 M black at CNY 100, 2,010 pieces: 8% off, CNY 184,920."""
    style = shop.styles[0]
    placed = await services.place_order(
        await viewer(cast.distributor),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[style.line("BLK", "S", 1000), style.line("BLK", "M", 1010)],
        ),
    )
    assert placed.saved, placed.errors
    order = await _order(placed.uuid)
    assert (order["total_quantity"], order["total"]) == (2010, Decimal("184920.00"))
    return placed.uuid


async def _ask(cast: Cast, shop: Shop, order_uuid: Any, small: int, medium: int) -> Any:
    style = shop.styles[0]
    return await services.request_change(
        await viewer(cast.distributor),
        order_uuid,
        {style.skus[("BLK", "S")]: small, style.skus[("BLK", "M")]: medium},
        None,
        "The season starts slowly",
        (await _order(order_uuid))["version"],
    )


async def test_a_change_below_a_volume_break_loses_its_discount_and_both_sides_see_it_first(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order_uuid = await _submitted(cast, shop)

    asked = await _ask(cast, shop, order_uuid, 0, 112)
    assert asked.uuid is not None, asked.errors

    # Before the decision, the buyer and the brand read the order as it would become.
    for member in (cast.distributor, cast.kam):
        await client.sign_in(member)
        page = (await client.get(f"/orders/{order_uuid}")).text
        assert "The order if this change is accepted" in page
        assert "11,200.00" in page and "184,920.00" in page

    decided = await services.decide_change(await viewer(cast.kam), asked.uuid, accept=True)
    assert decided.saved, decided.errors
    order = await _order(order_uuid)
    # 112 × 100, no break reached: not 112 × 92 = 10,304 with the 2,000+ discount kept.
    assert (order["total_quantity"], order["total"]) == (112, Decimal("11200.00"))
    assert order["discount_total"] == Decimal("0.00")
    lines = await OrderLine.select(OrderLine.quantity, OrderLine.discount_percent)
    assert lines == [{"quantity": 112, "discount_percent": Decimal("0")}]


async def test_a_blocking_multiple_refuses_the_change_when_asked_and_when_accepted(
    cast: Cast, shop: Shop
) -> None:
    order_uuid = await _submitted(cast, shop)
    await set_rule(RuleKind.order_multiple, blocking=True, quantity=2)

    refused = await _ask(cast, shop, order_uuid, 0, 111)

    assert refused.uuid is None
    assert "multiples of 2" in refused.errors["changes"]
    assert await ChangeRequest.count() == 0

    # Asked for while the rule only warned, the same change is refused when the brand
    # accepts it after the rule has come to block.
    await set_rule(RuleKind.order_multiple, blocking=False, quantity=2)
    asked = await _ask(cast, shop, order_uuid, 0, 111)
    assert asked.uuid is not None, asked.errors
    await set_rule(RuleKind.order_multiple, blocking=True, quantity=2)
    decided = await services.decide_change(await viewer(cast.kam), asked.uuid, accept=True)

    assert not decided.saved
    assert "multiples of 2" in decided.errors["status"]
    order = await _order(order_uuid)
    assert (order["total_quantity"], order["total"]) == (2010, Decimal("184920.00"))


async def test_every_accepted_change_is_a_version_and_any_two_compare_line_by_line(
    client: PortalClient, cast: Cast, shop: Shop
) -> None:
    order_uuid = await _submitted(cast, shop)
    for small, medium in ((1000, 1000), (0, 112)):
        asked = await _ask(cast, shop, order_uuid, small, medium)
        assert asked.uuid is not None, asked.errors
        assert (await services.decide_change(await viewer(cast.kam), asked.uuid, True)).saved

    versions = await OrderVersion.select(
        OrderVersion.number, OrderVersion.total_quantity, OrderVersion.total
    ).order_by(OrderVersion.number)
    assert versions == [
        {"number": 1, "total_quantity": 2010, "total": Decimal("184920.00")},
        {"number": 2, "total_quantity": 2000, "total": Decimal("184000.00")},
        {"number": 3, "total_quantity": 112, "total": Decimal("11200.00")},
    ]

    await client.sign_in(cast.distributor)
    page = (await client.get(f"/orders/{order_uuid}/versions?before=1&after=3")).text
    assert "Version 1 compared with version 3" in page
    assert "SS27-001 BLK S" in page and "not on this version" in page
    assert "184,920.00" in page and "11,200.00" in page
    # Another partner's user does not learn the order exists.
    await client.sign_in(cast.other_distributor)
    missing = await client.get(f"/orders/{order_uuid}/versions")
    assert missing.status_code == 404
