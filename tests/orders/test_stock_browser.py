"""The brand's stock page in Chinese and Korean, as an administrator sees it."""

from __future__ import annotations

from playwright.async_api import Page, expect

from partner_portal.app import register_plugins
from partner_portal.partners.tables import User
from tests.browser import screenshot, sign_in
from tests.orders.support import make_shop
from tests.orders.test_stock import on_hand, place
from tests.support import Cast


async def test_the_stock_page_shows_reserved_available_and_oversold_in_zh_and_ko(
    page: Page, live_server: str, cast: Cast
) -> None:
    register_plugins()
    shop = await make_shop()
    first = shop.styles[0]
    await on_hand(first.skus[("BLK", "S")], 120)
    await on_hand(first.skus[("BLK", "M")], 10)
    assert (await place(cast, cast.distributor, first.skus[("BLK", "S")], 112)).saved
    assert (await place(cast, cast.distributor, first.skus[("BLK", "M")], 14)).saved
    for locale, heading, oversold in (
        ("zh_Hans", "库存", "超卖 4 件"),
        ("ko", "재고", "4장 초과 판매"),
    ):
        await User.update({User.locale: "en"}).where(User.id == cast.admin.id)
        await sign_in(page, live_server, cast.admin)
        await User.update({User.locale: locale}).where(User.id == cast.admin.id)
        await page.goto(f"{live_server}/stock")
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
        await expect(page.get_by_text(oversold)).to_be_visible()
        await screenshot(page, f"orders-stock-{locale}")
