"""A deal registration in a real browser: a distributor registers a deal, the KAM approves
it, and the distributor sees the customer protected. Screenshots go to var/screenshots/."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.support import Cast


async def test_a_distributor_registers_a_deal_the_kam_approves_and_it_is_protected(
    cast: Cast, live_server: str, page: Page
) -> None:
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/sales/registrations")
    await page.get_by_role("link", name="Register a deal").click()
    await page.get_by_label("End customer").fill("上海第一人民医院")
    await page.get_by_label("Region").fill("CN-SH")
    await page.get_by_label("Expected quantity (pieces)").fill("1200")
    await page.get_by_label("Expected value").fill("480000")
    await page.get_by_role("button", name="Register the deal").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("上海第一人民医院 · CN-SH")
    await expect(page.locator("main")).to_contain_text("Waiting for a decision")
    await screenshot(page, "sales-registration-pending")

    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/sales/registrations")
    await page.get_by_role("link", name="上海第一人民医院").click()
    await page.get_by_label("Note to the partner").fill("Go ahead, the hospital is yours.")
    await page.get_by_role("button", name="Approve and protect").click()
    await expect(page.locator("main")).to_contain_text("Approved")

    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/sales/registrations")
    rows = page.locator("#registration-rows")
    await expect(rows).to_contain_text("Approved")
    await expect(rows).to_contain_text("Protected until")
    await screenshot(page, "sales-registration-protected")
