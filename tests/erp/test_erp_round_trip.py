"""An ERP plays its part through the API only: it pushes the catalog (a style, its SKUs
with barcodes, its prices) and stock, and listens for orders; a distributor enters and
submits an order in the portal; the ERP hears of it by a signed webhook, pulls it,
acknowledges it with its own number, confirms and ships it; the distributor sees the ERP's
number and the shipment on the order's page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from partner_portal.catalog import services as catalog
from tests.http_receiver import Receiver
from tests.orders.pages_support import idempotency_key
from tests.orders.support import make_shop
from tests.support import Cast, PortalClient, problem_fields, problem_messages
from tests.webhooks.support import deliver, register, token_for, verified

BARCODES = {
    ("NVY", "S"): "6971234500014",
    ("NVY", "M"): "6971234500021",
    ("NVY", "L"): "6971234500038",
    ("OAT", "S"): "6971234500045",
    ("OAT", "M"): "6971234500052",
    ("OAT", "L"): "6971234500069",
}


async def _reference_data() -> None:
    """What the brand sets up once on the catalog pages: a season, a size scale, and the
    price lists the ERP's prices go on (distributor_a is a gold partner)."""
    await catalog.create_season(None, "SS27", "Spring/Summer 2027")
    await catalog.create_size_scale(None, "ALPHA", "Alpha", "alpha", ["S", "M", "L"])
    await catalog.create_price_list(None, "CNY gold", "CNY", False, "gold")
    await catalog.create_price_list(None, "CNY list", "CNY", False, None)


def _catalog() -> dict[str, Any]:
    return {
        "items": [
            {
                "code": "SS27-KN-101",
                "external_ref": "K3-STYLE-101",
                "season": "SS27",
                "category": "knitwear",
                "gender": "women",
                "status": "active",
                "name_en": "Merino crew",
                "name_zh": "美利奴圆领衫",
                "size_scale": "ALPHA",
                "colours": [{"code": "NVY", "name": "Navy"}, {"code": "OAT", "name": "Oatmeal"}],
                "skus": [
                    {"colour": colour, "size": size, "barcode": barcode}
                    for (colour, size), barcode in BARCODES.items()
                ],
                "prices": [
                    {"price_list": "CNY gold", "wholesale": "399.00"},
                    {"price_list": "CNY list", "wholesale": "459.00"},
                ],
            }
        ]
    }


async def test_an_erp_takes_a_distributors_order_from_submission_to_shipment(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    await _reference_data()
    erp = await token_for(cast.admin)

    # The ERP pushes its catalog, then stock on hand by barcode, and listens for orders.
    pushed_catalog = await client.post(
        "/api/v1/styles/bulk",
        headers={**erp, "Idempotency-Key": "erp-catalog-0001"},
        json=_catalog(),
    )
    assert pushed_catalog.status_code == 200, pushed_catalog.text
    assert pushed_catalog.json()["created"] == 1 and pushed_catalog.json()["prices_changed"] == 2
    pushed_stock = await client.post(
        "/api/v1/stock-levels",
        headers={**erp, "Idempotency-Key": "erp-stock-0001"},
        json={"items": [{"barcode": barcode, "at_once": 50} for barcode in BARCODES.values()]},
    )
    assert pushed_stock.json() == {"received": 6, "changed": 6}
    endpoint = await register(client, cast.admin, receiver, "order.submitted")

    # The distributor enters an order on the portal's order form and submits it there.
    await client.log_in(cast.distributor)
    entered = await client.post_form(
        "/orders/new",
        {
            "buyer": str(cast.distributor_a.uuid),
            "line-0-style": "SS27-KN-101",
            "line-0-colour": "NVY",
            "line-0-size": "M",
            "line-0-quantity": "12",
            "line-1-style": "SS27-KN-101",
            "line-1-colour": "OAT",
            "line-1-size": "L",
            "line-1-quantity": "4",
        },
    )
    assert entered.status_code == 303, entered.text
    order_page = urlparse(entered.headers["location"]).path
    key = idempotency_key((await client.get(order_page)).text)
    submitted = await client.post_form(f"{order_page}/submit", {"idempotency_key": key})
    assert submitted.status_code == 303, submitted.text

    # The webhook arrives, signed (checked by the reference implementation); it names the
    # order, which now holds the stock it ordered.
    await deliver()
    [post] = receiver.posts
    event = verified(post, endpoint["secret"])
    assert event["type"] == "order.submitted"
    order_id = event["data"]["object_id"]
    assert order_page == f"/orders/{order_id}"
    held = await client.get("/api/v1/stock-levels", headers=erp, params={"limit": 200})
    reserved = {row["barcode"]: row["reserved"] for row in held.json()["items"]}
    assert reserved[BARCODES[("NVY", "M")]] == 12 and reserved[BARCODES[("OAT", "L")]] == 4

    # The ERP pulls the orders it has not taken, with its barcodes and the pushed prices,
    # and acknowledges this one (twice: a retry).
    pulled = (await client.get("/api/v1/erp/orders", headers=erp)).json()
    [order] = pulled["items"]
    assert order["id"] == order_id and pulled["next_cursor"] is None
    assert sorted(
        (line["barcode"], line["quantity"], line["unit_price"]) for line in order["lines"]
    ) == [(BARCODES[("NVY", "M")], 12, "399.00"), (BARCODES[("OAT", "L")], 4, "399.00")]
    assert (order["currency"], order["total"]) == ("CNY", "6384.00")
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
    assert shipped.status_code == 201, shipped.text

    # The distributor sees the ERP's number and the shipment, on the page and in the API.
    page = (await client.get(order_page)).text
    assert "XS-2027-000123" in page and "SF1234567890" in page
    mine = await token_for(cast.distributor)
    seen = (await client.get(f"/api/v1/orders/{order_id}", headers=mine)).json()
    assert (seen["status"], seen["erp_number"]) == ("shipped", "XS-2027-000123")
    shipments = (await client.get(f"/api/v1/orders/{order_id}/shipments", headers=mine)).json()
    assert [row["tracking_number"] for row in shipments["items"]] == ["SF1234567890"]


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
