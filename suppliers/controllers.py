"""Purchasing pages for the brand, the supplier portal and their JSON API. Thin: parse,
call a service, render."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template

from partner_portal import access, api, idempotency, uploads
from partner_portal.clock import utcnow
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.inputs import whole_number
from partner_portal.web import CurrentViewer, redirect_after_post, render, xlsx_download
from suppliers import (
    api_documents,
    forecasting,
    forecasting_commitments,
    forecasting_view,
    forms,
    purchasing,
    reorders,
    scorecards,
    services,
)
from suppliers.access import SupplierAction, VisibleMaterial, get_material
from suppliers.tables import MaterialKind, MaterialUnit

# ---------------------------------------------------------------------------
# Materials


@get("/suppliers/materials", include_in_schema=False)
async def material_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    rows = await services.list_materials(viewer)
    return render(request, "suppliers/materials.html", {"materials": rows})


async def _material_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    material: VisibleMaterial | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "suppliers/material_form.html",
        {
            "values": values,
            "errors": errors,
            "material": material,
            "conflicts": conflicts or [],
            "suppliers": await services.supplier_choices(),
            "kinds": [kind.value for kind in MaterialKind],
            "units": [unit.value for unit in MaterialUnit],
        },
        status_code=status_code,
    )


@get("/suppliers/materials/new", include_in_schema=False)
async def material_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SupplierAction.manage_purchasing)
    values = {"kind": "fabric", "unit": "metre", "currency": "CNY", "lead_time_days": "28"}
    return await _material_form(request, values, {})


@post("/suppliers/materials/new", include_in_schema=False)
async def material_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await services.save_material(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/suppliers/materials")
    return await _material_form(request, dict(data), result.errors, status_code=400)


@get("/suppliers/materials/{material_id:uuid}/edit", include_in_schema=False)
async def material_edit(
    request: AnyRequest, viewer: CurrentViewer, material_id: FromPath[UUID]
) -> Template:
    material = await get_material(viewer, material_id, SupplierAction.manage_purchasing)
    supplier = await services.supplier_uuid(material)
    return await _material_form(
        request, services.material_form_values(material, supplier), {}, material
    )


@post("/suppliers/materials/{material_id:uuid}/edit", include_in_schema=False)
async def material_update(
    request: AnyRequest, viewer: CurrentViewer, material_id: FromPath[UUID], data: Form
) -> Response[Any]:
    material = await get_material(viewer, material_id, SupplierAction.manage_purchasing)
    result = await services.save_material(viewer, data, material)
    if result.saved:
        return redirect_after_post(request, "/suppliers/materials")
    values, status_code = result.form_again(data)
    return await _material_form(
        request, values, result.errors, material, result.conflicts, status_code
    )


# ---------------------------------------------------------------------------
# Bills of materials


@get("/suppliers/boms", include_in_schema=False)
async def bom_index(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, SupplierAction.manage_purchasing)
    return render(request, "suppliers/boms.html", {"styles": await services.styles_with_boms()})


@get("/suppliers/boms/{style_id:uuid}", include_in_schema=False)
async def bom_detail(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    view = await services.bom_view(viewer, style_id)
    return render(request, "suppliers/bom.html", {"view": view, "values": {}, "errors": {}})


@post("/suppliers/boms/{style_id:uuid}", include_in_schema=False)
async def bom_add_line(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    view = await services.bom_view(viewer, style_id)
    result = await services.add_bom_line(viewer, view.style, data)
    if result.saved:
        return redirect_after_post(request, f"/suppliers/boms/{style_id}")
    return render(
        request,
        "suppliers/bom.html",
        {"view": view, "values": dict(data), "errors": result.errors},
        status_code=400,
    )


@post("/suppliers/bom-lines/{line_id:uuid}/delete", include_in_schema=False)
async def bom_delete_line(
    request: AnyRequest, viewer: CurrentViewer, line_id: FromPath[UUID]
) -> Response[Any]:
    line = await services.delete_bom_line(viewer, line_id)
    return redirect_after_post(request, f"/suppliers/boms/{line.style_uuid}")


# ---------------------------------------------------------------------------
# The forecast: the brand's planning view, or a supplier's own portal


@get("/suppliers/forecast", include_in_schema=False)
async def forecast(
    request: AnyRequest, viewer: CurrentViewer, supplier: FromQuery[str] = ""
) -> Template:
    suppliers = await services.supplier_choices() if viewer.is_brand else []
    chosen = next((row for row in suppliers if str(row.uuid) == supplier), None)
    view = await forecasting_view.forecast_view(viewer, chosen.id if chosen else None)
    template = "suppliers/forecast.html" if viewer.is_brand else "suppliers/portal.html"
    return render(
        request,
        template,
        {
            "view": view,
            "settings": forecasting.ForecastSettings(),
            "errors": {},
            "values": {},
            "today": utcnow().date(),
            "suppliers": suppliers,
            "chosen_supplier": supplier if chosen else "",
            "page_key": idempotency.new_key(),
        },
    )


@get("/suppliers/forecast.xlsx", include_in_schema=False)
async def forecast_export(viewer: CurrentViewer) -> Response[bytes]:
    """The current forecast as an Excel sheet for the viewer's own planning tools."""
    view = await forecasting_view.forecast_view(viewer)
    header, rows = forecasting_view.forecast_rows(view, viewer.is_brand)
    number = view.version.number if view.version else 0
    return await xlsx_download(
        header, rows, f"material-forecast-v{number}.xlsx", title=f"forecast v{number}"
    )


