"""The notification list as a brand user and a distributor see it, in Chinese and Korean."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from partner_portal.partners.tables import User
from tests.browser import screenshot, sign_in
from tests.notifications.test_events import submit_event
from tests.support import Cast


async def test_a_kam_reads_notifications_in_chinese_and_a_distributor_in_korean(
    page: Page, live_server: str, cast: Cast, settings: Any
) -> None:
    await submit_event(cast, settings)

    # Signed in first (the sign-in helper reads the English page), then each reads their own.
    await sign_in(page, live_server, cast.kam)
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.kam.id)
    await page.goto(f"{live_server}/notifications")
    chinese = await page.locator("main").inner_text()
    assert "上海锦程贸易有限公司 提交了订单 SO-0000042" in chinese
    await screenshot(page, "notifications_kam_zh")

    await sign_in(page, live_server, cast.distributor_colleague)
    await User.update({User.locale: "ko"}).where(User.id == cast.distributor_colleague.id)
    await page.goto(f"{live_server}/notifications")
    korean = await page.locator("main").inner_text()
    assert "주문 SO-0000042을(를) 제출했습니다" in korean
    await screenshot(page, "notifications_distributor_ko")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "notifications_distributor_ko_phone")
