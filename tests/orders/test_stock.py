"""Availability that moves: submitted orders hold at-once stock, cancellations and declined
change requests give it back, accepted ones hold the new quantities, shipments take it out
of stock; under a blocking rule two buyers racing for the last units cannot both get them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from distributors.tables import RuleKind
from partner_portal.app import register_plugins
from partner_portal.catalog.tables import PreBookAvailability, SkuStock
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import (
    ChangeRequest,
    OrderChannel,
    OrderLine,
    OrderStatus,
    StockReservation,
)
from tests.distributors.support import set_rule
from tests.orders.support import Shop, make_shop
from tests.orders.test_order_book import viewer
from tests.support import Cast


@pytest.fixture
async def shop(database: str) -> Shop:
    register_plugins()  # the brand's rules decide whether going over blocks
    return await make_shop()


async def stock_of(sku_id: int) -> tuple[int, int]:
    """(on hand, reserved) of a SKU."""
    row = (
        await SkuStock.select(SkuStock.at_once, SkuStock.reserved)
        .where(SkuStock.sku == sku_id)
        .first()
    )
    assert row is not None
    return row["at_once"], row["reserved"]


async def on_hand(sku_id: int, pieces: int) -> None:
    await SkuStock.insert(SkuStock(sku=sku_id, at_once=pieces, updated_at=utcnow())).run()


async def place(cast: Cast, user: Any, sku_id: int, quantity: int) -> Any:
    return await services.place_order(
        await viewer(user),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[services.LineRequest(sku_id, quantity)],
        ),
    )


async def test_submitted_orders_hold_stock_and_a_cancellation_gives_it_back(
    cast: Cast, shop: Shop
) -> None:
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 120)
    first = await place(cast, cast.distributor, sku, 112)
    assert first.saved, first.errors
    assert await stock_of(sku) == (120, 112)
    assert (await services.shortfalls_for(OrderChannel.distributor, None, None, [(sku, 10)]))[
        0
    ].left == 8
    cancelled = await services.change_status(
        await viewer(cast.distributor), first.uuid, OrderStatus.cancelled, "not needed"
    )
    assert cancelled.saved, cancelled.errors
    assert await stock_of(sku) == (120, 0)


async def test_a_change_request_holds_what_it_adds_until_declined_or_accepted(
    cast: Cast, shop: Shop
) -> None:
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 100)
    placed = await place(cast, cast.distributor, sku, 40)
    assert placed.saved, placed.errors
    buyer = await viewer(cast.distributor)
    brand = await viewer(cast.admin)

    async def ask(quantity: int) -> Any:
        order = await services.order_view(buyer, placed.uuid)
        result = await services.request_change(
            buyer, placed.uuid, {sku: quantity}, None, "more", order.order.version
        )
        assert result.saved, result.errors
        return result.uuid

    declined = await ask(70)
    assert await stock_of(sku) == (100, 70)
    assert (await services.decide_change(brand, declined, False, "no")).saved
    assert await stock_of(sku) == (100, 40)

    accepted = await ask(55)
    assert await stock_of(sku) == (100, 55)
    assert (await services.decide_change(brand, accepted, True)).saved
    assert await stock_of(sku) == (100, 55)
    line = await OrderLine.select(OrderLine.quantity).where(OrderLine.sku == sku).first()
    assert line == {"quantity": 55}

    lower = await ask(30)
    assert (await services.decide_change(brand, lower, True)).saved
    assert await stock_of(sku) == (100, 30)


async def test_a_shipment_takes_the_shipped_pieces_out_of_stock(cast: Cast, shop: Shop) -> None:
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 50)
    placed = await place(cast, cast.distributor, sku, 20)
    brand = await viewer(cast.admin)
    assert (await services.change_status(brand, placed.uuid, OrderStatus.confirmed)).saved
    line = await OrderLine.select(OrderLine.id).where(OrderLine.sku == sku).first()
    assert line is not None
    shipped = await services.record_shipment(
        brand,
        placed.uuid,
        services.ShipmentInput("SF", "1", utcnow().date(), {line["id"]: 8}),
    )
    assert shipped.saved, shipped.errors
    assert await stock_of(sku) == (42, 12)


async def test_a_blocking_rule_refuses_more_than_is_left(cast: Cast, shop: Shop) -> None:
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 10)
    await set_rule(RuleKind.at_once_stock, True)
    refused = await place(cast, cast.distributor, sku, 12)
    assert not refused.saved
    assert await stock_of(sku) == (10, 0)
    placed = await place(cast, cast.distributor, sku, 10)
    assert placed.saved, placed.errors
    # Asking for more than is left is refused at once, with nothing held.
    buyer = await viewer(cast.distributor)
    order = await services.order_view(buyer, placed.uuid)
    more = await services.request_change(
        buyer, placed.uuid, {sku: 11}, None, "", order.order.version
    )
    assert not more.saved
    assert "1 pieces wanted, 0 left" in more.errors["changes"]
    assert not await ChangeRequest.exists()
    assert await stock_of(sku) == (10, 10)


async def test_two_buyers_racing_for_the_last_units_cannot_both_get_them(
    cast: Cast, shop: Shop
) -> None:
    """Both submit 6 of the last 10 at the same moment: one order is placed, the other is
    refused with what is left, and 6 are reserved, never 12."""
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 10)
    await set_rule(RuleKind.at_once_stock, True)
    # Drafts first: the race is in submission, where the rules read the same figures.
    drafts = []
    for user in (cast.distributor, cast.distributor_colleague):
        created = await services.create_draft(
            await viewer(user),
            OrderDraft(
                buyer_id=cast.distributor_a.id,
                channel=OrderChannel.distributor,
                lines=[services.LineRequest(sku, 6)],
            ),
        )
        assert created.saved, created.errors
        drafts.append((user, created.uuid))
    results = await asyncio.gather(
        *[services.submit_order(await viewer(user), uuid) for user, uuid in drafts if uuid]
    )
    assert sorted(result.saved for result in results) == [False, True]
    assert await stock_of(sku) == (10, 6)


async def test_a_recount_keeps_what_pending_change_requests_hold(cast: Cast, shop: Shop) -> None:
    sku = shop.styles[0].skus[("BLK", "S")]
    await on_hand(sku, 100)
    placed = await place(cast, cast.distributor, sku, 40)
    assert placed.saved, placed.errors
    buyer = await viewer(cast.distributor)
    version = (await services.order_view(buyer, placed.uuid)).order.version
    asked = await services.request_change(buyer, placed.uuid, {sku: 70}, None, "more", version)
    assert asked.saved, asked.errors
    assert await stock_of(sku) == (100, 70)

    async with write_transaction():
        await services.recount()

    # 40 for the order and the 30 its pending request adds, as before the recount.
    assert await stock_of(sku) == (100, 70)
    held = await StockReservation.select(
        StockReservation.change_request, StockReservation.quantity
    ).order_by(StockReservation.quantity)
    assert [row["quantity"] for row in held] == [30, 40]
    assert held[0]["change_request"] is not None


async def test_the_demo_orders_hold_the_stock_they_need(demo: object) -> None:
    """The demo's orders go in by bulk inserts; its load ends with a recount."""
    holds = await StockReservation.select(
        StockReservation.sku, StockReservation.delivery_window, StockReservation.quantity
    )
    assert holds
    assert any(row["quantity"] > 0 for row in holds)
    # The figures are the sums of the holds.
    held_at_once: dict[int, int] = {}
    for row in holds:
        if row["delivery_window"] is None:
            held_at_once[row["sku"]] = held_at_once.get(row["sku"], 0) + row["quantity"]
    reserved = {
        row["sku"]: row["reserved"]
        for row in await SkuStock.select(SkuStock.sku, SkuStock.reserved)
        if row["reserved"]
    }
    assert reserved == held_at_once
    booked = await PreBookAvailability.select(PreBookAvailability.booked)
    assert sum(row["booked"] for row in booked) == sum(
        row["quantity"] for row in holds if row["delivery_window"] is not None
    )
    # Pending change requests of open orders hold what they add.
    assert await StockReservation.exists().where(StockReservation.change_request.is_not_null())
