"""Reads the order pages and the order API need beside the order book's services: SKUs
named by style code, colour and size, and the export of confirmed orders' lines. Every
order read goes through the services' access-scoped filters."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal import access, spreadsheets
from partner_portal.access import Viewer
from partner_portal.catalog.tables import Sku, Style, StyleStatus
from partner_portal.i18n import gettext as _
from partner_portal.orders import services
from partner_portal.orders.forms import EnteredLine
from partner_portal.orders.services import LineRequest, OrderFilters
from partner_portal.orders.tables import Order, OrderLine, OrderStatus, Shipment, ShipmentLine
from partner_portal.partners import picker
from partner_portal.partners.tables import Address, AddressKind, Organisation, OrganisationKind

# "Confirmed and later": what the brand has agreed to make or has made.
EXPORTED_STATUSES = (
    OrderStatus.confirmed,
    OrderStatus.in_production,
    OrderStatus.partially_shipped,
    OrderStatus.shipped,
    OrderStatus.delivered,
)
EXPORT_LIMIT = 100_000
# Lines are read for 100 orders at a time (about 1,000 lines): Piccolo turns a query's rows
# into dicts on the event loop, and on SQLite other requests' queries wait behind each one
# on the shared connection, so smaller queries keep the server answering during an export.
LINE_BATCH = 100
# A brand sees thousands of buyers: a menu of 4,111 made the order list 388 KB. Past the
# portal's menu limit (the forms' partner picker's), the list's search box finds orders by
# buyer name instead.
BUYER_MENU_LIMIT = picker.MENU_LIMIT


@dataclass(frozen=True)
class BuyerChoices:
    menu: list[dict[str, Any]]  # every visible buyer, when few enough for a menu
    chosen: dict[str, Any] | None  # without a menu: the buyer a link filtered by


async def line_requests(
    entered: Sequence[EnteredLine], error_prefix: str = "line"
) -> tuple[list[LineRequest] | None, dict[str, str]]:
    """The SKUs of lines named by style code, colour code and size label, in one query;
    an unknown combination is an error on its row (``line-<row>-style``)."""
    codes = sorted({line.style for line in entered})
    rows = await Sku.select(
        Sku.id,
        Sku.style._.code.as_alias("style_code"),
        Sku.colourway._.code.as_alias("colour_code"),
        Sku.size._.label.as_alias("size_label"),
    ).where(Sku.style._.code.is_in(codes or [""]))
    by_key = {
        (row["style_code"].upper(), row["colour_code"].upper(), row["size_label"].upper()): row[
            "id"
        ]
        for row in rows
    }
    known_styles = {row["style_code"].upper() for row in rows}
    known_colours = {(row["style_code"].upper(), row["colour_code"].upper()) for row in rows}
    requests: list[LineRequest] = []
    errors: dict[str, str] = {}
    for line in entered:
        sku_id = by_key.get(line.key)
        if sku_id is not None:
            requests.append(LineRequest(sku_id, line.quantity))
        elif line.style not in known_styles:
            errors[f"{error_prefix}-{line.row}-style"] = _(
                "No style %(code)s in the catalog.", code=line.style
            )
        elif (line.style, line.colour) not in known_colours:
            errors[f"{error_prefix}-{line.row}-colour"] = _(
                "Style %(code)s has no colour %(colour)s.", code=line.style, colour=line.colour
            )
        else:
            errors[f"{error_prefix}-{line.row}-size"] = _(
                "Style %(code)s has no size %(size)s.", code=line.style, size=line.size
            )
    return (None if errors else requests), errors


EXPORT_HEADER = (
    "order_number",
    "status",
    "channel",
    "buyer",
    "customer_po",
    "submitted_at",
    "requested_ship_date",
    "currency",
    "style_code",
    "style_name",
    "colour",
    "size",
    "barcode",
    "quantity",
    "shipped_quantity",
    "unit_price",
    "discount_percent",
    "line_total",
)


async def export_rows(viewer: Viewer, filters: OrderFilters) -> list[dict[str, Any]]:
    """One row per line of the confirmed (and later) orders the viewer sees with the list's
    filters, newest order first: a query for the orders and one per LINE_BATCH orders' lines."""
    query = services.filtered_orders(
        Order.select(
            Order.id,
            Order.number,
            Order.status,
            Order.channel,
            Order.customer_po,
            Order.submitted_at,
            Order.requested_ship_date,
            Order.currency,
            Order.buyer._.legal_name.as_alias("buyer"),
        ),
        viewer,
        filters,
    ).where(Order.status.is_in(list(EXPORTED_STATUSES)))
    orders = await query.order_by(Order.id, ascending=False).limit(EXPORT_LIMIT)
    if not orders:
        return []
    by_id = {order["id"]: order for order in orders}
    lines: list[dict[str, Any]] = []
    ids = list(by_id)
    # In batches: databases cap the number of values one IN (...) may hold. Past the
    # export's row limit the download is refused, so reading more is no use.
    for start in range(0, len(ids), LINE_BATCH):
        lines += await _export_lines(ids[start : start + LINE_BATCH])
        if len(lines) > spreadsheets.LIMITS.export_rows:
            break
    lines.sort(
        key=lambda line: (-line["order"], line["style_code"], line["colour"], line["size_position"])
    )
    rows = []
    for count, line in enumerate(lines, start=1):
        if count % 2000 == 0:
            await asyncio.sleep(0)  # other requests' turn: this loop is tens of milliseconds
        order = by_id[line["order"]]
        currency = order["currency"]
        rows.append(
            {
                **{name: order[name] for name in EXPORT_HEADER if name in order},
                "order_number": order["number"],
                "submitted_at": order["submitted_at"],
                **{name: line[name] for name in EXPORT_HEADER if name in line},
                # With the currency's decimals whatever the database hands back.
                "unit_price": services.round_money(Decimal(str(line["unit_price"])), currency),
                "line_total": services.round_money(Decimal(str(line["line_total"])), currency),
            }
        )
    return rows


