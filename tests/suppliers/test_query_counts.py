"""Purchasing pages run as many queries for a dozen materials as for one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from partner_portal.app import register_plugins
from suppliers import forecasting, planning
from tests.partners.test_list_query_count import queries_for
from tests.suppliers.support import (
    add_bom,
    add_order,
    add_purchase_order,
    make_material,
    make_style,
)
from tests.support import Cast, PortalClient

PAGES = (
    "/suppliers/forecast",
    "/suppliers/purchase-orders",
    "/suppliers/scorecards",
    "/suppliers/materials",
)


async def test_purchasing_pages_cost_a_fixed_number_of_queries(
    client: PortalClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_plugins()
    ship = planning.monday_of(datetime.now(UTC).date()) + timedelta(weeks=5)
    shirt = await make_style()
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed", ship_date=ship
    )

    async def add_materials(first: int, last: int) -> None:
        for number in range(first, last):
            material = await make_material(cast.mill.id, f"HF-{number:03d}")
            await add_bom(shirt, material["id"], "1.2")
            await add_purchase_order(cast.mill.id, material["id"], "10", ship)
        await forecasting.publish_forecast(None)

    await add_materials(0, 1)
    # A second version, so both measurements compare against a previous one.
    await add_order(
        cast.distributor_a.id, shirt, {("NVY", "S"): 10}, status="submitted", ship_date=ship
    )
    await forecasting.publish_forecast(None)
    counts = {}
    for member in (cast.staff, cast.supplier):
        await client.sign_in(member)
        counts[member.email] = [await queries_for(client, page, monkeypatch) for page in PAGES]
    await add_materials(1, 12)
    for member in (cast.staff, cast.supplier):
        await client.sign_in(member)
        assert [await queries_for(client, page, monkeypatch) for page in PAGES] == counts[
            member.email
        ]
