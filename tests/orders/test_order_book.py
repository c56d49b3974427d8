"""The order book's rules, through its services: pricing, submission once, frozen
prices, the status flow and who may move it, change requests, shipments, visibility."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar.exceptions import NotFoundException, PermissionDeniedException

from partner_portal import access
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services
from partner_portal.orders.services import LineRequest, OrderDraft, ShipmentInput
from partner_portal.orders.tables import (
    Order,
    OrderChannel,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from partner_portal.registries import OrderFinding, registry
from tests.orders.support import Shop, make_shop, set_price
from tests.support import Cast


async def viewer(user: Any) -> access.Viewer:
    return await viewer_for_user_id(user.id)


async def draft_for(cast: Cast, shop: Shop, user: Any = None, buyer: Any = None) -> Any:
    """A draft of 10 S + 20 M black of the first style, and 5 L white of the second."""
    first, second = shop.styles
    result = await services.create_draft(
        await viewer(user or cast.distributor),
        OrderDraft(
            buyer_id=(buyer or cast.distributor_a).id,
            channel=OrderChannel.distributor,
            lines=[
                first.line("BLK", "S", 10),
                first.line("BLK", "M", 20),
                second.line("WHT", "L", 5),
            ],
        ),
    )
    assert result.saved, result.errors
    return result.uuid


async def order_row(order_uuid: Any) -> dict[str, Any]:
    row = await Order.select(*Order.all_columns()).where(Order.uuid == order_uuid).first()
    assert row is not None
    return row


@pytest.fixture
async def shop(database: str) -> Shop:
    return await make_shop()


async def test_a_draft_is_priced_at_the_buyers_tier_in_its_currency(cast: Cast, shop: Shop) -> None:
    order = await order_row(await draft_for(cast, shop))

    # distributor_a is gold: 100 for the first style, 120 for the second, in CNY.
    assert order["currency"] == "CNY"
    assert order["total_quantity"] == 35
    assert order["total"] == Decimal("3600.00")
    assert order["price_list_name"] == "CNY gold"
    assert order["number"].startswith("SO-")


async def test_a_korean_distributor_pays_whole_won(cast: Cast, shop: Shop) -> None:
    first = shop.styles[0]
    result = await services.create_draft(
        await viewer(cast.other_distributor),
        OrderDraft(
            buyer_id=cast.distributor_b.id,
            channel=OrderChannel.distributor,
            lines=[LineRequest(first.skus[("BLK", "M")], 3, discount_percent=Decimal("2.5"))],
        ),
    )
    order = await order_row(result.uuid)

    assert order["currency"] == "KRW"
    # 3 × 20,000 less 2.5% = 58,500 won, no minor unit.
    assert order["total"] == Decimal("58500")


async def test_bad_lines_save_nothing_and_say_which(cast: Cast, shop: Shop) -> None:
    first = shop.styles[0]
    result = await services.create_draft(
        await viewer(cast.distributor),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[first.line("BLK", "S", 0), LineRequest(999_999, 2)],
        ),
    )

    assert not result.saved
    assert set(result.errors) == {f"sku-{first.skus[('BLK', 'S')]}", "sku-999999"}
    assert await Order.count() == 0


async def test_an_order_is_submitted_once(cast: Cast, shop: Shop) -> None:
    # A repeat of the same request is answered by partner_portal.idempotency (tests in
    # test_order_api_retries.py); here a second, different submission meets a non-draft.
    order_uuid = await draft_for(cast, shop)

    first = await services.submit_order(await viewer(cast.distributor), order_uuid)
    second = await services.submit_order(await viewer(cast.distributor_colleague), order_uuid)

    assert first.saved
    assert not second.saved and "status" in second.errors
    history = await OrderStatusChange.select(OrderStatusChange.to_status).where(
        OrderStatusChange.to_status == OrderStatus.submitted
    )
    assert len(history) == 1


async def test_prices_are_taken_at_submission_and_then_frozen(cast: Cast, shop: Shop) -> None:
    first = shop.styles[0]
    order_uuid = await draft_for(cast, shop)
    await set_price(shop.cny_gold_list, first.id, Decimal("90"))

    await services.submit_order(await viewer(cast.distributor), order_uuid)
    submitted = await order_row(order_uuid)
    await set_price(shop.cny_gold_list, first.id, Decimal("150"))
    later = await order_row(order_uuid)

    # 30 × 90 + 5 × 120: the price of the day of submission, not of the draft.
    assert submitted["total"] == Decimal("3300.00")
    assert later["total"] == submitted["total"]
    prices = {row["unit_price"] for row in await OrderLine.select(OrderLine.unit_price)}
    assert prices == {Decimal("90.00"), Decimal("120.00")}


async def test_a_blocking_order_rule_stops_submission(cast: Cast, shop: Shop) -> None:
    async def at_least_100_pieces(
        order: dict[str, Any], lines: list[dict[str, Any]]
    ) -> list[OrderFinding]:
        pieces = sum(line["quantity"] for line in lines)
        return (
            [OrderFinding("At least 100 pieces per order.", blocking=True)] if pieces < 100 else []
        )

    registry.add_order_check("test_minimum", at_least_100_pieces)
    try:
        order_uuid = await draft_for(cast, shop)
        result = await services.submit_order(await viewer(cast.distributor), order_uuid)
    finally:
        del registry.order_checks["test_minimum"]

    assert result.errors == {"rules": "At least 100 pieces per order."}
    assert (await order_row(order_uuid))["status"] == OrderStatus.draft


async def submitted_order(cast: Cast, shop: Shop) -> Any:
    order_uuid = await draft_for(cast, shop)
    result = await services.submit_order(await viewer(cast.distributor), order_uuid)
    assert result.saved
    return order_uuid


async def test_only_the_brand_confirms_and_history_records_who(cast: Cast, shop: Shop) -> None:
    order_uuid = await submitted_order(cast, shop)

    with pytest.raises(PermissionDeniedException):
        await services.change_status(
            await viewer(cast.distributor), order_uuid, OrderStatus.confirmed
        )
    confirmed = await services.change_status(
        await viewer(cast.staff), order_uuid, OrderStatus.confirmed, note="Fabric booked"
    )

    assert confirmed.saved
    last = (
        await OrderStatusChange.select(
            OrderStatusChange.to_status,
            OrderStatusChange.note,
            OrderStatusChange.changed_by.email.as_alias("by"),  # type: ignore[attr-defined]
        )
        .order_by(OrderStatusChange.id, ascending=False)
        .first()
    )
    assert last == {"to_status": "confirmed", "note": "Fabric booked", "by": cast.staff.email}


async def test_a_step_outside_the_flow_is_refused(cast: Cast, shop: Shop) -> None:
    order_uuid = await submitted_order(cast, shop)

    result = await services.change_status(
        await viewer(cast.admin), order_uuid, OrderStatus.delivered
    )

    assert not result.saved
    assert (await order_row(order_uuid))["status"] == OrderStatus.submitted


async def test_the_buyer_may_withdraw_until_the_brand_confirms(cast: Cast, shop: Shop) -> None:
    withdrawn = await submitted_order(cast, shop)
    kept = await draft_for(cast, shop)
    await services.submit_order(await viewer(cast.distributor), kept)
    await services.change_status(await viewer(cast.kam), kept, OrderStatus.confirmed)

    result = await services.change_status(
        await viewer(cast.distributor_colleague), withdrawn, OrderStatus.cancelled
    )
    with pytest.raises(PermissionDeniedException):
        await services.change_status(await viewer(cast.distributor), kept, OrderStatus.cancelled)

    assert result.saved


async def test_a_second_editor_of_a_draft_is_told_someone_saved_first(
    cast: Cast, shop: Shop
) -> None:
    order_uuid = await draft_for(cast, shop)
    opened = (await order_row(order_uuid))["version"]
    first = shop.styles[0]

    mine = await services.replace_lines(
        await viewer(cast.distributor), order_uuid, [first.line("BLK", "S", 50)], opened
    )
    theirs = await services.replace_lines(
        await viewer(cast.distributor_colleague), order_uuid, [first.line("BLK", "L", 7)], opened
    )

    assert mine.saved
    assert not theirs.saved and theirs.current_version == opened + 1
    assert [line["quantity"] for line in await OrderLine.select(OrderLine.quantity)] == [50]


async def test_orders_are_seen_by_the_buyer_its_distributor_and_its_kam_only(
    cast: Cast, shop: Shop
) -> None:
    retailer_order = await draft_for(cast, shop, user=cast.retailer, buyer=cast.retailer_a)

    for member in (
        cast.retailer,
        cast.distributor,
        cast.kam,
        cast.kam_manager,
        cast.staff,
        cast.admin,
    ):
        assert (await access.get_order(await viewer(member), retailer_order)).uuid == retailer_order
    for member in (cast.other_distributor, cast.other_kam, cast.supplier, cast.client):
        with pytest.raises(NotFoundException):
            await access.get_order(await viewer(member), retailer_order)


async def test_a_distributor_orders_for_its_retailers_but_not_for_others(
    cast: Cast, shop: Shop
) -> None:
    on_behalf = await draft_for(cast, shop, user=cast.distributor, buyer=cast.retailer_a)

    assert (await order_row(on_behalf))["placed_by"] == cast.distributor.id
    with pytest.raises(NotFoundException):
        await draft_for(cast, shop, user=cast.distributor, buyer=cast.distributor_b)
    with pytest.raises(PermissionDeniedException):
        await draft_for(cast, shop, user=cast.supplier, buyer=cast.mill)


async def test_an_accepted_change_request_changes_quantities_at_frozen_prices(
    cast: Cast, shop: Shop
) -> None:
    order_uuid = await submitted_order(cast, shop)
    first = shop.styles[0]
    await set_price(shop.cny_gold_list, first.id, Decimal("999"))
    order = await order_row(order_uuid)

    request = await services.request_change(
        await viewer(cast.distributor),
        order_uuid,
        {first.skus[("BLK", "S")]: 30},
        date(2027, 3, 1),
        "Store opening moved",
        order["version"],
    )
    assert request.uuid is not None
    accepted = await services.decide_change(await viewer(cast.kam), request.uuid, accept=True)
    after = await order_row(order_uuid)

    assert accepted.saved
    assert after["total_quantity"] == 55
    assert after["total"] == Decimal("5600.00")  # 50 × 100 + 5 × 120
    assert after["requested_ship_date"] == date(2027, 3, 1)
    assert after["version"] > order["version"]


async def test_a_change_request_made_on_an_old_version_cannot_be_accepted(
    cast: Cast, shop: Shop
) -> None:
    order_uuid = await submitted_order(cast, shop)
    order = await order_row(order_uuid)
    first = shop.styles[0]
    request = await services.request_change(
        await viewer(cast.distributor),
        order_uuid,
        {first.skus[("BLK", "S")]: 1},
        None,
        "",
        order["version"],
    )
    await services.change_status(await viewer(cast.kam), order_uuid, OrderStatus.confirmed)

    assert request.uuid is not None
    result = await services.decide_change(await viewer(cast.kam), request.uuid, accept=True)

    assert not result.saved
    assert (await order_row(order_uuid))["total_quantity"] == 35


async def test_shipments_move_the_order_to_partially_shipped_then_shipped(
    cast: Cast, shop: Shop
) -> None:
    order_uuid = await submitted_order(cast, shop)
    staff = await viewer(cast.staff)
    await services.change_status(staff, order_uuid, OrderStatus.confirmed)
    lines = {
        row["quantity"]: row["id"]
        for row in await OrderLine.select(OrderLine.id, OrderLine.quantity)
    }

    too_many = await services.record_shipment(
        staff, order_uuid, ShipmentInput("SF Express", "SF1", date(2027, 2, 1), {lines[10]: 11})
    )
    part = await services.record_shipment(
        staff, order_uuid, ShipmentInput("SF Express", "SF1", date(2027, 2, 1), {lines[10]: 10})
    )
    status_after_part = (await order_row(order_uuid))["status"]
    rest = await services.record_shipment(
        staff,
        order_uuid,
        ShipmentInput("SF Express", "SF2", date(2027, 2, 8), {lines[20]: 20, lines[5]: 5}),
    )

    assert not too_many.saved and f"line-{lines[10]}" in too_many.errors
    assert part.saved and status_after_part == OrderStatus.partially_shipped
    assert rest.saved and (await order_row(order_uuid))["status"] == OrderStatus.shipped


async def test_confirmed_orders_are_firm_demand_and_submitted_ones_likely(
    cast: Cast, shop: Shop
) -> None:
    confirmed = await submitted_order(cast, shop)
    await services.change_status(await viewer(cast.kam), confirmed, OrderStatus.confirmed)
    await services.place_order(
        await viewer(cast.retailer),
        OrderDraft(
            buyer_id=cast.retailer_a.id,
            channel=OrderChannel.retailer,
            lines=[shop.styles[0].line("WHT", "S", 4)],
        ),
    )

    demand = await services.order_book_demand(date(2027, 1, 1))

    assert sum(line.quantity for line in demand if line.firm) == 35
    assert sum(line.quantity for line in demand if not line.firm) == 4
    # Without a ship date, an order is due 60 days after submission, in that week.
    due = (await order_row(confirmed))["submitted_at"].date() + timedelta(days=60)
    assert {line.week_start for line in demand} == {due - timedelta(days=due.weekday())}


async def test_the_buyer_hears_by_e_mail_when_the_brand_confirms(cast: Cast, shop: Shop) -> None:
    from partner_portal.notifications.tables import OutboxEmail

    order_uuid = await submitted_order(cast, shop)
    before = await OutboxEmail.count()

    await services.change_status(
        await viewer(cast.kam), order_uuid, OrderStatus.confirmed, note="船期 3月1日"
    )

    # (The submission's own notices went out before: only the confirmation's mail here.)
    mails = await OutboxEmail.select(
        OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.body_text
    ).order_by(OutboxEmail.id)
    # Every user of the buyer hears of it (tests/orders/test_order_events.py: in whose
    # language, with whom else).
    confirmed = mails[before:]
    assert sorted(mail["recipient"] for mail in confirmed) == sorted(
        [cast.distributor.email, cast.distributor_colleague.email]
    )
    number = (await order_row(order_uuid))["number"]
    assert number in confirmed[0]["subject"] and "船期 3月1日" in confirmed[0]["body_text"]


async def test_a_volume_break_counts_a_styles_pieces_in_every_colour_and_size(
    cast: Cast, shop: Shop
) -> None:
    from partner_portal.catalog.tables import VolumeBreak

    await VolumeBreak.insert(
        VolumeBreak(price_list=shop.cny_gold_list, min_quantity=30, discount_percent=Decimal("5"))
    )
    first, second = shop.styles

    order = await order_row(await draft_for(cast, shop))

    # 10 S + 20 M of the first style reach 30 pieces: 5% off 3,000; the second style, 5 pieces, is not.
    assert order["total"] == Decimal("2850.00") + Decimal("600.00")
    assert order["discount_total"] == Decimal("150.00")
    lines = await OrderLine.select(OrderLine.style, OrderLine.discount_percent)
    assert {line["style"]: line["discount_percent"] for line in lines} == {
        first.id: Decimal("5"),
        second.id: Decimal("0"),
    }


async def test_a_price_the_placer_fixed_is_kept_at_submission(cast: Cast, shop: Shop) -> None:
    first = shop.styles[0]
    result = await services.place_order(
        await viewer(cast.kam),
        OrderDraft(
            buyer_id=cast.bank.id,
            channel=OrderChannel.group,
            lines=[
                LineRequest(first.skus[("BLK", "M")], 10, unit_price=Decimal("125.50")),
                first.line("BLK", "L", 2),
            ],
        ),
    )

    order = await order_row(result.uuid)
    # 10 × 125.50 as fixed (a logo option included) + 2 × 110 from the bank's list.
    assert order["total"] == Decimal("1475.00")
