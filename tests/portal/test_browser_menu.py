"""The main menu on a phone: its first entries and a "More" disclosure with the others, on
one line under the brand (every entry wrapped over three lines and pushed each page down);
on a desktop every entry in one row. In Chinese and Korean."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, ViewportSize, expect

from partner_portal.partners.tables import User
from tests.browser import DESKTOP, PHONE, screenshot, sign_in, translated
from tests.support import Cast

# The distributor's menu (tests/portal/test_navigation.py), in its order.
# A buyer's orders and line sheets are among the entries a phone shows.
ENTRIES = ["Partners", "Orders", "Line sheets", "Catalog", "Deals and service", "Contracts"]
ON_A_PHONE = 3


async def line_tops(page: Page, selector: str) -> set[int]:
    """The distinct tops of the visible elements: how many lines they take."""
    return set(
        await page.locator(selector).evaluate_all(
            "els => els.filter(el => el.offsetParent !== null)"
            ".map(el => Math.round(el.getBoundingClientRect().top))"
        )
    )


@pytest.mark.parametrize("locale", ["zh_Hans", "ko"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_the_menu_fits_a_phone_with_more_behind_a_disclosure(
    cast: Cast, database: str, live_server: str, page: Page, locale: str, viewport: ViewportSize
) -> None:
    await page.set_viewport_size(viewport)
    await sign_in(page, live_server, cast.distributor)
    await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
    await page.goto(f"{live_server}/catalog/styles")
    menu = page.get_by_role("navigation", name=translated(locale, "Main"))
    more = page.locator(".nav-more > summary")
    labels = [translated(locale, label) for label in ENTRIES]
    phone = viewport == PHONE
    name = "phone" if phone else "desktop"

    if not phone:
        for label in labels:
            await expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
        await expect(more).to_be_hidden()
        assert len(await line_tops(page, ".mainnav > a")) == 1
        await screenshot(page, f"menu-{locale}-{name}")
        return

    for label in labels[:ON_A_PHONE]:
        await expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in labels[ON_A_PHONE:]:
        await expect(menu.get_by_role("link", name=label, exact=True)).to_be_hidden()
    # The shown entries and "More" share one line, under the brand and the user's menu.
    await expect(more).to_have_text(translated(locale, "More"))
    assert len(await line_tops(page, ".mainnav > a, .nav-more > summary")) == 1
    topbar = await page.locator(".topbar").bounding_box()
    assert topbar is not None and topbar["height"] < 110
    # The current page (the catalog) is behind "More": it is marked there.
    await expect(more).to_have_class("current")
    await more.click()
    others = page.locator(".nav-more-list")
    for label in labels[ON_A_PHONE:]:
        await expect(others.get_by_role("link", name=label, exact=True)).to_be_visible()
    await expect(others.get_by_role("link", name=labels[3], exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    await screenshot(page, f"menu-{locale}-{name}")
    await others.get_by_role("link", name=labels[4], exact=True).click()
    await expect(page).to_have_url(f"{live_server}/sales/cases")
