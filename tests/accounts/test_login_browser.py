"""In Chromium: a browser the owner signed in from keeps working while a stranger at the same
address is made to wait, and the waiting browser is told when to try again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from tests.browser import screenshot, sign_in
from tests.support import PASSWORD, Cast


async def test_the_owners_browser_signs_in_while_a_stranger_at_the_same_address_waits(
    browser: Browser, page: Any, live_server: str, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = datetime(2025, 3, 3, 9, 5, tzinfo=UTC)
    await sign_in(page, live_server, cast.kam)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("E-mail")).to_be_visible()

    # Someone else behind the same address (everything here comes from 127.0.0.1).
    async with httpx.AsyncClient(base_url=live_server) as stranger:
        await stranger.get("/login")
        for _attempt in range(10):
            await stranger.post(
                "/login",
                data={"email": cast.kam.email, "password": "guess"},
                headers={"x-csrftoken": stranger.cookies["csrftoken"]},
            )

    for locale, waiting_text in (("zh-CN", "请在 10 分钟后重试"), ("ko-KR", "10분 후에 다시")):
        context = await browser.new_context(
            locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True
        )
        new_phone = await context.new_page()
        await new_phone.goto(f"{live_server}/login")
        await new_phone.locator("#email").fill(cast.kam.email)
        await new_phone.locator("#password").fill(PASSWORD)
        await new_phone.locator("form button[type=submit]").click()
        await expect(new_phone.get_by_role("alert")).to_contain_text(waiting_text)
        await screenshot(new_phone, f"login-throttled-{locale}")
        await context.close()

    # The owner's own browser (it kept the known-device cookie) is let in.
    await page.get_by_label("E-mail").fill(cast.kam.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
