"""An ERP plays its part through the API only: it pushes stock and listens for orders; a
distributor submits an order in the portal; the ERP hears of it by a signed webhook, pulls
it, acknowledges it with its own number, confirms and ships it; the distributor sees the
ERP's number and the shipment on the order's page."""

from __future__ import annotations

import json
from uuid import UUID

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog.tables import SkuStock
from partner_portal.orders import services
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import OrderChannel
from tests.http_receiver import Receiver
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient, problem_fields, problem_messages
from tests.webhooks.support import deliver, register, token_for, verified


async def test_an_erp_takes_a_distributors_order_from_submission_to_shipment(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    erp = {**await token_for(cast.admin)}

    # The ERP pushes stock on hand and listens for submitted orders.
    pushed = await client.post(
        "/api/v1/stock-levels",
        headers={**erp, "Idempotency-Key": "erp-stock-0001"},
        json={
            "items": [
                {"style": style.code, "colour": colour, "size": size, "at_once": 50}
                for colour, size in style.skus
            ]
        },
    )
    assert pushed.json() == {"received": 6, "changed": 6}
    endpoint = await register(client, cast.admin, receiver, "order.submitted")

    # The distributor enters a draft and submits it on the order's page.
    draft = await services.create_draft(
        await viewer_for_user_id(cast.distributor.id),
        OrderDraft(
            buyer_id=cast.distributor_a.id,
            channel=OrderChannel.distributor,
            lines=[style.line("BLK", "M", 12), style.line("WHT", "L", 4)],
        ),
    )
    assert draft.uuid is not None
    await client.log_in(cast.distributor)
    submitted = await client.post_form(
        f"/orders/{draft.uuid}/submit", {"idempotency_key": "submit-erp-0001"}
    )
    assert submitted.status_code == 303, submitted.text
    held = await SkuStock.select(SkuStock.reserved).where(SkuStock.sku == style.skus[("BLK", "M")])
    assert held == [{"reserved": 12}]

    # The webhook arrives, signed; it names the order.
    await deliver()
    [post] = receiver.posts
    event = verified(post, endpoint["secret"])
    assert event["type"] == "order.submitted"
    order_id = event["data"]["object_id"]
    assert order_id == str(draft.uuid)

    # The ERP pulls the orders it has not taken, and acknowledges this one (twice: a retry).
    pulled = (await client.get("/api/v1/erp/orders", headers=erp)).json()
    [order] = pulled["items"]
    assert order["id"] == order_id and pulled["next_cursor"] is None
    assert sorted((line["colour"], line["size"], line["quantity"]) for line in order["lines"]) == [
        ("BLK", "M", 12),
        ("WHT", "L", 4),
    ]
    for _ in range(2):
        taken = await client.post(
            f"/api/v1/orders/{order_id}/erp-acknowledgement",
            headers=erp,
            json={"erp_number": "XS-2027-000123"},
        )
        assert taken.status_code == 200 and taken.json()["erp_number"] == "XS-2027-000123"
    other = await client.post(
        f"/api/v1/orders/{order_id}/erp-acknowledgement",
        headers=erp,
        json={"erp_number": "XS-2027-999999"},
    )
    assert problem_fields(other, 409) == {"erp_number": "conflict"}
    assert "XS-2027-000123" in problem_messages(other)["erp_number"]
    assert (await client.get("/api/v1/erp/orders", headers=erp)).json()["items"] == []

    # The ERP confirms the order and posts the shipment back.
    confirmed = await client.post(
        f"/api/v1/orders/{order_id}/status", headers=erp, json={"status": "confirmed"}
    )
    assert confirmed.status_code == 200, confirmed.text
    shipped = await client.post(
        f"/api/v1/orders/{order_id}/shipments",
        headers=erp,
        json={
            "carrier": "SF Express",
            "tracking_number": "SF1234567890",
            "shipped_on": "2027-01-15",
            "lines": [
                {"line": line["line"], "quantity": line["quantity"]} for line in order["lines"]
            ],
        },
    )
    assert shipped.status_code in (200, 201), shipped.text

    # The distributor sees the ERP's number and the shipment.
    page = await client.get(f"/orders/{UUID(order_id)}")
    assert "XS-2027-000123" in page.text and "SF1234567890" in page.text
    mine = await client.get(f"/api/v1/orders/{order_id}", headers=await token_for(cast.distributor))
    assert json.loads(mine.text)["status"] == "shipped"


async def test_an_erp_gives_partners_and_styles_its_own_ids_once_each(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    erp = await token_for(cast.admin)
    partner = f"/api/v1/partners/{cast.distributor_a.uuid}/external-ref"
    given = await client.put(partner, headers=erp, json={"external_ref": "K3-CUST-00042"})
    assert given.status_code == 200 and given.json()["external_ref"] == "K3-CUST-00042"
    taken = await client.put(
        f"/api/v1/partners/{cast.distributor_b.uuid}/external-ref",
        headers=erp,
        json={"external_ref": "K3-CUST-00042"},
    )
    assert problem_fields(taken, 409) == {"external_ref": "conflict"}
    styled = await client.put(
        f"/api/v1/styles/{style.uuid}/external-ref", headers=erp, json={"external_ref": "K3-SKU-1"}
    )
    assert styled.status_code == 200
    bad = await client.put(partner, headers=erp, json={"external_ref": "x" * 61})
    assert problem_fields(bad, 422) == {"external_ref": "invalid"}
    typo = await client.put(partner, headers=erp, json={"erp_number": "K3"})
    assert problem_fields(typo, 400) == {"erp_number": "unknown_field"}
    missing = await client.put(partner, headers={**erp, "Accept-Language": "ko"}, json={})
    assert problem_fields(missing, 422) == {"external_ref": "invalid"}
    message = problem_messages(missing)["external_ref"]
    assert "ERP" in message and "Give the ERP" not in message  # in Korean
    cleared = await client.put(partner, headers=erp, json={"external_ref": None})
    assert cleared.json()["external_ref"] is None
    assert (
        await client.put(
            partner, headers=await token_for(cast.distributor), json={"external_ref": "x"}
        )
    ).status_code == 403
