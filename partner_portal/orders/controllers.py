"""Order pages: the list, a new order, one order with its status flow, details, comments,
change requests and shipments, its confirmation PDF, and the export of confirmed orders.
Thin: parse, call a service, render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from partner_portal import access, idempotency, pdf
from partner_portal.access import BUYING_KINDS, Action, Viewer
from partner_portal.accounts import services as accounts
from partner_portal.clock import utcnow
from partner_portal.edits import SaveResult
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text, whole_number
from partner_portal.orders import forms, list_rows, queries, services
from partner_portal.orders.api import order_api_routes
from partner_portal.orders.records import OrderPageLine, OrderRecord
from partner_portal.orders.services import DETAIL_COLUMNS, OrderDraft, OrderFilters, OrderView
from partner_portal.orders.tables import ChangeRequestStatus, OrderChannel, OrderStatus
from partner_portal.partners import picker
from partner_portal.web import (
    CurrentViewer,
    csv_download,
    is_htmx,
    redirect_after_post,
    render,
    xlsx_download,
)

# Steps that undo an order: the button asks again and takes a reason.
DANGEROUS_STEPS = frozenset({OrderStatus.cancelled, OrderStatus.rejected})
SHIPMENT_STEPS = frozenset({OrderStatus.partially_shipped, OrderStatus.shipped})


# ---------------------------------------------------------------------------
# The list


@get("/orders", include_in_schema=False)
async def order_list(request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
    """Newest first, 50 at a time; opened without a query string it comes back with the
    last filters used. Live filtering swaps only the rows."""
    access.require(viewer, Action.view_orders)
    saved = await accounts.saved_filters(viewer, services.LIST_NAME)
    if not request.url.query and saved and not is_htmx(request):
        return Redirect(path=f"/orders?{saved}", status_code=303)
    filters = OrderFilters.from_query(request.query_params)
    if request.url.query and filters.filter_string() != saved:
        await accounts.remember_filters(viewer, services.LIST_NAME, filters.filter_string())
    page = await services.list_orders(viewer, filters)
    buyers = None if is_htmx(request) else await queries.buyer_choices(viewer, filters.buyer)
    return render(
        request,
        "orders/list.html",
        {
            "result": page,
            "filters": filters,
            "buyers": buyers,
            "statuses": list(OrderStatus),
            "channels": list(OrderChannel),
            "order_row": list_rows.order_row,
        },
        partial="orders/_rows.html",
    )


def _export_filters(request: AnyRequest, viewer: Viewer) -> OrderFilters:
    access.require(viewer, Action.export_orders)
    filters = OrderFilters.from_query(request.query_params)
    filters.before = None
    return filters


def _export_name(extension: str) -> str:
    return f"orders-{utcnow():%Y%m%d}.{extension}"


@get("/orders/export.csv", include_in_schema=False)
async def order_export_csv(request: AnyRequest, viewer: CurrentViewer) -> Stream:
    """Confirmed and later orders, one row per line, with the list's filters."""
    rows = await queries.export_rows(viewer, _export_filters(request, viewer))
    return csv_download(queries.EXPORT_HEADER, rows, _export_name("csv"))


@get("/orders/export.xlsx", include_in_schema=False)
async def order_export_xlsx(request: AnyRequest, viewer: CurrentViewer) -> Response[bytes]:
    rows = await queries.export_rows(viewer, _export_filters(request, viewer))
    return await xlsx_download(queries.EXPORT_HEADER, rows, _export_name("xlsx"), title=_("Orders"))


# ---------------------------------------------------------------------------
# A new order (entered by the brand for a partner, or by a buyer for itself)


async def _new_order_page(
    request: AnyRequest,
    viewer: Viewer,
    values: Mapping[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    extra_rows: int = 0,
) -> Template:
    # A menu of the buyers when they are few, a search field past that (the brand's own
    # staff see every buying partner: a menu of thousands was most of the page).
    buyers = await picker.partner_picker(
        viewer, values.get("buyer", ""), picker.query_text(request.query_params), BUYING_KINDS
    )
    rows = max(forms.entry_row_count(values), forms.ENTRY_ROWS) + extra_rows
    return render(
        request,
        "orders/new.html",
        {
            "buyers": buyers,
            "values": values,
            "errors": errors,
            "rows": range(min(rows, forms.MAX_ENTRY_ROWS)),
            "style_codes": await queries.orderable_style_codes(),
        },
        status_code=status_code,
    )


@get("/orders/new", include_in_schema=False)
async def order_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.place_order)
    values: dict[str, Any] = {"buyer": request.query_params.get("buyer", "")}
    if not values["buyer"] and not viewer.is_brand and viewer.organisation_id:
        own = [
            b for b in await services.visible_buyers(viewer) if b["id"] == viewer.organisation_id
        ]
        values["buyer"] = str(own[0]["uuid"]) if own else ""
    return await _new_order_page(request, viewer, values, {})


