"""A supplier in a real browser: opens its forecast, commits a week, and answers a PO line
with another date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from partner_portal.app import register_plugins
from suppliers import forecasting, planning
from tests.browser import screenshot, sign_in
from tests.suppliers.support import (
    add_bom,
    add_order,
    add_purchase_order,
    make_material,
    make_style,
)
from tests.support import Cast


async def test_a_supplier_commits_a_week_and_moves_a_po_line_date(
    cast: Cast, live_server: str, page: Page
) -> None:
    # The live server runs on the real clock, so the data is placed around today.
    register_plugins()
    this_week = planning.monday_of(datetime.now(UTC).date())
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_bom(shirt, shell["id"], "1.5")
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed",
        ship_date=this_week + timedelta(weeks=5),
    )  # fmt: skip
    await forecasting.publish_forecast(None)
    await add_purchase_order(cast.mill.id, shell["id"], "400", this_week + timedelta(weeks=8))

    await sign_in(page, live_server, cast.supplier)
    await page.get_by_role("link", name="Purchasing").click()
    section = page.locator("section.forecast-material")
    await expect(section).to_contain_text("HF-POP-120")
    await expect(section).to_contain_text("150")
    await section.locator("form.commit-accept button").first.click()
    await expect(page.get_by_role("status")).to_contain_text("is saved")
    await expect(section.locator(".commit-cell").first).to_contain_text("Accepted")
    await screenshot(page, "supplier-forecast")

    await page.get_by_role("link", name="Purchase orders").click()
    await page.locator("table.list a").first.click()
    await page.get_by_text("Answer", exact=True).last.click()
    later = (this_week + timedelta(weeks=9)).isoformat()
    await page.locator("select[name=acknowledgement]").select_option("changed")
    await page.get_by_label("Delivery date").fill(later)
    await page.get_by_label("Comment").fill("Dyeing queue is full")
    await page.get_by_role("button", name="Send answer").click()
    row = page.locator("table.po-lines tbody tr").first
    await expect(row).to_contain_text("Accepted with changes")
    await expect(row).to_contain_text("Dyeing queue is full")
    await screenshot(page, "supplier-purchase-order")
