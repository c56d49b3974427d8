"""The order book's rules: drafts priced from the catalog, submission with frozen prices,
the status flow, change requests, shipments and comments.

Every channel (distributor matrix entry, retailer, group campaigns, rep-entered) places
orders through these functions, so the rules hold the same for all of them. Who may do
what is decided in partner_portal.access; these functions ask it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from litestar.exceptions import PermissionDeniedException
from piccolo.query.functions.aggregate import Sum

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.forms import minor_units
from partner_portal.catalog.services import prices_for_partner
from partner_portal.catalog.tables import Sku, StyleStatus
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, is_sqlite, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.notifications.services import mail_user
from partner_portal.orders.tables import (
    ChangeRequest,
    ChangeRequestStatus,
    Order,
    OrderChannel,
    OrderComment,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
)
from partner_portal.partners.tables import Organisation, User
from partner_portal.registries import DemandLine, OrderFinding, registry
from partner_portal.settings import current_settings

MAX_LINE_QUANTITY = 1_000_000
HUNDRED = Decimal(100)
# Orders that still count against a buyer's credit and feed material demand.
OPEN_STATUSES = (
    OrderStatus.submitted,
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
)


@dataclass(frozen=True)
class LineRequest:
    """One SKU and how many.

    Without a unit price the buyer's catalog price applies (taken again on the day of
    submission) with the list's volume break unless a discount is given. A unit price is
    a price the placer fixed (a campaign's price with its options, a rep's deal): it is
    kept at submission. Forms and the API pass one only for the brand's users."""

    sku_id: int
    quantity: int
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal("0")


@dataclass
class OrderDraft:
    buyer_id: int
    channel: OrderChannel
    lines: list[LineRequest] = field(default_factory=list)
    ship_to: str = ""
    customer_po: str = ""
    notes: str = ""
    season_id: int | None = None
    delivery_window_start: date | None = None
    delivery_window_end: date | None = None
    requested_ship_date: date | None = None


@dataclass
class PricedLines:
    """Lines ready to save, the price list they came from, and the order's totals."""

    rows: list[dict[str, Any]]
    currency: str
    price_list_id: int | None
    price_list_name: str
    total_quantity: int
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (KRW and JPY have none)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _merged(lines: Iterable[LineRequest]) -> list[LineRequest]:
    """One line per SKU: quantities of repeated SKUs add up (a pasted block may repeat)."""
    merged: dict[int, LineRequest] = {}
    for line in lines:
        earlier = merged.get(line.sku_id)
        if earlier is None:
            merged[line.sku_id] = line
        else:
            merged[line.sku_id] = LineRequest(
                line.sku_id,
                earlier.quantity + line.quantity,
                earlier.unit_price,
                earlier.discount_percent,
            )
    return list(merged.values())


async def price_lines(
    buyer: Mapping[str, Any], requests: Sequence[LineRequest]
) -> tuple[PricedLines | None, dict[str, str]]:
    """Price the lines for the buyer at today's catalog prices (two queries for any number
    of lines); errors name the SKU and why (unknown, not orderable, no price, quantity)."""
    requests = _merged(requests)
    errors: dict[str, str] = {}
    for line in requests:
        if not 0 < line.quantity <= MAX_LINE_QUANTITY:
            errors[f"sku-{line.sku_id}"] = _("Quantities are whole numbers from 1 to 1,000,000.")
        if not Decimal(0) <= line.discount_percent <= HUNDRED:
            errors[f"sku-{line.sku_id}"] = _("A discount is between 0 and 100 percent.")
    skus = {
        row["id"]: row
        for row in await Sku.select(
            Sku.id,
            Sku.style,
            Sku.colourway,
            Sku.size,
            Sku.style.code.as_alias("style_code"),  # type: ignore[attr-defined]
            Sku.style.status.as_alias("style_status"),  # type: ignore[attr-defined]
        ).where(Sku.id.is_in([line.sku_id for line in requests] or [-1]))
    }
    prices = await prices_for_partner(buyer["id"], {row["style"] for row in skus.values()})
    # Volume breaks count a style's pieces in all colours and sizes of the order.
    pieces_per_style: dict[int, int] = {}
    for line in requests:
        if line.sku_id in skus:
            style_id = skus[line.sku_id]["style"]
            pieces_per_style[style_id] = pieces_per_style.get(style_id, 0) + line.quantity
    currency = buyer["currency"]
    price_list_id: int | None = None
    price_list_name = ""
    rows: list[dict[str, Any]] = []
    for line in requests:
        sku = skus.get(line.sku_id)
        key = f"sku-{line.sku_id}"
        if sku is None:
            errors[key] = _("This item is not in the catalog.")
            continue
        if sku["style_status"] != StyleStatus.active:
            errors[key] = _("Style %(code)s cannot be ordered.", code=sku["style_code"])
            continue
        unit_price = line.unit_price
        discount = line.discount_percent
        if unit_price is None:
            price = prices.for_item(sku["style"], sku["size"])
            if price is None:
                errors[key] = _(
                    "Style %(code)s has no price in %(currency)s for you.",
                    code=sku["style_code"],
                    currency=currency,
                )
                continue
            unit_price = price.wholesale
            if not discount:
                discount = prices.discount_for(sku["style"], pieces_per_style[sku["style"]])
            price_list_id = price_list_id or price.price_list_id
            price_list_name = price_list_name or price.price_list_name
        gross = unit_price * line.quantity
        line_total = round_money(gross * (HUNDRED - discount) / HUNDRED, currency)
        rows.append(
            {
                "sku": sku["id"],
                "style": sku["style"],
                "colourway": sku["colourway"],
                "size": sku["size"],
                "quantity": line.quantity,
                "unit_price": unit_price,
                "discount_percent": discount,
                "price_fixed": line.unit_price is not None,
                "line_total": line_total,
                "gross": round_money(gross, currency),
            }
        )
    if errors:
        return None, errors
    subtotal = sum((row["gross"] for row in rows), Decimal(0))
    total = sum((row["line_total"] for row in rows), Decimal(0))
    return (
        PricedLines(
            rows=rows,
            currency=currency,
            price_list_id=price_list_id,
            price_list_name=price_list_name,
            total_quantity=sum(row["quantity"] for row in rows),
            subtotal=subtotal,
            discount_total=subtotal - total,
            total=total,
        ),
        {},
    )


