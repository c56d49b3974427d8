"""After submission the buyer and the brand talk through the order: comments, and change
requests the buyer sends (new quantities, a new ship date) and the brand decides.

A change is repriced as accepting it would make the order (pricing.repriced: the volume
breaks taken again, the contract discount kept on the order) and checked against every
order rule and the stock: a blocking rule refuses it when asked for and again when
accepted, and both sides see the new figures on the order page before the decision. Each
accepted change makes a new order version (versions.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar.exceptions import PermissionDeniedException

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.access.orders import VisibleOrder
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.orders import events
from partner_portal.orders.records import ChangePreview, ChangeRequestRecord, OrderRecord
from partner_portal.orders.services import stock, versions
from partner_portal.orders.services.pricing import (
    MAX_LINE_QUANTITY,
    PricedLines,
    repriced,
    write_priced_lines,
)
from partner_portal.orders.services.rows import Refused, conflict, order_lines_for_checks
from partner_portal.orders.tables import (
    ChangeRequest,
    ChangeRequestStatus,
    Order,
    OrderComment,
)
from partner_portal.registries import registry


async def add_comment(viewer: Viewer, order_uuid: UUID, body: str) -> SaveResult:
    order = await access.get_order(viewer, order_uuid)
    text = body.strip()
    if not text:
        return SaveResult(errors={"body": _("Write a comment first.")})
    if len(text) > 4000:
        return SaveResult(errors={"body": _("A comment is at most 4,000 characters.")})
    async with write_transaction():
        await OrderComment.insert(
            OrderComment(order=order.id, author=viewer.user_id, body=text, created_at=utcnow())
        )
        await events.record(
            viewer, events.COMMENTED, order, events.COMMENTED_MESSAGE, author=viewer.display_name
        )
    return SaveResult(uuid=order.uuid)


async def request_change(
    viewer: Viewer,
    order_uuid: UUID,
    quantities: Mapping[int, int],
    requested_ship_date: date | None,
    reason: str,
    order_version: int,
) -> SaveResult:
    """The buyer proposes new quantities per SKU (0 removes a line) and/or a ship date."""
    order = await access.get_order(viewer, order_uuid)
    if not access.may_request_order_change(viewer, order.status):
        raise PermissionDeniedException(_("Changes can be asked for only before production."))
    if order_version != order.version:
        return await conflict(order, order_version)
    lines = {line.sku: line.quantity for line in await order_lines_for_checks(order.id)}
    errors: dict[str, str] = {}
    changed: dict[str, int] = {}
    for sku_id, quantity in quantities.items():
        if not 0 <= quantity <= MAX_LINE_QUANTITY:
            errors[f"sku-{sku_id}"] = _("Quantities are whole numbers from 0 to 1,000,000.")
        elif sku_id not in lines:
            errors[f"sku-{sku_id}"] = _("This item is not on the order.")
        elif quantity != lines[sku_id]:
            changed[str(sku_id)] = quantity
    date_changed = (
        requested_ship_date is not None and requested_ship_date != order.requested_ship_date
    )
    if not errors and not changed and not date_changed:
        errors["changes"] = _("Nothing is different from the order as it stands.")
    if errors:
        return SaveResult(errors=errors)
    if await ChangeRequest.exists().where(
        (ChangeRequest.order == order.id) & (ChangeRequest.status == ChangeRequestStatus.pending)
    ):
        return SaveResult(
            errors={"changes": _("A change request is already waiting for the brand.")}
        )
    changes = {
        "quantities": {sku: [lines[int(sku)], quantity] for sku, quantity in changed.items()},
        "requested_ship_date": (
            [_iso(order.requested_ship_date), _iso(requested_ship_date)] if date_changed else None
        ),
    }
    if changed:
        _priced, preview = await change_preview(order, changes)
        if preview.refusals:
            return SaveResult(errors={"changes": " ".join(preview.refusals)})
    # The pieces the request adds are held until the brand decides, so accepting it
    # cannot find them gone; where the brand's rule blocks overselling, a request for
    # more than is left is refused now.
    where_from = await stock.sources(
        order.channel, order.delivery_window_start, order.delivery_window_end, map(int, changed)
    )
    added = stock.targets(
        where_from,
        ((int(sku), quantity - lines[int(sku)]) for sku, quantity in changed.items()),
    )
    try:
        async with write_transaction():
            inserted = await ChangeRequest.insert(
                ChangeRequest(
                    order=order.id,
                    requested_by=viewer.user_id,
                    requested_at=utcnow(),
                    reason=reason.strip(),
                    changes=json.dumps(changes),
                    order_version=order.version,
                )
            ).returning(ChangeRequest.id, ChangeRequest.uuid)
            short = await stock.hold(order.id, added, change_request_id=inserted[0]["id"])
            if short:
                messages = await stock.shortfall_messages(short)
                raise Refused(SaveResult(errors={"changes": " ".join(messages)}))
            await audit_log.record(
                viewer,
                entity_kind="order",
                entity_uuid=order.uuid,
                organisation_id=order.buyer,
                action="change_request",
                changes=_audit_pairs(changes),
            )
            await events.record(
                viewer, events.CHANGE_REQUESTED, order, events.CHANGE_REQUESTED_MESSAGE
            )
    except Refused as refused:
        return refused.result
    return SaveResult(uuid=inserted[0]["uuid"])


def _audit_pairs(changes: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A change request's changes as the audit log's (before, after) pairs."""
    pairs = {f"sku-{sku}": pair for sku, pair in (changes.get("quantities") or {}).items()}
    if changes.get("requested_ship_date"):
        pairs["requested_ship_date"] = changes["requested_ship_date"]
    return pairs


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def decide_change(
    viewer: Viewer, request_uuid: UUID, accept: bool, note: str = ""
) -> SaveResult:
    """The brand accepts (the order takes the new quantities at its frozen prices and a new
    version) or declines a pending change request."""
    found, order = await access.get_change_request(viewer, request_uuid)
    if not access.may_decide_order_change(viewer):
        raise PermissionDeniedException(_("Your role does not allow this."))
    if found.status != ChangeRequestStatus.pending:
        return SaveResult(errors={"status": _("This change request has already been decided.")})
    if accept and order.version != found.order_version:
        return SaveResult(
            errors={
                "status": _("The order changed after this request; ask the buyer to send it again.")
            }
        )
    try:
        async with write_transaction():
            return await _decide_in_transaction(viewer, found, order, accept, note)
    except Refused as refused:
        return refused.result


