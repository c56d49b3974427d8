"""JSON API for orders (/api/v1/orders), for ERP integration.

The same services and access rules as the pages: an invisible order answers 404, a
missing permission 403, bad input 400 with a message per field, an edit based on an old
version 409 with the changes that got in first. Lines are named as on the new-order
page (style code, colour code, size label), so one lookup validates both. Submitting
takes an Idempotency-Key header: the same key again answers with the same order.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post, put
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery

from partner_portal import access, idempotency
from partner_portal.access import Action, Viewer
from partner_portal.edits import SaveResult
from partner_portal.inputs import whole_number
from partner_portal.orders import forms, queries, services
from partner_portal.orders.services import OrderDraft, OrderFilters, ShipmentInput
from partner_portal.orders.tables import OrderStatus
from partner_portal.partners.tables import Organisation
from partner_portal.web import CurrentViewer

API = "/api/v1/orders"
AnyRequest = Request[Any, Any, Any]
Body = TypeVar("Body", bound=msgspec.Struct)


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
    total: Decimal
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
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


class StatusStep(msgspec.Struct):
    from_status: str | None
    to_status: str
    at: datetime
    by: str | None
    note: str


class Order(msgspec.Struct):
    id: UUID
    number: str | None
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
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    version: int
    created_at: datetime
    submitted_at: datetime | None
    lines: list[Line]
    history: list[StatusStep]
    next_steps: list[str]


class LineInput(msgspec.Struct, forbid_unknown_fields=True):
    style: str
    colour: str
    size: str
    quantity: int


class DraftInput(msgspec.Struct, forbid_unknown_fields=True):
    buyer: UUID
    lines: list[LineInput]
    ship_to: str = ""
    customer_po: str = ""
    notes: str = ""
    delivery_window_start: date | None = None
    delivery_window_end: date | None = None
    requested_ship_date: date | None = None


class LinesInput(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[LineInput]
    version: int


class StatusInput(msgspec.Struct, forbid_unknown_fields=True):
    status: str
    note: str = ""


class ShipmentLineInput(msgspec.Struct, forbid_unknown_fields=True):
    line: int
    quantity: int


class ShipmentInputBody(msgspec.Struct, forbid_unknown_fields=True):
    carrier: str
    shipped_on: date
    lines: list[ShipmentLineInput]
    tracking_number: str = ""


class ShipmentOut(msgspec.Struct):
    id: UUID
    carrier: str
    tracking_number: str
    shipped_on: date
    lines: list[ShipmentLineInput]


async def _body(request: AnyRequest, kind: type[Body]) -> Body:
    """The JSON body as ``kind``, decoded after the access checks (so a caller without the
    right gets 403, not a lecture on the body); a bad body is a 400 naming the problem."""
    try:
        return msgspec.json.decode(await request.body(), type=kind)
    except msgspec.DecodeError as error:
        raise ValidationException(f"Invalid JSON body: {error}") from error


def _refusal(result: SaveResult) -> Response[Any]:
    if result.current_version is not None:
        return Response(
            {
                "status_code": 409,
                "detail": "The order was changed since the version you sent.",
                "current_version": result.current_version,
                "changes": [
                    {
                        "by": change["actor_label"],
                        "at": change["occurred_at"].isoformat(),
                        "fields": change["fields"],
                    }
                    for change in result.conflicts
                ],
            },
            status_code=409,
        )
    return Response(
        {"status_code": 400, "detail": "Invalid input.", "errors": result.errors},
        status_code=400,
    )


def _invalid(errors: dict[str, str]) -> Response[Any]:
    return _refusal(SaveResult(errors=errors))


async def _line_requests(
    lines: list[LineInput],
) -> tuple[list[services.LineRequest] | None, dict[str, str]]:
    """The lines' SKUs; errors are named lines-<index>-<field> after the JSON's list."""
    entered: list[forms.EnteredLine] = []
    errors: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= services.MAX_LINE_QUANTITY:
            errors[f"lines-{index}-quantity"] = "A whole number from 1 to 1,000,000."
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
        errors["lines"] = "An order needs at least one line."
    if errors:
        return None, errors
    return await queries.line_requests(entered, error_prefix="lines")


async def _order(viewer: Viewer, order_uuid: UUID) -> Order:
    view = await services.order_view(viewer, order_uuid)
    row = view.order
    return Order(
        id=row.uuid,
        number=row.number,
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
        subtotal=row.subtotal,
        discount_total=row.discount_total,
        total=row.total,
        version=row.version,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        lines=[
            Line(
                id=line.id,
                style=line.style_code,
                colour=line.colour_code,
                size=line.size_label,
                barcode=line.barcode,
                quantity=line.quantity,
                shipped_quantity=line.shipped_quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                line_total=line.line_total,
            )
            for line in view.lines
        ],
        history=[
            StatusStep(
                from_status=step.from_status,
                to_status=step.to_status,
                at=step.changed_at,
                by=step.by,
                note=step.note,
            )
            for step in view.history
        ],
        next_steps=[str(step) for step in view.next_steps],
    )


@get(API, tags=["orders"])
async def list_orders(
    viewer: CurrentViewer,
    status: FromQuery[str] = "",
    channel: FromQuery[str] = "",
    buyer: FromQuery[str] = "",
    q: FromQuery[str] = "",
    cursor: FromQuery[str] = "",
) -> OrderList:
    """Orders you may see, newest first, 50 at a time; filters as on the list page."""
    access.require(viewer, Action.view_orders)
    if status and status not in services.STATUS_CODES:
        raise ValidationException(f"Unknown status {status!r}.", extra={"status": "unknown"})
    if channel and channel not in services.CHANNEL_CODES:
        raise ValidationException(f"Unknown channel {channel!r}.", extra={"channel": "unknown"})
    if buyer and forms.parse_uuid(buyer) is None:
        raise ValidationException("buyer is a partner's id.", extra={"buyer": "not a UUID"})
    if cursor and whole_number(cursor) is None:
        raise ValidationException("Use the next_cursor of a list.", extra={"cursor": "invalid"})
    filters = OrderFilters.from_query(
        {"status": status, "channel": channel, "buyer": buyer, "q": q, "before": cursor}
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
                total=row.total,
                created_at=row.created_at,
                submitted_at=row.submitted_at,
                requested_ship_date=row.requested_ship_date,
            )
            for row in page.rows
        ],
        next_cursor=str(page.next_before) if page.next_before else None,
    )


@get(f"{API}/{{order_id:uuid}}", tags=["orders"])
async def get_order(viewer: CurrentViewer, order_id: FromPath[UUID]) -> Order:
    return await _order(viewer, order_id)


@post(API, tags=["orders"])
async def create_draft(
    viewer: CurrentViewer, request: AnyRequest, idempotency_key: idempotency.KeyHeader = None
) -> Response[Any]:
    """A draft order for a partner you may order for, priced at today's prices. Send an
    Idempotency-Key header to make a retry safe."""
    access.require(viewer, Action.place_order)
    return await idempotency.respond_once(
        request, viewer, idempotency_key, lambda: _create_draft(viewer, request)
    )


async def _create_draft(viewer: Viewer, request: AnyRequest) -> Response[Any]:
    data = await _body(request, DraftInput)
    buyer = (
        await access.scoped(Organisation.select(Organisation.id, Organisation.kind), viewer)
        .where(Organisation.uuid == data.buyer)
        .first()
    )
    if buyer is None:
        return _invalid({"buyer": "No partner with this id that you may see."})
    requests, errors = await _line_requests(data.lines)
    if requests is None:
        return _invalid(errors)
    draft = OrderDraft(
        buyer_id=buyer["id"],
        channel=forms.channel_for(viewer, buyer),
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
        return _refusal(result)
    assert result.uuid is not None
    return Response(await _order(viewer, result.uuid), status_code=201)


@put(f"{API}/{{order_id:uuid}}/lines", tags=["orders"])
async def replace_lines(
    viewer: CurrentViewer, order_id: FromPath[UUID], request: AnyRequest
) -> Response[Any]:
    """A draft's lines, all of them (the list replaces the old one); `version` required."""
    await access.get_order(viewer, order_id, Action.place_order)
    data = await _body(request, LinesInput)
    requests, errors = await _line_requests(data.lines)
    if requests is None:
        return _invalid(errors)
    result = await services.replace_lines(viewer, order_id, requests, data.version)
    if not result.saved:
        return _refusal(result)
    return Response(await _order(viewer, order_id))


