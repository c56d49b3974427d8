"""The brand turns net requirements into POs; the supplier answers each line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from partner_portal.app import register_plugins
from partner_portal.audit.tables import AuditEntry
from suppliers import forecasting, forecasting_view
from suppliers.tables import PurchaseOrder, PurchaseOrderLine
from tests.suppliers.support import FIRST_WEEK, NOW, add_bom, add_order, make_material, make_style
from tests.support import Cast, PortalClient


async def test_a_po_is_drafted_sent_and_answered_with_a_changed_date(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    register_plugins()
    frozen_clock.frozen_at = NOW
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120", minimum_order="500")
    await add_bom(shirt, shell["id"], "1.5")
    ship = FIRST_WEEK + timedelta(weeks=4)
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed", ship_date=ship
    )
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed",
        ship_date=ship + timedelta(weeks=1),
    )  # fmt: skip
    await forecasting.publish_forecast(None)

    await client.log_in(cast.staff)
    drafted = await client.post_form(
        "/suppliers/purchase-orders/draft", {"supplier": str(cast.mill.uuid), "weeks": "8"}
    )
    assert drafted.status_code == 303
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.quantity, PurchaseOrderLine.required_date
    ).order_by(PurchaseOrderLine.required_date)
    # 150 m in each of two weeks; the first line is raised to the 500 m minimum order.
    assert [(line["quantity"], line["required_date"]) for line in lines] == [
        (Decimal(500), FIRST_WEEK + timedelta(weeks=2)),
        (Decimal(150), FIRST_WEEK + timedelta(weeks=3)),
    ]
    order_url = drafted.headers["location"]

    # A supplier never sees the brand's drafts.
    await client.log_in(cast.supplier)
    assert (await client.get(order_url)).status_code == 404

    await client.log_in(cast.staff)
    assert (await client.post_form(f"{order_url}/send")).status_code == 303
    order = await PurchaseOrder.select(PurchaseOrder.status, PurchaseOrder.number).first()
    assert order is not None and order["status"] == "sent"

    await client.log_in(cast.supplier)
    page = await client.get(order_url)
    assert page.status_code == 200 and order["number"] in page.text
    line_uuid = (
        await PurchaseOrderLine.select(PurchaseOrderLine.uuid)
        .order_by(PurchaseOrderLine.id)
        .first()
    )["uuid"]  # type: ignore[index]
    url = f"/suppliers/purchase-order-lines/{line_uuid}/acknowledge"
    refused = await client.post_form(url, {"acknowledgement": "changed"})
    assert refused.status_code == 400
    assert "Give the quantity or the date you can deliver instead." in refused.text
    later = (FIRST_WEEK + timedelta(weeks=3)).isoformat()
    answer = {"acknowledgement": "changed", "delivery_date": later, "comment": "Dyeing queue"}
    assert (await client.post_form(url, answer)).status_code == 303
    assert (await client.post_form(url, answer)).status_code == 303

    line = (
        await PurchaseOrderLine.select(*PurchaseOrderLine.all_columns())
        .order_by(PurchaseOrderLine.id)
        .first()
    )
    assert line is not None
    assert (line["acknowledgement"], line["confirmed_quantity"], line["confirmed_date"].isoformat()) == (
        "changed", Decimal(500), later,
    )  # fmt: skip
    answers = await AuditEntry.count().where(
        (AuditEntry.entity_kind == "material_purchase_order") & AuditEntry.summary.like("% changed")
    )
    assert answers == 1

    api = await client.get(f"/api/v1/suppliers/purchase-orders/{order_url.rsplit('/', 1)[1]}")
    assert api.status_code == 200
    assert api.json()["lines"][0]["confirmed_date"] == later
    assert cast.distributor_a.legal_name not in api.text

    # The sent PO is open supply: the next forecast nets it (500 m arrive in week 3).
    outcome = await forecasting.publish_forecast(None)
    assert outcome.published
    view = await forecasting_view.forecast_view(await _viewer(cast.staff.id))
    cells = {cell.week_start: cell.net_total for cell in view.materials[0].cells}
    assert cells[FIRST_WEEK + timedelta(weeks=2)] == Decimal(150)
    assert cells[FIRST_WEEK + timedelta(weeks=3)] == Decimal(0)


async def _viewer(user_id: int) -> Any:
    from partner_portal.accounts.services import viewer_for_user_id

    return await viewer_for_user_id(user_id)


async def test_a_draft_is_changed_before_sending_and_can_be_cancelled(
    client: PortalClient, cast: Cast
) -> None:
    from tests.suppliers.support import add_purchase_order

    shell = await make_material(cast.mill.id, "HF-POP-120")
    trim = await make_material(cast.mill.id, "HF-BTN", kind="trim", unit="piece")
    po = await add_purchase_order(cast.mill.id, shell["id"], "500", FIRST_WEEK, status="draft")
    await PurchaseOrderLine.insert(
        PurchaseOrderLine(
            purchase_order=po, material=trim["id"], quantity=Decimal(1000),
            unit_price=Decimal("0.1"), required_date=FIRST_WEEK,
        )
    )  # fmt: skip
    order = (await PurchaseOrder.select(PurchaseOrder.uuid).where(PurchaseOrder.id == po))[0]
    lines = await PurchaseOrderLine.select(PurchaseOrderLine.uuid).order_by(PurchaseOrderLine.id)
    shell_line, trim_line = (str(row["uuid"]) for row in lines)
    url = f"/suppliers/purchase-orders/{order['uuid']}"
    later = (FIRST_WEEK + timedelta(weeks=1)).isoformat()
    await client.sign_in(cast.staff)

    refused = await client.post_form(
        f"{url}/lines",
        {f"quantity-{shell_line}": "0", f"date-{shell_line}": later, f"remove-{trim_line}": "1"},
    )
    assert refused.status_code == 400
    assert await PurchaseOrderLine.count() == 2
    saved = await client.post_form(
        f"{url}/lines",
        {f"quantity-{shell_line}": "650", f"date-{shell_line}": later, f"remove-{trim_line}": "1"},
    )
    assert saved.status_code == 303
    rows = await PurchaseOrderLine.select(
        PurchaseOrderLine.quantity, PurchaseOrderLine.required_date
    )
    assert [(row["quantity"], row["required_date"].isoformat()) for row in rows] == [
        (Decimal(650), later)
    ]

    assert (await client.post_form(f"{url}/cancel")).status_code == 303
    assert (await PurchaseOrder.select(PurchaseOrder.status).first()) == {"status": "cancelled"}
