"""The event types integrations subscribe to come from real changes made through the
portal's services and API, and reach a real receiver signed: order.submitted,
order.changed, order.confirmed, order.shipped and stock.low (the brand's), partner.updated
(the brand's and the partner's own), po.acknowledged and commitment.changed (the brand's
and the mill's own)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft, ShipmentInput
from partner_portal.orders.tables import Order, OrderChannel, OrderLine, OrderStatus
from suppliers.tables import PurchaseOrderLine
from tests.http_receiver import Receiver
from tests.orders.support import make_shop
from tests.suppliers.conftest import forecast
from tests.suppliers.support import NEEDED, add_purchase_order
from tests.support import Cast, PortalClient, problem_fields
from tests.webhooks.support import deliver, register, token_for, verified

__all__ = ["forecast"]


def received(receiver: Receiver, owner: Any, secret: str) -> list[dict[str, Any]]:
    """The events an owner's endpoint received, each checked against its signature."""
    return [verified(post, secret) for post in receiver.posts if owner.email in post.path]


async def test_an_orders_life_reaches_the_brands_receiver_with_low_stock(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    erp = await token_for(cast.admin)
    pushed = await client.post(
        "/api/v1/stock-levels",
        headers=erp,
        json={"items": [{"style": style.code, "colour": "BLK", "size": "S", "at_once": 15}]},
    )
    assert pushed.status_code == 200, pushed.text
    brand = await register(
        client, cast.admin, receiver,
        "order.submitted", "order.changed", "order.confirmed", "order.shipped", "stock.low",
    )  # fmt: skip
    # Stock is the brand's business: a partner's endpoint cannot hear of it.
    partner = await client.post(
        "/api/v1/webhook-endpoints",
        headers=await token_for(cast.distributor),
        json={"url": f"{receiver.url}/partner", "event_types": ["stock.low"]},
    )
    assert problem_fields(partner) == {"event_types": "invalid"}

    distributor = await viewer_for_user_id(cast.distributor.id)
    draft = await services.create_draft(
        distributor,
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[style.line("BLK", "S", 12)],
        ),
    )
    assert draft.uuid is not None
    assert (await services.submit_order(distributor, draft.uuid)).saved  # 3 left: low
    version = await Order.select(Order.version).where(Order.uuid == draft.uuid).first()
    assert version is not None
    request = await services.request_change(
        distributor, draft.uuid, {style.skus[("BLK", "S")]: 13}, None, "", version["version"]
    )
    assert request.uuid is not None, request.errors
    kam = await viewer_for_user_id(cast.kam.id)
    assert (await services.decide_change(kam, request.uuid, accept=True)).saved
    assert (await services.change_status(kam, draft.uuid, OrderStatus.confirmed)).saved
    [line] = await OrderLine.select(OrderLine.id)
    shipped = await services.record_shipment(
        await viewer_for_user_id(cast.staff.id),
        draft.uuid,
        ShipmentInput("SF Express", "SF1", date(2027, 2, 1), {line["id"]: 13}),
    )
    assert shipped.saved, shipped.errors

    report = await deliver()

    events = received(receiver, cast.admin, brand["secret"])
    assert report.delivered == len(events) == 5
    assert Counter(event["type"] for event in events) == Counter(
        ["order.submitted", "stock.low", "order.changed", "order.confirmed", "order.shipped"]
    )
    for event in events:
        if event["type"].startswith("order."):
            assert event["data"]["object_id"] == str(draft.uuid)
    [low] = [event for event in events if event["type"] == "stock.low"]
    assert low["data"]["details"]["skus"] == [
        {
            "sku": low["data"]["details"]["skus"][0]["sku"],
            "barcode": None,
            "external_ref": None,
            "style": style.code,
            "colour": "BLK",
            "size": "S",
            "available": 3,
        }
    ]


async def test_a_partners_changed_details_reach_the_brand_and_the_partner(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    brand = await register(client, cast.admin, receiver, "partner.updated")
    own = await register(client, cast.distributor, receiver, "partner.updated")
    other = await register(client, cast.other_distributor, receiver, "partner.updated")
    headers = await token_for(cast.kam)
    path = f"/api/v1/partners/{cast.distributor_a.uuid}"
    before = (await client.get(path, headers=headers)).json()

    changed = await client.patch(
        path, headers=headers, json={"phone": "+86 21 5555 0199", "version": before["version"]}
    )

    assert changed.status_code == 200, changed.text
    await deliver()
    for owner, endpoint in ((cast.admin, brand), (cast.distributor, own)):
        [event] = received(receiver, owner, endpoint["secret"])
        assert event["type"] == "partner.updated"
        assert event["data"]["object_id"] == str(cast.distributor_a.uuid)
        assert event["data"]["details"] == {"fields": ["phone"]}
    assert received(receiver, cast.other_distributor, other["secret"]) == []


async def test_a_mills_answers_reach_the_brand_and_the_mill(
    client: PortalClient,
    cast: Cast,
    receiver: Receiver,
    forecast: dict[str, Any],
    frozen_clock: Any,
) -> None:
    types = ("po.acknowledged", "commitment.changed")
    brand = await register(client, cast.admin, receiver, *types)
    mill = await register(client, cast.supplier, receiver, *types)
    await add_purchase_order(cast.mill.id, forecast["shell"]["id"], "300", date(2027, 1, 20))
    [line] = await PurchaseOrderLine.select(PurchaseOrderLine.uuid)
    supplier = await token_for(cast.supplier)

    acknowledged = await client.post(
        f"/api/v1/suppliers/purchase-order-lines/{line['uuid']}/acknowledgement",
        headers=supplier,
        json={"acknowledgement": "accepted"},
    )
    committed = await client.post(
        f"/api/v1/suppliers/materials/{forecast['shell']['uuid']}/commitments",
        headers=supplier,
        json={"week": NEEDED.isoformat(), "decision": "accepted"},
    )

    assert acknowledged.status_code == 200, acknowledged.text
    assert committed.status_code == 200, committed.text
    frozen_clock.frozen_at = None  # signed now: a receiver refuses a timestamp from afar
    await deliver()
    for owner, endpoint in ((cast.admin, brand), (cast.supplier, mill)):
        events = received(receiver, owner, endpoint["secret"])
        assert sorted(event["type"] for event in events) == sorted(types)
        assert {event["data"]["organisation_id"] for event in events} == {str(cast.mill.uuid)}
