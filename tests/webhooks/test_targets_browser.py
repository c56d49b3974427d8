"""A partner's admin typing the cloud's metadata address as an endpoint reads, beside the
address field, why it is refused, in Chinese and in Korean, on a phone too."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.async_api import Page

from partner_portal.partners.tables import User
from partner_portal.settings import Settings
from tests.browser import screenshot, sign_in
from tests.support import Cast
from webhooks.tables import WebhookEndpoint


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private_targets=False)


@pytest.mark.parametrize(
    ("locale", "words"), [("zh_Hans", "私有或内部网络"), ("ko", "사설 또는 내부 네트워크")]
)
async def test_the_form_says_why_an_internal_address_is_refused(
    page: Page, live_server: str, cast: Cast, locale: str, words: str
) -> None:
    await sign_in(page, live_server, cast.distributor)
    await User.update({User.locale: locale}).where(User.id == cast.distributor.id)
    await page.goto(f"{live_server}/webhooks")
    await page.locator("input[name=url]").fill("http://169.254.169.254/latest/meta-data/")
    await page.locator("input[name=event_types]").first.check()
    await page.locator("form[action='/webhooks'] button[type=submit]").click()

    main = await page.locator("main").inner_text()
    assert words in main and "169.254.169.254" in main
    assert await WebhookEndpoint.count() == 0
    await screenshot(page, f"webhook_refused_{locale}")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, f"webhook_refused_{locale}_phone")