@post(f"{API}/{{order_id:uuid}}/submit", tags=["orders"], status_code=200)
async def submit_order(
    request: AnyRequest,
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Any]:
    """Submit a draft. The Idempotency-Key header is required here: a retry with the same
    key answers with the order as submitted the first time."""
    await access.get_order(viewer, order_id, Action.place_order)
    if not (idempotency_key or "").strip():
        return _invalid(
            {"idempotency_key": "Send an Idempotency-Key header of 8 to 80 characters."}
        )
    return await idempotency.respond_once(
        request, viewer, idempotency_key, lambda: _submit_order(viewer, order_id)
    )


async def _submit_order(viewer: Viewer, order_id: UUID) -> Response[Any]:
    result = await services.submit_order(viewer, order_id)
    if not result.saved:
        return _refusal(result)
    return Response(await _order(viewer, order_id))


@post(f"{API}/{{order_id:uuid}}/status", tags=["orders"], status_code=200)
async def change_status(
    viewer: CurrentViewer, order_id: FromPath[UUID], request: AnyRequest
) -> Response[Any]:
    """Move an order one step; `next_steps` of the order says which steps you may take."""
    await access.get_order(viewer, order_id)
    data = await _body(request, StatusInput)
    try:
        to_status = OrderStatus(data.status)
    except ValueError:
        return _invalid({"status": f"Unknown status {data.status!r}."})
    if to_status == OrderStatus.submitted:
        return _invalid({"status": "Submit a draft with POST .../submit."})
    result = await services.change_status(viewer, order_id, to_status, data.note.strip()[:1000])
    if not result.saved:
        return _refusal(result)
    return Response(await _order(viewer, order_id))


