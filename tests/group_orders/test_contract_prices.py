"""Prices from the client's contract: the kernel's terms registry gives the contract in
force; a campaign taking its prices from it has the price list less the contract's
discount, shows where its prices come from, and refuses the choice without a contract."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from group_orders import campaigns, choices
from group_orders.records import CampaignRecord
from group_orders.tables import Campaign
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.orders.tables import Order
from partner_portal.registries import CommercialTerms, registry
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

CONTRACT = uuid.uuid4()


def _contract_in_force(monkeypatch: pytest.MonkeyPatch, organisation_id: int, **terms: Any) -> None:
    """The registry answers for the client as the contracts module does for a contract."""

    async def terms_for(wanted: int) -> CommercialTerms | None:
        if wanted != organisation_id:
            return None
        return CommercialTerms(contract_uuid=CONTRACT, **terms)

    monkeypatch.setattr(registry, "commercial_terms", terms_for)


def _form(**values: str) -> dict[str, str]:
    today = NOW.date()
    return {
        "name": "Spring uniforms",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=10)).isoformat(),
        **values,
    }


async def test_a_campaign_takes_the_contracts_discount_and_shows_its_price_source(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    uniform = await make_uniform()
    _contract_in_force(
        monkeypatch, cast.bank.id, discount_percent=Decimal("12.5"), currency="CNY", tier="gold"
    )
    await client.sign_in(cast.client)
    created = await client.post_form("/group-orders/new", _form(price_source="contract"))
    assert created.status_code == 303, created.text
    saved = await Campaign.select().first()
    assert saved is not None
    assert (saved["price_source"], saved["contract_discount_percent"], saved["contract_uuid"]) == (
        "contract",
        Decimal("12.5"),
        CONTRACT,
    )
    added = await client.post_form(
        f"{created.headers['location']}/items",
        {"style_code": "SS27-UN-001", "colour_code": "NVY", "logo": "Logo", "logo_price": "10"},
    )
    assert added.status_code == 303
    page = await client.get(created.headers["location"])
    assert "From the contract in force: the price list less 12.5%" in page.text
    assert f'href="/contracts/{CONTRACT}"' in page.text
    # 100 on the price list, less 12.5 %, plus 10 for the logo.
    campaign = await campaigns.campaign_by_id(saved["id"])
    [shirt] = await items(campaign)
    assert {size["price"] for size in shirt.sizes} == {Decimal("97.50")}
    assert uniform.shirt_id == shirt.style_id


async def test_the_order_of_a_contract_priced_campaign_has_the_contract_prices(
    cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(
        cast,
        await make_uniform(),
        price_source="contract",
        contract_discount_percent=Decimal("10"),
        contract_uuid=CONTRACT,
    )
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    form = await choices.save_choices(
        person,
        campaign,
        choice_form(await items(campaign), {0: ("170/88A", 2), 1: ("170/76A", 1)}),
    )
    assert not form.errors
    # Shirts 100 - 10 % + 10 logo = 100 each, trousers 80 - 10 % = 72.
    assert form.settlement.total == Decimal("272")
    viewer = await viewer_for_user_id(cast.client.id)
    await campaigns.close_campaign(viewer, campaign)
    approval = await approve_as_reviewed(viewer, campaign.id)
    assert approval.order_uuid is not None, approval.error
    order = await Order.select(Order.total).first()
    assert order is not None and order["total"] == Decimal("272")


async def test_without_a_contract_in_force_the_contract_cannot_set_the_prices(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    _contract_in_force(monkeypatch, cast.retailer_a.id, discount_percent=Decimal("5"))
    await client.sign_in(cast.client)
    refused = await client.post_form("/group-orders/new", _form(price_source="contract"))
    assert refused.status_code == 400
    assert "The client has no contract in force" in refused.text
    assert await Campaign.count() == 0


async def test_a_contract_in_another_currency_is_refused_and_the_price_list_still_works(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    _contract_in_force(monkeypatch, cast.bank.id, discount_percent=Decimal("5"), currency="USD")
    await client.sign_in(cast.client)
    refused = await client.post_form("/group-orders/new", _form(price_source="contract"))
    assert refused.status_code == 400
    assert "The contract is in USD but the client buys in CNY." in refused.text
    assert await Campaign.count() == 0
    created = await client.post_form("/group-orders/new", _form(price_source="price_list"))
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert 'data-testid="price-source">From the client\'s price list<' in page.text


async def test_switching_back_to_the_price_list_forgets_the_contract(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    _contract_in_force(monkeypatch, cast.bank.id, discount_percent=Decimal("10"))
    await client.sign_in(cast.client)
    created = await client.post_form("/group-orders/new", _form(price_source="contract"))
    page = created.headers["location"]
    campaign = CampaignRecord.from_row(await Campaign.select().first() or {})
    assert campaign is not None
    values = campaigns.campaign_form_values(campaign, {})
    assert values["price_source"] == "contract"
    saved = await client.post_form(f"{page}/edit", {**values, "price_source": "price_list"})
    assert saved.status_code == 303
    after = await campaigns.campaign_by_id(campaign.id)
    assert (after.price_source, after.contract_discount_percent) == ("price_list", None)


async def test_once_people_have_chosen_the_price_source_can_no_longer_change(
    client: PortalClient, cast: Cast, frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_clock.frozen_at = NOW
    _contract_in_force(monkeypatch, cast.bank.id, discount_percent=Decimal("10"))
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await choices.save_choices(
        person, campaign, choice_form(await items(campaign), {0: ("170/88A", 1)})
    )
    await client.sign_in(cast.client)
    values = campaigns.campaign_form_values(campaign, {})
    refused = await client.post_form(
        f"/group-orders/{campaign.uuid}/edit", {**values, "price_source": "contract"}
    )
    assert refused.status_code == 400
    assert "People have already chosen at the current prices" in refused.text
    assert (await campaigns.campaign_by_id(campaign.id)).price_source == "price_list"
    renamed = await client.post_form(
        f"/group-orders/{campaign.uuid}/edit", {**values, "name": "Spring 2027"}
    )
    assert renamed.status_code == 303
