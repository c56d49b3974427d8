"""A style's block of the grid is rendered once per what it shows (distributors/
grid_blocks.py): an untouched style is shared by every buyer of its prices, while what
one buyer typed, and a changed stock figure, show at once."""

from __future__ import annotations

import re

from partner_portal.catalog.tables import SkuStock
from partner_portal.clock import utcnow
from tests.distributors.support import Sheet, grid_form, make_sheet
from tests.support import Cast, PortalClient


async def test_a_drafts_quantities_show_in_its_grid_and_nowhere_else(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet()
    sku = sheet.shop.styles[0].skus[("BLK", "S")]
    await client.sign_in(cast.distributor)
    new_order = f"/line-sheets/{sheet.uuid}/order"
    assert f'name="q-{sku}" value=""' in (await client.get(new_order)).text

    saved = await client.post_form("/distributors/matrix", grid_form(sheet, {(0, "BLK", "S"): 8}))
    draft = (await client.get(saved.headers["location"])).text
    assert f'name="q-{sku}" value="8"' in draft
    assert re.search(rf'id="sq-{sheet.shop.styles[0].id}">8<', draft)

    fresh = (await client.get(new_order)).text
    assert f'name="q-{sku}" value=""' in fresh
    assert re.search(rf'id="sq-{sheet.shop.styles[0].id}">0<', fresh)


async def test_a_changed_stock_figure_shows_in_the_grid_at_once(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet()
    sku = sheet.shop.styles[0].skus[("BLK", "S")]
    await client.sign_in(cast.distributor)
    page = f"/line-sheets/{sheet.uuid}/order"

    def stock_of(html: str) -> str:
        found = re.search(rf'name="q-{sku}".*?<span class="stock">([^<]+)</span>', html, re.S)
        assert found is not None
        return found.group(1)

    before = stock_of((await client.get(page)).text)
    await SkuStock.insert(SkuStock(sku=sku, at_once=4321, updated_at=utcnow()))
    after = stock_of((await client.get(page)).text)
    assert "4,321" in after and after != before
