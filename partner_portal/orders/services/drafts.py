"""Drafts: a new order priced from the catalog, its lines replaced as entered (the matrix,
an upload), its ship-to, PO number, notes and dates changed while it is a draft."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException

from partner_portal import access, messages
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders.services.pricing import LineRequest, PricedLines, price_lines
from partner_portal.orders.services.rows import conflict, order_number, record_status
from partner_portal.orders.tables import Order, OrderChannel, OrderLine, OrderStatus


@dataclass
class OrderDraft:
    buyer_id: int
    channel: OrderChannel
    lines: list[LineRequest] = field(default_factory=list)
    ship_to: str = ""
    customer_po: str = ""
    notes: str = ""
    # Where the draft came from (a reorder, an upload): a message id and its parameters.
    origin_message: str = ""
    origin_params: dict[str, Any] = field(default_factory=dict)
    season_id: int | None = None
    delivery_window_start: date | None = None
    delivery_window_end: date | None = None
    requested_ship_date: date | None = None


# The channel of an order a buyer of each kind places itself (other kinds: distributor).
_OWN_CHANNELS = {
    "retailer": OrderChannel.retailer,
    "group_client": OrderChannel.group,
}


def channel_for(buyer: Mapping[str, Any], viewer: Viewer | None = None) -> OrderChannel:
    """The channel an order for ``buyer`` comes in by, whatever page or upload entered it:
    the brand's people enter orders for partners (rep_entered); a buyer's own orders take
    its kind (a corporate group-buy client's are group orders). Without a viewer (a
    preview that names nobody), the buyer's own channel."""
    if viewer is not None and viewer.is_brand:
        return OrderChannel.rep_entered
    return _OWN_CHANNELS.get(buyer["kind"], OrderChannel.distributor)


async def insert_lines(order_id: int, priced: PricedLines) -> None:
    if priced.rows:
        await OrderLine.insert(
            *[
                OrderLine(
                    order=order_id,
                    sku=row["sku"],
                    style=row["style"],
                    colourway=row["colourway"],
                    size=row["size"],
                    quantity=row["quantity"],
                    unit_price=row["unit_price"],
                    discount_percent=row["discount_percent"],
                    volume_discount_percent=row["volume_discount_percent"],
                    price_list=row["price_list"],
                    price_fixed=row["price_fixed"],
                    line_total=row["line_total"],
                )
                for row in priced.rows
            ]
        )


def check_dates(draft: OrderDraft) -> dict[str, str]:
    start, end = draft.delivery_window_start, draft.delivery_window_end
    if start and end and end < start:
        return {"delivery_window_end": _("The delivery window ends before it starts.")}
    return {}


@access.checked_by_caller("the order it has just inserted for a buyer from get_buyer")
async def insert_order(viewer: Viewer, draft: OrderDraft, priced: PricedLines) -> dict[str, Any]:
    """A draft's order row, lines, first status and audit entry (inside the caller's
    transaction); returns its id and uuid."""
    now = utcnow()
    inserted = await Order.insert(
        Order(
            buyer=draft.buyer_id,
            placed_by=viewer.user_id,
            channel=draft.channel,
            status=OrderStatus.draft,
            price_list=priced.price_list_id,
            price_list_name=priced.price_list_name,
            season=draft.season_id,
            ship_to=draft.ship_to,
            customer_po=draft.customer_po,
            notes=draft.notes,
            origin_message=draft.origin_message,
            origin_params=messages.plain_params(draft.origin_params),
            delivery_window_start=draft.delivery_window_start,
            delivery_window_end=draft.delivery_window_end,
            requested_ship_date=draft.requested_ship_date,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
            **{column._meta.name: value for column, value in priced.totals().items()},
        )
    ).returning(Order.id, Order.uuid)
    order = inserted[0]
    await Order.update({Order.number: order_number(order["id"])}).where(Order.id == order["id"])
    await insert_lines(order["id"], priced)
    await record_status(viewer, order["id"], None, OrderStatus.draft)
    await audit_log.record(
        viewer,
        entity_kind="order",
        entity_uuid=order["uuid"],
        organisation_id=draft.buyer_id,
        action="create",
        summary_message=N_("Draft order %(number)s"),
        summary_params={"number": order_number(order["id"])},
    )
    return order


async def create_draft(viewer: Viewer, draft: OrderDraft) -> SaveResult:
    """A new draft order for a buyer the viewer may order for, priced at today's prices."""
    buyer = await access.get_buyer(viewer, draft.buyer_id)
    priced, errors = await price_lines(buyer, draft.lines)
    errors |= check_dates(draft)
    if priced is None or errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        order = await insert_order(viewer, draft, priced)
    return SaveResult(uuid=order["uuid"])


async def replace_lines(
    viewer: Viewer, order_uuid: UUID, lines: Sequence[LineRequest], opened_version: int
) -> SaveResult:
    """Save a draft's lines as entered (the matrix), repriced at today's prices.

    The version guards against a colleague saving the same draft in between."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if not access.may_edit_order_lines(viewer, order.status):
        raise PermissionDeniedException(_("Only a draft's lines can be changed."))
    buyer = await access.get_buyer(viewer, order.buyer)
    priced, errors = await price_lines(buyer, lines)
    if priced is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        version = await update_if_version(
            Order,
            order.id,
            opened_version,
            {
                **priced.totals(),
                Order.updated_at: utcnow(),
                Order.price_list: priced.price_list_id,
                Order.price_list_name: priced.price_list_name,
            },
        )
        if version is None:
            return await conflict(order, opened_version)
        await OrderLine.delete().where(OrderLine.order == order.id)
        await insert_lines(order.id, priced)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order.uuid,
            organisation_id=order.buyer,
            action="edit",
            changes={
                "total_quantity": [order.total_quantity, priced.total_quantity],
                "version": [opened_version, version],
            },
        )
    return SaveResult(uuid=order.uuid, current_version=version)


DETAIL_COLUMNS = (
    "ship_to",
    "customer_po",
    "notes",
    "delivery_window_start",
    "delivery_window_end",
    "requested_ship_date",
)


async def update_details(
    viewer: Viewer, order_uuid: UUID, values: Mapping[str, Any], opened_version: int
) -> SaveResult:
    """Change a draft's ship-to address, PO number, notes and dates."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if not access.may_edit_order_lines(viewer, order.status):
        raise PermissionDeniedException(_("Only a draft's details can be changed here."))
    draft = OrderDraft(buyer_id=order.buyer, channel=order.channel)
    for name in DETAIL_COLUMNS:
        setattr(draft, name, values.get(name, getattr(order, name)))
    errors = check_dates(draft)
    if errors:
        return SaveResult(errors=errors)
    changed = {name: getattr(draft, name) for name in DETAIL_COLUMNS}
    async with write_transaction():
        version = await update_if_version(
            Order,
            order.id,
            opened_version,
            {
                **{Order._meta.get_column_by_name(k): v for k, v in changed.items()},
                Order.updated_at: utcnow(),
            },
        )
        if version is None:
            return await conflict(order, opened_version)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order.uuid,
            organisation_id=order.buyer,
            action="edit",
            changes={
                **audit_log.changes_between(
                    {name: getattr(order, name) for name in DETAIL_COLUMNS}, changed
                ),
                "version": [opened_version, version],
            },
        )
    return SaveResult(uuid=order.uuid, current_version=version)
