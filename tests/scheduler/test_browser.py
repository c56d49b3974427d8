"""In a real browser: a KAM completes a repeating follow-up from the agenda and sees
the next occurrence appear in place; a KAM with many partners narrows the agenda by
typing a partner's name, and picks a follow-up's partner by typing its name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from partner_portal.partners import picker
from scheduler import agenda
from scheduler.tables import FollowUp
from tests.browser import screenshot, sign_in
from tests.scheduler.support import follow_up
from tests.support import PASSWORD, Cast


async def test_a_kam_completes_a_weekly_call_from_the_agenda_and_sees_the_next_one(
    cast: Cast, live_server: str, page: Page
) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    await follow_up(
        cast.distributor_a, cast.kam, due, title="每周订单电话", recurrence="FREQ=WEEKLY"
    )

    await page.goto(f"{live_server}/login")
    await page.get_by_label("E-mail").fill(cast.kam.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Agenda")).to_be_visible()

    row = page.locator("li.follow-up", has_text="每周订单电话")
    await expect(row).to_have_count(1)
    # The row's actions come when its menu is opened.
    await expect(row.get_by_label("Outcome")).to_have_count(0)
    await row.locator("summary", has_text="Move, skip or finish").click()
    await row.get_by_label("Outcome").fill("下单 120 件")
    await screenshot(page, "agenda-row-menu-open")
    await row.get_by_role("button", name="Done").click()

    # The done row and next week's, swapped in by htmx without leaving the page.
    rows = page.locator("li.follow-up", has_text="每周订单电话")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("下单 120 件")
    # Shown in the KAM's zone, in the browser's (en-GB) date format.
    next_week = (due + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%d/%m/%Y")
    await expect(rows.nth(1)).to_contain_text(next_week)
    assert page.url.endswith("/agenda")


async def test_a_kam_with_many_partners_types_a_partners_name_to_narrow_the_agenda(
    cast: Cast, live_server: str, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda, "PARTNER_MENU_LIMIT", 2)  # the kam sees three partners
    soon = datetime.now(UTC) + timedelta(hours=1)
    await follow_up(cast.distributor_a, cast.kam, soon, title="锦程的电话")
    await follow_up(cast.retailer_a, cast.kam, soon, title="衣尚的拜访")
    await sign_in(page, live_server, cast.kam)

    await page.get_by_role("searchbox", name="Partner").fill("杭州")

    # The sections swapped in by htmx as the KAM types, the address kept for a reload.
    await expect(page.locator("li.follow-up", has_text="锦程的电话")).to_have_count(0)
    await expect(page.locator("li.follow-up", has_text="衣尚的拜访")).to_have_count(1)
    await expect(page).to_have_url(re.compile(r"/agenda\?.*partner_name=%E6%9D%AD%E5%B7%9E"))
    await page.goto(f"{live_server}/agenda?partner={cast.retailer_a.uuid}")
    await expect(page.locator(".filters .badge")).to_contain_text(cast.retailer_a.legal_name)
    await screenshot(page, "agenda-partner-badge")


async def test_a_kam_with_many_partners_types_a_name_to_pick_a_follow_ups_partner(
    cast: Cast, live_server: str, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(picker, "MENU_LIMIT", 2)  # the kam sees three partners
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/follow-ups/new")
    partner = page.get_by_role("combobox", name="Partner", exact=True)
    await expect(partner.locator("option")).to_have_count(1)  # "Choose…" until a name is typed

    await page.get_by_label("To do").fill("巡店")
    await page.get_by_role("searchbox").press_sequentially("杭州")
    # Enter, as people do after typing a search, searches in place: the page is not left
    # for the no-script search, and what was typed into the form stays.
    await page.get_by_role("searchbox").press("Enter")

    # The matching partners swapped in by htmx, the page not left.
    await expect(partner.locator("option", has_text=cast.retailer_a.legal_name)).to_have_count(1)
    await expect(partner.locator("option", has_text=cast.distributor_a.legal_name)).to_have_count(0)
    await screenshot(page, "follow-up-partner-picker")
    await expect(page).to_have_url(f"{live_server}/follow-ups/new")
    await expect(page.get_by_label("To do")).to_have_value("巡店")
    await partner.select_option(label=cast.retailer_a.legal_name)
    await page.get_by_label("Due").fill("2030-06-05")
    await page.get_by_role("button", name="Save").click()

    await expect(page.get_by_text("巡店").first).to_be_visible()
    saved = await FollowUp.select(FollowUp.organisation).first()
    assert saved is not None and saved["organisation"] == cast.retailer_a.id