@post("/suppliers/forecast/recompute", include_in_schema=False)
async def forecast_recompute(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    access.require(viewer, SupplierAction.manage_purchasing)
    settings, errors = forms.parse_forecast_settings(data)
    if settings is None:
        view = await forecasting_view.forecast_view(viewer)
        return render(
            request,
            "suppliers/forecast.html",
            {
                "view": view,
                "settings": forecasting.ForecastSettings(),
                "errors": errors,
                "values": data,
                "today": utcnow().date(),
            },
            status_code=400,
        )
    outcome = await forecasting.publish_forecast(viewer, forecasting.ForecastSettings(**settings))
    state = "published" if outcome.published else "unchanged"
    return redirect_after_post(request, f"/suppliers/forecast?{state}={outcome.number}")


@post("/suppliers/materials/{material_id:uuid}/commitments", include_in_schema=False)
async def commit_week(
    request: AnyRequest, viewer: CurrentViewer, material_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """A week's answer, given once per drawn form: a double click or a late resend of an
    earlier answer gets that answer again instead of overwriting a newer one."""

    async def commit() -> Response[Any]:
        result = await forecasting_commitments.commit_week(viewer, material_id, data)
        if result.saved:
            return redirect_after_post(
                request, f"/suppliers/forecast?committed={data.get('week', '')}#m-{material_id}"
            )
        view = await forecasting_view.forecast_view(viewer)
        return render(
            request,
            "suppliers/portal.html",
            {
                "view": view,
                "errors": result.errors,
                "values": dict(data),
                "failed_material": str(material_id),
                "page_key": idempotency.new_key(),
            },
            status_code=400,
        )

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), commit
    )


@post("/suppliers/materials/{material_id:uuid}/commitments/accept-open", include_in_schema=False)
async def accept_open_weeks(
    request: AnyRequest, viewer: CurrentViewer, material_id: FromPath[UUID], data: Form
) -> Response[Any]:
    """Accept every open week; a double click says how many the click accepted, not 0."""

    async def accept() -> Response[Any]:
        accepted = await forecasting_commitments.accept_open_weeks(viewer, material_id)
        return redirect_after_post(
            request, f"/suppliers/forecast?accepted={accepted}#m-{material_id}"
        )

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), accept
    )


# ---------------------------------------------------------------------------
# Material purchase orders


@get("/suppliers/purchase-orders", include_in_schema=False)
async def purchase_order_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    orders = await purchasing.list_purchase_orders(viewer)
    suppliers = (
        await services.supplier_choices() if viewer.can(SupplierAction.manage_purchasing) else []
    )
    return render(
        request,
        "suppliers/purchase_orders.html",
        {"orders": orders, "suppliers": suppliers, "values": {}, "errors": {}},
    )


