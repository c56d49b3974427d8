"""The insight settings read their numbers with the kernel's parsers: NaN, Infinity and a
rate of "NaN" are a message on the page (they were a server error), nothing is saved."""

from __future__ import annotations

from decimal import Decimal

from insights import figures
from tests.support import Cast, PortalClient


async def test_not_a_number_anywhere_is_a_message_and_saves_nothing(
    cast: Cast, client: PortalClient
) -> None:
    await client.sign_in(cast.admin)
    form = {name: str(value) for name, value in (await figures.insight_settings()).items()}
    before = await figures.insight_settings()

    threshold = await client.post_form(
        "/insights/settings", {**form, "satisfaction_threshold": "NaN"}
    )
    rate = await client.post_form("/insights/settings", {**form, "exchange_rates": "KRW NaN"})
    infinite = await client.post_form(
        "/insights/settings", {**form, "exchange_rates": "KRW Infinity"}
    )
    decimals = await client.post_form(
        "/insights/settings", {**form, "annual_discount_rate": "0.12345"}
    )

    assert threshold.status_code == 400 and "Enter a number." in threshold.text
    assert rate.status_code == 400 and "KRW 0.0052" in rate.text
    assert infinite.status_code == 400 and "KRW 0.0052" in infinite.text
    assert decimals.status_code == 400 and "Use at most 4 decimals." in decimals.text
    assert await figures.insight_settings() == before

    saved = await client.post_form(
        "/insights/settings", {**form, "churn_after_days": "２００", "exchange_rates": "KRW 0.0052"}
    )
    assert saved.status_code == 303
    after = await figures.insight_settings()
    assert after["churn_after_days"] == 200
    assert (await figures.exchange_rates())["KRW"] == Decimal("0.0052")
