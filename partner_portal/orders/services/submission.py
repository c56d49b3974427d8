"""Submission: a draft repriced at the day's prices, checked against the brand's order
rules (registry.order_checks), its prices frozen, and moved draft -> submitted; or created
and submitted at once (place_order)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
from litestar.exceptions import PermissionDeniedException

from partner_portal import access, messages
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.orders import events
from partner_portal.orders.records import OrderRecord
from partner_portal.orders.services import stock, versions
from partner_portal.orders.services.drafts import OrderDraft, check_dates, insert_order
from partner_portal.orders.services.pricing import LineRequest, price_lines, write_priced_lines
from partner_portal.orders.services.rows import Refused, order_lines_for_checks, record_status
from partner_portal.orders.tables import Order, OrderStatus
from partner_portal.registries import OrderFinding, registry


async def findings_for(order: Mapping[str, Any]) -> list[OrderFinding]:
    """What the brand's order rules say about an order (its row) as it stands."""
    lines = await order_lines_for_checks(order["id"])
    return await registry.check_order(dict(order), [msgspec.structs.asdict(line) for line in lines])


async def _submit_in_transaction(viewer: Viewer, order: OrderRecord) -> SaveResult:
    """Reprice at today's prices, check the rules, freeze, move draft -> submitted and
    take the stock or pre-book capacity the lines need.

    Call inside write_transaction(); refused, the caller rolls it back."""
    buyer = await access.get_buyer(viewer, order.buyer)
    current = await order_lines_for_checks(order.id)
    if not current:
        return SaveResult(errors={"lines": _("An order needs at least one line.")})
    priced, errors = await price_lines(
        buyer,
        [
            # Fixed prices (and their discounts) stay; catalog prices are taken again today.
            LineRequest(line.sku, line.quantity, line.unit_price, line.discount_percent)
            if line.price_fixed
            else LineRequest(line.sku, line.quantity)
            for line in current
        ],
    )
    if priced is None:
        return SaveResult(errors=errors)
    await write_priced_lines(current, priced)
    blocking = [
        finding.message
        for finding in await registry.check_order(
            {
                **msgspec.structs.asdict(order),
                **{column._meta.name: value for column, value in priced.totals().items()},
            },
            priced.rows,
        )
        if finding.blocking
    ]
    if blocking:
        return SaveResult(errors={"rules": " ".join(blocking)})
    now = utcnow()
    moved = (
        await Order.update(
            {
                **priced.totals(),
                Order.status: OrderStatus.submitted,
                Order.price_list: priced.price_list_id,
                Order.price_list_name: priced.price_list_name,
                Order.submitted_at: now,
                Order.status_changed_at: now,
                Order.updated_at: now,
                Order.version: Order.version + 1,
            }
        )
        .where((Order.id == order.id) & (Order.status == OrderStatus.draft))
        .returning(Order.id)
    )
    if not moved:
        return SaveResult(errors={"status": _("This order has already been submitted.")})
    where_from = await stock.sources(
        order.channel,
        order.delivery_window_start,
        order.delivery_window_end,
        (row["sku"] for row in priced.rows),
    )
    short = await stock.hold(
        order.id, stock.targets(where_from, ((row["sku"], row["quantity"]) for row in priced.rows))
    )
    if short:
        return SaveResult(errors={"stock": " ".join(await stock.shortfall_messages(short))})
    await record_status(viewer, order.id, OrderStatus.draft, OrderStatus.submitted)
    await versions.record_version(viewer, order.id)
    await events.record(
        viewer,
        events.SUBMITTED,
        order,
        events.SUBMITTED_MESSAGE,
        payload={
            "buyer_id": str(order.buyer_uuid),
            "channel": order.channel,
            "status": OrderStatus.submitted,
            "customer_po": order.customer_po,
            "total_quantity": priced.total_quantity,
            "total": str(priced.total),
            "currency": priced.currency,
        },
        total=messages.money(priced.total, priced.currency),
    )
    await audit_log.record(
        viewer,
        entity_kind="order",
        entity_uuid=order.uuid,
        organisation_id=order.buyer,
        action="submit",
        summary_message=N_("Submitted: %(quantity)s pieces"),
        summary_params={"quantity": priced.total_quantity},
    )
    return SaveResult(uuid=order.uuid)


async def submit_order(viewer: Viewer, order_uuid: UUID) -> SaveResult:
    """Submit a draft: reprice it at today's prices, check the rules and freeze the prices.

    A second submission (another tab) is refused: the order is no longer a draft. A
    repeat of the same request (a double click, a retry) never gets here twice: the
    handlers answer it through partner_portal.idempotency."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if not access.may_move_order(viewer, order.status, OrderStatus.submitted):
        if order.status != OrderStatus.draft:
            return SaveResult(errors={"status": _("This order has already been submitted.")})
        raise PermissionDeniedException(_("Your role does not allow this."))
    try:
        async with write_transaction():
            result = await _submit_in_transaction(viewer, order)
            if not result.saved:
                raise Refused(result)
    except Refused as refused:
        return refused.result
    return result


@access.checked_by_caller("the order place_order has just inserted for a buyer from get_buyer")
async def _inserted_order(order_id: int) -> OrderRecord:
    row = await Order.select(*access.orders.ORDER_COLUMNS).where(Order.id == order_id).first()
    assert row is not None
    return OrderRecord.from_row(row)


async def place_order(viewer: Viewer, draft: OrderDraft) -> SaveResult:
    """Create and submit an order in one transaction (group campaigns, on-behalf orders,
    demo data): either it is placed or nothing is saved."""
    buyer = await access.get_buyer(viewer, draft.buyer_id)
    priced, errors = await price_lines(buyer, draft.lines)
    errors |= check_dates(draft)
    if priced is None or errors:
        return SaveResult(errors=errors)
    try:
        async with write_transaction():
            inserted = await insert_order(viewer, draft, priced)
            result = await _submit_in_transaction(viewer, await _inserted_order(inserted["id"]))
            if not result.saved:
                raise Refused(result)
    except Refused as refused:
        return refused.result
    return result
