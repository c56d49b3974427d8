"""The order list on a phone: a buyer's name stays readable (the table scrolls sideways
instead of wrapping the name one character per line), nor is an order's number broken."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders.services import OrderDraft, create_draft
from partner_portal.orders.tables import OrderChannel
from tests.browser import screenshot
from tests.support import Cast


async def lines_of(element: Locator) -> int:
    """How many lines the element's text takes on the page."""
    return int(
        await element.evaluate(
            "cell => { const r = document.createRange(); r.selectNodeContents(cell);"
            " return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size; }"
        )
    )


async def test_on_a_phone_the_order_list_keeps_the_buyers_name_readable(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    from tests.browser import sign_in
    from tests.orders.support import make_shop

    shop = await make_shop()
    distributor = await viewer_for_user_id(cast.distributor.id)
    for _ in range(2):
        await create_draft(
            distributor,
            OrderDraft(
                buyer_id=cast.distributor_a.id,
                channel=OrderChannel.distributor,
                lines=[shop.styles[0].line("BLK", "M", 6)],
            ),
        )
    await page.set_viewport_size({"width": 390, "height": 800})
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/orders")

    name = page.locator("td.buyer").first
    await expect(name).to_have_text("上海锦程贸易有限公司")
    # Two lines at most, not one character per line.
    assert await lines_of(name) <= 2
    # The order's number is not broken at its hyphen ("SO-" over "0000001").
    number = page.locator("table.list.orders tbody td:first-child strong").first
    await expect(number).to_have_text(re.compile(r"^SO-\d+$"))
    assert await lines_of(number) == 1
    await screenshot(page, "buyer-orders-phone")
