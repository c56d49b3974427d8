"""The image-first line sheet in a real browser on the demo data: a drawn picture on every
card, filters, the next cards as the buyer scrolls, and the cart that follows the buyer
down the sheet; in Chinese and Korean, on a desktop and a phone."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.async_api import Page, expect

from distributors.tables import LineSheet
from partner_portal.demo import DEMO_PASSWORD
from partner_portal.partners.tables import User
from tests.browser import DESKTOP, PHONE, screenshot
from tests.support import Demo, Member, demo_member


@pytest.fixture
def settings(database: str, demo: Demo) -> Any:
    """The app serves the demo's pictures from where the demo wrote them."""
    from partner_portal.settings import load_settings

    return load_settings(
        {
            **os.environ,
            "DATABASE_URL": database,
            "MEDIA_DIR": str(demo.media_dir),
            "SESSION_CACHE_SECONDS": "0",  # as tests/conftest.py: users change between requests
        }
    )


async def sign_in_to_the_demo(page: Page, live_server: str, member: Member) -> None:
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_a_distributor_browses_the_demo_sheet_and_fills_the_cart(
    demo: Demo, live_server: str, page: Page
) -> None:
    buyer = await demo_member("distributor")
    sheet = await LineSheet.select(LineSheet.uuid).where(LineSheet.title.like("%full%")).first()
    assert sheet is not None
    await User.update({User.locale: "en"}).where(User.id == buyer.id)
    await sign_in_to_the_demo(page, live_server, buyer)
    await page.goto(f"{live_server}/line-sheets/{sheet['uuid']}")

    cards = page.locator("article.sheet-style")
    await expect(cards).to_have_count(24)
    # Every card on screen has a real picture (no grey placeholder), drawn by the demo.
    first_picture = cards.first.locator("img.sheet-main")
    await expect(first_picture).to_be_visible()
    await first_picture.evaluate(
        "img => img.complete ? null : new Promise(done => img.addEventListener('load', done))"
    )
    assert await first_picture.evaluate("img => img.naturalWidth") == 300
    assert await page.locator(".no-image").count() == 0

    # Add a pack to the order: the cart says what was added and what the order holds.
    card = cards.nth(1)
    code = await card.locator("h2").inner_text()
    await card.get_by_label("Packs").fill("2")
    await card.get_by_role("button", name="Add to order").click()
    cart = page.locator("#cart")
    await expect(cart).to_contain_text(f"pieces of {code} to your order")
    await expect(cart.get_by_role("link", name="Open in the grid")).to_be_visible()
    # The cart follows the buyer down the sheet, and the next cards come on scrolling.
    await page.mouse.wheel(0, 30000)
    await expect(cards).not_to_have_count(24)
    await expect(cart).to_be_in_viewport()

    # A filter narrows the cards.
    await page.get_by_label("Category").select_option("trousers")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("#sheet-count")).to_contain_text("of")
    for text in await page.locator("article.sheet-style h2 + p").all_text_contents():
        assert "Trousers" in text
    await screenshot(page, "buyer-sheet-en")

    for locale, add in (("zh_Hans", "加入订单"), ("ko", "주문에 담기")):
        await User.update({User.locale: locale}).where(User.id == buyer.id)
        await page.goto(f"{live_server}/line-sheets/{sheet['uuid']}")
        await page.locator("article.sheet-style").first.get_by_role("button", name=add).click()
        message = "已将" if locale == "zh_Hans" else "주문에 담았습니다"
        await expect(page.locator("#cart")).to_contain_text(message)
        await screenshot(page, f"buyer-sheet-{locale}")

    await page.set_viewport_size({"width": 390, "height": 800})
    await page.goto(f"{live_server}/line-sheets/{sheet['uuid']}")
    await expect(page.locator("#cart")).to_be_in_viewport()
    await page.screenshot(path="var/screenshots/buyer-sheet-phone.png")


@pytest.mark.parametrize("locale", ["zh_Hans", "ko"])
async def test_the_home_the_sheet_and_the_grid_fit_a_desktop_and_a_phone_in_the_readers_language(
    demo: Demo, live_server: str, page: Page, locale: str
) -> None:
    buyer = await demo_member("distributor")
    sheet = await LineSheet.select(LineSheet.uuid).where(LineSheet.title.like("%full%")).first()
    assert sheet is not None
    await User.update({User.locale: locale}).where(User.id == buyer.id)
    await sign_in_to_the_demo(page, live_server, buyer)
    pages = (
        ("home", "/"),
        ("sheet", f"/line-sheets/{sheet['uuid']}"),
        ("grid", f"/line-sheets/{sheet['uuid']}/order"),
    )
    for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        for name, path in pages:
            await page.goto(f"{live_server}{path}")
            await expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))
            # Nothing spills sideways: a wide table scrolls in its own box, not the page.
            assert await page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ), f"{name} on a {device} is wider than the screen"
            await screenshot(page, f"buyer-{name}-{locale}-{device}")
