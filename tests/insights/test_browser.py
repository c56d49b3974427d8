"""A KAM in a real browser: from the churn figure to the partners behind it, and a
follow-up for each of them in one action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect

from insights import figures
from partner_portal.clock import utcnow
from scheduler.tables import FollowUp
from tests.browser import screenshot, sign_in
from tests.insights.support import book
from tests.orders.support import make_shop
from tests.support import Cast


async def test_a_kam_drills_from_churn_to_partners_and_plans_follow_ups_for_them(
    cast: Cast, live_server: str, page: Page, frozen_clock: Any
) -> None:
    # The server runs on the real clock: the history is placed relative to today.
    now = utcnow()
    shop = await make_shop()
    ordered_on = now - timedelta(days=200)
    await book(cast, frozen_clock, shop, ordered_on, cast.distributor, cast.distributor_a, "S", 10)
    await book(cast, frozen_clock, shop, ordered_on, cast.retailer, cast.retailer_a, "M", 10)
    frozen_clock.frozen_at = None
    await figures.refresh_facts()
    churned_in = (ordered_on + timedelta(days=180)).strftime("%Y-%m")

    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/insights")
    await screenshot(page, "insights-dashboard")
    churn_figure = page.locator(f'.kpi-table a.kpi-churned[href*="window={churned_in}"]').first
    await expect(churn_figure).to_have_text("2")
    await churn_figure.click()

    await expect(page.get_by_role("link", name=cast.distributor_a.legal_name)).to_be_visible()
    await expect(page.get_by_role("link", name=cast.retailer_a.legal_name)).to_be_visible()
    await page.get_by_label("What to do").fill("回访：了解停止订货的原因")
    await screenshot(page, "insights-drill")
    await page.get_by_role("button", name="Plan follow-ups").click()

    await expect(page.get_by_role("status")).to_contain_text("2 follow-ups planned")
    planned = await FollowUp.select(FollowUp.title, FollowUp.organisation)
    assert sorted(row["organisation"] for row in planned) == sorted(
        [cast.distributor_a.id, cast.retailer_a.id]
    )
    assert {row["title"] for row in planned} == {"回访：了解停止订货的原因"}
