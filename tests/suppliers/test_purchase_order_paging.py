"""The purchase orders of the API page with a cursor, newest first, each mill seeing only
its own: a page of two, then the next, and a cursor not made by the portal is a 400
problem on ``cursor``."""

from __future__ import annotations

from typing import Any

from partner_portal.partners.tables import Organisation
from suppliers.tables import PurchaseOrder
from tests.suppliers.support import NEEDED, add_purchase_order
from tests.support import Cast, PortalClient, cursor_pages, problem_fields


async def test_a_mill_pages_through_its_own_purchase_orders_newest_first(
    client: PortalClient, cast: Cast, forecast: dict[str, Any]
) -> None:
    made = [
        await add_purchase_order(cast.mill.id, forecast["shell"]["id"], "100", NEEDED)
        for _ in range(3)
    ]
    [rival] = await Organisation.select(Organisation.id).where(Organisation.kind == "trim_supplier")
    await add_purchase_order(rival["id"], forecast["buttons"]["id"], "5000", NEEDED)
    ids = {
        row["id"]: str(row["uuid"])
        for row in await PurchaseOrder.select(PurchaseOrder.id, PurchaseOrder.uuid)
    }
    await client.log_in(cast.supplier)

    pages = await cursor_pages(client, "/api/v1/suppliers/purchase-orders")

    assert pages == [[ids[made[2]], ids[made[1]]], [ids[made[0]]]]
    forged = await client.get("/api/v1/suppliers/purchase-orders", params={"cursor": "%%"})
    assert problem_fields(forged) == {"cursor": "invalid"}
