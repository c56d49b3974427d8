"""The kernel's rules for the order book: which orders a viewer sees, and who moves an
order along its status flow (ORDER_TRANSITIONS), edits it, asks for or decides a change,
ships it, or places one for a buyer."""

from __future__ import annotations

import enum
import json
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.columns.combination import Combinable
from piccolo.query.methods.select import Select

from partner_portal.access.core import (
    Action,
    ActionSet,
    ScopedTable,
    Viewer,
    fetch_one,
    fetch_prepared,
    narrow,
    organisation_filter,
    scoped,
)
from partner_portal.access.roles import BUYER_ROLES
from partner_portal.i18n import gettext as _
from partner_portal.orders.records import ChangeRequestRecord, OrderRecord
from partner_portal.orders.tables import (
    ChangeRequest,
    Order,
    OrderComment,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    OrderVersion,
    Shipment,
    ShipmentLine,
    StockReservation,
)
from partner_portal.partners.tables import Organisation, Role
from partner_portal.statements import Parameter, Prepared

SCOPED_TABLES = (
    ScopedTable(Order, Order.buyer),
    ScopedTable(OrderLine, OrderLine.order),
    ScopedTable(OrderStatusChange, OrderStatusChange.order),
    ScopedTable(OrderComment, OrderComment.order),
    ScopedTable(ChangeRequest, ChangeRequest.order),
    ScopedTable(Shipment, Shipment.order),
    ScopedTable(ShipmentLine, ShipmentLine.shipment),
    ScopedTable(StockReservation, StockReservation.order),
    ScopedTable(OrderVersion, OrderVersion.order),
)


def order_filter(viewer: Viewer) -> Combinable | None:
    """Orders the viewer may see: those of buyers the viewer may see (a distributor its own
    and its retailers', a KAM their partners', the brand's admins and staff all), and none
    for a role that does not buy (suppliers)."""
    if not viewer.can(Action.view_orders):
        return Order.id < 0
    return organisation_filter(viewer, Order.buyer)


def scoped_orders(query: Any, viewer: Viewer) -> Any:
    return narrow(query, order_filter(viewer))


class VisibleOrder(OrderRecord, frozen=True):
    """An order the viewer may see: made only by the fetchers below. A subclass rather
    than a NewType: mypy (2.4) crashes on a NewType of a msgspec struct."""


# The order's own columns and the names of its buyer, placer and season, built once:
# Piccolo spends about a millisecond of CPU building each joined column.
ORDER_COLUMNS = (
    *Order.all_columns(),
    Order.buyer._.legal_name.as_alias("buyer_name"),
    Order.buyer._.uuid.as_alias("buyer_uuid"),
    Order.placed_by._.display_name.as_alias("placed_by_name"),
    Order.season._.code.as_alias("season_code"),
)


@Prepared
def _order(viewer: Viewer) -> Select:
    return (
        scoped_orders(Order.select(*ORDER_COLUMNS), viewer)
        .where(Order.uuid == Parameter("order"))
        .limit(1)
    )


async def get_order(
    viewer: Viewer, order_uuid: UUID, action: ActionSet = Action.view_orders
) -> VisibleOrder:
    """One order the viewer may see (404 otherwise), checked for the action (403)."""
    row = await fetch_prepared(viewer, _order, "No such order.", action, order=order_uuid)
    return VisibleOrder.from_row(row)


def change_request_record(row: dict[str, Any]) -> ChangeRequestRecord:
    """A change request row as a record (its changes are stored as JSON text)."""
    changes = row["changes"]
    return ChangeRequestRecord.from_row(
        {**row, "changes": json.loads(changes) if isinstance(changes, str) else changes}
    )


async def get_change_request(
    viewer: Viewer, request_uuid: UUID
) -> tuple[ChangeRequestRecord, VisibleOrder]:
    """A change request and its order, if the viewer may see the order (404 otherwise)."""
    query = ChangeRequest.select(
        *ChangeRequest.all_columns(),
        ChangeRequest.order._.uuid.as_alias("order_uuid"),
    ).where(ChangeRequest.uuid == request_uuid)
    request = await fetch_one(viewer, query, "No such change request.")
    return change_request_record(request), await get_order(viewer, request["order_uuid"])


class OrderSide(enum.StrEnum):
    """Who moves an order a step: the brand's order desk, the buying side, or either."""

    brand = "brand"
    buyer = "buyer"
    either = "either"


