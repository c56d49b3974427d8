"""Who approves a campaign's order is chosen among the client's own users; the brand's
KAM cannot be one, and once chosen nobody else approves."""

from __future__ import annotations

from typing import Any

from group_orders import approvals, campaigns, choices
from partner_portal.accounts.services import viewer_for_user_id
from tests.group_orders.support import (
    NOW,
    add_people,
    approve_as_reviewed,
    choice_form,
    items,
    make_campaign,
    make_uniform,
)
from tests.support import Cast, PortalClient


async def test_only_the_chosen_approvers_among_the_clients_users_approve(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("175/92A", 1)})
    )
    await campaigns.close_campaign(await viewer_for_user_id(cast.client.id), campaign)

    await client.sign_in(cast.kam)
    review = await client.get(f"/group-orders/{campaign.uuid}/review?lang=en")
    assert "Who approves" in review.text and cast.client.email in review.text
    assert cast.kam.email not in review.text  # the brand's people are not candidates
    refused = await client.post_form(
        f"/group-orders/{campaign.uuid}/approvers", {"approver": str(cast.kam.uuid)}
    )
    assert refused.status_code == 400
    assert "Approvers are chosen among the client" in refused.text
    chosen = await client.post_form(
        f"/group-orders/{campaign.uuid}/approvers", {"approver": str(cast.client.uuid)}
    )
    assert chosen.status_code == 303

    by_kam = await approve_as_reviewed(await viewer_for_user_id(cast.kam.id), campaign.id)
    assert by_kam.error == "Only the approvers chosen for this campaign may approve it."
    assert (await campaigns.campaign_by_id(campaign.id)).status == "closed"
    by_client = await approve_as_reviewed(await viewer_for_user_id(cast.client.id), campaign.id)
    assert by_client.order_uuid is not None and not by_client.error
    assert isinstance(by_client, approvals.Approval)


async def test_one_approver_is_refused_where_orders_need_two_approvals(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    from decimal import Decimal

    from group_orders.tables import CampaignApprover
    from partner_portal.partners.tables import User

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform(), second_approval_above=Decimal("100"))
    colleague = (
        await User.insert(
            User(
                email="finance@ecbank.test",
                display_name="财务 周",
                organisation=cast.bank.id,
                role="group_client",
                password_hash="x",
                is_active=True,
                created_at=NOW,
            )
        )
        .returning(User.uuid)
        .run()
    )[0]["uuid"]
    await client.sign_in(cast.client)
    url = f"/group-orders/{campaign.uuid}/approvers"
    alone = await client.post_form(url + "?lang=en", {"approver": str(cast.client.uuid)})
    assert alone.status_code == 400
    assert "need two approvals by different people" in alone.text
    assert await CampaignApprover.count() == 0
    both = await client.post_form(url, {"approver": [str(cast.client.uuid), str(colleague)]})
    assert both.status_code == 303
    assert await CampaignApprover.count() == 2
