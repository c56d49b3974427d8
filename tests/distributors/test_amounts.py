"""Amounts on the rules and credit pages are read in their currency (KRW has no decimals:
refused, not stored)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from distributors.tables import MinimumOrderValue, PartnerCredit
from tests.distributors.support import Sheet, make_sheet
from tests.support import Cast, PortalClient


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet()


async def test_a_won_minimum_with_decimals_is_refused_and_no_rule_saved(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.admin)
    form = {
        "min_order_value-enabled": "on",
        "min_order_value-severity": "blocking",
        "min_order_value-amount-CNY": "5000",
        "min_order_value-amount-KRW": "950000.5",
    }

    refused = await client.post_form("/distributors/rules", form)

    assert refused.status_code == 400 and "KRW amounts have no decimals." in refused.text
    assert await MinimumOrderValue.count() == 0


async def test_a_partners_credit_is_read_in_its_currency(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.admin)
    won = f"/distributors/credit/{cast.distributor_b.uuid}"
    yuan = f"/distributors/credit/{cast.distributor_a.uuid}"

    won_decimals = await client.post_form(won, {"unpaid_amount": "1200000.5", "version": "0"})
    yuan_decimals = await client.post_form(yuan, {"unpaid_amount": "12000.505", "version": "0"})
    full_width = await client.post_form(won, {"unpaid_amount": "１,２００,０００", "version": "0"})

    assert won_decimals.status_code == 400
    assert "KRW amounts have no decimals." in won_decimals.text
    assert yuan_decimals.status_code == 400
    assert "CNY amounts have at most 2 decimals." in yuan_decimals.text
    assert full_width.status_code == 303
    rows = await PartnerCredit.select(PartnerCredit.organisation, PartnerCredit.unpaid_amount)
    assert rows == [{"organisation": cast.distributor_b.id, "unpaid_amount": Decimal(1200000)}]
