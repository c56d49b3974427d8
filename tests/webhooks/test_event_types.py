"""The event types integrations subscribe to come from real changes made through the
portal's services and API, and reach a real receiver signed: order.submitted,
order.changed, order.confirmed, order.shipped and stock.low (the brand's), partner.updated
(the brand's and the partner's own), contract.accepted and contract.countersigned (the
brand's and the partner's own), po.acknowledged and commitment.changed (the brand's and
the mill's own)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from contracts import acceptance
from contracts.tables import SignatureSide
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog import stock_events
from partner_portal.events.tables import DomainEvent
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft, ShipmentInput
from partner_portal.orders.tables import Order, OrderChannel, OrderLine, OrderStatus
from suppliers.tables import PurchaseOrderLine
from tests.contracts.support import issue, make_contract, make_template, seen_by, sign_form
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


async def test_a_contracts_acceptance_and_countersignature_reach_receivers_apart(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    brand = await register(
        client, cast.admin, receiver, "contract.accepted", "contract.countersigned"
    )
    # The partner's own integration hears only of the brand's countersignature.
    own = await register(client, cast.distributor, receiver, "contract.countersigned")
    template = await make_template(cast.admin)
    contract = await make_contract(
        cast.admin, cast.distributor_a, template, start_date="2026-01-01", end_date="2027-12-31"
    )
    version = await issue(cast.admin, contract)
    client_address = acceptance.Client("198.51.100.1", "Mozilla/5.0")
    for member, side, key, signer in (
        (cast.distributor, SignatureSide.partner, "sign-key-0001", "王总"),
        (cast.admin, SignatureSide.brand, "brand-key-0001", "陈总"),
    ):
        signed = await acceptance.sign(
            await viewer_for_user_id(member.id),
            await seen_by(member, contract["uuid"]),
            sign_form(version, key=key, signer_name=signer),
            client_address,
            side,
        )
        assert signed.saved, signed.errors

    await deliver()

    # Deliveries run side by side: they may arrive in any order (as the spec allows).
    events = received(receiver, cast.admin, brand["secret"])
    assert sorted((event["type"], event["data"]["details"]["signer"]) for event in events) == [
        ("contract.accepted", "王总"),
        ("contract.countersigned", "陈总"),
    ]
    for event in events:
        assert event["data"]["object_id"] == str(contract["uuid"])
        assert event["data"]["details"]["number"] == contract["number"]
    [countersigned] = received(receiver, cast.distributor, own["secret"])
    assert countersigned["type"] == "contract.countersigned"
    types = await client.get("/api/v1/webhook-event-types", headers=await token_for(cast.admin))
    offered = {item["type"] for item in types.json()["items"]}
    assert {"contract.accepted", "contract.countersigned"} <= offered
    assert "contract.signed" not in offered


async def test_an_erp_stock_push_that_takes_skus_low_sends_one_bounded_stock_low(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    shop = await make_shop(20)  # 120 SKUs, more than one event lists
    erp = await token_for(cast.admin)
    brand = await register(client, cast.admin, receiver, "stock.low")
    every_sku = [
        {"style": style.code, "colour": colour, "size": size}
        for style in shop.styles
        for colour, size in style.skus
    ]

    async def push(at_once: int, skus: list[dict[str, str]] = every_sku) -> None:
        answer = await client.post(
            "/api/v1/stock-levels",
            headers=erp,
            json={"items": [{**sku, "at_once": at_once} for sku in skus]},
        )
        assert answer.status_code == 200, answer.text

    await push(15)  # stock arrives: nothing runs low
    await push(2)  # every SKU falls to the low level (10) in one call
    await push(1)  # already low: nothing new
    first = every_sku[0]
    await push(20, [first])
    await push(10, [first])  # down to the low level exactly

    await deliver()
    events = received(receiver, cast.admin, brand["secret"])
    assert [event["type"] for event in events] == ["stock.low", "stock.low"]
    # Deliveries may arrive in any order: the push of 120 SKUs first, then the one.
    everything, one = sorted(
        (event["data"]["details"] for event in events), key=lambda details: -details["count"]
    )
    assert everything["count"] == 120
    assert len(everything["skus"]) == stock_events.LISTED_SKUS
    assert {sku["available"] for sku in everything["skus"]} == {2}
    assert one["count"] == 1
    assert [
        (sku["style"], sku["colour"], sku["size"], sku["available"]) for sku in one["skus"]
    ] == [(first["style"], first["colour"], first["size"], 10)]
    [message] = (
        await DomainEvent.select(DomainEvent.params)
        .where(DomainEvent.message == stock_events.STOCK_LOW_MORE_MESSAGE)
        .output(load_json=True)
    )
    assert message["params"]["more"] == 120 - stock_events.NAMED_SKUS
    # The SKUs the event counted but did not list are read back, the low ones only.
    await push(50, [every_sku[1]])  # restocked since
    every = await client.get("/api/v1/stock-levels", headers=erp, params={"limit": 200})
    assert len(every.json()["items"]) == 120 and every.json()["next_cursor"] is None
    low: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = await client.get(
            "/api/v1/stock-levels",
            headers=erp,
            params={"low": "true", "limit": 50, "cursor": cursor},
        )
        assert page.status_code == 200, page.text
        low += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            break
    assert len(low) == 119
    assert {item["sku"] for item in low} == {
        item["sku"] for item in every.json()["items"] if item["available"] <= 10
    }
    assert {(item["on_hand"], item["reserved"], item["available"]) for item in low} == {
        (1, 0, 1),
        (10, 0, 10),
    }
    partner = await client.get("/api/v1/stock-levels", headers=await token_for(cast.distributor))
    assert partner.status_code == 403
