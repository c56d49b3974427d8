"""Line sheets through the API: the sheets a reader may see, as on the pages, each style
as its card shows it with the buyer's own prices (the catalog API's), a page at a time."""

from __future__ import annotations

from typing import Any

import pytest

from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast, PortalClient
from tests.webhooks.support import token_for


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet(tiers=("gold",), style_count=3)


async def _styles(
    client: PortalClient, headers: dict[str, str], sheet: Sheet, **params: Any
) -> dict[str, Any]:
    answer = await client.get(
        f"/api/v1/line-sheets/{sheet.uuid}/styles", headers=headers, params=params
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_a_partner_reads_the_sheets_published_to_it_with_its_own_prices(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    headers = await token_for(cast.distributor)
    listed = (await client.get("/api/v1/line-sheets", headers=headers)).json()
    assert [item["title"] for item in listed["items"]] == ["SS27 collection"]
    assert listed["next_cursor"] is None
    one = (await client.get(f"/api/v1/line-sheets/{sheet.uuid}", headers=headers)).json()
    assert one["style_count"] == 3 and one["published"] is True

    first = await _styles(client, headers, sheet, limit=2)
    rest = await _styles(client, headers, sheet, limit=2, cursor=first["next_cursor"])

    assert first["buyer"] == str(cast.distributor_a.uuid)
    assert rest["next_cursor"] is None
    styles = first["items"] + rest["items"]
    assert [style["code"] for style in styles] == [style.code for style in sheet.shop.styles]
    card = styles[0]
    assert sorted(card["sizes"]) == ["L", "M", "S"]
    assert {(sku["colour"], sku["size"]) for sku in card["skus"]} == set(sheet.shop.styles[0].skus)
    # distributor_a is a gold partner: the gold list's CNY 100.00 in every size, as a
    # decimal string with the currency's two decimals on both databases.
    assert {(price["price_list_name"], price["wholesale"]) for price in card["prices"]} == {
        ("CNY gold", "100.00")
    }
    assert len(card["prices"]) == 3


async def test_partners_outside_the_audience_find_nothing(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    headers = await token_for(cast.other_distributor)
    assert (await client.get("/api/v1/line-sheets", headers=headers)).json()["items"] == []
    for path in (f"/api/v1/line-sheets/{sheet.uuid}", f"/api/v1/line-sheets/{sheet.uuid}/styles"):
        assert (await client.get(path, headers=headers)).status_code == 404
    supplier = await client.get("/api/v1/line-sheets", headers=await token_for(cast.supplier))
    assert supplier.status_code == 403


async def test_the_brand_sees_a_chosen_buyers_prices_in_its_currency(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    headers = await token_for(cast.admin)
    without = await _styles(client, headers, sheet)
    assert without["buyer"] is None and all(not style["prices"] for style in without["items"])

    korean = await _styles(client, headers, sheet, buyer=str(cast.distributor_b.uuid))

    # distributor_b is a silver partner buying in KRW: no decimals.
    assert korean["items"][0]["prices"][0]["wholesale"] == "20000"
    assert korean["items"][0]["prices"][0]["currency"] == "KRW"
    bad = await client.get(
        f"/api/v1/line-sheets/{sheet.uuid}/styles", headers=headers, params={"buyer": "x"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "buyer"
