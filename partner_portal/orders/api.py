"""JSON API for orders (/api/v1/orders), for ERP integration.

The same services and access rules as the pages: an invisible order answers 404, a
missing permission 403 (both before the body is read), bad input 400 with a message per
field, an edit based on an old version 409 with the changes that got in first, all as
problems (partner_portal/api.py). Lines are named as on the new-order page (style code,
colour code, size label), so one lookup validates both. Submitting takes an
Idempotency-Key header: the same key again answers with the same order.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from partner_portal import access, api, idempotency
from partner_portal.access import Action, Viewer, VisibleOrder
from partner_portal.api import Money
from partner_portal.edits import SaveResult
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.orders import forms, queries, services
from partner_portal.orders.services import OrderDraft, OrderFilters, ShipmentInput
from partner_portal.orders.tables import OrderStatus
from partner_portal.partners.tables import Organisation
from partner_portal.web import CurrentViewer

API = "/api/v1/orders"
# An order of more lines than this is a mistake, not a purchase (bounds the work of one call).
MAX_LINES = 5000
Quantity = Annotated[int, msgspec.Meta(ge=1, le=services.MAX_LINE_QUANTITY)]
Code = Annotated[str, msgspec.Meta(max_length=60)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class OrderSummary(msgspec.Struct):
    id: UUID
    number: str | None
    status: str
    channel: str
    buyer: UUID
    buyer_name: str
    customer_po: str
    currency: str
    total_quantity: int
    total: Money
    created_at: datetime
    submitted_at: datetime | None
    requested_ship_date: date | None


class OrderList(msgspec.Struct):
    items: list[OrderSummary]
    # Pass as ?cursor= for the next (older) orders; null on the last page.
    next_cursor: str | None


class Line(msgspec.Struct):
    id: int
    style: str
    colour: str
    size: str
    barcode: str | None
    quantity: int
    shipped_quantity: int
    unit_price: Money
    discount_percent: api.DecimalText
    line_total: Money


class StatusStep(msgspec.Struct):
    from_status: str | None
    to_status: str
    at: datetime
    by: str | None
    note: str


class Order(msgspec.Struct):
    id: UUID
    number: str | None
    # The ERP's number for the order and when the ERP acknowledged it (null: not yet).
    erp_number: str | None
    exported_at: datetime | None
    status: str
    channel: str
    buyer: UUID
    buyer_name: str
    currency: str
    price_list: str
    ship_to: str
    customer_po: str
    notes: str
    delivery_window_start: date | None
    delivery_window_end: date | None
    requested_ship_date: date | None
    total_quantity: int
    subtotal: Money
    discount_total: Money
    total: Money
    version: int
    created_at: datetime
    submitted_at: datetime | None
    lines: list[Line]
    history: list[StatusStep]
    next_steps: list[str]


class LineInput(msgspec.Struct, forbid_unknown_fields=True):
    style: Code
    colour: Code
    size: Code
    quantity: Quantity


Lines = Annotated[list[LineInput], msgspec.Meta(max_length=MAX_LINES)]


class DraftInput(msgspec.Struct, forbid_unknown_fields=True):
    buyer: UUID
    lines: Lines
    ship_to: Note = ""
    customer_po: Code = ""
    notes: Note = ""
    delivery_window_start: date | None = None
    delivery_window_end: date | None = None
    requested_ship_date: date | None = None


class LinesInput(msgspec.Struct, forbid_unknown_fields=True):
    lines: Lines
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class StatusInput(msgspec.Struct, forbid_unknown_fields=True):
    # One of the order's next_steps (not "submitted": drafts are submitted with .../submit).
    status: Annotated[str, msgspec.Meta(max_length=30)]
    note: Note = ""


class ShipmentLineInput(msgspec.Struct, forbid_unknown_fields=True):
    line: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    quantity: Annotated[int, msgspec.Meta(ge=0, le=services.MAX_LINE_QUANTITY)]


class ShipmentInputBody(msgspec.Struct, forbid_unknown_fields=True):
    carrier: Code
    shipped_on: date
    lines: Annotated[list[ShipmentLineInput], msgspec.Meta(max_length=MAX_LINES)]
    tracking_number: Code = ""


class ShipmentOut(msgspec.Struct):
    id: UUID
    carrier: str
    tracking_number: str
    shipped_on: date
    lines: list[ShipmentLineInput]


async def _line_requests(
    lines: list[LineInput],
) -> tuple[list[services.LineRequest] | None, dict[str, str]]:
    """The lines' SKUs; errors are named lines-<index>-<field> after the JSON's list."""
    entered: list[forms.EnteredLine] = []
    errors: dict[str, str] = {}
    for index, line in enumerate(lines):
        entered.append(
            forms.EnteredLine(
                index,
                line.style.strip().upper(),
                line.colour.strip().upper(),
                line.size.strip().upper(),
                line.quantity,
            )
        )
    if not lines:
        errors["lines"] = _("An order needs at least one line.")
        return None, errors
    return await queries.line_requests(entered, error_prefix="lines")


def _named_by_line(result: SaveResult, requests: list[services.LineRequest]) -> SaveResult:
    """The services name a line's message by its SKU (``sku-<id>``, the order form's
    field); the API names it by the line's place in the body the caller sent."""
    line_of: dict[str, str] = {}
    for index, request in enumerate(requests):
        line_of.setdefault(f"sku-{request.sku_id}", f"lines-{index}")
    errors = {line_of.get(name, name): message for name, message in result.errors.items()}
    return replace(result, errors=errors)