def _totals(priced: PricedLines) -> dict[Any, Any]:
    return {
        Order.currency: priced.currency,
        Order.total_quantity: priced.total_quantity,
        Order.subtotal: priced.subtotal,
        Order.discount_total: priced.discount_total,
        Order.total: priced.total,
    }


async def _insert_lines(order_id: int, priced: PricedLines) -> None:
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
                    price_fixed=row["price_fixed"],
                    line_total=row["line_total"],
                )
                for row in priced.rows
            ]
        )


async def _record_status(
    viewer: Viewer | None, order_id: int, from_status: str | None, to_status: str, note: str = ""
) -> None:
    await OrderStatusChange.insert(
        OrderStatusChange(
            order=order_id,
            from_status=from_status,
            to_status=to_status,
            changed_by=viewer.user_id if viewer else None,
            changed_at=utcnow(),
            note=note,
        )
    )


def _check_dates(draft: OrderDraft) -> dict[str, str]:
    start, end = draft.delivery_window_start, draft.delivery_window_end
    if start and end and end < start:
        return {"delivery_window_end": _("The delivery window ends before it starts.")}
    return {}


@access.checked_by_caller("the order it has just inserted for a buyer from get_buyer")
async def _insert_order(viewer: Viewer, draft: OrderDraft, priced: PricedLines) -> dict[str, Any]:
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
            delivery_window_start=draft.delivery_window_start,
            delivery_window_end=draft.delivery_window_end,
            requested_ship_date=draft.requested_ship_date,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
            **{column._meta.name: value for column, value in _totals(priced).items()},
        )
    ).returning(Order.id, Order.uuid)
    order = inserted[0]
    await Order.update({Order.number: order_number(order["id"])}).where(Order.id == order["id"])
    await _insert_lines(order["id"], priced)
    await _record_status(viewer, order["id"], None, OrderStatus.draft)
    await audit_log.record(
        viewer,
        entity_kind="order",
        entity_uuid=order["uuid"],
        organisation_id=draft.buyer_id,
        action="create",
        summary=_("Draft order %(number)s", number=order_number(order["id"])),
    )
    return order


def order_number(order_id: int) -> str:
    return f"SO-{order_id:07d}"


async def create_draft(viewer: Viewer, draft: OrderDraft) -> SaveResult:
    """A new draft order for a buyer the viewer may order for, priced at today's prices."""
    buyer = await access.get_buyer(viewer, draft.buyer_id)
    priced, errors = await price_lines(buyer, draft.lines)
    errors |= _check_dates(draft)
    if priced is None or errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        order = await _insert_order(viewer, draft, priced)
    return SaveResult(uuid=order["uuid"])