@post("/suppliers/purchase-orders/draft", include_in_schema=False)
async def purchase_order_draft(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    access.require(viewer, SupplierAction.manage_purchasing)
    weeks_text = (data.get("weeks") or "8").strip()
    weeks = whole_number(weeks_text) or 0
    created, errors = await purchasing.draft_purchase_orders(
        viewer, data.get("supplier", ""), weeks
    )
    if created:
        return redirect_after_post(request, f"/suppliers/purchase-orders/{created[0]}")
    return render(
        request,
        "suppliers/purchase_orders.html",
        {
            "orders": await purchasing.list_purchase_orders(viewer),
            "suppliers": await services.supplier_choices(),
            "values": dict(data),
            "errors": errors,
        },
        status_code=400,
    )


async def _purchase_order_page(
    request: AnyRequest,
    viewer: access.Viewer,
    order_id: UUID,
    errors: dict[str, str] | None = None,
    failed_line: str = "",
    values: dict[str, str] | None = None,
) -> Template:
    view = await purchasing.purchase_order_view(viewer, order_id)
    return render(
        request,
        "suppliers/purchase_order.html",
        {
            "view": view,
            "notices": await purchasing.ship_notices(view.order),
            "receipts": await purchasing.receipts_of(view.order),
            "errors": errors or {},
            "failed_line": failed_line,
            "values": values or {},
            "today": utcnow().date(),
            "new_key": idempotency.new_key(),
        },
        status_code=400 if errors else 200,
    )


@get("/suppliers/purchase-orders/{order_id:uuid}", include_in_schema=False)
async def purchase_order_detail(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Template:
    return await _purchase_order_page(request, viewer, order_id)


@post("/suppliers/purchase-orders/{order_id:uuid}/send", include_in_schema=False)
async def purchase_order_send(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Response[Any]:
    await purchasing.send_purchase_order(viewer, order_id)
    return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}")


@post("/suppliers/purchase-orders/{order_id:uuid}/lines", include_in_schema=False)
async def purchase_order_update_draft(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await purchasing.update_draft(viewer, order_id, data)
    if result.saved:
        return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}")
    return await _purchase_order_page(request, viewer, order_id, result.errors, "draft", dict(data))


@post("/suppliers/purchase-orders/{order_id:uuid}/cancel", include_in_schema=False)
async def purchase_order_cancel(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Response[Any]:
    result = await purchasing.cancel_purchase_order(viewer, order_id)
    if result.saved:
        return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}")
    return await _purchase_order_page(request, viewer, order_id, result.errors, "cancel")


@post("/suppliers/purchase-order-lines/{line_id:uuid}/acknowledge", include_in_schema=False)
async def purchase_order_acknowledge(
    request: AnyRequest, viewer: CurrentViewer, line_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await purchasing.acknowledge_line(viewer, line_id, data)
    order_id = await purchasing.order_of_line(line_id)
    if result.saved:
        return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}#l-{line_id}")
    return await _purchase_order_page(
        request, viewer, order_id, result.errors, str(line_id), dict(data)
    )


@post("/suppliers/purchase-orders/{order_id:uuid}/ship-notices", include_in_schema=False)
async def ship_notice_create(
    request: AnyRequest, viewer: CurrentViewer, order_id: FromPath[UUID]
) -> Response[Any]:
    """Announce a shipment, once per drawn form (a retried upload gets the first answer)."""
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}

    async def announce() -> Response[Any]:
        upload = form.get("certificate")
        certificate = None
        if isinstance(upload, UploadFile) and upload.filename:
            certificate = purchasing.UploadedFile(upload.filename, await upload.read())
        result = await purchasing.create_ship_notice(viewer, order_id, data, certificate)
        if result.saved:
            return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}#notices")
        return await _purchase_order_page(request, viewer, order_id, result.errors, "notice", data)

    return await idempotency.respond_once(
        request, viewer, data.get(idempotency.KEY_FIELD, ""), announce
    )


@get("/suppliers/ship-notices/{notice_id:uuid}/certificate", include_in_schema=False)
async def ship_notice_certificate(
    viewer: CurrentViewer, notice_id: FromPath[UUID]
) -> Response[bytes]:
    certificate = await purchasing.certificate_of(viewer, notice_id)
    return Response(
        content=certificate.content,
        media_type=certificate.content_type,
        headers=uploads.download_headers(certificate.name),
    )


