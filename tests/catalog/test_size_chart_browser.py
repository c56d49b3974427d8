"""A merchandiser fills in a size chart on a phone, in Chinese: a wrong cell is marked in
place, then the chart shows on the style page (screenshots in var/screenshots/)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, expect

from partner_portal.catalog.tables import SizeChartRow
from partner_portal.partners.tables import User
from tests.browser import screenshot, sign_in
from tests.catalog.test_size_charts import _style
from tests.support import Cast


async def test_a_merchandiser_fills_in_a_chart_on_a_phone_in_chinese(
    cast: Cast, live_server: str, browser: Browser
) -> None:
    style_uuid, sizes = await _style()
    context = await browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone: Any = await context.new_page()
    try:
        await sign_in(phone, live_server, cast.staff)
        # Signed in, the merchandiser reads the portal in Chinese.
        await User.update({User.locale: "zh_Hans"}).where(User.id == cast.staff.id)
        await phone.goto(f"{live_server}/catalog/styles/{style_uuid}")
        await phone.get_by_role("link", name="添加女装尺码表").click()
        await expect(phone.get_by_role("heading", level=1)).to_contain_text("女装")
        await phone.get_by_label("版型").select_option("slim")
        for label, height, chest in (("S", "155", "80"), ("M", "160", "84"), ("L", "165", "8")):
            await phone.get_by_label(f"{label} 身高, cm").fill(height)
            await phone.get_by_label(f"{label} 胸围, cm").fill(chest)
        await phone.get_by_role("button", name="保存尺码表").click()
        await expect(phone.locator(f'[name="chest-{sizes["L"]}"] + .field-error')).to_have_text(
            "请输入 30 到 200 厘米之间的数值。"
        )
        await screenshot(phone, "catalog-size-chart-form-zh")
        assert await SizeChartRow.count() == 0
        await phone.get_by_label("L 胸围, cm").fill("88")
        await phone.get_by_role("button", name="保存尺码表").click()
        chart = phone.locator('table[data-chart="women"]')
        await expect(chart.locator("caption")).to_have_text("女装 · 修身版型")
        await expect(chart).to_contain_text("84")
        await chart.scroll_into_view_if_needed()
        await screenshot(phone, "catalog-size-chart-style-zh")
    finally:
        await context.close()