@post("/orders/new", include_in_schema=False)
async def order_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    """Save the entered lines as a draft; the order page then shows the rules' findings and
    the submit button. "More rows" re-renders the form with everything typed kept."""
    access.require(viewer, Action.place_order)
    if data.get("action") == "more_rows":
        return await _new_order_page(request, viewer, data, {}, extra_rows=forms.ENTRY_ROWS)
    errors: dict[str, str] = {}
    buyers = {str(b["uuid"]): b for b in await services.visible_buyers(viewer)}
    buyer = buyers.get(data.get("buyer", ""))
    if buyer is None:
        errors["buyer"] = _("Choose who the order is for.")
    details, detail_errors = forms.parse_details(data)
    entered, line_errors = forms.parse_entered_lines(data)
    errors |= detail_errors | line_errors
    requests, lookup_errors = await queries.line_requests(entered)
    errors |= lookup_errors
    if errors or buyer is None or details is None or requests is None:
        return await _new_order_page(request, viewer, data, errors, status_code=400)
    draft = OrderDraft(
        buyer_id=buyer["id"], channel=services.channel_for(buyer, viewer), lines=requests, **details
    )
    result = await services.create_draft(viewer, draft)
    if not result.saved:
        errors = _errors_by_row(result.errors, entered, requests)
        return await _new_order_page(request, viewer, data, errors, status_code=400)
    return redirect_after_post(request, f"/orders/{result.uuid}", done="draft_saved")


def _errors_by_row(
    errors: Mapping[str, str],
    entered: list[forms.EnteredLine],
    requests: list[services.LineRequest],
) -> dict[str, str]:
    """The services name a bad line by SKU (sku-12); the form shows it on its row."""
    rows = {
        f"sku-{request.sku_id}": line.row for line, request in zip(entered, requests, strict=True)
    }
    return {
        (f"line-{rows[key]}-style" if key in rows else key): message
        for key, message in errors.items()
    }


# ---------------------------------------------------------------------------
# One order


def line_groups(lines: list[OrderPageLine]) -> list[dict[str, Any]]:
    """The lines by style, each a colour × size grid with its pieces and value."""
    groups: dict[str, dict[str, Any]] = {}
    for line in lines:
        group = groups.setdefault(
            line.style_code,
            {
                "style": line,
                "sizes": {},
                "colours": {},
                "prices": set(),
                "size_prices": {},
                "quantity": 0,
                "total": 0,
            },
        )
        group["sizes"][line.size_label] = line.size_position
        colour = group["colours"].setdefault(
            line.colour_code, {"name": line.colour_name, "cells": {}, "quantity": 0}
        )
        colour["cells"][line.size_label] = line
        colour["quantity"] += line.quantity
        group["quantity"] += line.quantity
        group["total"] += line.line_total
        group["prices"].add((line.unit_price, line.discount_percent))
        group["size_prices"].setdefault(line.size_label, line.unit_price)
    for group in groups.values():
        group["sizes"] = sorted(group["sizes"], key=group["sizes"].get)
    return list(groups.values())


def _detail_values(order: OrderRecord) -> dict[str, Any]:
    values = {name: getattr(order, name) for name in DETAIL_COLUMNS}
    values["version"] = order.version
    return values


async def _order_page(
    request: AnyRequest,
    viewer: Viewer,
    order_id: UUID,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    form: str = "",
) -> Template:
    """The order page; after a refused form, that form (``form``) shows what was typed and
    the messages in place, the rest of the page as it stands."""
    view = await services.order_view(viewer, order_id)
    return render(
        request,
        "orders/detail.html",
        _detail_context(viewer, view, errors or {}, values, conflicts or [], form),
        status_code=status_code,
    )


