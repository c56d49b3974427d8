"""JSON API (/api/v1) an ERP uses to take orders: the orders it has not yet acknowledged,
with their lines, a page at a time, and the acknowledgement with its own order number.
Shipments go back through POST /api/v1/orders/{id}/shipments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Response
from litestar.params import FromPath, FromQuery, JSONBody

from partner_portal.access import Viewer
from partner_portal.api import get, post
from partner_portal.inputs import whole_number
from partner_portal.orders import services
from partner_portal.orders.records import OrderRecord
from partner_portal.web import CurrentViewer

PROBLEM_JSON = "application/problem+json"


class ExportLine(msgspec.Struct):
    line: int  # the line's id, as a shipment names it
    sku: int
    barcode: str | None
    style: str
    colour: str
    size: str
    quantity: int
    shipped_quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


class ExportOrder(msgspec.Struct):
    id: UUID
    number: str | None
    erp_number: str | None
    exported_at: datetime | None
    status: str
    channel: str
    buyer: UUID
    buyer_name: str
    currency: str
    customer_po: str
    ship_to: str
    total_quantity: int
    total: Decimal
    submitted_at: datetime | None
    lines: list[ExportLine]


class ExportPage(msgspec.Struct):
    items: list[ExportOrder]
    next: str | None  # pass as ``after`` for the next page; None: the last page


class AcknowledgementIn(msgspec.Struct):
    erp_number: str = ""  # missing: refused (422) after the order is found


async def _export_order(viewer: Viewer, order: OrderRecord) -> ExportOrder:
    view = await services.order_view(viewer, order.uuid)
    return ExportOrder(
        id=order.uuid,
        number=order.number,
        erp_number=order.external_ref,
        exported_at=order.exported_at,
        status=order.status,
        channel=order.channel,
        buyer=order.buyer_uuid,
        buyer_name=order.buyer_name,
        currency=order.currency,
        customer_po=order.customer_po,
        ship_to=order.ship_to,
        total_quantity=order.total_quantity,
        total=order.total,
        submitted_at=order.submitted_at,
        lines=[
            ExportLine(
                line=line.id,
                sku=line.sku,
                barcode=line.barcode,
                style=line.style_code,
                colour=line.colour_code,
                size=line.size_label,
                quantity=line.quantity,
                shipped_quantity=line.shipped_quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                line_total=line.line_total,
            )
            for line in view.lines
        ],
    )


@get("/api/v1/erp/orders", tags=["erp"], cache=False)
async def orders_to_export(viewer: CurrentViewer, after: FromQuery[str] = "") -> ExportPage:
    """Orders past draft the ERP has not acknowledged, oldest first, 50 a page."""
    cursor = whole_number(after, minimum=0, maximum=2**31) if after else None
    page = await services.orders_to_export(viewer, cursor)
    items = [await _export_order(viewer, order) for order in page]
    full = len(page) == services.EXPORT_PAGE
    return ExportPage(items=items, next=str(page[-1].id) if full else None)


@post("/api/v1/orders/{order_id:uuid}/erp-acknowledgement", tags=["erp"], status_code=200)
async def acknowledge(
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    data: JSONBody[AcknowledgementIn | None] = None,
) -> Response[Any]:
    """The ERP took the order under ``erp_number``: the order is marked exported. Sending
    the same again changes nothing; another number is a 409."""
    result = await services.acknowledge_export(viewer, order_id, data.erp_number if data else "")
    if result.order is None:
        status = 409 if result.conflict else 422
        return Response(
            {
                "type": "about:blank",
                "title": result.error,
                "status": status,
                "errors": [{"pointer": "/erp_number", "detail": result.error}],
            },
            status_code=status,
            media_type=PROBLEM_JSON,
        )
    return Response(await _export_order(viewer, result.order))


erp_api_routes = [orders_to_export, acknowledge]