async def _shipments(order_id: int) -> list[ShipmentOut]:
    return [
        ShipmentOut(
            id=row["uuid"],
            carrier=row["carrier"],
            tracking_number=row["tracking_number"],
            shipped_on=row["shipped_on"],
            lines=[
                ShipmentLineInput(line=line["order_line"], quantity=line["quantity"])
                for line in row["lines"]
            ],
        )
        for row in await queries.shipments_with_lines(order_id)
    ]


@get(f"{API}/{{order_id:uuid}}/shipments", tags=["orders"])
async def list_shipments(viewer: CurrentViewer, order_id: FromPath[UUID]) -> list[ShipmentOut]:
    order = await access.get_order(viewer, order_id)
    return await _shipments(order.id)


@post(f"{API}/{{order_id:uuid}}/shipments", tags=["orders"])
async def create_shipment(
    viewer: CurrentViewer, order_id: FromPath[UUID], request: AnyRequest
) -> Response[Any]:
    """Record a (partial) shipment: pieces per order line id (the `lines[].id` of the order)."""
    order = await access.get_order(viewer, order_id, Action.manage_orders)
    data = await _body(request, ShipmentInputBody)
    quantities: dict[int, int] = {}
    for line in data.lines:
        if line.quantity < 0:
            return _invalid({f"line-{line.line}": "Quantities are 0 or more."})
        quantities[line.line] = quantities.get(line.line, 0) + line.quantity
    shipment = ShipmentInput(
        carrier=data.carrier.strip()[:60],
        tracking_number=data.tracking_number.strip()[:60],
        shipped_on=data.shipped_on,
        quantities=quantities,
    )
    result = await services.record_shipment(viewer, order_id, shipment)
    if not result.saved:
        return _refusal(result)
    created = [row for row in await _shipments(order.id) if row.id == result.uuid]
    return Response(created[0], status_code=201)


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