async def replace_lines(
    viewer: Viewer, order_uuid: UUID, lines: Sequence[LineRequest], opened_version: int
) -> SaveResult:
    """Save a draft's lines as entered (the matrix), repriced at today's prices.

    The version guards against a colleague saving the same draft in between."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if not access.may_edit_order_lines(viewer, order["status"]):
        raise PermissionDeniedException(_("Only a draft's lines can be changed."))
    buyer = await access.get_buyer(viewer, order["buyer"])
    priced, errors = await price_lines(buyer, lines)
    if priced is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        version = await update_if_version(
            Order,
            order["id"],
            opened_version,
            {
                **_totals(priced),
                Order.updated_at: utcnow(),
                Order.price_list: priced.price_list_id,
                Order.price_list_name: priced.price_list_name,
            },
        )
        if version is None:
            return await _conflict(order, opened_version)
        await OrderLine.delete().where(OrderLine.order == order["id"])
        await _insert_lines(order["id"], priced)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="edit",
            changes={
                "total_quantity": [order["total_quantity"], priced.total_quantity],
                "version": [opened_version, version],
            },
        )
    return SaveResult(uuid=order["uuid"], current_version=version)


@access.checked_by_caller("the order comes from get_order")
async def _conflict(order: Mapping[str, Any], opened_version: int) -> SaveResult:
    current = await Order.select(Order.version).where(Order.id == order["id"]).first()
    changes = await audit_log.changes_since(order["uuid"], opened_version)
    return SaveResult(
        errors={"version": _("Someone else changed this order while you were editing it.")},
        conflicts=changes,
        current_version=current["version"] if current else None,
    )


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
    if not access.may_edit_order_lines(viewer, order["status"]):
        raise PermissionDeniedException(_("Only a draft's details can be changed here."))
    draft = OrderDraft(buyer_id=order["buyer"], channel=OrderChannel(order["channel"]))
    for name in DETAIL_COLUMNS:
        setattr(draft, name, values.get(name, order[name]))
    errors = _check_dates(draft)
    if errors:
        return SaveResult(errors=errors)
    changed = {name: getattr(draft, name) for name in DETAIL_COLUMNS}
    async with write_transaction():
        version = await update_if_version(
            Order,
            order["id"],
            opened_version,
            {
                **{Order._meta.get_column_by_name(k): v for k, v in changed.items()},
                Order.updated_at: utcnow(),
            },
        )
        if version is None:
            return await _conflict(order, opened_version)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="edit",
            changes={
                **audit_log.changes_between(
                    {name: order[name] for name in DETAIL_COLUMNS}, changed
                ),
                "version": [opened_version, version],
            },
        )
    return SaveResult(uuid=order["uuid"], current_version=version)


@access.checked_by_caller("lines of an order from get_order")
async def order_lines_for_checks(order_id: int) -> list[dict[str, Any]]:
    return await OrderLine.select(
        OrderLine.id,
        OrderLine.sku,
        OrderLine.style,
        OrderLine.colourway,
        OrderLine.size,
        OrderLine.quantity,
        OrderLine.unit_price,
        OrderLine.discount_percent,
        OrderLine.price_fixed,
        OrderLine.line_total,
    ).where(OrderLine.order == order_id)


async def findings_for(order: dict[str, Any]) -> list[OrderFinding]:
    """What the brand's order rules say about an order as it stands."""
    return await registry.check_order(order, await order_lines_for_checks(order["id"]))


@access.checked_by_caller("lines of an order from get_order")
async def _write_changed_prices(current: list[dict[str, Any]], priced: PricedLines) -> None:
    """Store the prices of the day on the lines whose price moved since the draft was
    saved (usually none: a 1,000-line order then costs no line writes at all)."""
    saved = {line["sku"]: line for line in current}
    for row in priced.rows:
        line = saved[row["sku"]]
        if (line["unit_price"], line["discount_percent"], line["line_total"]) != (
            row["unit_price"],
            row["discount_percent"],
            row["line_total"],
        ):
            await OrderLine.update(
                {
                    OrderLine.unit_price: row["unit_price"],
                    OrderLine.discount_percent: row["discount_percent"],
                    OrderLine.line_total: row["line_total"],
                }
            ).where(OrderLine.id == line["id"])


async def _submit_in_transaction(viewer: Viewer, order: dict[str, Any]) -> SaveResult:
    """Reprice at today's prices, check the rules, freeze, and move draft -> submitted.

    Call inside write_transaction()."""
    buyer = await access.get_buyer(viewer, order["buyer"])
    current = await order_lines_for_checks(order["id"])
    if not current:
        return SaveResult(errors={"lines": _("An order needs at least one line.")})
    priced, errors = await price_lines(
        buyer,
        [
            # Fixed prices (and their discounts) stay; catalog prices are taken again today.
            LineRequest(line["sku"], line["quantity"], line["unit_price"], line["discount_percent"])
            if line["price_fixed"]
            else LineRequest(line["sku"], line["quantity"])
            for line in current
        ],
    )
    if priced is None:
        return SaveResult(errors=errors)
    await _write_changed_prices(current, priced)
    blocking = [
        finding.message
        for finding in await registry.check_order(
            {**order, **{c._meta.name: v for c, v in _totals(priced).items()}}, priced.rows
        )
        if finding.blocking
    ]
    if blocking:
        return SaveResult(errors={"rules": " ".join(blocking)})
    now = utcnow()
    moved = (
        await Order.update(
            {
                **_totals(priced),
                Order.status: OrderStatus.submitted,
                Order.price_list: priced.price_list_id,
                Order.price_list_name: priced.price_list_name,
                Order.submitted_at: now,
                Order.status_changed_at: now,
                Order.updated_at: now,
                Order.version: Order.version + 1,
            }
        )
        .where((Order.id == order["id"]) & (Order.status == OrderStatus.draft))
        .returning(Order.id)
    )
    if not moved:
        return SaveResult(errors={"status": _("This order has already been submitted.")})
    await _record_status(viewer, order["id"], OrderStatus.draft, OrderStatus.submitted)
    await audit_log.record(
        viewer,
        entity_kind="order",
        entity_uuid=order["uuid"],
        organisation_id=order["buyer"],
        action="submit",
        summary=_("Submitted: %(quantity)s pieces", quantity=priced.total_quantity),
    )
    return SaveResult(uuid=order["uuid"])


