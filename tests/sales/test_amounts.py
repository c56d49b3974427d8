"""Amounts typed in the sales forms and API are read in their currency's minor unit (KRW
has no decimals: refused, never rounded)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from sales.tables import DealRegistration, Opportunity, RebateProgramme
from tests.support import Cast, Member, PortalClient, problem_messages

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


def _opportunity_form(cast: Cast, **fields: str) -> dict[str, str]:
    return {
        "title": "Seoul flagship reorder",
        "kind": "reorder_season",
        "organisation": str(cast.distributor_b.uuid),
        "expected_close_date": "2027-03-31",
        "idempotency_key": fields.pop("idempotency_key", "opportunity-1"),
        **fields,
    }


async def test_a_won_amount_with_decimals_is_refused_not_rounded(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.other_kam)

    krw = await client.post_form(
        "/sales/opportunities/new",
        _opportunity_form(cast, currency="KRW", expected_value="250000.5"),
    )
    cny = await client.post_form(
        "/sales/opportunities/new",
        _opportunity_form(
            cast, currency="CNY", expected_value="1,500.125", idempotency_key="opportunity-2"
        ),
    )

    assert krw.status_code == 400 and "KRW amounts have no decimals." in krw.text
    assert cny.status_code == 400 and "CNY amounts have at most 2 decimals." in cny.text
    assert await Opportunity.count() == 0


async def test_a_won_amount_in_full_width_digits_is_saved_whole(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.other_kam)

    response = await client.post_form(
        "/sales/opportunities/new",
        _opportunity_form(cast, currency="KRW", expected_value="２５０，０００"),
    )

    assert response.status_code == 303, response.text
    row = await Opportunity.select(Opportunity.expected_value).first()
    assert row is not None and row["expected_value"] == Decimal("250000")


async def test_a_registration_sent_by_api_with_won_decimals_is_refused_and_saves_nothing(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    headers = await token_for(cast.other_distributor)

    response = await client.post(
        "/api/v1/deal-registrations",
        headers=headers,
        json={
            "end_customer": "서울대학교병원",
            "region": "KR-11",
            "expected_quantity": 800,
            "expected_value": "24000000.50",
            "currency": "KRW",
        },
    )

    assert response.status_code == 400
    assert problem_messages(response)["expected_value"] == "KRW amounts have no decimals."
    assert await DealRegistration.count() == 0


async def test_a_rebate_tier_that_is_not_a_number_gets_a_message_not_an_error(
    client: PortalClient, cast: Cast
) -> None:
    await client.sign_in(cast.admin)
    form = {
        "name": "Channel rebate 2027",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "currency": "KRW",
        "points_per_hundred": "1",
        "points_expiry_days": "365",
    }

    not_a_number = await client.post_form(
        "/sales/rebates/programmes/new", {**form, "tiers": "NaN 3"}
    )
    won_decimals = await client.post_form(
        "/sales/rebates/programmes/new", {**form, "tiers": "1000000.5 3"}
    )
    bad_date = await client.post_form(
        "/sales/rebates/programmes/new", {**form, "tiers": "1000000 3", "ends_on": "2027-13-01"}
    )

    assert not_a_number.status_code == 400
    assert "Write one tier a line: the amount, then the percent." in not_a_number.text
    assert won_decimals.status_code == 400
    assert "KRW amounts have no decimals." in won_decimals.text
    assert bad_date.status_code == 400 and "Enter the last day." in bad_date.text
    assert await RebateProgramme.count() == 0
