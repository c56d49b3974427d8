"""The distributor's matrix order in a real browser: open the line sheet, fill the grid of
two styles, watch the totals follow, submit; the brand confirms; the distributor sees it.
Screenshots go to var/screenshots/."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast


async def test_a_distributor_orders_from_the_line_sheet_and_sees_the_brand_confirm_it(
    cast: Cast, database: str, live_server: str, page: Page
) -> None:
    sheet: Sheet = await make_sheet()
    first, second = sheet.shop.styles
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets")
    await page.get_by_role("link", name="SS27 collection").click()
    await expect(page.locator("main")).to_contain_text("100.00")
    await page.get_by_role("link", name="Order from this sheet").click()

    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    await page.get_by_label("SS27-001 BLK M", exact=True).fill("20")
    await expect(page.locator(f"#sq-{first.id}")).to_have_text("30")
    await page.get_by_label("SS27-002 WHT L", exact=True).fill("6")
    await expect(page.locator(f"#ct-{second.id}-{await _size_id('L')}")).to_have_text("6")
    await expect(page.locator("#order-quantity")).to_have_text("36")
    await expect(page.locator("#order-value")).to_contain_text("3,720.00")
    # The cells keep what was typed while the totals change around them.
    await expect(page.get_by_label("SS27-001 BLK M", exact=True)).to_have_value("20")
    await screenshot(page, "distributors-matrix")

    await page.get_by_role("button", name="Submit order").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    order_url = page.url

    await sign_in(page, live_server, cast.kam)
    await page.goto(order_url)
    await page.get_by_role("button", name="Mark as Confirmed").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmed")

    await sign_in(page, live_server, cast.distributor)
    await page.goto(order_url)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Confirmed")
    await expect(page.locator("main")).to_contain_text("SS27-002")


async def _size_id(label: str) -> int:
    from partner_portal.catalog.tables import Size

    row = await Size.select(Size.id).where(Size.label == label).first()
    assert row is not None
    return int(row["id"])