class _Refused(Exception):
    """Rolls back a transaction whose work turned out to be refused."""

    def __init__(self, result: SaveResult) -> None:
        self.result = result


async def submit_order(viewer: Viewer, order_uuid: UUID) -> SaveResult:
    """Submit a draft: reprice it at today's prices, check the rules and freeze the prices.

    A second submission (another tab) is refused: the order is no longer a draft. A
    repeat of the same request (a double click, a retry) never gets here twice: the
    handlers answer it through partner_portal.idempotency."""
    order = await access.get_order(viewer, order_uuid, Action.place_order)
    if not access.may_move_order(viewer, order["status"], OrderStatus.submitted):
        if order["status"] != OrderStatus.draft:
            return SaveResult(errors={"status": _("This order has already been submitted.")})
        raise PermissionDeniedException(_("Your role does not allow this."))
    try:
        async with write_transaction():
            result = await _submit_in_transaction(viewer, order)
            if not result.saved:
                raise _Refused(result)
    except _Refused as refused:
        return refused.result
    return result


async def place_order(viewer: Viewer, draft: OrderDraft) -> SaveResult:
    """Create and submit an order in one transaction (group campaigns, on-behalf orders,
    demo data): either it is placed or nothing is saved."""
    buyer = await access.get_buyer(viewer, draft.buyer_id)
    priced, errors = await price_lines(buyer, draft.lines)
    errors |= _check_dates(draft)
    if priced is None or errors:
        return SaveResult(errors=errors)
    try:
        async with write_transaction():
            inserted = await _insert_order(viewer, draft, priced)
            order = (
                await Order.select(*Order.all_columns()).where(Order.id == inserted["id"]).first()
            )
            assert order is not None
            result = await _submit_in_transaction(viewer, order)
            if not result.saved:
                raise _Refused(result)
    except _Refused as refused:
        return refused.result
    return result


