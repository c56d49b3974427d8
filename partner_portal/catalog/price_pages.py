"""Catalog pages of price lists: the lists, a list's prices and volume breaks, the price
list form. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import forms, reference, services
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.web import CurrentViewer, redirect_after_post, render


@get("/catalog/price-lists", include_in_schema=False)
async def price_lists(request: AnyRequest, viewer: CurrentViewer) -> Template:
    rows = await services.list_price_lists(viewer)
    return render(request, "catalog/price_lists.html", {"price_lists": rows})


async def _prices_context(
    viewer: Viewer,
    price_list: access.VisiblePriceList,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    break_values: dict[str, str] | None = None,
    break_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    sheet = await services.price_sheet(price_list)
    breaks = (await services.volume_breaks([price_list.id]))[price_list.id]
    if values is None:
        values = {
            **services.price_form_values(sheet, price_list.currency),
            "version": str(price_list.version),
        }
    return {
        "price_list": price_list,
        "partner": await services.price_list_partner(price_list),
        "sheet": sheet,
        "values": values,
        "errors": errors or {},
        "conflicts": conflicts or [],
        "breaks": breaks,
        "break_values": break_values
        if break_values is not None
        else services.volume_break_form_values(breaks),
        "break_errors": break_errors or {},
        "break_rows": range(1, len(breaks) + 4),
        "price_field": services.price_field,
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
    result = await services.save_prices(viewer, price_list, data)
    if result.saved:
        return redirect_after_post(
            request, f"/catalog/price-lists/{price_list_id}/prices?saved=prices"
        )
    values, status_code = result.form_again(data)
    return render(
        request,
        "catalog/prices.html",
        await _prices_context(viewer, price_list, values, result.errors, result.conflicts),
        status_code=status_code,
    )


@post("/catalog/price-lists/{price_list_id:uuid}/volume-breaks", include_in_schema=False)
async def volume_breaks_save(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID], data: Form
) -> Response[Any]:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    errors = await services.save_volume_breaks(viewer, price_list, data)
    if not errors:
        return redirect_after_post(
            request, f"/catalog/price-lists/{price_list_id}/prices?saved=breaks#breaks"
        )
    return render(
        request,
        "catalog/prices.html",
        await _prices_context(viewer, price_list, break_values=dict(data), break_errors=errors),
        status_code=400,
    )


async def _price_list_form(
    request: AnyRequest,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    price_list: access.VisiblePriceList | None = None,
    status_code: int = 200,
) -> Template:
    partners = [
        (str(row["uuid"]), f"{row['legal_name']} ({row['currency']})")
        for row in await services.partner_choices(viewer)
    ]
    return render(
        request,
        "catalog/price_list_form.html",
        {
            "values": values,
            "errors": errors,
            "price_list": price_list,
            "partners": partners,
            "tiers": forms.TIERS,
        },
        status_code=status_code,
    )


@get("/catalog/price-lists/new", include_in_schema=False)
async def price_list_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return await _price_list_form(request, viewer, {"currency": "CNY"}, {})


@post("/catalog/price-lists/new", include_in_schema=False)
async def price_list_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await reference.save_price_list(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/price-lists/{result.uuid}/prices")
    return await _price_list_form(request, viewer, dict(data), result.errors, status_code=400)


@get("/catalog/price-lists/{price_list_id:uuid}/edit", include_in_schema=False)
async def price_list_edit(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID]
) -> Template:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    values = await reference.price_list_form_values(price_list)
    return await _price_list_form(request, viewer, values, {}, price_list)


@post("/catalog/price-lists/{price_list_id:uuid}/edit", include_in_schema=False)
async def price_list_update(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID], data: Form
) -> Response[Any]:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    result = await reference.save_price_list(viewer, data, price_list)
    if result.saved:
        return redirect_after_post(request, "/catalog/price-lists")
    return await _price_list_form(
        request, viewer, dict(data), result.errors, price_list, status_code=400
    )


price_routes = [
    price_lists,
    prices,
    prices_save,
    price_list_new,
    price_list_create,
    price_list_edit,
    price_list_update,
    volume_breaks_save,
]
