"""JSON API (/api/v1) an ERP uses to take orders: the orders it has not yet acknowledged,
with their lines, a page at a time, and the acknowledgement with its own order number.
Shipments go back through POST /api/v1/orders/{id}/shipments."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar.params import FromPath, JSONBody

from partner_portal import api
from partner_portal.orders import services
from partner_portal.orders.records import OrderPageLine, OrderRecord
from partner_portal.web import CurrentViewer


class ExportLine(msgspec.Struct):
    line: int  # the line's id, as a shipment names it
    sku: int
    barcode: str | None
    style: str
    colour: str
    size: str
    quantity: int
    shipped_quantity: int
    unit_price: api.Money
    discount_percent: api.DecimalText
    line_total: api.Money


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
    total: api.Money
    submitted_at: datetime | None
    lines: list[ExportLine]


class ExportPage(msgspec.Struct):
    items: list[ExportOrder]
    # Pass as ?cursor= for the next orders; null on the last page.
    next_cursor: str | None


class AcknowledgementIn(msgspec.Struct, forbid_unknown_fields=True):
    erp_number: str = ""  # missing: refused (422) after the order is found


def _export_order(order: OrderRecord, lines: list[OrderPageLine]) -> ExportOrder:
    return ExportOrder(
        id=order.uuid,
        number=order.number,
        erp_number=order.external_ref,
        exported_at=api.timestamp(order.exported_at) if order.exported_at else None,
        status=order.status,
        channel=order.channel,
        buyer=order.buyer_uuid,
        buyer_name=order.buyer_name,
        currency=order.currency,
        customer_po=order.customer_po,
        ship_to=order.ship_to,
        total_quantity=order.total_quantity,
        total=api.money(order.total, order.currency),
        submitted_at=api.timestamp(order.submitted_at) if order.submitted_at else None,
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
                unit_price=api.money(line.unit_price, order.currency),
                discount_percent=api.decimal_text(line.discount_percent),
                line_total=api.money(line.line_total, order.currency),
            )
            for line in lines
        ],
    )


@api.get("/api/v1/erp/orders", tags=["erp"])
async def orders_to_export(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> ExportPage:
    """Orders past draft the ERP has not acknowledged, oldest first."""
    position = api.decode_cursor(cursor, (int,))
    page = await services.orders_to_export(viewer, position[0] if position else None, limit + 1)
    shown, next_cursor = api.page_of(page, limit, lambda order: [order.id])
    # Every order's lines in one query: a page costs the same however many orders it has.
    lines = await services.lines_of_orders([order.id for order in shown])
    return ExportPage(
        items=[_export_order(order, lines[order.id]) for order in shown], next_cursor=next_cursor
    )


@api.post("/api/v1/orders/{order_id:uuid}/erp-acknowledgement", tags=["erp"], status_code=200)
async def acknowledge(
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    data: JSONBody[AcknowledgementIn | None] = None,
) -> ExportOrder:
    """The ERP took the order under ``erp_number``: the order is marked exported. Sending
    the same again changes nothing; another number is a 409."""
    result = await services.acknowledge_export(viewer, order_id, data.erp_number if data else "")
    if result.order is None:
        if result.conflict:
            raise api.field_refused(409, "erp_number", result.error, "conflict")
        raise api.field_refused(422, "erp_number", result.error)
    lines = await services.lines_of_orders([result.order.id])
    return _export_order(result.order, lines[result.order.id])


erp_api_routes = [orders_to_export, acknowledge]