async def _order(viewer: Viewer, order_uuid: UUID) -> Order:
    view = await services.order_view(viewer, order_uuid)
    row = view.order
    currency = row.currency
    return Order(
        id=row.uuid,
        number=row.number,
        erp_number=row.external_ref,
        exported_at=api.timestamp(row.exported_at) if row.exported_at else None,
        status=row.status,
        channel=row.channel,
        buyer=row.buyer_uuid,
        buyer_name=row.buyer_name,
        currency=row.currency,
        price_list=row.price_list_name,
        ship_to=row.ship_to,
        customer_po=row.customer_po,
        notes=row.notes,
        delivery_window_start=row.delivery_window_start,
        delivery_window_end=row.delivery_window_end,
        requested_ship_date=row.requested_ship_date,
        total_quantity=row.total_quantity,
        subtotal=api.money(row.subtotal, currency),
        discount_total=api.money(row.discount_total, currency),
        total=api.money(row.total, currency),
        version=row.version,
        created_at=api.timestamp(row.created_at),
        submitted_at=api.timestamp(row.submitted_at) if row.submitted_at else None,
        lines=[
            Line(
                id=line.id,
                style=line.style_code,
                colour=line.colour_code,
                size=line.size_label,
                barcode=line.barcode,
                quantity=line.quantity,
                shipped_quantity=line.shipped_quantity,
                unit_price=api.money(line.unit_price, currency),
                discount_percent=api.decimal_text(line.discount_percent),
                line_total=api.money(line.line_total, currency),
            )
            for line in view.lines
        ],
        history=[
            StatusStep(
                from_status=step.from_status,
                to_status=step.to_status,
                at=api.timestamp(step.changed_at),
                by=step.by,
                note=step.note,
            )
            for step in view.history
        ],
        next_steps=[str(step) for step in view.next_steps],
    )


