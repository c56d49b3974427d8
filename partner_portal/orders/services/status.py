"""The status flow after submission: a step along access.ORDER_TRANSITIONS, recorded with
who and when and told to the order's parties (orders/events.py); shipments, which move the shipped statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from litestar.exceptions import PermissionDeniedException

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.orders import events
from partner_portal.orders.services import stock
from partner_portal.orders.services.rows import record_status
from partner_portal.orders.tables import Order, OrderLine, OrderStatus, Shipment, ShipmentLine


async def change_status(
    viewer: Viewer, order_uuid: UUID, to_status: OrderStatus, note: str = ""
) -> SaveResult:
    """Move an order one allowed step (access.ORDER_TRANSITIONS), recorded with who and when.

    Submission has its own function (it prices and checks); shipments move the shipped
    statuses themselves when quantities are recorded."""
    order = await access.get_order(viewer, order_uuid)
    if to_status == OrderStatus.submitted:
        raise PermissionDeniedException(_("Submit the order with its own button."))
    if not access.may_move_order(viewer, order.status, to_status):
        if (order.status, to_status) in access.ORDER_TRANSITIONS:
            raise PermissionDeniedException(_("Your role does not allow this."))
        return SaveResult(
            errors={
                "status": _(
                    "An order cannot go from %(from)s to %(to)s.",
                    **{"from": order.status, "to": to_status},
                )
            }
        )
    async with write_transaction():
        now = utcnow()
        moved = (
            await Order.update(
                {
                    Order.status: to_status,
                    Order.status_changed_at: now,
                    Order.updated_at: now,
                    Order.version: Order.version + 1,
                }
            )
            .where((Order.id == order.id) & (Order.status == order.status))
            .returning(Order.id)
        )
        if not moved:
            return SaveResult(
                errors={"status": _("Someone else changed this order's status first.")}
            )
        await record_status(viewer, order.id, order.status, to_status, note)
        if to_status in RELEASING_STATUSES:
            await stock.release_all(order.id)
        await events.record_status(viewer, order, to_status, note)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order.uuid,
            organisation_id=order.buyer,
            action="status",
            changes={"status": [order.status, to_status]},
            summary=note,
        )
    return SaveResult(uuid=order.uuid)


# Steps that end an order before it ships: what it holds goes back.
RELEASING_STATUSES = frozenset({OrderStatus.cancelled, OrderStatus.rejected})


@dataclass(frozen=True)
class ShipmentInput:
    carrier: str
    tracking_number: str
    shipped_on: date
    quantities: Mapping[int, int]  # order line id -> pieces in this shipment


async def record_shipment(viewer: Viewer, order_uuid: UUID, shipment: ShipmentInput) -> SaveResult:
    """Record a (partial) shipment; the order becomes partially shipped or shipped."""
    order = await access.get_order(viewer, order_uuid)
    if not access.may_record_shipment(viewer, order.status):
        if viewer.can(Action.manage_orders):
            return SaveResult(errors={"status": _("Only confirmed orders can be shipped.")})
        raise PermissionDeniedException(_("Your role does not allow this."))
    errors: dict[str, str] = {}
    if not shipment.carrier.strip():
        errors["carrier"] = _("Name the carrier.")
    async with write_transaction():
        lines = {
            line["id"]: line
            for line in await OrderLine.select(
                OrderLine.id, OrderLine.sku, OrderLine.quantity, OrderLine.shipped_quantity
            ).where(OrderLine.order == order.id)
        }
        wanted = {line_id: qty for line_id, qty in shipment.quantities.items() if qty}
        for line_id, quantity in wanted.items():
            line = lines.get(line_id)
            if line is None:
                errors[f"line-{line_id}"] = _("This line is not on the order.")
            elif not 0 < quantity <= line["quantity"] - line["shipped_quantity"]:
                errors[f"line-{line_id}"] = _(
                    "At most %(left)s pieces are left to ship.",
                    left=line["quantity"] - line["shipped_quantity"],
                )
        if not wanted and not errors:
            errors["quantities"] = _("Enter the shipped quantities.")
        if errors:
            return SaveResult(errors=errors)
        inserted = await Shipment.insert(
            Shipment(
                order=order.id,
                carrier=shipment.carrier.strip(),
                tracking_number=shipment.tracking_number.strip(),
                shipped_on=shipment.shipped_on,
                created_by=viewer.user_id,
                created_at=utcnow(),
            )
        ).returning(Shipment.id, Shipment.uuid)
        await ShipmentLine.insert(
            *[
                ShipmentLine(shipment=inserted[0]["id"], order_line=line_id, quantity=quantity)
                for line_id, quantity in wanted.items()
            ]
        )
        for line_id, quantity in wanted.items():
            await OrderLine.update(
                {OrderLine.shipped_quantity: OrderLine.shipped_quantity + quantity}
            ).where(OrderLine.id == line_id)
        shipped_skus: dict[int, int] = {}
        for line_id, quantity in wanted.items():
            sku_id = lines[line_id]["sku"]
            shipped_skus[sku_id] = shipped_skus.get(sku_id, 0) + quantity
        await stock.ship(order.id, shipped_skus)
        everything_shipped = all(
            line["shipped_quantity"] + wanted.get(line_id, 0) >= line["quantity"]
            for line_id, line in lines.items()
        )
        to_status = OrderStatus.shipped if everything_shipped else OrderStatus.partially_shipped
        now = utcnow()
        await Order.update(
            {
                Order.status: to_status,
                Order.status_changed_at: now,
                Order.updated_at: now,
                Order.version: Order.version + 1,
            }
        ).where(Order.id == order.id)
        if to_status != order.status:
            await record_status(viewer, order.id, order.status, to_status)
            await events.record_status(viewer, order, to_status, "")
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order.uuid,
            organisation_id=order.buyer,
            action="shipment",
            changes={"status": [order.status, to_status]},
            summary=f"{shipment.carrier.strip()} {shipment.tracking_number.strip()}: "
            f"{sum(wanted.values())}",
        )
    return SaveResult(uuid=inserted[0]["uuid"])
