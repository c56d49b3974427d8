"""Catalog pages: the style list, a style with its SKU grid and prices, the style
form, price lists and their prices. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import services
from partner_portal.catalog.services import StyleFilters
from partner_portal.web import CurrentViewer, redirect_after_post, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]


@get("/catalog/styles", include_in_schema=False)
async def style_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = StyleFilters.from_query(request.query_params)
    page = await services.list_styles(viewer, filters)
    return render(
        request,
        "catalog/list.html",
        {"result": page, "filters": filters, "choices": await services.filter_choices()},
        partial="catalog/_rows.html",
    )


async def _form_context(
    values: dict[str, Any],
    errors: dict[str, str],
    style: dict[str, Any] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "style": style,
        "conflicts": conflicts or [],
        "choices": await services.form_choices(),
    }


@get("/catalog/styles/new", include_in_schema=False)
async def style_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    values = {"status": "draft", "gender": "unisex"}
    return render(request, "catalog/form.html", await _form_context(values, {}))


@post("/catalog/styles/new", include_in_schema=False)
async def style_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await services.create_style(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/styles/{result.uuid}")
    return render(
        request,
        "catalog/form.html",
        await _form_context(dict(data), result.errors),
        status_code=400,
    )


@get("/catalog/styles/{style_id:uuid}", include_in_schema=False)
async def style_detail(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    view = await services.style_view(viewer, style_id)
    return render(request, "catalog/detail.html", {"view": view, "style": view.style})


@get("/catalog/styles/{style_id:uuid}/edit", include_in_schema=False)
async def style_edit(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    values = await services.form_values(style)
    return render(request, "catalog/form.html", await _form_context(values, {}, style))


@post("/catalog/styles/{style_id:uuid}/edit", include_in_schema=False)
async def style_update(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    result = await services.update_style(viewer, style, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/styles/{style_id}")
    values = dict(data)
    status_code = 400
    if result.current_version is not None:
        # Sending the form again now saves over the other edits, knowingly.
        values["version"] = str(result.current_version)
        status_code = 409
    return render(
        request,
        "catalog/form.html",
        await _form_context(values, result.errors, style, result.conflicts),
        status_code=status_code,
    )


@get("/catalog/price-lists", include_in_schema=False)
async def price_lists(request: AnyRequest, viewer: CurrentViewer) -> Template:
    rows = await services.list_price_lists(viewer)
    return render(request, "catalog/price_lists.html", {"price_lists": rows})


async def _prices_context(
    viewer: Viewer,
    price_list: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    sheet = await services.price_sheet(price_list)
    return {
        "price_list": price_list,
        "sheet": sheet,
        "values": values
        if values is not None
        else services.price_form_values(sheet, price_list["currency"]),
        "errors": errors or {},
        "can_manage": access.allows(viewer, Action.manage_catalog),
    }


@get("/catalog/price-lists/{price_list_id:uuid}/prices", include_in_schema=False)
async def prices(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID]
) -> Template:
    price_list = await access.get_price_list(viewer, price_list_id)
    return render(request, "catalog/prices.html", await _prices_context(viewer, price_list))


@post("/catalog/price-lists/{price_list_id:uuid}/prices", include_in_schema=False)
async def prices_save(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID], data: Form
) -> Response[Any]:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    errors = await services.save_prices(viewer, price_list, data)
    if not errors:
        return redirect_after_post(request, f"/catalog/price-lists/{price_list_id}/prices")
    return render(
        request,
        "catalog/prices.html",
        await _prices_context(viewer, price_list, dict(data), errors),
        status_code=400,
    )


catalog_routes = [
    style_list,
    style_new,
    style_create,
    style_detail,
    style_edit,
    style_update,
    price_lists,
    prices,
    prices_save,
]