async def change_status(
    viewer: Viewer, order_uuid: UUID, to_status: OrderStatus, note: str = ""
) -> SaveResult:
    """Move an order one allowed step (access.ORDER_TRANSITIONS), recorded with who and when.

    Submission has its own function (it prices and checks); shipments move the shipped
    statuses themselves when quantities are recorded."""
    order = await access.get_order(viewer, order_uuid)
    if to_status == OrderStatus.submitted:
        raise PermissionDeniedException(_("Submit the order with its own button."))
    if not access.may_move_order(viewer, order["status"], to_status):
        if (OrderStatus(order["status"]), to_status) in access.ORDER_TRANSITIONS:
            raise PermissionDeniedException(_("Your role does not allow this."))
        return SaveResult(
            errors={
                "status": _(
                    "An order cannot go from %(from)s to %(to)s.",
                    **{"from": order["status"], "to": to_status},
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
            .where((Order.id == order["id"]) & (Order.status == order["status"]))
            .returning(Order.id)
        )
        if not moved:
            return SaveResult(
                errors={"status": _("Someone else changed this order's status first.")}
            )
        await _record_status(viewer, order["id"], order["status"], to_status, note)
        await _tell_buyer(viewer, order, to_status, note)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="status",
            changes={"status": [order["status"], to_status]},
            summary=note,
        )
    return SaveResult(uuid=order["uuid"])


# The steps the buyer hears about by e-mail (they may turn these e-mails off).
ORDER_STATUS_EMAIL = "order_status"
ORDER_STATUS_EMAIL_LABEL = N_("My orders change status (confirmed, shipped, rejected...)")
ANNOUNCED_STATUSES = frozenset(
    {
        OrderStatus.confirmed,
        OrderStatus.rejected,
        OrderStatus.cancelled,
        OrderStatus.partially_shipped,
        OrderStatus.shipped,
        OrderStatus.delivered,
    }
)


@access.checked_by_caller("the buyer's people of an order from get_order")
async def _tell_buyer(viewer: Viewer, order: Mapping[str, Any], to_status: str, note: str) -> None:
    """E-mail the buyer's side about a step the brand took: the person who placed the order
    if they belong to the buyer, else the buyer's organisation admins. Call inside the
    transaction of the status change, so the mail exists if and only if the change does."""
    if to_status not in ANNOUNCED_STATUSES or access.is_buying_side(viewer):
        return
    users = await User.select(
        User.id, User.email, User.display_name, User.locale, User.time_zone, User.is_org_admin
    ).where(
        (User.organisation == order["buyer"])
        & (User.is_active == True)  # noqa: E712
        & ((User.id == order["placed_by"]) | (User.is_org_admin == True))  # noqa: E712
    )
    placer = [user for user in users if user["id"] == order["placed_by"]]
    settings = current_settings()
    for user in placer or users:
        await mail_user(
            user,
            ORDER_STATUS_EMAIL,
            "order_status",
            {
                "name": user["display_name"],
                "number": order["number"],
                "status": to_status,
                "note": note,
                "link": f"{settings.base_url}/orders/{order['uuid']}",
            },
            settings,
        )


# ---------------------------------------------------------------------------
# Comments, change requests, shipments


async def add_comment(viewer: Viewer, order_uuid: UUID, body: str) -> SaveResult:
    order = await access.get_order(viewer, order_uuid)
    text = body.strip()
    if not text:
        return SaveResult(errors={"body": _("Write a comment first.")})
    if len(text) > 4000:
        return SaveResult(errors={"body": _("A comment is at most 4,000 characters.")})
    async with write_transaction():
        await OrderComment.insert(
            OrderComment(order=order["id"], author=viewer.user_id, body=text, created_at=utcnow())
        )
    return SaveResult(uuid=order["uuid"])


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
    if not access.may_request_order_change(viewer, order["status"]):
        raise PermissionDeniedException(_("Changes can be asked for only before production."))
    if order_version != order["version"]:
        return await _conflict(order, order_version)
    lines = {line["sku"]: line["quantity"] for line in await order_lines_for_checks(order["id"])}
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
        requested_ship_date is not None and requested_ship_date != order["requested_ship_date"]
    )
    if not errors and not changed and not date_changed:
        errors["changes"] = _("Nothing is different from the order as it stands.")
    if errors:
        return SaveResult(errors=errors)
    if await ChangeRequest.exists().where(
        (ChangeRequest.order == order["id"]) & (ChangeRequest.status == ChangeRequestStatus.pending)
    ):
        return SaveResult(
            errors={"changes": _("A change request is already waiting for the brand.")}
        )
    changes = {
        "quantities": {sku: [lines[int(sku)], quantity] for sku, quantity in changed.items()},
        "requested_ship_date": (
            [_iso(order["requested_ship_date"]), _iso(requested_ship_date)]
            if date_changed
            else None
        ),
    }
    async with write_transaction():
        inserted = await ChangeRequest.insert(
            ChangeRequest(
                order=order["id"],
                requested_by=viewer.user_id,
                requested_at=utcnow(),
                reason=reason.strip(),
                changes=json.dumps(changes),
                order_version=order["version"],
            )
        ).returning(ChangeRequest.uuid)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="change_request",
            changes=_audit_pairs(changes),
        )
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
    if found["status"] != ChangeRequestStatus.pending:
        return SaveResult(errors={"status": _("This change request has already been decided.")})
    changes = (
        found["changes"] if isinstance(found["changes"], dict) else json.loads(found["changes"])
    )
    if accept and order["version"] != found["order_version"]:
        return SaveResult(
            errors={
                "status": _("The order changed after this request; ask the buyer to send it again.")
            }
        )
    async with write_transaction():
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
                (ChangeRequest.id == found["id"])
                & (ChangeRequest.status == ChangeRequestStatus.pending)
            )
            .returning(ChangeRequest.id)
        )
        if not decided:
            return SaveResult(errors={"status": _("This change request has already been decided.")})
        if accept:
            await _apply_change(order, changes)
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="change_accepted" if accept else "change_declined",
            changes=_audit_pairs(changes),
            summary=note,
        )
    return SaveResult(uuid=order["uuid"])


@access.checked_by_caller("the order comes from get_change_request")
async def _apply_change(order: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    for sku, (_before, after) in (changes.get("quantities") or {}).items():
        line = (
            await OrderLine.select(OrderLine.id, OrderLine.unit_price, OrderLine.discount_percent)
            .where((OrderLine.order == order["id"]) & (OrderLine.sku == int(sku)))
            .first()
        )
        if line is None:
            continue
        if after == 0:
            await OrderLine.delete().where(OrderLine.id == line["id"])
        else:
            total = round_money(
                line["unit_price"] * after * (HUNDRED - line["discount_percent"]) / HUNDRED,
                order["currency"],
            )
            await OrderLine.update({OrderLine.quantity: after, OrderLine.line_total: total}).where(
                OrderLine.id == line["id"]
            )
    values: dict[Any, Any] = {Order.updated_at: utcnow(), Order.version: Order.version + 1}
    ship_date = changes.get("requested_ship_date")
    if ship_date:
        values[Order.requested_ship_date] = date.fromisoformat(ship_date[1])
    await Order.update(values).where(Order.id == order["id"])
    await _recompute_totals(order["id"], order["currency"])


@access.checked_by_caller("the order comes from get_order")
async def _recompute_totals(order_id: int, currency: str) -> None:
    lines = await OrderLine.select(
        OrderLine.quantity, OrderLine.unit_price, OrderLine.line_total
    ).where(OrderLine.order == order_id)
    subtotal = sum(
        (round_money(line["unit_price"] * line["quantity"], currency) for line in lines), Decimal(0)
    )
    total = sum((line["line_total"] for line in lines), Decimal(0))
    await Order.update(
        {
            Order.total_quantity: sum(line["quantity"] for line in lines),
            Order.subtotal: subtotal,
            Order.discount_total: subtotal - total,
            Order.total: total,
        }
    ).where(Order.id == order_id)


@dataclass(frozen=True)
class ShipmentInput:
    carrier: str
    tracking_number: str
    shipped_on: date
    quantities: Mapping[int, int]  # order line id -> pieces in this shipment


async def record_shipment(viewer: Viewer, order_uuid: UUID, shipment: ShipmentInput) -> SaveResult:
    """Record a (partial) shipment; the order becomes partially shipped or shipped."""
    order = await access.get_order(viewer, order_uuid)
    if not access.may_record_shipment(viewer, order["status"]):
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
                OrderLine.id, OrderLine.quantity, OrderLine.shipped_quantity
            ).where(OrderLine.order == order["id"])
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
                order=order["id"],
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
        ).where(Order.id == order["id"])
        if to_status != order["status"]:
            await _record_status(viewer, order["id"], order["status"], to_status)
            await _tell_buyer(viewer, order, to_status, "")
        await audit_log.record(
            viewer,
            entity_kind="order",
            entity_uuid=order["uuid"],
            organisation_id=order["buyer"],
            action="shipment",
            changes={"status": [order["status"], to_status]},
            summary=f"{shipment.carrier.strip()} {shipment.tracking_number.strip()}: "
            f"{sum(wanted.values())}",
        )
    return SaveResult(uuid=inserted[0]["uuid"])


