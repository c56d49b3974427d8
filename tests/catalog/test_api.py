"""The catalog API: the brand reads every style and the price lists it may see; a partner
reads active styles only, with what it pays and what can still be ordered."""

from __future__ import annotations

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.catalog.tables import Style
from tests.orders.support import make_shop
from tests.support import Cast, Member, PortalClient, problem_fields


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def test_styles_page_by_cursor_and_partners_see_active_ones_only(
    client: PortalClient, cast: Cast, database: str
) -> None:
    shop = await make_shop(3)
    await Style.update({Style.status: "draft"}).where(Style.id == shop.styles[2].id)
    brand = await token_for(cast.staff)

    codes: list[str] = []
    cursor = ""
    while True:
        page = (await client.get(f"/api/v1/styles?limit=2&cursor={cursor}", headers=brand)).json()
        codes += [item["code"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    partner = (await client.get("/api/v1/styles", headers=await token_for(cast.retailer))).json()

    assert codes == ["SS27-001", "SS27-002", "SS27-003"]
    assert [item["code"] for item in partner["items"]] == ["SS27-001", "SS27-002"]
    draft = f"/api/v1/styles/{shop.styles[2].uuid}"
    assert (await client.get(draft, headers=await token_for(cast.retailer))).status_code == 404
    bad = await client.get("/api/v1/styles?cursor=%%%", headers=brand)
    assert problem_fields(bad) == {"cursor": "invalid"}


async def test_a_partner_sees_what_it_pays_and_the_brand_sees_the_lists(
    client: PortalClient, cast: Cast, database: str
) -> None:
    shop = await make_shop(1)
    url = f"/api/v1/styles/{shop.styles[0].uuid}"

    gold = (await client.get(url, headers=await token_for(cast.distributor))).json()
    silver = (await client.get(url, headers=await token_for(cast.other_distributor))).json()
    brand = (await client.get(url, headers=await token_for(cast.admin))).json()

    assert {(price["currency"], price["wholesale"]) for price in gold["prices"]} == {
        ("CNY", "100.00")
    }
    assert {(price["currency"], price["wholesale"]) for price in silver["prices"]} == {
        ("KRW", "20000")
    }
    assert {price["price_list_name"] for price in brand["prices"]} == {
        "CNY gold",
        "CNY list",
        "KRW silver",
    }
    sku = gold["skus"][0]
    assert {sku["colour"] for sku in gold["skus"]} == {"BLK", "WHT"}
    assert sku["available_at_once"] == 0 and sku["pre_book"] == []