@api.get(API, tags=["orders"])
async def list_orders(
    viewer: CurrentViewer,
    status: FromQuery[str] = "",
    channel: FromQuery[str] = "",
    buyer: FromQuery[UUID | None] = None,
    q: Annotated[str, QueryParameter(max_length=60)] = "",
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> OrderList:
    """Orders you may see, newest first; filters as on the list page."""
    access.require(viewer, Action.view_orders)
    errors = {}
    if status and status not in services.STATUS_CODES:
        errors["status"] = _("Unknown status %(status)s.", status=status[:30])
    if channel and channel not in services.CHANNEL_CODES:
        errors["channel"] = _("Unknown channel %(channel)s.", channel=channel[:30])
    if errors:
        raise api.invalid(errors)
    position = api.decode_cursor(cursor, (int,))
    filters = OrderFilters(
        status=status,
        channel=channel,
        buyer=buyer,
        search=q.strip(),
        before=position[0] if position else None,
        limit=limit,
    )
    page = await services.list_orders(viewer, filters)
    return OrderList(
        items=[
            OrderSummary(
                id=row.uuid,
                number=row.number,
                status=row.status,
                channel=row.channel,
                buyer=row.buyer_uuid,
                buyer_name=row.buyer_name,
                customer_po=row.customer_po,
                currency=row.currency,
                total_quantity=row.total_quantity,
                total=api.money(row.total, row.currency),
                created_at=api.timestamp(row.created_at),
                submitted_at=api.timestamp(row.submitted_at) if row.submitted_at else None,
                requested_ship_date=row.requested_ship_date,
            )
            for row in page.rows
        ],
        next_cursor=api.encode_cursor([page.next_before]) if page.next_before else None,
    )


@api.get(f"{API}/{{order_id:uuid}}", tags=["orders"])
async def get_order(viewer: CurrentViewer, order_id: FromPath[UUID]) -> Order:
    return await _order(viewer, order_id)


@api.post(API, tags=["orders"], guards=[api.requires(Action.place_order)])
async def create_draft(
    viewer: CurrentViewer,
    request: AnyRequest,
    data: JSONBody[DraftInput],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Order]:
    """A draft order for a partner you may order for, priced at today's prices. Send an
    Idempotency-Key header to make a retry safe."""
    return await idempotency.respond_once(
        request, viewer, idempotency_key, lambda: _create_draft(viewer, data)
    )


async def _create_draft(viewer: Viewer, data: DraftInput) -> Response[Order]:
    buyer = (
        await access.scoped(Organisation.select(Organisation.id, Organisation.kind), viewer)
        .where(Organisation.uuid == data.buyer)
        .first()
    )
    if buyer is None:
        raise api.invalid({"buyer": _("No partner with this id that you may see.")})
    requests, errors = await _line_requests(data.lines)
    if requests is None:
        raise api.invalid(errors)
    draft = OrderDraft(
        buyer_id=buyer["id"],
        channel=services.channel_for(buyer, viewer),
        lines=requests,
        ship_to=data.ship_to.strip(),
        customer_po=data.customer_po.strip(),
        notes=data.notes.strip(),
        delivery_window_start=data.delivery_window_start,
        delivery_window_end=data.delivery_window_end,
        requested_ship_date=data.requested_ship_date,
    )
    result = await services.create_draft(viewer, draft)
    if not result.saved:
        raise api.refused(_named_by_line(result, requests))
    assert result.uuid is not None
    return Response(await _order(viewer, result.uuid), status_code=201)


async def _order_to_place(viewer: CurrentViewer, order_id: FromPath[UUID]) -> VisibleOrder:
    return await access.get_order(viewer, order_id, Action.place_order)


async def _order_to_manage(viewer: CurrentViewer, order_id: FromPath[UUID]) -> VisibleOrder:
    return await access.get_order(viewer, order_id, Action.manage_orders)


async def _visible_order(viewer: CurrentViewer, order_id: FromPath[UUID]) -> VisibleOrder:
    return await access.get_order(viewer, order_id)


# The order a route acts on, fetched (404, 403) before its body is read.
OrderInScope = NamedDependency[VisibleOrder]
TO_PLACE = {"order": Provide(_order_to_place)}
TO_MANAGE = {"order": Provide(_order_to_manage)}
VISIBLE = {"order": Provide(_visible_order)}


@api.put(f"{API}/{{order_id:uuid}}/lines", tags=["orders"], dependencies=TO_PLACE)
async def replace_lines(
    viewer: CurrentViewer, order: OrderInScope, data: JSONBody[LinesInput]
) -> Order:
    """A draft's lines, all of them (the list replaces the old one); `version` required."""
    requests, errors = await _line_requests(data.lines)
    if requests is None:
        raise api.invalid(errors)
    result = await services.replace_lines(viewer, order.uuid, requests, data.version)
    if not result.saved:
        raise api.refused(_named_by_line(result, requests))
    return await _order(viewer, order.uuid)


@api.post(
    f"{API}/{{order_id:uuid}}/submit", tags=["orders"], status_code=200, dependencies=TO_PLACE
)
async def submit_order(
    request: AnyRequest,
    viewer: CurrentViewer,
    order: OrderInScope,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Order]:
    """Submit a draft. The Idempotency-Key header is required here: a retry with the same
    key answers with the order as submitted the first time."""
    if not (idempotency_key or "").strip():
        raise api.invalid(
            {idempotency.KEY_HEADER: _("Send an Idempotency-Key header of 8 to 80 characters.")}
        )
    return await idempotency.respond_once(
        request, viewer, idempotency_key, lambda: _submit_order(viewer, order.uuid)
    )


async def _submit_order(viewer: Viewer, order_id: UUID) -> Response[Order]:
    result = await services.submit_order(viewer, order_id)
    if not result.saved:
        raise api.refused(result)
    return Response(await _order(viewer, order_id))


@api.post(f"{API}/{{order_id:uuid}}/status", tags=["orders"], status_code=200, dependencies=VISIBLE)
async def change_status(
    viewer: CurrentViewer, order: OrderInScope, data: JSONBody[StatusInput]
) -> Order:
    """Move an order one step; `next_steps` of the order says which steps you may take."""
    try:
        to_status = OrderStatus(data.status)
    except ValueError:
        raise api.invalid({"status": _("Unknown status %(status)s.", status=data.status)}) from None
    if to_status == OrderStatus.submitted:
        raise api.invalid({"status": _("Submit a draft with POST .../submit.")})
    result = await services.change_status(viewer, order.uuid, to_status, data.note.strip())
    if not result.saved:
        raise api.refused(result)
    return await _order(viewer, order.uuid)


def _shipment(row: dict[str, Any]) -> ShipmentOut:
    return ShipmentOut(
        id=row["uuid"],
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        shipped_on=row["shipped_on"],
        lines=[
            ShipmentLineInput(line=line["order_line"], quantity=line["quantity"])
            for line in row["lines"]
        ],
    )


class ShipmentList(msgspec.Struct):
    items: list[ShipmentOut]
    # Pass as ?cursor= for the next (later) shipments; null on the last page.
    next_cursor: str | None


@api.get(f"{API}/{{order_id:uuid}}/shipments", tags=["orders"])
async def list_shipments(
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> ShipmentList:
    """The order's shipments, the first sent first."""
    order = await access.get_order(viewer, order_id)
    position = api.decode_cursor(cursor, (int,))
    rows = await queries.shipments_with_lines(
        order.id, position[0] if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(rows, limit, lambda row: [row["id"]])
    return ShipmentList(items=[_shipment(row) for row in shown], next_cursor=next_cursor)


@api.post(
    f"{API}/{{order_id:uuid}}/shipments", tags=["orders"], status_code=201, dependencies=TO_MANAGE
)
async def create_shipment(
    viewer: CurrentViewer, order: OrderInScope, data: JSONBody[ShipmentInputBody]
) -> ShipmentOut:
    """Record a (partial) shipment: pieces per order line id (the `lines[].id` of the order)."""
    quantities: dict[int, int] = {}
    for line in data.lines:
        quantities[line.line] = quantities.get(line.line, 0) + line.quantity
    shipment = ShipmentInput(
        carrier=data.carrier.strip(),
        tracking_number=data.tracking_number.strip(),
        shipped_on=data.shipped_on,
        quantities=quantities,
    )
    result = await services.record_shipment(viewer, order.uuid, shipment)
    if not result.saved:
        raise api.refused(result)
    [created] = [
        row for row in await queries.shipments_with_lines(order.id) if row["uuid"] == result.uuid
    ]
    return _shipment(created)


order_api_routes = [
    list_orders,
    get_order,
    create_draft,
    replace_lines,
    submit_order,
    change_status,
    list_shipments,
    create_shipment,
]
