"""The totals review at close: pieces and cost by item, colour and size and by department
and site, company-paid against employee-paid, the tipping point, and the approval, which
is only possible from the review (with two approvers above an amount)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from group_orders import approvals, campaigns, choices, rosters
from group_orders.records import CampaignRecord
from group_orders.tables import Campaign, Employee
from partner_portal.accounts.services import viewer_for_user_id
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
from tests.support import Cast, PortalClient


async def _answered_campaign(cast: Cast, **values: Any) -> CampaignRecord:
    """The bank's campaign with two people in two departments and sites who answered:
    E1 two shirts (2 x 110), E2 one pair of trousers (80)."""
    campaign = await make_campaign(cast, await make_uniform(), **values)
    people = await add_people(campaign, ("E1", "王小明", "零售银行部"), ("E2", "李秀英", "运营部"))
    for person, site in zip(people, ("上海陆家嘴", "北京金融街"), strict=True):
        await Employee.update({Employee.site: site}).where(Employee.id == person.id)
    offered = await items(campaign)
    by_number = {person.employee_number: person for person in people}
    for number, picks in (("E1", {0: ("170/88A", 2)}), ("E2", {1: ("170/76A", 1)})):
        form = await choices.save_choices(by_number[number], campaign, choice_form(offered, picks))
        assert not form.errors
    return campaign


async def test_the_review_adds_up_items_sizes_departments_and_sites_with_who_pays(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _answered_campaign(
        cast, entitlement="allowance", allowance=Decimal("150"), tipping_point=5
    )
    summary = await approvals.review(campaign)
    assert [(line["size"], line["quantity"], line["amount"]) for line in summary.lines] == [
        ("170/88A", 2, Decimal("220")),
        ("170/76A", 1, Decimal("80")),
    ]
    assert (summary.progress.company_pays, summary.progress.employee_pays) == (230, 70)
    assert [
        (row["name"], row["pieces"], row["company_pays"], row["employee_pays"])
        for row in summary.departments
    ] == [("运营部", 1, 80, 0), ("零售银行部", 2, 150, 70)]
    assert [row["name"] for row in summary.sites] == ["上海陆家嘴", "北京金融街"]

    await client.sign_in(cast.client)
    assert (await client.post_form(f"/group-orders/{campaign.uuid}/close")).status_code == 303
    page = await client.get(f"/group-orders/{campaign.uuid}/review")
    assert page.status_code == 200
    for text in ("SS27-UN-001", "170/88A", "170/76A", "零售银行部", "北京金融街", "2 more needed"):
        assert text in page.text
    assert 'data-testid="review-quantity"><strong>3</strong>' in page.text
    refused = await client.post_form(
        f"/group-orders/{campaign.uuid}/approve", {"reviewed": reviewed_value(page.text)}
    )
    assert refused.status_code == 400
    assert "production needs at least 5" in refused.text
    assert await Order.count() == 0


async def test_approval_is_only_possible_with_the_figures_of_the_review(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _answered_campaign(cast)
    url = f"/group-orders/{campaign.uuid}"
    # Past the closing date: the progress page leads to the review, not to an approval.
    await Campaign.update({Campaign.closes_on: NOW.date() - timedelta(days=1)}).where(
        Campaign.id == campaign.id
    )
    await client.sign_in(cast.client)
    progress = await client.get(url)
    assert f'href="{url}/review">Review the totals and approve<' in progress.text
    assert f'action="{url}/approve"' not in progress.text

    blind = await client.post_form(f"{url}/approve", {})
    assert blind.status_code == 400
    assert "The totals changed since the review was opened" in blind.text
    assert await Order.count() == 0

    reviewed = reviewed_value((await client.get(f"{url}/review")).text)
    # The client admin still enters someone's sizes after the review was opened.
    e2 = next(row for row in await rosters.roster(campaign) if row.employee_number == "E2")
    entered = await client.post_form(
        f"/group-orders/employees/{e2.uuid}/choices",
        choice_form(await items(campaign), {0: ("175/92A", 1), 1: ("170/76A", 1)}),
    )
    assert entered.status_code == 303
    stale = await client.post_form(f"{url}/approve", {"reviewed": reviewed})
    assert stale.status_code == 400 and "Check them and approve again" in stale.text
    assert await Order.count() == 0

    fresh = reviewed_value((await client.get(f"{url}/review")).text)
    approved = await client.post_form(f"{url}/approve", {"reviewed": fresh})
    assert approved.status_code == 303
    [order] = await Order.select(Order.uuid, Order.total)
    assert order["total"] == Decimal("110") * 3 + Decimal("80") * 1
    review = await client.get(f"{url}/review")
    assert f'href="/orders/{order["uuid"]}"' in review.text
    assert 'name="reviewed"' not in review.text


async def test_above_the_limit_the_review_shows_the_first_approver_to_the_second(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _answered_campaign(cast, second_approval_above=Decimal("200"))
    url = f"/group-orders/{campaign.uuid}"
    await campaigns.close_campaign(await viewer_for_user_id(cast.client.id), campaign)
    await client.sign_in(cast.client)
    page = await client.get(f"{url}/review")
    assert "This amount needs two approvals by different people." in page.text
    first = await client.post_form(f"{url}/approve", {"reviewed": reviewed_value(page.text)})
    assert first.status_code == 303 and first.headers["location"].endswith("notice=first_approval")
    assert await Order.count() == 0

    await client.sign_in(cast.kam)
    page = await client.get(f"{url}/review")
    client_name = (await viewer_for_user_id(cast.client.id)).display_name
    assert f"First approved by {client_name}." in page.text
    assert "Give the second approval" in page.text
    second = await client.post_form(f"{url}/approve", {"reviewed": reviewed_value(page.text)})
    assert second.status_code == 303 and second.headers["location"].endswith("notice=ordered")
    assert await Order.count() == 1


async def test_brand_staff_may_read_the_progress_but_not_open_the_review(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _answered_campaign(cast)
    await client.sign_in(cast.staff)
    assert (await client.get(f"/group-orders/{campaign.uuid}")).status_code == 200
    assert (await client.get(f"/group-orders/{campaign.uuid}/review")).status_code == 403