S = OrderStatus
# Every allowed step of the status flow and which side takes it; anything else is refused.
ORDER_TRANSITIONS: dict[tuple[OrderStatus, OrderStatus], OrderSide] = {
    (S.draft, S.submitted): OrderSide.either,
    (S.draft, S.cancelled): OrderSide.either,
    (S.submitted, S.confirmed): OrderSide.brand,
    (S.submitted, S.rejected): OrderSide.brand,
    # The buyer may withdraw until the brand has confirmed; after that only the brand cancels.
    (S.submitted, S.cancelled): OrderSide.either,
    (S.confirmed, S.in_production): OrderSide.brand,
    (S.confirmed, S.cancelled): OrderSide.brand,
    (S.confirmed, S.partially_shipped): OrderSide.brand,
    (S.confirmed, S.shipped): OrderSide.brand,
    (S.in_production, S.partially_shipped): OrderSide.brand,
    (S.in_production, S.shipped): OrderSide.brand,
    (S.partially_shipped, S.shipped): OrderSide.brand,
    # The buyer confirms receipt, or the brand records it.
    (S.shipped, S.delivered): OrderSide.either,
}
del S


def is_buying_side(viewer: Viewer) -> bool:
    """A partner's user acts for the buyer (on orders they can see at all)."""
    return viewer.role in BUYER_ROLES


def may_move_order(viewer: Viewer, from_status: str, to_status: str) -> bool:
    """Whether the viewer may take an order (already visible to them) from one status to another."""
    side = ORDER_TRANSITIONS.get((OrderStatus(from_status), OrderStatus(to_status)))
    if side is None:
        return False
    if is_buying_side(viewer):
        return side in (OrderSide.buyer, OrderSide.either) and viewer.can(Action.place_order)
    if side == OrderSide.buyer:
        return False
    if (from_status, to_status) == (OrderStatus.draft, OrderStatus.submitted):
        # The brand submits only orders it enters for a partner (rep-entered).
        return viewer.can(Action.place_order)
    return viewer.can(Action.manage_orders)


def next_order_steps(viewer: Viewer, from_status: str) -> list[OrderStatus]:
    """The statuses the viewer may move an order to from here (for the buttons)."""
    return [
        to_status
        for (source, to_status) in ORDER_TRANSITIONS
        if source == from_status and may_move_order(viewer, from_status, to_status)
    ]


def may_edit_order_lines(viewer: Viewer, status: str) -> bool:
    """Drafts are edited by whoever may place the order; after submission the buyer asks
    for changes (change requests) and the brand's order desk decides."""
    return status == OrderStatus.draft and viewer.can(Action.place_order)


def may_request_order_change(viewer: Viewer, status: str) -> bool:
    return is_buying_side(viewer) and status in (OrderStatus.submitted, OrderStatus.confirmed)


def may_decide_order_change(viewer: Viewer) -> bool:
    return viewer.can(Action.manage_orders)


def may_record_shipment(viewer: Viewer, status: str) -> bool:
    shippable = (OrderStatus.confirmed, OrderStatus.in_production, OrderStatus.partially_shipped)
    return viewer.can(Action.manage_orders) and status in shippable


def may_place_order_for(viewer: Viewer, buyer: dict[str, Any]) -> bool:
    """Whether the viewer may place an order for this (visible) organisation: a buyer's user
    for their own organisation, a distributor also for the retailers it serves, the brand's
    sales people for partners that buy."""
    if not viewer.can(Action.place_order) or buyer["kind"] not in BUYING_KINDS:
        return False
    if viewer.is_brand:
        return True
    return buyer["id"] == viewer.organisation_id or (
        viewer.role == Role.distributor and buyer["parent_distributor"] == viewer.organisation_id
    )


BUYING_KINDS = frozenset({"distributor", "retailer", "group_client"})


async def get_buyer(viewer: Viewer, buyer_id: int) -> dict[str, Any]:
    """The buying organisation, if the viewer may see it (404) and order for it (403)."""
    query = scoped(
        Organisation.select(
            Organisation.id,
            Organisation.uuid,
            Organisation.kind,
            Organisation.legal_name,
            Organisation.currency,
            Organisation.parent_distributor,
        ),
        viewer,
    ).where(Organisation.id == buyer_id)
    buyer = await fetch_one(viewer, query, "No such partner.")
    if not may_place_order_for(viewer, buyer):
        raise PermissionDeniedException(_("You cannot place orders for this partner."))
    return buyer