@access.checked_by_caller("lines of orders export_rows found through scoped_orders")
async def _export_lines(order_ids: list[int]) -> list[dict[str, Any]]:
    return await OrderLine.select(
        OrderLine.order,
        OrderLine.quantity,
        OrderLine.shipped_quantity,
        OrderLine.unit_price,
        OrderLine.discount_percent,
        OrderLine.line_total,
        OrderLine.style._.code.as_alias("style_code"),
        OrderLine.style._.name_en.as_alias("style_name"),
        OrderLine.colourway._.code.as_alias("colour"),
        OrderLine.size._.label.as_alias("size"),
        OrderLine.size._.position.as_alias("size_position"),
        OrderLine.sku._.barcode.as_alias("barcode"),
    ).where(OrderLine.order.is_in(order_ids))


async def buyer_choices(viewer: Viewer, chosen: UUID | None) -> BuyerChoices:
    """The list's buyer filter: every buying organisation the viewer sees when they are few
    enough for a menu (one query); past that the search box finds buyers by name, and only
    the chosen one (from a partner page's link) is loaded, to name it."""
    rows = await picker.menu(viewer, access.BUYING_KINDS)
    if len(rows) <= BUYER_MENU_LIMIT:
        return BuyerChoices(menu=rows, chosen=None)
    named = await picker.chosen_partner(viewer, chosen, access.BUYING_KINDS) if chosen else None
    return BuyerChoices(menu=[], chosen=named)


PARTY_COLUMNS = (
    Organisation.id,
    Organisation.legal_name,
    Organisation.english_name,
    Organisation.tax_id,
    Organisation.country,
    Organisation.phone,
    Organisation.email,
)


@access.checked_by_caller("the buyer of an order its caller fetched with get_order, and the brand")
async def parties(buyer_id: int) -> dict[str, dict[str, Any] | None]:
    """The seller (the brand) and the buyer of an order, with their billing or office
    address, for the confirmation: two queries."""
    rows = await Organisation.select(*PARTY_COLUMNS, Organisation.kind).where(
        (Organisation.id == buyer_id) | (Organisation.kind == OrganisationKind.brand)
    )
    seller = next((row for row in rows if row["kind"] == OrganisationKind.brand), None)
    buyer = next((row for row in rows if row["id"] == buyer_id), None)
    ids = [row["id"] for row in (seller, buyer) if row]
    addresses = await Address.select().where(
        Address.organisation.is_in(ids or [-1])
        & Address.kind.is_in([AddressKind.billing, AddressKind.office])
    )
    for party in (seller, buyer):
        if party is None:
            continue
        own = [row for row in addresses if row["organisation"] == party["id"]]
        own.sort(key=lambda row: row["kind"] != AddressKind.billing)
        party["address"] = _address_text(own[0]) if own else ""
    return {"seller": seller, "buyer": buyer}


def _address_text(row: dict[str, Any]) -> str:
    parts = (row["street"], row["district"], row["city"], row["region"], row["postal_code"])
    return ", ".join(part for part in parts if part)


async def orderable_style_codes() -> list[str]:
    """Codes of the active styles, for the new-order form's suggestions (one query)."""
    rows = (
        await Style.select(Style.code)
        .where(Style.status == StyleStatus.active)
        .order_by(Style.code)
    )
    return [row["code"] for row in rows]


@access.checked_by_caller("the order comes from get_order")
async def shipments_with_lines(
    order_id: int, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """An order's shipments, oldest first, each with its lines (pieces per order line):
    two queries. For the API, ``limit`` of them after the one whose id is ``after``."""
    query = Shipment.select(
        Shipment.id,
        Shipment.uuid,
        Shipment.carrier,
        Shipment.tracking_number,
        Shipment.shipped_on,
    ).where(Shipment.order == order_id)
    if after is not None:
        query = query.where(Shipment.id > after)
    if limit is not None:
        query = query.limit(limit)
    shipments = await query.order_by(Shipment.id)
    lines = await ShipmentLine.select(
        ShipmentLine.shipment, ShipmentLine.order_line, ShipmentLine.quantity
    ).where(ShipmentLine.shipment.is_in([row["id"] for row in shipments] or [-1]))
    for shipment in shipments:
        shipment["lines"] = [line for line in lines if line["shipment"] == shipment["id"]]
    return shipments