def _detail_context(
    viewer: Viewer,
    view: OrderView,
    errors: dict[str, str],
    values: Mapping[str, Any] | None,
    conflicts: list[dict[str, Any]],
    form: str,
) -> dict[str, Any]:
    order = view.order
    pending = [
        change for change in view.change_requests if change.status == ChangeRequestStatus.pending
    ]
    return {
        "view": view,
        "order": order,
        "groups": line_groups(view.lines),
        "errors": errors,
        "form": form,
        "values": values if values is not None else {},
        "details": values if form == "details" and values is not None else _detail_values(order),
        "conflicts": conflicts,
        "pending_change": pending[0] if pending else None,
        # A fresh key each time the page is drawn: a double click on Submit (or a reload
        # of its answer) sends the same key again and gets the first answer.
        "idempotency_key": idempotency.new_key(),
        "dangerous_steps": DANGEROUS_STEPS,
        # Where the shipment form is offered, shipping is recorded with quantities there.
        "step_buttons": [
            step
            for step in view.next_steps
            if step != OrderStatus.submitted
            and step not in DANGEROUS_STEPS
            and not (view.may_ship and step in SHIPMENT_STEPS)
        ],
        "may_submit": OrderStatus.submitted in view.next_steps,
        "left_to_ship": {line.id: line.quantity - line.shipped_quantity for line in view.lines},
        "today": utcnow().date(),
    }