@post("/suppliers/purchase-order-lines/{line_id:uuid}/receipts", include_in_schema=False)
async def receipt_create(
    request: AnyRequest, viewer: CurrentViewer, line_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await purchasing.record_receipt(viewer, line_id, data)
    order_id = await purchasing.order_of_line(line_id)
    if result.saved:
        return redirect_after_post(request, f"/suppliers/purchase-orders/{order_id}#l-{line_id}")
    return await _purchase_order_page(
        request, viewer, order_id, result.errors, f"receipt-{line_id}", dict(data)
    )


# ---------------------------------------------------------------------------
# Scorecards


@get("/suppliers/scorecards", include_in_schema=False)
async def scorecard_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    cards = await scorecards.scorecards(viewer)
    weights = await scorecards.scorecard_weights()
    return render(
        request,
        "suppliers/scorecards.html",
        {"cards": cards, "weights": weights, "values": weights.as_dict(), "errors": {}},
    )


@post("/suppliers/scorecards/weights", include_in_schema=False)
async def scorecard_weights_save(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await scorecards.save_weights(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/suppliers/scorecards")
    return render(
        request,
        "suppliers/scorecards.html",
        {
            "cards": await scorecards.scorecards(viewer),
            "weights": await scorecards.scorecard_weights(),
            "values": dict(data),
            "errors": result.errors,
        },
        status_code=400,
    )


# ---------------------------------------------------------------------------
# Reorder forecasts per style (brand users: suppliers.access.get_forecast_style)


@get("/suppliers/reorders", include_in_schema=False)
async def reorder_index(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return render(
        request, "suppliers/reorders.html", {"styles": await reorders.style_index(viewer)}
    )


@get("/suppliers/reorders/{style_id:uuid}", include_in_schema=False)
async def reorder_style(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    view = await reorders.style_forecast(viewer, style_id)
    return render(request, "suppliers/reorder_style.html", {"view": view})


# ---------------------------------------------------------------------------
# API for suppliers' own systems (bearer tokens; same rules as the pages)


Amount = str | int | None
Short = Annotated[str, msgspec.Meta(max_length=100)]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]


class CommitmentBody(msgspec.Struct, forbid_unknown_fields=True):
    """A week's answer, checked by the page form's rules: "accepted", or "proposed" with a
    quantity and a delivery date."""

    week: Short = ""
    decision: Short = ""
    quantity: Amount = None
    delivery_date: Short = ""
    comment: Comment = ""


class AcknowledgementBody(msgspec.Struct, forbid_unknown_fields=True):
    """ "accepted", "changed", "rejected" or "backordered", with what changes."""

    acknowledgement: Short = ""
    quantity: Amount = None
    delivery_date: Short = ""
    comment: Comment = ""


class ShipNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    shipped_on: Short = ""
    expected_on: Short = ""
    carrier: Short = ""
    tracking_number: Short = ""
    dye_lot: Short = ""
    # PO line id -> quantity shipped
    lines: Annotated[dict[str, Amount], msgspec.Meta(max_length=1000)] = {}
    # The Idempotency-Key header does the same; kept for clients that send it here.
    idempotency_key: Annotated[str, msgspec.Meta(max_length=80)] = ""


class Created(msgspec.Struct):
    id: UUID


@api.get("/api/v1/suppliers/forecast", tags=["suppliers"])
async def api_forecast(viewer: CurrentViewer) -> api_documents.ForecastDocument:
    """The current material forecast for the caller's materials (a supplier: its own)."""
    return api_documents.forecast_document(await forecasting_view.forecast_view(viewer))


@api.post(
    "/api/v1/suppliers/materials/{material_id:uuid}/commitments",
    status_code=200,
    tags=["suppliers"],
)
async def api_commit_week(
    request: AnyRequest,
    viewer: CurrentViewer,
    material_id: FromPath[UUID],
    data: JSONBody[CommitmentBody],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Created]:
    """Commit to a week: {"week": "2027-01-04", "decision": "accepted"} or
    {"week": ..., "decision": "proposed", "quantity": "900", "delivery_date": ..., "comment": ...}.
    Sending the same answer again changes nothing; with an Idempotency-Key header a retry
    gets the first answer even after a newer answer was given."""

    async def commit() -> Response[Created]:
        result = await forecasting_commitments.commit_week(
            viewer, material_id, api.form_fields(data)
        )
        if not result.saved:
            raise api.refused(result)
        assert result.uuid is not None
        return Response(Created(id=result.uuid))

    return await idempotency.respond_once(request, viewer, idempotency_key, commit)


class PurchaseOrderSummary(msgspec.Struct):
    id: UUID
    number: str | None  # a draft has none yet
    status: str
    currency: str
    lines: int
    unanswered_lines: int


class PurchaseOrderList(msgspec.Struct):
    items: list[PurchaseOrderSummary]
    # Pass as ?cursor= for the next purchase orders; null on the last page.
    next_cursor: str | None


@api.get("/api/v1/suppliers/purchase-orders", tags=["suppliers"])
async def api_purchase_orders(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> PurchaseOrderList:
    """Purchase orders sent to the caller (the brand: all, drafts included), newest first."""
    position = api.decode_cursor(cursor, (int,))
    orders = await purchasing.list_purchase_orders(
        viewer, position[0] if position else None, limit + 1
    )
    shown, next_cursor = api.page_of(orders, limit, lambda order: [order.id])
    return PurchaseOrderList(
        items=[
            PurchaseOrderSummary(
                id=order.uuid,
                number=order.number,
                status=order.status,
                currency=order.currency,
                lines=order.lines,
                unanswered_lines=order.unanswered,
            )
            for order in shown
        ],
        next_cursor=next_cursor,
    )


@api.get("/api/v1/suppliers/purchase-orders/{order_id:uuid}", tags=["suppliers"])
async def api_purchase_order(
    viewer: CurrentViewer, order_id: FromPath[UUID]
) -> api_documents.PurchaseOrderDocument:
    """One purchase order sent to the caller, with its lines and their answers."""
    return api_documents.purchase_order_document(
        await purchasing.purchase_order_view(viewer, order_id)
    )


@api.post(
    "/api/v1/suppliers/purchase-order-lines/{line_id:uuid}/acknowledgement",
    status_code=200,
    tags=["suppliers"],
)
async def api_acknowledge(
    viewer: CurrentViewer, line_id: FromPath[UUID], data: JSONBody[AcknowledgementBody]
) -> Created:
    """Answer a PO line: {"acknowledgement": "accepted" | "changed" | "rejected" |
    "backordered", "quantity": ..., "delivery_date": ..., "comment": ...}. Idempotent."""
    result = await purchasing.acknowledge_line(viewer, line_id, api.form_fields(data))
    if not result.saved:
        raise api.refused(result)
    assert result.uuid is not None
    return Created(id=result.uuid)


@api.post(
    "/api/v1/suppliers/purchase-orders/{order_id:uuid}/ship-notices",
    status_code=201,
    tags=["suppliers"],
)
async def api_ship_notice(
    request: AnyRequest,
    viewer: CurrentViewer,
    order_id: FromPath[UUID],
    data: JSONBody[ShipNoticeBody],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[Created]:
    """Announce a shipment: {"shipped_on", "expected_on", "carrier", "tracking_number",
    "dye_lot", "lines": {"<PO line id>": "quantity"}} (certificates are uploaded on the
    page). Send an Idempotency-Key header (or, as before, an "idempotency_key" field) to
    make a retry safe."""
    fields = api.form_fields(data)
    fields.update(
        {f"quantity-{key}": str(value) for key, value in data.lines.items() if value is not None}
    )

    async def announce() -> Response[Created]:
        result = await purchasing.create_ship_notice(viewer, order_id, fields)
        if not result.saved:
            raise api.refused(result)
        assert result.uuid is not None
        return Response(Created(id=result.uuid), status_code=201)

    key = idempotency_key or data.idempotency_key
    return await idempotency.respond_once(request, viewer, key, announce)


supplier_routes = [
    material_list,
    material_new,
    material_create,
    material_edit,
    material_update,
    bom_index,
    bom_detail,
    bom_add_line,
    bom_delete_line,
    forecast,
    forecast_export,
    forecast_recompute,
    commit_week,
    accept_open_weeks,
    purchase_order_list,
    purchase_order_draft,
    purchase_order_detail,
    purchase_order_send,
    purchase_order_update_draft,
    purchase_order_cancel,
    purchase_order_acknowledge,
    ship_notice_create,
    ship_notice_certificate,
    receipt_create,
    scorecard_page,
    scorecard_weights_save,
    reorder_index,
    reorder_style,
    api_forecast,
    api_commit_week,
    api_purchase_orders,
    api_purchase_order,
    api_acknowledge,
    api_ship_notice,
]
