"""Orders handed to the brand's ERP: the ERP pulls the orders it has not yet taken (every
order past draft without an ERP number), a page at a time, and acknowledges each with
its own document number, which marks the order exported. The buyer then sees the ERP's
number on the order; shipments come back through record_shipment as from the pages.

Nothing is lost between pulls: an order stays in the list until it is acknowledged, so
an ERP that stops half-way takes the rest next time. The cursor only pages one pull."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders.records import OrderRecord
from partner_portal.orders.tables import Order, OrderStatus

ERP_NUMBER_LENGTH = 60
EXPORT_PAGE = 50


async def orders_to_export(
    viewer: Viewer, after: int | None, limit: int = EXPORT_PAGE
) -> list[OrderRecord]:
    """Up to ``limit`` of the orders the ERP has not acknowledged, oldest first, after the
    order whose id is ``after`` (the last of the previous page)."""
    access.require(viewer, Action.manage_orders)
    query = access.scoped_orders(Order.select(*access.orders.ORDER_COLUMNS), viewer).where(
        Order.status != OrderStatus.draft, Order.external_ref.is_null()
    )
    if after is not None:
        query = query.where(Order.id > after)
    return OrderRecord.from_rows(await query.order_by(Order.id).limit(limit))


@dataclass(frozen=True)
class Acknowledgement:
    order: OrderRecord | None = None
    error: str = ""
    conflict: bool = False  # the order, or the number, was already taken otherwise


@access.system_query("an ERP number is unique across the whole order book")
async def _number_taken(erp_number: str, order_id: int) -> bool:
    return bool(await Order.exists().where(Order.external_ref == erp_number, Order.id != order_id))


async def acknowledge_export(viewer: Viewer, order_uuid: UUID, erp_number: str) -> Acknowledgement:
    """Mark an order taken by the ERP under its number. The same acknowledgement again
    changes nothing; another number for the order, or the number for another order, is
    a conflict."""
    order = await access.get_order(viewer, order_uuid, Action.manage_orders)
    number = erp_number.strip()
    if not 0 < len(number) <= ERP_NUMBER_LENGTH or not number.isprintable():
        return Acknowledgement(
            error=_("Give the ERP's order number (1 to %(n)s characters).", n=ERP_NUMBER_LENGTH)
        )
    if order.status == OrderStatus.draft:
        return Acknowledgement(error=_("A draft is not an order yet: it cannot be exported."))
    if order.external_ref == number:
        return Acknowledgement(order=order)
    if order.external_ref is not None:
        return Acknowledgement(
            error=_("The ERP took this order as %(number)s.", number=order.external_ref),
            conflict=True,
        )
    async with write_transaction():
        if await _number_taken(number, order.id):
            return Acknowledgement(
                error=_("Another order has the ERP number %(number)s.", number=number),
                conflict=True,
            )
        taken = await (
            Order.update({Order.external_ref: number, Order.exported_at: utcnow()})
            .where(Order.id == order.id, Order.external_ref.is_null())
            .returning(Order.id)
        )
        if not taken:
            return Acknowledgement(
                error=_("The ERP took this order under another number just now."), conflict=True
            )
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order.uuid,
            organisation_id=order.buyer,
            action="export",
            changes={"external_ref": [None, number]},
            summary_message=N_("Taken by the ERP as %(number)s"),
            summary_params={"number": number},
        )
    return Acknowledgement(order=await access.get_order(viewer, order_uuid))
