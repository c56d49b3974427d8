"""The demo data in a real browser, in Chinese and Korean, on a desktop and a phone: a
KAM's agenda (week and month) and partner health page, and a style's reorder forecast as
the brand's staff read it.
Each page is kept as a screenshot (var/screenshots/) and checked for what a reader would
notice first: its chart, its language, nothing wider than the screen."""

from __future__ import annotations

from playwright.async_api import Page, ViewportSize, expect

from partner_portal.demo import DEMO_PASSWORD
from partner_portal.partners.tables import User
from suppliers import reorders
from tests.browser import screenshot
from tests.sales.support import viewer
from tests.support import Demo, Member, demo_member

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
WORDS = {
    "zh_Hans": {"forecast": "补货预测", "agenda": "日程"},
    "ko": {"forecast": "재주문 예측", "agenda": "일정"},
}


async def _overflow(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


async def _sign_in(page: Page, live_server: str, member: Member, locale: str) -> None:
    await User.update({User.locale: locale}).where(User.id == member.id)
    await page.goto("about:blank")
    await page.context.clear_cookies()
    await page.set_viewport_size(DESKTOP)
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_a_kams_screens_in_chinese_and_korean(
    demo: Demo, live_server: str, page: Page
) -> None:
    kam = await demo_member("kam")
    # The reorder forecast is the brand's planners' page (brand staff), not a KAM's.
    planner = await demo_member("brand_staff")
    styles = await reorders.style_index(await viewer(planner))
    busiest = styles[0]
    for locale in ("zh_Hans", "ko"):
        await _sign_in(page, live_server, kam, locale)
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.set_viewport_size(viewport)
            await page.goto(f"{live_server}/agenda/calendar?view=week")
            await expect(page.locator(".calendar-week")).to_be_visible()
            await screenshot(page, f"agenda-week-{size}-{locale}")
            assert await _overflow(page) <= 1, (locale, size, "week")
            await page.goto(f"{live_server}/agenda/calendar?view=month")
            await expect(page.locator(".calendar-month .calendar-day.today")).to_be_visible()
            await screenshot(page, f"agenda-month-{size}-{locale}")
            assert await _overflow(page) <= 1, (locale, size, "month")
            await page.goto(f"{live_server}/insights")
            await expect(page.locator("figure.chart svg").first).to_be_visible()
            await screenshot(page, f"health-{size}-{locale}")
            assert await _overflow(page) <= 1, (locale, size, "health")
        await _sign_in(page, live_server, planner, locale)
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            await page.set_viewport_size(viewport)
            await page.goto(f"{live_server}/suppliers/reorders/{busiest.uuid}")
            await expect(page.get_by_role("heading", level=2).first).to_have_text(
                WORDS[locale]["forecast"]
            )
            chart = page.locator("figure.chart svg")
            await expect(chart).to_be_visible()
            assert await page.locator("figure.chart g.range").count() > 0
            await screenshot(page, f"reorder-forecast-{size}-{locale}")
            assert await _overflow(page) <= 1, (locale, size, "forecast")
