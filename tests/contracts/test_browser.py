"""Acceptance in a real browser: the distributor's admin opens the issued contract,
accepts it with the code e-mailed to them, and the KAM sees it accepted. Screenshots go to var/screenshots/."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser import screenshot, sign_in
from tests.contracts.support import delivered_code, issue, make_contract, make_template
from tests.notifications.conftest import SmtpServer
from tests.support import Cast


async def test_a_distributor_accepts_an_issued_contract_and_the_kam_sees_it_accepted(
    cast: Cast, live_server: str, page: Page, mail_settings: Any, smtp: SmtpServer
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    await issue(cast.admin, contract)

    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/contracts")
    await page.get_by_role("link", name=contract["number"]).click()
    await expect(page.locator("#contract-status")).to_have_text("Issued, awaiting the partner")
    await page.get_by_label("Your job title").fill("总经理")
    await page.get_by_label("I have read version 1").check()
    await screenshot(page, "contract-accept")
    await page.get_by_role("button", name="Accept this contract").click()
    await expect(page.locator("#confirm")).to_contain_text(cast.distributor.email)
    await page.get_by_label("Code").fill(await delivered_code(mail_settings, smtp))
    await page.get_by_role("button", name="Confirm and accept").click()
    await expect(page.locator("#contract-status")).to_have_text(
        "Accepted, awaiting countersignature"
    )
    await expect(page.locator("#signatures")).to_contain_text("总经理")

    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, live_server, cast.kam)
    await page.goto(f"{live_server}/partners/{cast.distributor_a.uuid}")
    panel = page.locator("#panel-contracts")
    await expect(panel).to_contain_text("Accepted, awaiting countersignature")
    await panel.get_by_role("link", name=contract["number"]).click()
    await expect(page.locator("#signatures")).to_contain_text("总经理")
    await screenshot(page, "contract-accepted-kam")
