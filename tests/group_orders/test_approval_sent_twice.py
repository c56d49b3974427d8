"""Approving twice at once (a double click, or two approvers in the same moment) places one
order and both land on it; a double click on a first approval records it once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from group_orders import campaigns, choices
from group_orders.records import CampaignRecord
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.audit.tables import AuditEntry
from partner_portal.orders.tables import Order
from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    reviewed_value,
)
from tests.orders.pages_support import idempotency_key
from tests.support import Cast, Member, PortalClient, landed_on_one_page


async def _closed_campaign(cast: Cast, **options: Any) -> CampaignRecord:
    campaign = await make_campaign(cast, await make_uniform(), **options)
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("170/88A", 2)})
    )
    await campaigns.close_campaign(await viewer_for_user_id(cast.client.id), campaign)
    return campaign


async def _approve_form(
    client: PortalClient, member: Member, campaign: CampaignRecord
) -> dict[str, str]:
    """The review page's approve form, as drawn for ``member``."""
    await client.sign_in(member)
    page = await client.get(f"/group-orders/{campaign.uuid}/review")
    assert page.status_code == 200
    return {"reviewed": reviewed_value(page.text), "idempotency_key": idempotency_key(page.text)}


async def test_a_double_click_on_approve_places_one_order_and_both_land_on_it(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _closed_campaign(cast)
    form = await _approve_form(client, cast.client, campaign)
    url = f"/group-orders/{campaign.uuid}/approve"

    landed = landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    assert landed.endswith("?notice=ordered")
    assert await Order.count() == 1
    approvals = await AuditEntry.count().where(AuditEntry.action == "approve")
    assert approvals == 1


async def test_two_approvers_at_once_place_one_order(
    app: Any, client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _closed_campaign(cast)
    url = f"/group-orders/{campaign.uuid}/approve"
    client_form = await _approve_form(client, cast.client, campaign)
    async with PortalClient.for_app(app) as kam_client:
        kam_form = await _approve_form(kam_client, cast.kam, campaign)

        by_client, by_kam = await asyncio.gather(
            client.post_form(url, client_form), kam_client.post_form(url, kam_form)
        )

    assert landed_on_one_page(by_client, by_kam).endswith("?notice=ordered")
    [order] = await Order.select(Order.uuid)
    ordered = await campaigns.campaign_by_id(campaign.id)
    assert ordered.status == "ordered" and ordered.order_uuid == order["uuid"]
    assert await AuditEntry.count().where(AuditEntry.action == "approve") == 1


async def test_a_double_click_on_a_first_approval_records_it_once(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _closed_campaign(cast, second_approval_above=Decimal("100"))
    form = await _approve_form(client, cast.client, campaign)
    url = f"/group-orders/{campaign.uuid}/approve"

    landed = landed_on_one_page(*await client.post_form_twice_at_once(url, form))

    assert landed.endswith("?notice=first_approval")
    assert await Order.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "first_approval") == 1
