"""A deal registration in a real browser: a distributor registers a deal, the KAM approves
it, and the distributor sees the customer protected. Screenshots go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.support import PASSWORD, Cast, Member

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def _log_in(page: Page, live_server: str, member: Member) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(member.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _screenshot(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / name)


async def test_a_distributor_registers_a_deal_the_kam_approves_and_it_is_protected(
    cast: Cast, live_server: str, page: Page
) -> None:
    await _log_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/sales/registrations")
    await page.get_by_role("link", name="Register a deal").click()
    await page.get_by_label("End customer").fill("上海第一人民医院")
    await page.get_by_label("Region").fill("CN-SH")
    await page.get_by_label("Expected quantity (pieces)").fill("1200")
    await page.get_by_label("Expected value").fill("480000")
    await page.get_by_role("button", name="Register the deal").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("上海第一人民医院 · CN-SH")
    await expect(page.locator("main")).to_contain_text("Waiting for a decision")
    await page.screenshot(path=_screenshot("sales-registration-pending.png"), full_page=True)

    await _log_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/sales/registrations")
    await page.get_by_role("link", name="上海第一人民医院").click()
    await page.get_by_label("Note to the partner").fill("Go ahead, the hospital is yours.")
    await page.get_by_role("button", name="Approve and protect").click()
    await expect(page.locator("main")).to_contain_text("Approved")

    await _log_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/sales/registrations")
    rows = page.locator("#registration-rows")
    await expect(rows).to_contain_text("Approved")
    await expect(rows).to_contain_text("Protected until")
    await page.screenshot(path=_screenshot("sales-registration-protected.png"), full_page=True)
