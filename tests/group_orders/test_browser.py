"""An employee on a phone opens their link, gets a size suggestion, picks items and
submits; the client admin then sees one more response."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from group_orders.tables import Choice
from partner_portal.settings import load_settings
from tests.browser import SCREENSHOTS, screenshot, sign_in
from tests.group_orders.support import add_people, make_campaign, make_uniform, token_for
from tests.support import Cast


async def test_an_employee_submits_sizes_on_a_phone_and_the_admin_sees_the_count_rise(
    cast: Cast, live_server: str, browser: Browser, page: Page
) -> None:
    # The server runs on the real clock; the campaign is open from yesterday.
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售银行部"))
    link = f"{live_server}/g/{token_for(campaign, person, load_settings().secret_key)}?lang=en"

    await sign_in(page, live_server, cast.client)
    await page.goto(f"{live_server}/group-orders/{campaign.uuid}")
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
        await screenshot(phone, "group-orders-phone")
        await phone.get_by_role("button", name="Save my choices").click()
        await expect(phone.get_by_test_id("saved")).to_be_visible()
    finally:
        await phone_context.close()

    chosen = await Choice.select(Choice.quantity)
    assert sorted(row["quantity"] for row in chosen) == [1, 2]
    await page.reload()
    await expect(page.get_by_test_id("responded")).to_have_text("1")


async def test_the_client_admin_adds_a_person_reviews_the_totals_and_approves_the_order(
    cast: Cast, live_server: str, page: Page
) -> None:
    campaign = await make_campaign(cast, await make_uniform())
    await sign_in(page, live_server, cast.client)
    await page.goto(f"{live_server}/group-orders/{campaign.uuid}")
    await expect(page.get_by_test_id("responded")).to_have_text("0")

    await page.get_by_role("link", name="Roster and links").click()
    await page.get_by_label("Employee no.").fill("E7")
    await page.locator("#f-name").fill("李秀英")
    await page.get_by_label("Department").fill("运营部")
    await page.get_by_role("button", name="Add to the roster").click()
    person = page.get_by_role("row").filter(has_text="李秀英")
    await expect(person).to_be_visible()

    await person.get_by_role("link", name="Enter sizes").click()
    shirt = page.locator('[data-item="SS27-UN-001"]')
    await shirt.get_by_label("Size").select_option(label="175/92A")
    await shirt.get_by_label("Pieces (up to 2)").fill("2")
    trousers = page.locator('[data-item="SS27-PT-001"]')
    await trousers.get_by_label("Size").select_option(label="175/80A")
    await trousers.get_by_label("Pieces (up to 1)").fill("1")
    await page.get_by_role("button", name="Save the choices").click()
    await expect(page.get_by_role("row").filter(has_text="李秀英")).to_contain_text(
        "entered for them"
    )

    await page.get_by_role("link", name="Progress").click()
    await expect(page.get_by_test_id("responded")).to_have_text("1")
    await expect(page.get_by_test_id("total-quantity")).to_contain_text("3")
    await page.get_by_role("button", name="Close now").click()
    await page.get_by_role("link", name="Review the totals and approve").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Totals review")
    await expect(page.get_by_test_id("review-quantity")).to_have_text("3")
    await expect(page.get_by_role("row").filter(has_text="175/92A")).to_contain_text("SS27-UN-001")
    await screenshot(page, "group-orders-review")
    await page.get_by_role("button", name="Approve and place the order").click()
    await expect(page.get_by_role("status")).to_have_text(
        "The campaign is now one order in the order book."
    )

    await page.get_by_role("link", name="View the order").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
    await expect(page.locator("main")).to_contain_text("SS27-UN-001")


async def test_an_employee_sees_the_size_chart_of_her_gender_on_a_phone_in_chinese_and_korean(
    cast: Cast, live_server: str, browser: Browser
) -> None:
    from tests.group_orders.support import add_shirt_charts, set_genders

    uniform = await make_uniform()
    await add_shirt_charts(uniform)
    campaign = await make_campaign(cast, uniform)
    await add_people(campaign, ("E2", "김서연", "객실승무팀"))
    people = await set_genders(campaign, {"E2": "women"})
    link = f"{live_server}/g/{token_for(campaign, people['E2'], load_settings().secret_key)}"
    phone_context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone: Any = await phone_context.new_page()
    try:
        for lang, caption, suggested in (
            ("zh_Hans", "女装 · 修身版型", "推荐尺码：170/88A"),
            ("ko", "여성 · 슬림 핏", "추천 사이즈: 170/88A"),
        ):
            await phone.goto(f"{link}?lang={lang}")
            await phone.locator("#f-height_cm").fill("162")
            await phone.locator("#f-chest_cm").fill("84")
            await phone.locator('button[value="suggest"]').click()
            shirt = phone.locator('[data-item="SS27-UN-001"]')
            chart = shirt.locator('table[data-chart="women"]')
            await expect(chart.locator("caption")).to_have_text(caption)
            await expect(shirt.locator(".go-suggestion")).to_have_text(suggested)
            await expect(chart.locator("tr.go-suggested th")).to_have_text("170/88A")
            await expect(shirt.locator('table[data-chart="men"]')).to_have_count(0)
            # The chart fits the phone's width: the page does not scroll sideways.
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390
            await screenshot(phone, f"group-orders-size-chart-{lang}")
            # And as the phone shows it: the chart under the item's choice.
            await shirt.locator(".go-suggestion").scroll_into_view_if_needed()
            await phone.evaluate("window.scrollBy(0, 120)")
            await phone.screenshot(
                path=str(SCREENSHOTS / f"group-orders-size-chart-{lang}-view.png")
            )
    finally:
        await phone_context.close()
