"""Catalog pages: the style list, a style with its SKU grid and prices, the style
form, price lists and their prices. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import csv_io, forms, services
from partner_portal.catalog.services import StyleFilters
from partner_portal.clock import utcnow
from partner_portal.web import CurrentViewer, redirect_after_post, render, uploaded_file

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
    values, status_code = result.form_again(data)
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


# ---------------------------------------------------------------------------
# Reference data: seasons and collections, size scales, price lists (manage_catalog)


def _choices() -> dict[str, Any]:
    return {"kinds": forms.SIZE_KINDS, "tiers": forms.TIERS}


@get("/catalog/seasons", include_in_schema=False)
async def season_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    seasons = await services.list_seasons(viewer)
    return render(request, "catalog/seasons.html", {"seasons": seasons})


async def _season_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    season: dict[str, Any] | None = None,
    collection_values: dict[str, Any] | None = None,
    collection_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "catalog/season_form.html",
        {
            "values": values,
            "errors": errors,
            "season": season,
            "collections": await services.season_collections(season["id"]) if season else [],
            "collection_values": collection_values or {},
            "collection_errors": collection_errors or {},
        },
        status_code=status_code,
    )


@get("/catalog/seasons/new", include_in_schema=False)
async def season_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return await _season_form(request, {}, {})


@post("/catalog/seasons/new", include_in_schema=False)
async def season_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await services.save_season(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/seasons/{result.uuid}/edit")
    return await _season_form(request, dict(data), result.errors, status_code=400)


@get("/catalog/seasons/{season_id:uuid}/edit", include_in_schema=False)
async def season_edit(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID]
) -> Template:
    season = await access.get_season(viewer, season_id)
    return await _season_form(request, services.season_form_values(season), {}, season)


@post("/catalog/seasons/{season_id:uuid}/edit", include_in_schema=False)
async def season_update(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID], data: Form
) -> Response[Any]:
    season = await access.get_season(viewer, season_id)
    result = await services.save_season(viewer, data, season)
    if result.saved:
        return redirect_after_post(request, "/catalog/seasons")
    return await _season_form(request, dict(data), result.errors, season, status_code=400)


@post("/catalog/seasons/{season_id:uuid}/collections", include_in_schema=False)
async def collection_create(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID], data: Form
) -> Response[Any]:
    season = await access.get_season(viewer, season_id)
    errors = await services.add_collection(viewer, season, data)
    if not errors:
        return redirect_after_post(request, f"/catalog/seasons/{season_id}/edit")
    return await _season_form(
        request,
        services.season_form_values(season),
        {},
        season,
        collection_values=dict(data),
        collection_errors=errors,
        status_code=400,
    )


@get("/catalog/size-scales", include_in_schema=False)
async def size_scale_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    scales = await services.list_size_scales(viewer)
    return render(request, "catalog/size_scales.html", {"scales": scales})


async def _scale_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    scale: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    in_use = await services.scale_in_use(scale["id"]) if scale else False
    return render(
        request,
        "catalog/size_scale_form.html",
        {"values": values, "errors": errors, "scale": scale, "in_use": in_use, **_choices()},
        status_code=status_code,
    )


@get("/catalog/size-scales/new", include_in_schema=False)
async def size_scale_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return await _scale_form(request, {"kind": "alpha"}, {})


@post("/catalog/size-scales/new", include_in_schema=False)
async def size_scale_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await services.save_size_scale(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/catalog/size-scales")
    return await _scale_form(request, dict(data), result.errors, status_code=400)


@get("/catalog/size-scales/{scale_id:uuid}/edit", include_in_schema=False)
async def size_scale_edit(
    request: AnyRequest, viewer: CurrentViewer, scale_id: FromPath[UUID]
) -> Template:
    scale = await access.get_size_scale(viewer, scale_id)
    return await _scale_form(request, await services.size_scale_form_values(scale), {}, scale)


@post("/catalog/size-scales/{scale_id:uuid}/edit", include_in_schema=False)
async def size_scale_update(
    request: AnyRequest, viewer: CurrentViewer, scale_id: FromPath[UUID], data: Form
) -> Response[Any]:
    scale = await access.get_size_scale(viewer, scale_id)
    result = await services.save_size_scale(viewer, data, scale)
    if result.saved:
        return redirect_after_post(request, "/catalog/size-scales")
    return await _scale_form(request, dict(data), result.errors, scale, status_code=400)


def _price_list_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    price_list: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "catalog/price_list_form.html",
        {"values": values, "errors": errors, "price_list": price_list, **_choices()},
        status_code=status_code,
    )


@get("/catalog/price-lists/new", include_in_schema=False)
async def price_list_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return _price_list_form(request, {"currency": "CNY"}, {})


@post("/catalog/price-lists/new", include_in_schema=False)
async def price_list_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await services.save_price_list(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/price-lists/{result.uuid}/prices")
    return _price_list_form(request, dict(data), result.errors, status_code=400)


@get("/catalog/price-lists/{price_list_id:uuid}/edit", include_in_schema=False)
async def price_list_edit(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID]
) -> Template:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    return _price_list_form(request, services.price_list_form_values(price_list), {}, price_list)


@post("/catalog/price-lists/{price_list_id:uuid}/edit", include_in_schema=False)
async def price_list_update(
    request: AnyRequest, viewer: CurrentViewer, price_list_id: FromPath[UUID], data: Form
) -> Response[Any]:
    price_list = await access.get_price_list(viewer, price_list_id, Action.manage_catalog)
    result = await services.save_price_list(viewer, data, price_list)
    if result.saved:
        return redirect_after_post(request, "/catalog/price-lists")
    return _price_list_form(request, dict(data), result.errors, price_list, status_code=400)


# ---------------------------------------------------------------------------
# CSV export and import of styles and prices (manage_catalog)


def _csv_response(text: str, filename: str) -> Response[str]:
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d")


@get("/catalog/styles/export.csv", include_in_schema=False)
async def styles_export(viewer: CurrentViewer) -> Response[str]:
    return _csv_response(await csv_io.export_styles(viewer), f"styles-{_stamp()}.csv")


@get("/catalog/prices/export.csv", include_in_schema=False)
async def prices_export(viewer: CurrentViewer) -> Response[str]:
    return _csv_response(await csv_io.export_prices(viewer), f"prices-{_stamp()}.csv")


@get("/catalog/import-template.csv", include_in_schema=False)
async def catalog_import_template(
    viewer: CurrentViewer, kind: FromQuery[str] = "styles"
) -> Response[str]:
    access.require(viewer, Action.manage_catalog)
    if kind == "prices":
        return _csv_response(csv_io.price_template(), "prices-template.csv")
    return _csv_response(csv_io.style_template(), "styles-template.csv")


def _import_context(**extra: Any) -> dict[str, Any]:
    return {**csv_io.columns_help(), "result": None, "file_kind": "styles", "missing_file": False,
            **extra}  # fmt: skip


@get("/catalog/import", include_in_schema=False)
async def catalog_import_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return render(request, "catalog/import.html", _import_context())


@post("/catalog/import", include_in_schema=False)
async def catalog_import_submit(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """Import styles or prices from an uploaded CSV: all rows or none."""
    access.require(viewer, Action.manage_catalog)
    form, content = await uploaded_file(request)
    file_kind = "prices" if form.get("file_kind") == "prices" else "styles"
    if content is None:
        return render(
            request,
            "catalog/import.html",
            _import_context(file_kind=file_kind, missing_file=True),
            status_code=400,
        )
    if file_kind == "prices":
        result = await csv_io.import_prices(viewer, content)
    else:
        result = await csv_io.import_styles(viewer, content)
    return render(
        request,
        "catalog/import.html",
        _import_context(file_kind=file_kind, result=result),
        status_code=200 if result.ok else 400,
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
    season_list,
    season_new,
    season_create,
    season_edit,
    season_update,
    collection_create,
    size_scale_list,
    size_scale_new,
    size_scale_create,
    size_scale_edit,
    size_scale_update,
    price_list_new,
    price_list_create,
    price_list_edit,
    price_list_update,
    styles_export,
    prices_export,
    catalog_import_template,
    catalog_import_page,
    catalog_import_submit,
]
