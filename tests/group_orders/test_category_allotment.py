"""Allotment per catalog category: N pieces per person across every item of a category,
beside the per-item allotment and the allowance; set in the campaign form, shown as
"left" on the employee's page, enforced when choices are saved."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from group_orders import campaigns
from group_orders.choices import Pick, settle
from group_orders.records import CampaignRecord
from group_orders.tables import CampaignItem, CategoryAllotment, Choice
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.catalog.tables import Colourway, Size, Sku
from tests.group_orders.support import (
    NOW,
    Uniform,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    token_for,
)
from tests.support import Cast, PortalClient

NAVY, WHITE, TROUSERS = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _picks(navy: int, white: int, trousers: int = 0) -> list[Pick]:
    return [
        Pick(NAVY, 2, navy, Decimal("100"), "shirts"),
        Pick(WHITE, 2, white, Decimal("100"), "shirts"),
        Pick(TROUSERS, 1, trousers, Decimal("80"), "trousers"),
    ]


def test_a_category_allows_its_pieces_in_total_across_its_items() -> None:
    at_the_limit = settle("allotment", None, "employee_pays", _picks(2, 1, 1), {"shirts": 3})
    assert not at_the_limit.errors
    assert at_the_limit.per_category == {"shirts": 3, "trousers": 1}
    one_over = settle("allotment", None, "employee_pays", _picks(2, 2), {"shirts": 3})
    assert one_over.errors == {"category_shirts": "At most 3 pieces of Shirts in total."}


def test_the_per_item_allotment_still_applies_under_a_category_allotment() -> None:
    result = settle("allotment", None, "employee_pays", _picks(3, 0), {"shirts": 5})
    assert set(result.errors) == {str(NAVY)}


def test_a_category_allotment_applies_beside_an_allowance() -> None:
    within = settle("allowance", Decimal("250"), "employee_pays", _picks(1, 1), {"shirts": 2})
    assert not within.errors and within.employee_pays == 0
    over_both = settle("allowance", Decimal("250"), "refused", _picks(2, 1, 1), {"shirts": 2})
    assert set(over_both.errors) == {"category_shirts", "allowance"}


async def _two_shirt_colours(cast: Cast, uniform: Uniform, limit: int) -> CampaignRecord:
    """The test campaign (shirt in navy, trousers) plus the shirt in white, 2 per person
    each, and at most ``limit`` uniform shirts in total."""
    campaign = await make_campaign(cast, uniform)
    row = (
        await Colourway.insert(Colourway(style=uniform.shirt_id, code="WHT", name="White"))
        .returning(Colourway.id)
        .run()
    )
    white = row[0]["id"]
    sizes = await Size.select(Size.id).where(Size.label.is_in(["170/88A", "175/92A"]))
    await Sku.insert(
        *(Sku(style=uniform.shirt_id, colourway=white, size=size["id"]) for size in sizes)
    ).run()
    await CampaignItem.insert(
        CampaignItem(
            campaign=campaign.id,
            organisation=cast.bank.id,
            style=uniform.shirt_id,
            colourway=white,
            allotment=2,
            position=2,
        )
    ).run()
    await CategoryAllotment.insert(
        CategoryAllotment(
            campaign=campaign.id, organisation=cast.bank.id, category="uniform", allotment=limit
        )
    ).run()
    return campaign


async def test_the_employee_sees_what_is_left_and_cannot_pass_the_category_total(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _two_shirt_colours(cast, await make_uniform(), limit=3)
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    offered = await items(campaign)  # navy shirt, trousers, white shirt
    url = f"/g/{token_for(campaign, person, settings.secret_key)}?lang=en"

    page = await client.get(url)
    assert "Uniform: 3 pieces in total" in page.text and "left: 3" in page.text

    over = await client.post_form(
        url, choice_form(offered, {0: ("170/88A", 2), 2: ("175/92A", 2)}, action="save")
    )
    assert over.status_code == 400
    assert "At most 3 pieces of Uniform in total." in over.text
    assert await Choice.count() == 0

    at_the_limit = await client.post_form(
        url,
        choice_form(
            offered, {0: ("170/88A", 2), 1: ("170/76A", 1), 2: ("175/92A", 1)}, action="save"
        ),
    )
    assert at_the_limit.status_code == 200 and "Your choices are saved" in at_the_limit.text
    assert "left: 0" in at_the_limit.text
    assert sum(row["quantity"] for row in await Choice.select(Choice.quantity)) == 4


async def test_the_client_admin_is_held_to_the_category_total_when_entering_sizes(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await _two_shirt_colours(cast, await make_uniform(), limit=2)
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    offered = await items(campaign)
    await client.sign_in(cast.client)
    refused = await client.post_form(
        f"/group-orders/employees/{person.uuid}/choices",
        choice_form(offered, {0: ("170/88A", 2), 2: ("170/88A", 1)}),
    )
    assert refused.status_code == 400 and "At most 2 pieces of Uniform in total." in refused.text
    assert await Choice.count() == 0


async def test_the_campaign_form_sets_and_checks_pieces_per_category(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    await client.sign_in(cast.client)
    today = NOW.date()
    form = {
        "name": "Autumn uniforms",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=10)).isoformat(),
    }
    for bad in ("0", "51", "three"):
        refused = await client.post_form("/group-orders/new", {**form, "per_category_shirts": bad})
        assert refused.status_code == 400
        assert "Enter a whole number from 1 to 50." in refused.text
    assert await CategoryAllotment.count() == 0

    created = await client.post_form(
        "/group-orders/new", {**form, "per_category_shirts": "3", "per_category_trousers": "2"}
    )
    assert created.status_code == 303
    page = created.headers["location"]
    [campaign] = await campaigns.list_campaigns(await viewer_for_user_id(cast.client.id))
    assert await campaigns.category_allotments(campaign.id) == {"shirts": 3, "trousers": 2}
    shown = await client.get(page)
    assert "Shirts: 3 · Trousers: 2" in shown.text

    edit = await client.get(f"{page}/edit")
    assert 'name="per_category_shirts" type="text" value="3"' in edit.text
    values = campaigns.campaign_form_values(
        await campaigns.campaign_by_id(campaign.id), {"shirts": 3}
    )
    changed = await client.post_form(
        f"{page}/edit", {**values, "per_category_shirts": "", "per_category_skirts": "1"}
    )
    assert changed.status_code == 303
    assert await campaigns.category_allotments(campaign.id) == {"skirts": 1}
