"""The partner network in a real browser: the live server, Debian's Chromium, htmx doing its work.

Screenshots go to var/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.support import Cast

NOTE = "电话确认春夏订货会日期 SS27"


async def test_a_kam_finds_a_partner_and_logs_a_note_that_appears_without_a_reload(
    cast: Cast, live_server: str, page: Page
) -> None:
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/partners")
    rows = page.locator("#partner-rows")
    await expect(rows.get_by_role("link", name=cast.retailer_a.legal_name)).to_be_visible()
    await expect(rows).not_to_contain_text(cast.distributor_b.legal_name)
    await screenshot(page, "partners-list")

    # The search box asks htmx for new rows: no page load, the URL follows the search.
    await page.evaluate("window.__marker = 1")
    await page.get_by_label("Search").fill("锦程")
    await expect(page).to_have_url(re.compile(r"[?&]q="))
    await expect(rows.locator("tbody tr")).to_have_count(1)
    await expect(rows.get_by_role("link", name=cast.distributor_a.legal_name)).to_be_visible()
    await expect(rows).not_to_contain_text(cast.distributor_b.legal_name)
    await expect(rows).not_to_contain_text(cast.bank.legal_name)
    assert await page.evaluate("window.__marker") == 1
    await screenshot(page, "partners-list-searched")

    await rows.get_by_role("link", name=cast.distributor_a.legal_name).click()
    await expect(page).to_have_url(f"{live_server}/partners/{cast.distributor_a.uuid}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(cast.distributor_a.legal_name)

    # Log a call: htmx puts the new entry on top of the timeline, the page stays.
    await page.evaluate("window.__marker = 1")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    form = page.locator("#timeline-form")
    await form.get_by_label("What happened").select_option("call")
    await form.get_by_label("Summary").fill(NOTE)
    await form.get_by_role("button", name="Log it").click()
    newest = page.locator("#timeline-list > li.entry").first
    await expect(newest).to_contain_text(NOTE)
    # The fresh form that came with the entry is empty again, ready for the next one.
    await expect(page.locator("#timeline-form").get_by_label("Summary")).to_have_value("")
    assert await page.evaluate("window.__marker") == 1
    assert navigations == []
    await screenshot(page, "partner-360")

    await page.reload()
    await expect(page.locator("#timeline-list > li.entry").first).to_contain_text(NOTE)
    assert await page.evaluate("typeof window.__marker") == "undefined"


async def test_a_distributor_sees_its_retailer_but_no_edit_actions(
    cast: Cast, live_server: str, page: Page
) -> None:
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/partners")
    rows = page.locator("#partner-rows")
    await expect(rows.get_by_role("link", name=cast.distributor_a.legal_name)).to_be_visible()
    await expect(rows.get_by_role("link", name=cast.retailer_a.legal_name)).to_be_visible()
    await expect(rows).not_to_contain_text(cast.distributor_b.legal_name)

    await rows.get_by_role("link", name=cast.retailer_a.legal_name).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(cast.retailer_a.legal_name)
    await expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    await expect(page.get_by_role("button", name="Move this partner")).to_have_count(0)
    await expect(page.locator("#transfer")).to_have_count(0)
    await screenshot(page, "retailer-360-as-distributor")


# Elements reaching past the right edge of the viewport, innermost last, to say what overflows.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => {
    const box = el.getBoundingClientRect();
    const classes = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} right=${Math.round(box.right)} width=${Math.round(box.width)}`;
  })"""


async def test_the_partner_360_fits_a_phone_screen_without_sideways_scrolling(
    cast: Cast, live_server: str, page: Page
) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/partners/{cast.distributor_a.uuid}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(cast.distributor_a.legal_name)
    await screenshot(page, "partner-360-phone")

    scroll_width, inner_width = await page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    overflowing = await page.evaluate(OVERFLOWING)
    assert scroll_width <= inner_width + 1, (
        f"the page scrolls sideways ({scroll_width} > {inner_width}); too wide: {overflowing}"
    )


async def test_a_call_is_logged_from_a_row_of_the_list_whose_form_comes_when_asked(
    cast: Cast, live_server: str, page: Page
) -> None:
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/partners?q=%E9%94%A6%E7%A8%8B&page=1")
    rows = page.locator("#partner-rows")
    await expect(rows.locator("tbody tr")).to_have_count(1)
    await expect(rows.locator("textarea")).to_have_count(0)

    await page.evaluate("window.__marker = 1")
    await rows.get_by_role("link", name="Log a call").click()
    await rows.get_by_label("What was said or agreed").fill(NOTE)
    assert await page.evaluate("window.__marker") == 1
    await screenshot(page, "partners-list-log-call")
    await rows.get_by_role("button", name="Log the call").click()

    await expect(page).to_have_url(re.compile(r"/partners\?q=%E9%94%A6%E7%A8%8B&page=1$"))
    await page.goto(f"{live_server}/partners/{cast.distributor_a.uuid}")
    await expect(page.locator("#timeline-list")).to_contain_text(NOTE)
