"""Retailers under a distributor (its page, orders on their behalf) and the brand's
territory conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from partner_portal.orders import services as orders
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import Order, OrderChannel, OrderStatus
from partner_portal.partners.tables import Organisation, Territory
from tests.distributors.support import Sheet, grid_form, make_sheet, viewer
from tests.support import Cast, Org, PortalClient, _user


@pytest.fixture
async def sheet(database: str) -> Sheet:
    return await make_sheet(tiers=("gold", "silver", "standard"))


async def test_a_distributor_orders_for_its_retailer_at_the_retailers_prices(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.distributor)
    page = await client.get("/distributors/retailers")
    assert page.status_code == 200
    assert cast.retailer_a.legal_name in page.text
    assert f"/line-sheets/{sheet.uuid}/order?buyer={cast.retailer_a.uuid}" in page.text
    grid = await client.get(f"/line-sheets/{sheet.uuid}/order?buyer={cast.retailer_a.uuid}")
    assert grid.status_code == 200 and "110.00" in grid.text
    form = grid_form(
        sheet,
        {(0, "BLK", "S"): 10},
        buyer=str(cast.retailer_a.uuid),
        intent="submit",
        idempotency_key="on-behalf-0001",
    )
    response = await client.post_form("/distributors/matrix", form)
    assert response.status_code == 303
    order = await Order.select().where(Order.buyer == cast.retailer_a.id).first()
    assert order is not None and order["status"] == OrderStatus.submitted
    assert order["placed_by"] == cast.distributor.id
    assert order["total"] == 1100  # the retailer's (standard tier) price, 110
    page = await client.get("/distributors/retailers")
    assert order["number"] in page.text


async def test_another_distributor_cannot_order_for_the_retailer(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await client.sign_in(cast.other_distributor)
    grid = await client.get(f"/line-sheets/{sheet.uuid}/order?buyer={cast.retailer_a.uuid}")
    assert grid.status_code == 404
    page = await client.get("/distributors/retailers")
    assert cast.retailer_a.legal_name not in page.text


async def test_the_brand_sees_territory_conflicts(
    client: PortalClient, cast: Cast, sheet: Sheet
) -> None:
    await Territory.insert(
        Territory(organisation=cast.distributor_a.id, region_code="CN-SH"),
        Territory(organisation=cast.distributor_b.id, region_code="CN-JS"),
        Territory(organisation=cast.retailer_a.id, region_code="CN-SH"),
    )
    # A retailer without a distributor in distributor_b's region ordering direct...
    direct = await Organisation.insert(
        Organisation(kind="retailer", legal_name="苏州直营店", currency="CNY", status="active")
    ).returning(Organisation.id, Organisation.uuid)
    await Territory.insert(Territory(organisation=direct[0]["id"], region_code="CN-JS"))
    first = sheet.shop.styles[0]
    shop_owner = await _user("owner@suzhou.test", "retailer", _org(direct[0]), is_org_admin=True)
    placed = await orders.place_order(
        await viewer(shop_owner),
        OrderDraft(
            buyer_id=direct[0]["id"],
            channel=OrderChannel.retailer,
            lines=[first.line("BLK", "S", 10)],
        ),
    )
    assert placed.saved, placed.errors
    # ...and retailer_a, served by distributor_a, in a region distributor_b holds as well
    # (under Shanghai's former code: the same region).
    await Territory.insert(Territory(organisation=cast.distributor_b.id, region_code="CN-31"))

    await client.sign_in(cast.admin)
    page = await client.get("/distributors/conflicts")
    assert page.status_code == 200
    assert "苏州直营店" in page.text and "Retailer orders direct" in page.text
    assert cast.retailer_a.legal_name in page.text and "Claimed by two distributors" in page.text
    await client.sign_in(cast.distributor)
    assert (await client.get("/distributors/conflicts")).status_code == 403


def _org(row: dict[str, Any]) -> Org:
    return Org(row["id"], row["uuid"], "苏州直营店", "retailer")


async def test_a_retailer_in_a_city_conflicts_with_the_distributors_holding_its_province(
    client: PortalClient, cast: Cast
) -> None:
    """Regions are a hierarchy: Hangzhou lies in Zhejiang, held by two distributors."""
    await Territory.insert(
        Territory(organisation=cast.distributor_a.id, region_code="CN-ZJ"),
        Territory(organisation=cast.distributor_b.id, region_code="CN-ZJ-HZ"),
        Territory(organisation=cast.retailer_a.id, region_code="CN-ZJ-HZ"),
    )
    await client.sign_in(cast.admin)
    page = await client.get("/distributors/conflicts")
    assert cast.retailer_a.legal_name in page.text and "Claimed by two distributors" in page.text
    assert cast.distributor_a.legal_name in page.text