@access.checked_by_caller("the request and its order come from get_change_request")
async def _decide_in_transaction(
    viewer: Viewer, found: ChangeRequestRecord, order: VisibleOrder, accept: bool, note: str
) -> SaveResult:
    """Record the decision; accepted, apply the change and hold what the order now needs.
    Call inside write_transaction(); a refusal raises Refused to roll it back."""
    decided = (
        await ChangeRequest.update(
            {
                ChangeRequest.status: ChangeRequestStatus.accepted
                if accept
                else ChangeRequestStatus.declined,
                ChangeRequest.decided_by: viewer.user_id,
                ChangeRequest.decided_at: utcnow(),
                ChangeRequest.decision_note: note.strip(),
            }
        )
        .where(
            (ChangeRequest.id == found.id) & (ChangeRequest.status == ChangeRequestStatus.pending)
        )
        .returning(ChangeRequest.id)
    )
    if not decided:
        return SaveResult(errors={"status": _("This change request has already been decided.")})
    # What the request held goes back; accepted, the order then holds what it needs.
    await stock.hold(order.id, {}, change_request_id=found.id)
    if accept:
        priced, preview = await change_preview(order, found.changes)
        if preview.refusals:
            raise Refused(SaveResult(errors={"status": " ".join(preview.refusals)}))
        if not await versions.has_versions(order.id):
            # Submitted before versions were kept: the order as it stood is version 1.
            await versions.record_version(None, order.id)
        await _apply_change(order, found.changes, priced)
        where_from = await stock.sources(
            order.channel,
            order.delivery_window_start,
            order.delivery_window_end,
            [line.sku for line in await order_lines_for_checks(order.id)],
        )
        short = await stock.hold(order.id, await stock.lines_held(order.id, where_from))
        if short:
            messages = await stock.shortfall_messages(short)
            raise Refused(SaveResult(errors={"status": " ".join(messages)}))
        await versions.record_version(viewer, order.id, found.id)
    await audit_log.record(
        viewer,
        entity_kind="order",
        entity_uuid=order.uuid,
        organisation_id=order.buyer,
        action="change_accepted" if accept else "change_declined",
        changes=_audit_pairs(found.changes),
        summary=note,
    )
    if accept:
        # The order is now different: an ERP that took it pulls it again.
        await events.record(
            viewer,
            events.CHANGED,
            order,
            events.CHANGE_ACCEPTED_MESSAGE,
            payload={"change_request": str(found.uuid), "erp_number": order.external_ref},
        )
    else:
        await events.record(viewer, events.CHANGE_DECIDED, order, events.CHANGE_DECLINED_MESSAGE)
    return SaveResult(uuid=order.uuid)


async def change_preview(
    order: OrderRecord, changes: Mapping[str, Any], change_request_id: int | None = None
) -> tuple[PricedLines, ChangePreview]:
    """The order as the change would make it, repriced, with what the brand's order rules
    say (blocking ones refuse it) and, for a pending request, the pieces it holds beyond
    what is left."""
    after = {int(sku): pair[1] for sku, pair in (changes.get("quantities") or {}).items()}
    current = await order_lines_for_checks(order.id)
    priced = await repriced(order, [(line, after.get(line.sku, line.quantity)) for line in current])
    findings = await registry.check_order(
        {
            **msgspec.structs.asdict(order),
            **{column._meta.name: value for column, value in priced.amounts().items()},
        },
        priced.rows,
    )
    warnings = [finding.message for finding in findings if not finding.blocking]
    if change_request_id is not None:
        warnings += await stock.shortfall_messages(
            await stock.oversold_by_request(order.id, change_request_id)
        )
    return priced, ChangePreview(
        total_quantity=priced.total_quantity,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        total=priced.total,
        warnings=warnings,
        refusals=[finding.message for finding in findings if finding.blocking],
    )


@access.checked_by_caller("the order comes from get_change_request")
async def _apply_change(
    order: OrderRecord, changes: Mapping[str, Any], priced: PricedLines
) -> None:
    """Write the repriced lines (dropping those now at 0), the new figures and ship date."""
    await write_priced_lines(await order_lines_for_checks(order.id), priced)
    values: dict[Any, Any] = {
        **priced.amounts(),
        Order.updated_at: utcnow(),
        Order.version: Order.version + 1,
    }
    ship_date = changes.get("requested_ship_date")
    if ship_date:
        values[Order.requested_ship_date] = date.fromisoformat(ship_date[1])
    await Order.update(values).where(Order.id == order.id)