# ---------------------------------------------------------------------------
# Reading: the list, one order, a partner's recent orders, demand for suppliers

PAGE_SIZE = 50
LIST_NAME = "orders"
STATUS_CODES = frozenset(status.value for status in OrderStatus)
CHANNEL_CODES = frozenset(channel.value for channel in OrderChannel)


@dataclass
class OrderFilters:
    status: str = ""
    channel: str = ""
    buyer: UUID | None = None
    search: str = ""
    before: int | None = None  # keyset paging: orders with a smaller id (newest first)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> OrderFilters:
        def uuid_or_none(text: str) -> UUID | None:
            try:
                return UUID(text)
            except ValueError:
                return None

        before = query.get("before", "")
        return cls(
            status=query.get("status", "") if query.get("status", "") in STATUS_CODES else "",
            channel=query.get("channel", "") if query.get("channel", "") in CHANNEL_CODES else "",
            buyer=uuid_or_none(query.get("buyer", "")),
            search=query.get("q", "").strip()[:60],
            before=whole_number(before),
        )

    def query_string(self, **overrides: Any) -> str:
        from urllib.parse import urlencode

        values = {
            "status": self.status,
            "channel": self.channel,
            "buyer": str(self.buyer) if self.buyer else "",
            "q": self.search,
            "before": str(self.before) if self.before else "",
        } | {key: str(value) for key, value in overrides.items()}
        return urlencode({key: value for key, value in values.items() if value})

    def filter_string(self) -> str:
        """The filters without the page position (what the list remembers)."""
        return self.query_string(before="")


@dataclass
class OrderPage:
    rows: list[dict[str, Any]]
    next_before: int | None
    filters: OrderFilters


LIST_COLUMNS = (
    Order.id,
    Order.uuid,
    Order.number,
    Order.status,
    Order.channel,
    Order.currency,
    Order.total,
    Order.total_quantity,
    Order.customer_po,
    Order.submitted_at,
    Order.created_at,
    Order.requested_ship_date,
    Order.buyer.uuid.as_alias("buyer_uuid"),  # type: ignore[attr-defined]
    Order.buyer.legal_name.as_alias("buyer_name"),  # type: ignore[attr-defined]
)


def _filtered(query: Any, viewer: Viewer, filters: OrderFilters) -> Any:
    query = access.scoped_orders(query, viewer)
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.channel:
        query = query.where(Order.channel == filters.channel)
    if filters.buyer:
        query = query.where(Order.buyer.uuid == filters.buyer)  # type: ignore[attr-defined]
    if filters.search:
        query = query.where(
            contains_text(Order.number, filters.search)
            | contains_text(Order.customer_po, filters.search)
        )
    return query


async def list_orders(viewer: Viewer, filters: OrderFilters) -> OrderPage:
    """Fifty orders the viewer may see, newest first, one query. Paging is by key (the
    last id shown), so a page costs the same on the thousandth page and needs no count."""
    query = _filtered(Order.select(*LIST_COLUMNS), viewer, filters)
    if filters.before:
        query = query.where(Order.id < filters.before)
    rows = await query.order_by(Order.id, ascending=False).limit(PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return OrderPage(rows=rows, next_before=rows[-1]["id"] if more else None, filters=filters)


async def visible_buyers(viewer: Viewer) -> list[dict[str, Any]]:
    """Organisations the viewer may place orders for (the new-order form's choices)."""
    rows = (
        await access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.kind,
                Organisation.legal_name,
                Organisation.parent_distributor,
            ),
            viewer,
        )
        .where(Organisation.kind.is_in(sorted(access.BUYING_KINDS)))
        .order_by(Organisation.legal_name)
    )
    return [row for row in rows if access.may_place_order_for(viewer, row)]


@dataclass
class OrderView:
    order: dict[str, Any]
    lines: list[dict[str, Any]]
    history: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    shipments: list[dict[str, Any]]
    change_requests: list[dict[str, Any]]
    next_steps: list[OrderStatus]
    findings: list[OrderFinding]
    may_edit: bool
    may_request_change: bool
    may_decide_change: bool
    may_ship: bool