@get("/orders/{order_id:uuid}", include_in_schema=False)
async def order_detail(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Template:
    return await _order_page(request, viewer, order_id)


def _refused(result: SaveResult) -> int:
    return 409 if result.current_version is not None else 400


@post("/orders/{order_id:uuid}/details", include_in_schema=False)
async def order_update_details(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """A draft's ship-to, PO, dates and notes; a colleague's save in between is shown (409)."""
    order = await access.get_order(viewer, order_id, Action.place_order)
    values, errors = forms.parse_details(data)
    version = forms.parse_version(data)
    if version is None:
        errors["version"] = _("The form is out of date; reload it.")
    if values is None or version is None:
        return await _order_page(
            request, viewer, order_id, status_code=400, errors=errors, values=data, form="details"
        )
    result = await services.update_details(viewer, order.uuid, values, version)
    if result.saved:
        return redirect_after_post(request, f"/orders/{order_id}", done="order_details_saved")
    typed, status_code = result.form_again(data)
    return await _order_page(
        request,
        viewer,
        order_id,
        status_code=status_code,
        errors=result.errors,
        values=typed,
        conflicts=result.conflicts,
        form="details",
    )


@post("/orders/{order_id:uuid}/submit", include_in_schema=False)
async def order_submit(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    await access.get_order(viewer, order_id, Action.place_order)

    async def submit() -> Response[Any]:
        result = await services.submit_order(viewer, order_id)
        if result.saved:
            return redirect_after_post(request, f"/orders/{order_id}", done="order_submitted")
        return await _order_page(
            request, viewer, order_id, status_code=400, errors=result.errors, form="submit"
        )

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), submit
    )


@post("/orders/{order_id:uuid}/status", include_in_schema=False)
async def order_change_status(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    await access.get_order(viewer, order_id)
    parsed, errors = forms.parse_status(data)
    if parsed is not None:
        to_status, note = parsed
        result = await services.change_status(viewer, order_id, to_status, note)
        if result.saved:
            return redirect_after_post(request, f"/orders/{order_id}", done="order_status_changed")
        errors = result.errors
    return await _order_page(
        request, viewer, order_id, status_code=400, errors=errors, values=data, form="status"
    )


@post("/orders/{order_id:uuid}/comments", include_in_schema=False)
async def order_add_comment(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await services.add_comment(viewer, order_id, data.get("body", ""))
    if result.saved:
        return redirect_after_post(request, f"/orders/{order_id}#comments", done="comment_added")
    return await _order_page(
        request,
        viewer,
        order_id,
        status_code=400,
        errors=result.errors,
        values=data,
        form="comment",
    )


@post("/orders/{order_id:uuid}/change-requests", include_in_schema=False)
async def order_request_change(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """The buyer asks for new quantities and/or a ship date; the brand decides."""
    order = await access.get_order(viewer, order_id)
    if not access.may_request_order_change(viewer, order.status):
        raise PermissionDeniedException(_("Changes can be asked for only before production."))
    parsed, errors = forms.parse_change_request(data)
    status_code = 400
    conflicts: list[dict[str, Any]] = []
    if parsed is not None:
        result = await services.request_change(
            viewer,
            order_id,
            parsed.quantities,
            parsed.requested_ship_date,
            parsed.reason,
            parsed.version,
        )
        if result.saved:
            return redirect_after_post(
                request, f"/orders/{order_id}#changes", done="change_requested"
            )
        errors, status_code, conflicts = result.errors, _refused(result), result.conflicts
    return await _order_page(
        request,
        viewer,
        order_id,
        status_code=status_code,
        errors=errors,
        values=data,
        conflicts=conflicts,
        form="change",
    )


@post("/orders/{order_id:uuid}/change-requests/decide", include_in_schema=False)
async def order_decide_change(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """The brand accepts or declines the pending change request (field ``request``)."""
    await access.get_order(viewer, order_id, Action.manage_orders)
    request_uuid = forms.parse_uuid(data.get("request", ""))
    decision = data.get("decision", "")
    if request_uuid is None or decision not in ("accept", "decline"):
        errors = {"decision": _("Choose to accept or decline the request.")}
    else:
        result = await services.decide_change(
            viewer, request_uuid, decision == "accept", data.get("note", "")
        )
        if result.saved:
            return redirect_after_post(
                request, f"/orders/{order_id}#changes", done="change_decided"
            )
        errors = result.errors
    return await _order_page(
        request, viewer, order_id, status_code=400, errors=errors, values=data, form="decide"
    )


@post("/orders/{order_id:uuid}/shipments", include_in_schema=False)
async def order_record_shipment(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    await access.get_order(viewer, order_id, Action.manage_orders)
    shipment, errors = forms.parse_shipment(data)
    if shipment is not None:
        result = await services.record_shipment(viewer, order_id, shipment)
        if result.saved:
            return redirect_after_post(
                request, f"/orders/{order_id}#shipments", done="shipment_recorded"
            )
        errors = result.errors
    return await _order_page(
        request, viewer, order_id, status_code=400, errors=errors, values=data, form="shipment"
    )


@get("/orders/{order_id:uuid}/confirmation.pdf", include_in_schema=False)
async def order_confirmation_pdf(
    viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Response[bytes]:
    """The order confirmation for the buyer: both parties, the lines, the totals."""
    view = await services.order_view(viewer, order_id)
    order = view.order
    content = await pdf.render_pdf(
        "orders/confirmation_pdf.html",
        {
            "order": order,
            "lines": view.lines,
            "groups": line_groups(view.lines),
            "parties": await queries.parties(order.buyer),
            "printed_at": utcnow(),
        },
    )
    return Response(
        content,
        media_type=pdf.PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{order.number}.pdf"'},
    )


@get("/orders/{order_id:uuid}/versions", include_in_schema=False)
async def order_versions(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Template:
    """The order's versions, two of them (``before``, ``after``; by default the last two)
    compared line by line."""
    query = request.query_params
    comparison = await services.compare_versions(
        viewer,
        order_id,
        whole_number(query.get("before", ""), minimum=1, maximum=100_000),
        whole_number(query.get("after", ""), minimum=1, maximum=100_000),
    )
    return render(
        request,
        "orders/versions.html",
        {"order": comparison.order, "comparison": comparison},
    )


@get("/stock", include_in_schema=False)
async def stock_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """Per SKU: on hand, reserved by submitted orders, available and on order (pre-booked);
    the figures on hand come from the ERP through the catalog's availability import."""
    search = field_text(request.query_params, "q", 60)
    rows = await services.stock_rows(viewer, search)
    return render(request, "orders/stock.html", {"rows": rows, "search": search})


order_page_routes = [
    order_list,
    order_export_csv,
    order_export_xlsx,
    order_new,
    order_create,
    order_detail,
    order_update_details,
    order_submit,
    order_change_status,
    order_add_comment,
    order_request_change,
    order_decide_change,
    order_record_shipment,
    order_confirmation_pdf,
    order_versions,
    stock_page,
]
order_routes: list[Any] = [*order_page_routes, *order_api_routes]
