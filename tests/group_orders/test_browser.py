"""An employee on a phone opens their link, gets a size suggestion, picks items and
submits; the client admin then sees one more response."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from group_orders.tables import Choice
from partner_portal.settings import load_settings
from tests.group_orders.support import add_people, make_campaign, make_uniform, token_for
from tests.partners.test_browser import _log_in, _screenshot
from tests.support import Cast


async def test_an_employee_submits_sizes_on_a_phone_and_the_admin_sees_the_count_rise(
    cast: Cast, live_server: str, browser: Browser, page: Page
) -> None:
    # The server runs on the real clock; the campaign is open from yesterday.
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售银行部"))
    link = f"{live_server}/g/{token_for(campaign, person, load_settings().secret_key)}?lang=en"

    await _log_in(page, live_server, cast.client)
    await page.goto(f"{live_server}/group-orders/{campaign['uuid']}")
    await expect(page.get_by_test_id("responded")).to_have_text("0")

    phone_context = await browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone: Any = await phone_context.new_page()
    try:
        await phone.goto(link)
        await expect(phone.get_by_role("heading", name="Spring uniforms")).to_be_visible()
        await phone.get_by_label("Height, cm").fill("176")
        await phone.get_by_label("Chest, cm").fill("93")
        await phone.get_by_label("Waist, cm").fill("79")
        await phone.get_by_role("button", name="Suggest my sizes").click()
        shirt = phone.locator('[data-item="SS27-UN-001"]')
        await expect(shirt.get_by_role("status")).to_have_text("Suggested size: 175/92A")
        await expect(shirt.get_by_label("Size")).to_have_value(
            await shirt.locator("option", has_text="175/92A").get_attribute("value")
        )
        await shirt.get_by_label("Pieces (up to 2)").fill("2")
        await phone.locator('[data-item="SS27-PT-001"]').get_by_label("Pieces (up to 1)").fill("1")
        await phone.screenshot(path=_screenshot("group-orders-phone.png"), full_page=True)
        await phone.get_by_role("button", name="Save my choices").click()
        await expect(phone.get_by_test_id("saved")).to_be_visible()
    finally:
        await phone_context.close()

    chosen = await Choice.select(Choice.quantity)
    assert sorted(row["quantity"] for row in chosen) == [1, 2]
    await page.reload()
    await expect(page.get_by_test_id("responded")).to_have_text("1")
