"""A buyer whose contract in force names another price tier and a discount sees, while
typing in the grid, the total the saved order charges: the grid prices from the list the
contract chooses and takes its discount off, as the order book does."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from playwright.async_api import Page, expect

from partner_portal.orders.tables import Order
from partner_portal.registries import CommercialTerms, registry
from tests.browser import sign_in
from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast


def _contract_in_force(monkeypatch: pytest.MonkeyPatch, organisation_id: int) -> None:
    """The registry answers as the contracts module does for a contract in force that puts
    the gold distributor on the tier-less list (110, not gold's 100) with 10% off."""

    async def terms_for(wanted: int) -> CommercialTerms | None:
        if wanted != organisation_id:
            return None
        return CommercialTerms(
            tier="bronze",
            discount_percent=Decimal("10"),
            contract_uuid=uuid.uuid4(),
            contract_number="DC-2027-001",
        )

    monkeypatch.setattr(registry, "commercial_terms", terms_for)


async def test_the_grid_total_while_typing_is_what_the_saved_order_charges(
    cast: Cast, database: str, live_server: str, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet: Sheet = await make_sheet()
    first = sheet.shop.styles[0]
    _contract_in_force(monkeypatch, cast.distributor_a.id)
    await sign_in(page, live_server, cast.distributor)
    await page.goto(f"{live_server}/line-sheets/{sheet.uuid}/order")

    style = page.locator(f'section[data-style="{first.id}"]')
    # The contract's list price, and its discount named beside it before anything is typed.
    await expect(style.locator("header")).to_contain_text("110.00")
    await expect(style.locator(".contract-discount")).to_contain_text("10% contract DC-2027-001")

    await page.get_by_label("SS27-001 BLK S", exact=True).fill("10")
    # 10 pieces at 110 less 10%.
    await expect(page.locator(f"#sv-{first.id}")).to_contain_text("990.00")
    await expect(page.locator("#order-value")).to_contain_text("990.00")

    await page.get_by_role("button", name="Save draft").click()
    await expect(page.locator("main")).to_contain_text("990.00")
    saved = await Order.select(Order.total).where(Order.buyer == cast.distributor_a.id).first()
    assert saved is not None and saved["total"] == Decimal("990.00")
