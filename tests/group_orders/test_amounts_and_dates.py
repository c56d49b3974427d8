"""A campaign's amounts are read in the client's currency (KRW has no decimals) and its
dates as ISO dates; a wrong one is a message beside its field and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from group_orders.forms import parse_measurement
from group_orders.tables import Campaign, CampaignItem
from partner_portal.partners.tables import Organisation
from tests.group_orders.support import NOW, make_uniform
from tests.support import Cast, PortalClient


def _campaign_form(**fields: str) -> dict[str, str]:
    today = NOW.date()
    return {
        "name": "Spring uniforms",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=10)).isoformat(),
        "entitlement": "allowance",
        "allowance": "500",
        "delivery_mode": "per_department",
        "tipping_point": "1",
        **fields,
    }


async def test_a_won_allowance_with_decimals_is_refused_and_nothing_saved(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await Organisation.update({Organisation.currency: "KRW"}).where(Organisation.id == cast.bank.id)
    await client.sign_in(cast.client)

    decimals = await client.post_form("/group-orders/new", _campaign_form(allowance="150000.5"))
    bad_date = await client.post_form("/group-orders/new", _campaign_form(closes_on="31/12/2027"))
    huge = await client.post_form("/group-orders/new", _campaign_form(allowance="1" * 15))

    assert decimals.status_code == 400 and "KRW amounts have no decimals." in decimals.text
    assert bad_date.status_code == 400 and "Enter a date as YYYY-MM-DD." in bad_date.text
    assert huge.status_code == 400 and "The amount is too large." in huge.text
    assert await Campaign.count() == 0

    saved = await client.post_form("/group-orders/new", _campaign_form(allowance="150,000"))
    assert saved.status_code == 303
    campaign = await Campaign.select(Campaign.allowance, Campaign.currency).first()
    assert campaign == {"allowance": Decimal("150000"), "currency": "KRW"}


async def test_a_logo_price_in_yuan_has_at_most_two_decimals(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await make_uniform()
    await client.sign_in(cast.client)
    created = await client.post_form("/group-orders/new", _campaign_form())
    page = created.headers["location"]

    refused = await client.post_form(
        f"{page}/items",
        {
            "style_code": "SS27-UN-001",
            "colour_code": "NVY",
            "logo": "Bank logo",
            "logo_price": "12.345",
        },
    )

    assert refused.status_code == 400 and "CNY amounts have at most 2 decimals." in refused.text
    assert await CampaignItem.count() == 0


def test_a_body_measurement_is_whole_centimetres_within_its_bounds() -> None:
    assert parse_measurement("172.4", 90, 220) == 172
    assert parse_measurement("１７５", 90, 220) == 175
    for text in ("", "tall", "inf", "nan", "1e3", "300", "-170"):
        assert parse_measurement(text, 90, 220) is None
