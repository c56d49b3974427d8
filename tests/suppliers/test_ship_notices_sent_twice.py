"""An ERP announcing a shipment and retrying: the same Idempotency-Key (or, as before, the
same idempotency_key field) makes one notice, and every retry gets the first answer."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from suppliers.tables import PurchaseOrder, PurchaseOrderLine, ShipNotice
from tests.suppliers.support import NOW, add_purchase_order, make_material
from tests.support import Cast, PortalClient


async def _notice_request(cast: Cast) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The ship-notice URL of a sent PO, a notice for all of it, and the supplier's token."""
    shell = await make_material(cast.mill.id, "HF-POP-120")
    po = await add_purchase_order(cast.mill.id, shell["id"], "300", date(2027, 1, 20))
    order = await PurchaseOrder.select(PurchaseOrder.uuid).where(PurchaseOrder.id == po).first()
    line = await PurchaseOrderLine.select(PurchaseOrderLine.uuid).first()
    assert order is not None and line is not None
    notice = {
        "shipped_on": "2027-01-12",
        "carrier": "顺丰速运",
        "dye_lot": "L2611-07",
        "lines": {str(line["uuid"]): "300"},
    }
    token = await create_api_token(await viewer_for_user_id(cast.supplier.id), "erp")
    url = f"/api/v1/suppliers/purchase-orders/{order['uuid']}/ship-notices"
    return url, notice, {"Authorization": f"Bearer {token}"}


async def test_retries_at_once_with_one_key_make_one_notice(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    url, notice, headers = await _notice_request(cast)
    keyed = {**headers, "Idempotency-Key": "erp-asn-0001"}

    answers = await asyncio.gather(
        *(client.post(url, headers=keyed, json=notice) for _ in range(5))
    )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.content for answer in answers}) == 1
    assert await ShipNotice.count() == 1


async def test_the_key_in_the_body_still_counts(
    client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    url, notice, headers = await _notice_request(cast)
    keyed_notice = {**notice, "idempotency_key": "erp-asn-0002"}

    first, second = await asyncio.gather(
        client.post(url, headers=headers, json=keyed_notice),
        client.post(url, headers=headers, json=keyed_notice),
    )

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert await ShipNotice.count() == 1
