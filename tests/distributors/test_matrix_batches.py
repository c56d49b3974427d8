"""A long line sheet's grid is drawn in batches: the page carries the styles already
ordered and the first few others, htmx fetches each next batch as the buyer scrolls (and,
without a script, one button draws every style); a save changes only the styles the page
drew, so a draft keeps the lines of the others."""

from __future__ import annotations

import html
import re

from distributors.services import BATCH, FIRST_BATCH
from distributors.tables import LineSheet
from partner_portal.orders.tables import Order, OrderLine
from tests.distributors.support import Sheet, grid_form, make_sheet
from tests.support import Cast, PortalClient

STYLES = 20


def drawn(page: str) -> list[str]:
    return re.findall(r'<h2 id="st-\d+">(SS27-\d+)', page)


def next_batch(page: str) -> str | None:
    found = re.search(r'<div class="grid-more.*?hx-get="([^"]+)"', page, re.S)
    return html.unescape(found.group(1)) if found else None


async def test_the_grid_draws_its_first_styles_and_fetches_the_rest_in_batches(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet(style_count=STYLES)
    codes = [style.code for style in sheet.shop.styles]
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert drawn(page.text) == codes[:FIRST_BATCH]
    assert f"{STYLES - FIRST_BATCH} more styles further down" in page.text

    url = next_batch(page.text)
    assert url is not None
    batch = await client.get(url, headers={"HX-Request": "true"})
    assert batch.status_code == 200 and "<html" not in batch.text
    assert drawn(batch.text) == codes[FIRST_BATCH : FIRST_BATCH + BATCH]
    url = next_batch(batch.text)
    assert url is not None
    last = await client.get(url, headers={"HX-Request": "true"})
    assert drawn(last.text) == codes[FIRST_BATCH + BATCH :]
    assert next_batch(last.text) is None


async def test_a_draft_draws_its_ordered_styles_first_and_a_save_keeps_the_undrawn_lines(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet(style_count=STYLES)
    styles = sheet.shop.styles
    await client.sign_in(cast.distributor)
    saved = await client.post_form(
        "/distributors/matrix", grid_form(sheet, {(STYLES - 1, "BLK", "S"): 6})
    )
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    # The last style holds the draft's quantity: drawn with the page, not left for later.
    assert drawn(page.text) == [style.code for style in styles[:FIRST_BATCH]] + [styles[-1].code]
    url = next_batch(page.text)
    assert url is not None
    rest = await client.get(url, headers={"HX-Request": "true"})
    assert styles[-1].code not in drawn(rest.text)

    # The page's form sends the styles it drew; the draft's other lines stay as saved.
    draft = await Order.select(Order.uuid, Order.version).first()
    assert draft is not None
    marks = {f"s-{style.id}": "1" for style in styles[:FIRST_BATCH]}
    form = grid_form(
        sheet,
        {(0, "BLK", "S"): 4},
        order=str(draft["uuid"]),
        version=str(draft["version"]),
        **marks,
    )
    again = await client.post_form("/distributors/matrix", form)
    assert again.status_code == 303
    quantities = sorted(row["quantity"] for row in await OrderLine.select(OrderLine.quantity))
    assert quantities == [4, 6]


async def test_without_a_script_one_button_draws_every_style_keeping_what_was_typed(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet(style_count=STYLES)
    await client.sign_in(cast.distributor)
    page = await client.get(f"/line-sheets/{sheet.uuid}/order")
    assert 'name="intent" value="more"' in page.text
    form = grid_form(
        sheet,
        {(0, "BLK", "S"): 10},
        intent="more",
        **{f"s-{style.id}": "1" for style in sheet.shop.styles[:FIRST_BATCH]},
    )
    every = await client.post_form("/distributors/matrix", form)
    assert every.status_code == 200
    assert drawn(every.text) == [style.code for style in sheet.shop.styles]
    sku = sheet.shop.styles[0].skus[("BLK", "S")]
    assert f'name="q-{sku}" value="10"' in every.text
    assert 'value="more"' not in every.text
    assert await Order.count() == 0


async def test_a_draft_reopened_from_a_link_without_its_sheet_draws_the_whole_sheet(
    client: PortalClient, cast: Cast, database: str
) -> None:
    """The start page, the order list and the order page link a draft without its sheet:
    the grid still is the sheet's, the draft's styles with their quantities and the rest
    of the sheet in batches, so the buyer can add styles the draft does not hold yet."""
    sheet: Sheet = await make_sheet(style_count=STYLES)
    styles = sheet.shop.styles
    await client.sign_in(cast.distributor)
    saved = await client.post_form(
        "/distributors/matrix", grid_form(sheet, {(STYLES - 1, "BLK", "S"): 6})
    )
    assert saved.status_code == 303
    draft = await Order.select(Order.uuid).first()
    assert draft is not None

    page = await client.get(f"/distributors/drafts/{draft['uuid']}")
    assert page.status_code == 200
    assert drawn(page.text) == [style.code for style in styles[:FIRST_BATCH]] + [styles[-1].code]
    sku = styles[-1].skus[("BLK", "S")]
    assert f'name="q-{sku}" value="6"' in page.text
    assert f'name="sheet" value="{sheet.uuid}"' in page.text
    url = next_batch(page.text)
    assert url is not None
    rest = await client.get(url, headers={"HX-Request": "true"})
    assert drawn(rest.text) == [style.code for style in styles[FIRST_BATCH : FIRST_BATCH + BATCH]]


async def test_a_draft_of_styles_on_no_sheet_it_may_read_shows_only_its_own_styles(
    client: PortalClient, cast: Cast, database: str
) -> None:
    sheet: Sheet = await make_sheet(style_count=STYLES)
    await client.sign_in(cast.distributor)
    saved = await client.post_form("/distributors/matrix", grid_form(sheet, {(2, "BLK", "S"): 6}))
    assert saved.status_code == 303
    # The sheet is withdrawn: the draft stays reachable, drawn with the styles it holds.
    await LineSheet.update({LineSheet.published: False}).where(LineSheet.id == sheet.id)
    draft = await Order.select(Order.uuid).first()
    assert draft is not None
    page = await client.get(f"/distributors/drafts/{draft['uuid']}")
    assert page.status_code == 200
    assert drawn(page.text) == [sheet.shop.styles[2].code]
    assert next_batch(page.text) is None
