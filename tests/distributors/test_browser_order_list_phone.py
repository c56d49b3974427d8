"""The order list on a phone: a buyer's name stays readable (the table scrolls sideways
instead of wrapping the name one character per line)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders.services import OrderDraft, create_draft
from partner_portal.orders.tables import OrderChannel
from tests.browser import screenshot
from tests.support import Cast


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
    lines = await name.evaluate(
        "cell => { const r = document.createRange(); r.selectNodeContents(cell);"
        " return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size; }"
    )
    # Two lines at most, not one character per line.
    assert lines <= 2
    await screenshot(page, "buyer-orders-phone")
