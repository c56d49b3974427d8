"""An ERP pushes the stock on hand of many SKUs in one call: all of them or none, the
refused items named by their index (RFC 9457 problem details), a retry with the same
Idempotency-Key changes nothing, and what orders hold stays held."""

from __future__ import annotations

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.catalog.tables import Sku, SkuStock
from partner_portal.clock import utcnow
from tests.orders.support import make_shop
from tests.support import Cast, Member, PortalClient


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def on_hand() -> dict[int, tuple[int, int]]:
    rows = await SkuStock.select(SkuStock.sku, SkuStock.at_once, SkuStock.reserved)
    return {row["sku"]: (row["at_once"], row["reserved"]) for row in rows}


async def test_an_erp_sets_the_stock_of_many_skus_in_one_call_once(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(2)
    first, second = shop.styles
    await Sku.update({Sku.barcode: "6901234567892"}).where(Sku.id == first.skus[("BLK", "S")])
    await SkuStock.insert(
        SkuStock(sku=first.skus[("BLK", "S")], at_once=5, reserved=3, updated_at=utcnow())
    )
    headers = {**await token_for(cast.staff), "Idempotency-Key": "stock-2026-12-06-0001"}
    items = [{"barcode": "6901234567892", "at_once": 120}] + [
        {"style": style.code, "colour": colour, "size": size, "at_once": 7}
        for style in (first, second)
        for (colour, size) in style.skus
        if style is second or (colour, size) != ("BLK", "S")
    ]

    for _ in range(2):  # the retry replays the first answer
        answer = await client.post("/api/v1/stock-levels", headers=headers, json={"items": items})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": 12, "changed": 12}

    stock = await on_hand()
    assert stock[first.skus[("BLK", "S")]] == (120, 3)  # what an order holds stays held
    assert stock[second.skus[("WHT", "L")]] == (7, 0)
    again = await client.post(
        "/api/v1/stock-levels", headers=await token_for(cast.staff), json={"items": items}
    )
    assert again.json() == {"received": 12, "changed": 0}


async def test_refused_items_are_named_by_index_and_nothing_is_saved(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    items = [
        {"style": style.code, "colour": "BLK", "size": "S", "at_once": 1},
        {"style": style.code, "colour": "RED", "size": "S", "at_once": 1},
        {"barcode": "0000000000000", "at_once": 2},
        {"style": style.code, "colour": "BLK", "size": "M", "at_once": -4},
        {"style": style.code, "colour": "blk", "size": "S", "at_once": 9},
        "nonsense",
    ]
    answer = await client.post(
        "/api/v1/stock-levels", headers=await token_for(cast.admin), json={"items": items}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == 422
    assert [error["field"] for error in problem["errors"]] == [
        "items[1].style",
        "items[2].barcode",
        "items[3].at_once",
        "items[4].barcode",
        "items[5]",
    ]
    assert await on_hand() == {}


async def test_only_the_brands_catalog_keepers_push_stock(client: PortalClient, cast: Cast) -> None:
    for member in (cast.kam, cast.distributor):
        answer = await client.post(
            "/api/v1/stock-levels", headers=await token_for(member), json={"items": []}
        )
        assert answer.status_code == 403
    empty = await client.post(
        "/api/v1/stock-levels", headers=await token_for(cast.admin), json={"items": []}
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "items"
