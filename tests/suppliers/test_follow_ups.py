"""Unanswered POs and uncommitted forecast weeks become follow-ups for the brand, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from partner_portal.app import register_plugins
from partner_portal.registries import registry
from scheduler.tables import FollowUp
from suppliers import forecasting
from suppliers.tables import PurchaseOrder
from tests.suppliers.support import (
    FIRST_WEEK,
    NOW,
    add_bom,
    add_order,
    add_purchase_order,
    make_material,
    make_style,
)
from tests.support import Cast


async def test_unanswered_pos_and_weeks_get_one_follow_up_each(
    cast: Cast, frozen_clock: Any
) -> None:
    register_plugins()
    frozen_clock.frozen_at = NOW
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_bom(shirt, shell["id"], "1.5")
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed",
        ship_date=FIRST_WEEK + timedelta(weeks=3),
    )  # fmt: skip
    await forecasting.publish_forecast(None)
    old = await add_purchase_order(cast.mill.id, shell["id"], "100", FIRST_WEEK)
    await PurchaseOrder.update(
        {PurchaseOrder.sent_at: NOW - timedelta(days=5), PurchaseOrder.created_by: cast.staff.id}
    ).where(PurchaseOrder.id == old)
    fresh = await add_purchase_order(cast.mill.id, shell["id"], "100", FIRST_WEEK)
    await PurchaseOrder.update({PurchaseOrder.sent_at: NOW - timedelta(days=1)}).where(
        PurchaseOrder.id == fresh
    )

    job = registry.jobs["suppliers.follow_ups"]
    assert await job.run() == "2 purchasing follow-ups planned"
    assert await job.run() == "0 purchasing follow-ups planned"

    rows = await FollowUp.select(FollowUp.owner, FollowUp.title, FollowUp.organisation)
    by_owner = {row["owner"]: row["title"] for row in rows}
    # The PO's buyer chases the PO; the mill's owner chases the uncommitted week.
    assert "MPO-" in by_owner[cast.staff.id]
    assert by_owner[cast.other_kam.id].startswith("Forecast weeks without a commitment from ")
    assert by_owner[cast.other_kam.id].endswith(": 1")
    assert {row["organisation"] for row in rows} == {cast.mill.id}