# The order page's columns, joins included, built once: Piccolo spends ~1 ms of CPU building
# each joined column, which was most of the page's time (bench/RESULTS.md).
ORDER_PAGE_COLUMNS = (
    *Order.all_columns(),
    Order.buyer.legal_name.as_alias("buyer_name"),  # type: ignore[attr-defined]
    Order.buyer.uuid.as_alias("buyer_uuid"),  # type: ignore[attr-defined]
    Order.placed_by.display_name.as_alias("placed_by_name"),  # type: ignore[attr-defined]
    Order.season.code.as_alias("season_code"),  # type: ignore[attr-defined]
)
ORDER_PAGE_LINE_COLUMNS = (
    OrderLine.id,
    OrderLine.sku,
    OrderLine.quantity,
    OrderLine.shipped_quantity,
    OrderLine.unit_price,
    OrderLine.discount_percent,
    OrderLine.line_total,
    OrderLine.style.uuid.as_alias("style_uuid"),  # type: ignore[attr-defined]
    OrderLine.style.code.as_alias("style_code"),  # type: ignore[attr-defined]
    OrderLine.style.name_en.as_alias("name_en"),  # type: ignore[attr-defined]
    OrderLine.style.name_zh.as_alias("name_zh"),  # type: ignore[attr-defined]
    OrderLine.style.name_ko.as_alias("name_ko"),  # type: ignore[attr-defined]
    OrderLine.colourway.code.as_alias("colour_code"),  # type: ignore[attr-defined]
    OrderLine.colourway.name.as_alias("colour_name"),  # type: ignore[attr-defined]
    OrderLine.size.label.as_alias("size_label"),  # type: ignore[attr-defined]
    OrderLine.size.position.as_alias("size_position"),  # type: ignore[attr-defined]
    OrderLine.sku.barcode.as_alias("barcode"),  # type: ignore[attr-defined]
)
ORDER_PAGE_PARTS_SQL = """
SELECT
    EXISTS (SELECT 1 FROM sales_order_comment WHERE "order" = {}) AS has_comments,
    EXISTS (SELECT 1 FROM shipment WHERE "order" = {}) AS has_shipments,
    EXISTS (SELECT 1 FROM sales_order_change_request WHERE "order" = {}) AS has_change_requests
"""
ORDER_PAGE_HISTORY_COLUMNS = (
    OrderStatusChange.from_status,
    OrderStatusChange.to_status,
    OrderStatusChange.changed_at,
    OrderStatusChange.note,
    OrderStatusChange.changed_by.display_name.as_alias("by"),  # type: ignore[attr-defined]
)
ORDER_PAGE_COMMENT_COLUMNS = (
    OrderComment.body,
    OrderComment.created_at,
    OrderComment.author.display_name.as_alias("author_name"),  # type: ignore[attr-defined]
    OrderComment.author.organisation.legal_name.as_alias("author_organisation"),  # type: ignore[attr-defined,union-attr]
)
ORDER_PAGE_CHANGE_REQUEST_COLUMNS = (
    *ChangeRequest.all_columns(),
    ChangeRequest.requested_by.display_name.as_alias("requested_by_name"),  # type: ignore[attr-defined]
)


async def order_view(viewer: Viewer, order_uuid: UUID) -> OrderView:
    """Everything the order page shows, in a fixed number of queries whatever its size."""
    order = await access.get_order(viewer, order_uuid, columns=ORDER_PAGE_COLUMNS)
    lines = await OrderLine.select(*ORDER_PAGE_LINE_COLUMNS).where(OrderLine.order == order["id"])
    lines.sort(key=lambda line: (line["style_code"], line["colour_code"], line["size_position"]))
    history = (
        await OrderStatusChange.select(*ORDER_PAGE_HISTORY_COLUMNS)
        .where(OrderStatusChange.order == order["id"])
        .order_by(OrderStatusChange.id)
    )
    # Most orders have no comments, shipments or change requests yet: one cheap query says
    # which of the three to read (each costs more to build in Piccolo than to run).
    parts = (await Order.raw(ORDER_PAGE_PARTS_SQL, *[order["id"]] * 3))[0]
    comments = (
        await OrderComment.select(*ORDER_PAGE_COMMENT_COLUMNS)
        .where(OrderComment.order == order["id"])
        .order_by(OrderComment.id)
        if parts["has_comments"]
        else []
    )
    shipments = (
        await Shipment.select(
            Shipment.uuid,
            Shipment.carrier,
            Shipment.tracking_number,
            Shipment.shipped_on,
            Shipment.id,
        )
        .where(Shipment.order == order["id"])
        .order_by(Shipment.id)
        if parts["has_shipments"]
        else []
    )
    shipped = (
        await ShipmentLine.select(ShipmentLine.shipment, ShipmentLine.quantity).where(
            ShipmentLine.shipment.is_in([row["id"] for row in shipments])
        )
        if shipments
        else []
    )
    for shipment in shipments:
        shipment["pieces"] = sum(
            row["quantity"] for row in shipped if row["shipment"] == shipment["id"]
        )
    change_requests = (
        await ChangeRequest.select(*ORDER_PAGE_CHANGE_REQUEST_COLUMNS)
        .where(ChangeRequest.order == order["id"])
        .order_by(ChangeRequest.id, ascending=False)
        if parts["has_change_requests"]
        else []
    )
    by_sku = {str(line["sku"]): line for line in lines}
    for request in change_requests:
        changes = request["changes"]
        if isinstance(changes, str):
            changes = json.loads(changes)
        request["diff"] = [
            {"line": by_sku.get(sku), "before": before, "after": after}
            for sku, (before, after) in (changes.get("quantities") or {}).items()
        ]
        request["ship_date_change"] = changes.get("requested_ship_date")
    findings = await findings_for(order) if order["status"] == OrderStatus.draft else []
    return OrderView(
        order=order,
        lines=lines,
        history=history,
        comments=comments,
        shipments=shipments,
        change_requests=change_requests,
        next_steps=access.next_order_steps(viewer, order["status"]),
        findings=findings,
        may_edit=access.may_edit_order_lines(viewer, order["status"]),
        may_request_change=access.may_request_order_change(viewer, order["status"]),
        may_decide_change=access.may_decide_order_change(viewer),
        may_ship=access.may_record_shipment(viewer, order["status"]),
    )


async def recent_orders_panel(
    viewer: Viewer, organisation: dict[str, Any]
) -> dict[str, Any] | None:
    """The partner 360 page's orders: the last ten and the open value, for those who see orders."""
    if not viewer.can(Action.view_orders):
        return None
    query = access.scoped_orders(Order.select(*LIST_COLUMNS), viewer).where(
        Order.buyer == organisation["id"]
    )
    rows = await query.order_by(Order.id, ascending=False).limit(10)
    if not rows and organisation["kind"] not in access.BUYING_KINDS:
        return None
    return {"orders": rows, "organisation": organisation}


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _delivery_week_sql() -> str:
    """SQL for the Monday of an order's delivery week: the requested ship date, else the
    delivery window's start, else 60 days after submission."""
    if is_sqlite():
        due = "COALESCE(o.requested_ship_date, o.delivery_window_start, date(o.submitted_at, '+60 days'))"
        # 'weekday 0' moves on to Sunday (or stays on one); six days back is that week's Monday.
        return f"date({due}, 'weekday 0', '-6 days')"
    due = (
        "COALESCE(o.requested_ship_date, o.delivery_window_start, "
        "CAST(o.submitted_at AT TIME ZONE 'UTC' AS date) + 60)"
    )
    return f"CAST(date_trunc('week', {due}) AS date)"


@access.system_query("demand source: every open order's garments, for supplier forecasts")
async def order_book_demand(since: date) -> list[DemandLine]:
    """Garment demand from open orders, by style/colour/size and delivery week, summed in
    the database (an order book of millions of lines stays a few thousand rows here).

    Confirmed and in-production orders are firm; submitted ones are likely (probability
    1 here: the suppliers module weights them). Quantities still to ship only; weeks
    before ``since`` count in its week (late demand is still demand)."""
    statuses = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)
    week = _delivery_week_sql()
    rows = await OrderLine.raw(
        f"""SELECT l.style AS style, l.colourway AS colourway, l.size AS size,
                   o.status <> 'submitted' AS firm, {week} AS week,
                   SUM(l.quantity - l.shipped_quantity) AS quantity
            FROM sales_order_line l JOIN sales_order o ON o.id = l."order"
            WHERE o.status IN ({statuses})
            GROUP BY l.style, l.colourway, l.size, o.status <> 'submitted', {week}"""
    )
    earliest = _week_start(since)
    demand: dict[tuple[int, int, int, date, bool], int] = {}
    for row in rows:
        week_start = row["week"]
        if not isinstance(week_start, date):
            week_start = date.fromisoformat(str(week_start))
        key = (
            row["style"],
            row["colourway"],
            row["size"],
            max(week_start, earliest),
            bool(row["firm"]),
        )
        demand[key] = demand.get(key, 0) + int(row["quantity"])
    return [
        DemandLine(
            style_id=style,
            colourway_id=colourway,
            size_id=size,
            quantity=quantity,
            week_start=week_start,
            firm=firm,
            probability=Decimal(1),
        )
        for (style, colourway, size, week_start, firm), quantity in demand.items()
        if quantity > 0
    ]


@access.system_query("order check: the buyer's open orders, for its credit limit")
async def open_order_value(buyer_id: int) -> Decimal:
    """The value of a buyer's submitted and not yet shipped orders (for credit checks)."""
    rows = await Order.select(Sum(Order.total).as_alias("open_value")).where(
        (Order.buyer == buyer_id) & Order.status.is_in(list(OPEN_STATUSES))
    )
    # SQLite sums NUMERIC columns as floats: back to cents through the text.
    return Decimal(str(rows[0]["open_value"] or 0)).quantize(Decimal("0.01"))
