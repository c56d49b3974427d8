"""Catalog pages: the style list, a style with its SKU grid and prices, the style
form, price lists and their prices. Thin: parse, call a service, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import (
    availability,
    csv_io,
    forms,
    images,
    prepacks,
    reference,
    services,
    size_charts,
    styles,
)
from partner_portal.catalog.records import PrepackRecord, SeasonRecord, SizeScaleRecord
from partner_portal.catalog.size_chart_pages import size_chart_routes
from partner_portal.catalog.styles import StyleFilters
from partner_portal.catalog.tables import Season, SizeScale
from partner_portal.clock import utcnow
from partner_portal.i18n import N_
from partner_portal.media import existing_media_file
from partner_portal.registries import NavEntry
from partner_portal.spreadsheets import UPLOAD_BYTES
from partner_portal.web import (
    CurrentViewer,
    csv_download,
    redirect_after_post,
    render,
    uploaded_file,
    xlsx_download,
)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]


@get("/catalog/styles", include_in_schema=False)
async def style_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    filters = StyleFilters.from_query(request.query_params)
    page = await styles.list_styles(viewer, filters)
    return render(
        request,
        "catalog/list.html",
        {"result": page, "filters": filters, "choices": await styles.filter_choices()},
        partial="catalog/_rows.html",
    )


async def _form_context(
    values: dict[str, Any],
    errors: dict[str, str],
    style: access.VisibleStyle | None = None,
    conflicts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "style": style,
        "conflicts": conflicts or [],
        "choices": await styles.form_choices(),
    }


@get("/catalog/styles/new", include_in_schema=False)
async def style_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    values = {"status": "draft", "gender": "unisex"}
    return render(request, "catalog/form.html", await _form_context(values, {}))


@post("/catalog/styles/new", include_in_schema=False)
async def style_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await styles.create_style(viewer, data)
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
    view = await styles.style_view(viewer, style_id)
    charts = await size_charts.charts_for_styles([view.style["id"]])
    return render(
        request,
        "catalog/detail.html",
        {"view": view, "style": view.style, "size_charts": charts.get(view.style["id"], [])},
    )


@get("/catalog/styles/{style_id:uuid}/edit", include_in_schema=False)
async def style_edit(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    values = await styles.form_values(style)
    return render(request, "catalog/form.html", await _form_context(values, {}, style))


@post("/catalog/styles/{style_id:uuid}/edit", include_in_schema=False)
async def style_update(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    result = await styles.update_style(viewer, style, data)
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


# ---------------------------------------------------------------------------
# Reference data: seasons and collections, size scales, price lists (manage_catalog)


def _choices() -> dict[str, Any]:
    return {"kinds": forms.SIZE_KINDS, "tiers": forms.TIERS}


async def _season_extras(season: SeasonRecord | None) -> dict[str, Any]:
    if season is None:
        return {"collections": [], "windows": []}
    return {
        "collections": await reference.season_collections(season.id),
        "windows": (await availability.delivery_windows([season.id]))[season.id],
    }


@get("/catalog/seasons", include_in_schema=False)
async def season_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    seasons = await reference.list_seasons(viewer)
    return render(request, "catalog/seasons.html", {"seasons": seasons})


async def _season_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    season: SeasonRecord | None = None,
    collection_values: dict[str, Any] | None = None,
    collection_errors: dict[str, str] | None = None,
    status_code: int = 200,
    window_values: dict[str, Any] | None = None,
    window_errors: dict[str, str] | None = None,
) -> Template:
    return render(
        request,
        "catalog/season_form.html",
        {
            "values": values,
            "errors": errors,
            "season": season,
            **await _season_extras(season),
            "collection_values": collection_values or {},
            "collection_errors": collection_errors or {},
            "window_values": window_values or {},
            "window_errors": window_errors or {},
        },
        status_code=status_code,
    )


@get("/catalog/seasons/new", include_in_schema=False)
async def season_new(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return await _season_form(request, {}, {})


@post("/catalog/seasons/new", include_in_schema=False)
async def season_create(request: AnyRequest, viewer: CurrentViewer, data: Form) -> Response[Any]:
    result = await reference.save_season(viewer, data)
    if result.saved:
        return redirect_after_post(request, f"/catalog/seasons/{result.uuid}/edit")
    return await _season_form(request, dict(data), result.errors, status_code=400)


@get("/catalog/seasons/{season_id:uuid}/edit", include_in_schema=False)
async def season_edit(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID]
) -> Template:
    season = await access.get_season(viewer, season_id)
    return await _season_form(request, reference.season_form_values(season), {}, season)


@post("/catalog/seasons/{season_id:uuid}/edit", include_in_schema=False)
async def season_update(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID], data: Form
) -> Response[Any]:
    season = await access.get_season(viewer, season_id)
    result = await reference.save_season(viewer, data, season)
    if result.saved:
        return redirect_after_post(request, "/catalog/seasons")
    return await _season_form(request, dict(data), result.errors, season, status_code=400)


@post("/catalog/seasons/{season_id:uuid}/collections", include_in_schema=False)
async def collection_create(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID], data: Form
) -> Response[Any]:
    season = await access.get_season(viewer, season_id)
    errors = await reference.add_collection(viewer, season, data)
    if not errors:
        return redirect_after_post(request, f"/catalog/seasons/{season_id}/edit")
    return await _season_form(
        request,
        reference.season_form_values(season),
        {},
        season,
        collection_values=dict(data),
        collection_errors=errors,
        status_code=400,
    )


@get("/catalog/size-scales", include_in_schema=False)
async def size_scale_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    scales = await reference.list_size_scales(viewer)
    return render(request, "catalog/size_scales.html", {"scales": scales})


async def _scale_form(
    request: AnyRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    scale: SizeScaleRecord | None = None,
    status_code: int = 200,
) -> Template:
    in_use = await reference.scale_in_use(scale.id) if scale else False
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
    result = await reference.save_size_scale(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/catalog/size-scales")
    return await _scale_form(request, dict(data), result.errors, status_code=400)


@get("/catalog/size-scales/{scale_id:uuid}/edit", include_in_schema=False)
async def size_scale_edit(
    request: AnyRequest, viewer: CurrentViewer, scale_id: FromPath[UUID]
) -> Template:
    scale = await access.get_size_scale(viewer, scale_id)
    return await _scale_form(request, await reference.size_scale_form_values(scale), {}, scale)


@post("/catalog/size-scales/{scale_id:uuid}/edit", include_in_schema=False)
async def size_scale_update(
    request: AnyRequest, viewer: CurrentViewer, scale_id: FromPath[UUID], data: Form
) -> Response[Any]:
    scale = await access.get_size_scale(viewer, scale_id)
    result = await reference.save_size_scale(viewer, data, scale)
    if result.saved:
        return redirect_after_post(request, "/catalog/size-scales")
    return await _scale_form(request, dict(data), result.errors, scale, status_code=400)


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
            **_choices(),
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


# ---------------------------------------------------------------------------
# CSV and xlsx export and import of styles, prices and availability (manage_catalog)

EXPORT_COLUMNS = {
    "styles": csv_io.STYLE_COLUMNS,
    "prices": csv_io.PRICE_COLUMNS,
    "availability": availability.COLUMNS,
}


async def _spreadsheet_response(
    kind: str, rows: list[dict[str, Any]], name: str, fmt: str
) -> Response[Any]:
    columns = EXPORT_COLUMNS[kind]
    if fmt == "xlsx":
        return await xlsx_download(columns, rows, f"{name}.xlsx", title=kind)
    return csv_download(columns, rows, f"{name}.csv")


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d")


async def _export_rows(viewer: Viewer, kind: str) -> list[dict[str, Any]]:
    if kind == "prices":
        return await csv_io.price_rows(viewer)
    if kind == "availability":
        return await availability.export_rows(viewer)
    return await csv_io.style_rows(viewer)


@get("/catalog/styles/export.csv", include_in_schema=False)
async def styles_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "styles")
    return await _spreadsheet_response("styles", rows, f"styles-{_stamp()}", "csv")


@get("/catalog/styles/export.xlsx", include_in_schema=False)
async def styles_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "styles")
    return await _spreadsheet_response("styles", rows, f"styles-{_stamp()}", "xlsx")


@get("/catalog/prices/export.csv", include_in_schema=False)
async def prices_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "prices")
    return await _spreadsheet_response("prices", rows, f"prices-{_stamp()}", "csv")


@get("/catalog/prices/export.xlsx", include_in_schema=False)
async def prices_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "prices")
    return await _spreadsheet_response("prices", rows, f"prices-{_stamp()}", "xlsx")


@get("/catalog/availability/export.csv", include_in_schema=False)
async def availability_export(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "availability")
    return await _spreadsheet_response("availability", rows, f"availability-{_stamp()}", "csv")


@get("/catalog/availability/export.xlsx", include_in_schema=False)
async def availability_export_xlsx(viewer: CurrentViewer) -> Response[Any]:
    rows = await _export_rows(viewer, "availability")
    return await _spreadsheet_response("availability", rows, f"availability-{_stamp()}", "xlsx")


def _template_rows(kind: str) -> list[dict[str, str]]:
    if kind == "prices":
        return csv_io.price_template()
    if kind == "availability":
        return availability.template_rows()
    return csv_io.style_template()


def _file_kind(value: Any) -> str:
    return str(value) if value in EXPORT_COLUMNS else "styles"


@get("/catalog/import-template.csv", include_in_schema=False)
async def catalog_import_template(
    viewer: CurrentViewer, kind: FromQuery[str] = "styles"
) -> Response[Any]:
    access.require(viewer, Action.manage_catalog)
    kind = _file_kind(kind)
    return await _spreadsheet_response(kind, _template_rows(kind), f"{kind}-template", "csv")


@get("/catalog/import-template.xlsx", include_in_schema=False)
async def catalog_import_template_xlsx(
    viewer: CurrentViewer, kind: FromQuery[str] = "styles"
) -> Response[Any]:
    access.require(viewer, Action.manage_catalog)
    kind = _file_kind(kind)
    return await _spreadsheet_response(kind, _template_rows(kind), f"{kind}-template", "xlsx")


def _import_context(**extra: Any) -> dict[str, Any]:
    return {
        **csv_io.columns_help(),
        "availability_columns": availability.COLUMNS,
        "availability_required": availability.REQUIRED,
        "result": None,
        "availability_result": None,
        "file_kind": "styles",
        "missing_file": False,
        **extra,
    }


@get("/catalog/import", include_in_schema=False)
async def catalog_import_page(request: AnyRequest, viewer: CurrentViewer) -> Template:
    access.require(viewer, Action.manage_catalog)
    return render(request, "catalog/import.html", _import_context())


@post("/catalog/import", include_in_schema=False, request_max_body_size=UPLOAD_BYTES)
async def catalog_import_submit(request: AnyRequest, viewer: CurrentViewer) -> Template:
    """Import styles, prices or availability from an uploaded CSV or xlsx: all rows or none."""
    access.require(viewer, Action.manage_catalog)
    form, content = await uploaded_file(request)
    file_kind = _file_kind(form.get("file_kind"))
    if content is None:
        return render(
            request,
            "catalog/import.html",
            _import_context(file_kind=file_kind, missing_file=True),
            status_code=400,
        )
    if file_kind == "availability":
        stock = await availability.import_availability(viewer, content)
        return render(
            request,
            "catalog/import.html",
            _import_context(file_kind=file_kind, result=stock, availability_result=stock),
            status_code=200 if stock.ok else 400,
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


# ---------------------------------------------------------------------------
# Delivery windows of a season (on the season's page)


@post("/catalog/seasons/{season_id:uuid}/delivery-windows", include_in_schema=False)
async def delivery_window_create(
    request: AnyRequest, viewer: CurrentViewer, season_id: FromPath[UUID], data: Form
) -> Response[Any]:
    season = await access.get_season(viewer, season_id)
    errors = await availability.add_delivery_window(viewer, season, data)
    if not errors:
        return redirect_after_post(request, f"/catalog/seasons/{season_id}/edit#windows")
    return await _season_form(
        request,
        reference.season_form_values(season),
        {},
        season,
        window_values=dict(data),
        window_errors=errors,
        status_code=400,
    )


@post("/catalog/delivery-windows/{window_id:uuid}/delete", include_in_schema=False)
async def delivery_window_delete(
    request: AnyRequest, viewer: CurrentViewer, window_id: FromPath[UUID]
) -> Response[Any]:
    window = await access.get_delivery_window(viewer, window_id)
    await availability.delete_delivery_window(viewer, window)
    season = await Season.select(Season.uuid).where(Season.id == window.season).first()
    return redirect_after_post(
        request, f"/catalog/seasons/{season['uuid']}/edit#windows" if season else "/catalog/seasons"
    )


# ---------------------------------------------------------------------------
# Availability of a style's SKUs


async def _availability_context(
    style: access.VisibleStyle,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    grid = await availability.style_availability(style)
    return {
        "style": style,
        "grid": grid,
        "values": values if values is not None else grid.form_values(),
        "errors": errors or {},
    }


@get("/catalog/styles/{style_id:uuid}/availability", include_in_schema=False)
async def style_availability_edit(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Template:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    return render(request, "catalog/availability.html", await _availability_context(style))


@post("/catalog/styles/{style_id:uuid}/availability", include_in_schema=False)
async def style_availability_save(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    errors = await availability.save_style_availability(viewer, style, data)
    if not errors:
        return redirect_after_post(request, f"/catalog/styles/{style_id}#availability")
    return render(
        request,
        "catalog/availability.html",
        await _availability_context(style, dict(data), errors),
        status_code=400,
    )


# ---------------------------------------------------------------------------
# Pictures of a style


def _media_dir(request: AnyRequest) -> Path:
    return Path(request.app.state.settings.media_dir)


@post("/catalog/styles/{style_id:uuid}/images", include_in_schema=False)
async def style_image_upload(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID]
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    _form, content = await uploaded_file(request)
    errors = await images.add_style_image(viewer, style, content or b"", _media_dir(request))
    if not errors:
        return redirect_after_post(request, f"/catalog/styles/{style_id}#pictures")
    view = await styles.style_view(viewer, style_id)
    return render(
        request,
        "catalog/detail.html",
        {"view": view, "style": view.style, "image_errors": errors},
        status_code=400,
    )


@get("/catalog/images/{image_id:uuid}", include_in_schema=False)
async def style_image(request: AnyRequest, viewer: CurrentViewer, image_id: FromPath[UUID]) -> File:
    image = await access.get_style_image(viewer, image_id)
    path = images.stored_file(_media_dir(request), image.path)
    return File(
        path=existing_media_file(path),
        media_type=image.content_type,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@post("/catalog/images/{image_id:uuid}/delete", include_in_schema=False)
async def style_image_delete(
    request: AnyRequest, viewer: CurrentViewer, image_id: FromPath[UUID]
) -> Response[Any]:
    image = await access.get_style_image(viewer, image_id, Action.manage_catalog)
    style = await access.get_style(viewer, image.style_uuid, Action.manage_catalog)
    await images.remove_style_image(viewer, style, image, _media_dir(request))
    return redirect_after_post(request, f"/catalog/styles/{style.uuid}#pictures")


@post("/catalog/images/{image_id:uuid}/main", include_in_schema=False)
async def style_image_main(
    request: AnyRequest, viewer: CurrentViewer, image_id: FromPath[UUID]
) -> Response[Any]:
    image = await access.get_style_image(viewer, image_id, Action.manage_catalog)
    style = await access.get_style(viewer, image.style_uuid, Action.manage_catalog)
    await images.make_main_image(viewer, style, image)
    return redirect_after_post(request, f"/catalog/styles/{style.uuid}#pictures")


# ---------------------------------------------------------------------------
# Prepacks (manage_catalog)


@get("/catalog/prepacks", include_in_schema=False)
async def prepack_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    scales = await prepacks.list_prepacks(viewer)
    return render(request, "catalog/prepacks.html", {"scales": scales})


async def _prepack_form(
    request: AnyRequest,
    scale: SizeScaleRecord,
    values: dict[str, Any],
    errors: dict[str, str],
    prepack: PrepackRecord | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "catalog/prepack_form.html",
        {
            "scale": scale,
            "sizes": await prepacks.scale_sizes(scale.id),
            "values": values,
            "errors": errors,
            "prepack": prepack,
        },
        status_code=status_code,
    )


@get("/catalog/prepacks/new", include_in_schema=False)
async def prepack_new(
    request: AnyRequest, viewer: CurrentViewer, scale: FromQuery[UUID | None] = None
) -> Template:
    access.require(viewer, Action.manage_catalog)
    if scale is None:
        scales = await reference.list_size_scales(viewer)
        return render(request, "catalog/prepack_scale.html", {"scales": scales})
    scale_row = await access.get_size_scale(viewer, scale)
    return await _prepack_form(request, scale_row, {}, {})


@post("/catalog/prepacks/new", include_in_schema=False)
async def prepack_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form, scale: FromQuery[UUID | None] = None
) -> Response[Any]:
    access.require(viewer, Action.manage_catalog)
    if scale is None:
        return redirect_after_post(request, "/catalog/prepacks/new")
    scale_row = await access.get_size_scale(viewer, scale)
    result = await prepacks.save_prepack(viewer, scale_row, data)
    if result.saved:
        return redirect_after_post(request, "/catalog/prepacks")
    return await _prepack_form(request, scale_row, dict(data), result.errors, status_code=400)


async def _prepack_and_scale(
    viewer: Viewer, prepack_id: UUID
) -> tuple[PrepackRecord, SizeScaleRecord]:
    prepack = await access.get_prepack(viewer, prepack_id)
    scale = (
        await SizeScale.select(*SizeScale.all_columns())
        .where(SizeScale.id == prepack.size_scale)
        .first()
    )
    assert scale is not None
    return prepack, SizeScaleRecord.from_row(scale)


@get("/catalog/prepacks/{prepack_id:uuid}/edit", include_in_schema=False)
async def prepack_edit(
    request: AnyRequest, viewer: CurrentViewer, prepack_id: FromPath[UUID]
) -> Template:
    prepack, scale = await _prepack_and_scale(viewer, prepack_id)
    values = await prepacks.prepack_form_values(prepack)
    return await _prepack_form(request, scale, values, {}, prepack)


@post("/catalog/prepacks/{prepack_id:uuid}/edit", include_in_schema=False)
async def prepack_update(
    request: AnyRequest, viewer: CurrentViewer, prepack_id: FromPath[UUID], data: Form
) -> Response[Any]:
    prepack, scale = await _prepack_and_scale(viewer, prepack_id)
    result = await prepacks.save_prepack(viewer, scale, data, prepack)
    if result.saved:
        return redirect_after_post(request, "/catalog/prepacks")
    return await _prepack_form(request, scale, dict(data), result.errors, prepack, 400)


@post("/catalog/prepacks/{prepack_id:uuid}/delete", include_in_schema=False)
async def prepack_delete(
    request: AnyRequest, viewer: CurrentViewer, prepack_id: FromPath[UUID]
) -> Response[Any]:
    prepack = await access.get_prepack(viewer, prepack_id)
    await prepacks.delete_prepack(viewer, prepack)
    return redirect_after_post(request, "/catalog/prepacks")


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
    volume_breaks_save,
    styles_export,
    styles_export_xlsx,
    prices_export,
    prices_export_xlsx,
    availability_export,
    availability_export_xlsx,
    catalog_import_template,
    catalog_import_template_xlsx,
    catalog_import_page,
    catalog_import_submit,
    delivery_window_create,
    delivery_window_delete,
    style_availability_edit,
    style_availability_save,
    style_image_upload,
    style_image,
    style_image_delete,
    style_image_main,
    prepack_list,
    prepack_new,
    prepack_create,
    prepack_edit,
    prepack_update,
    prepack_delete,
    *size_chart_routes,
]

catalog_navigation = NavEntry(
    key="catalog",
    order=30,
    label=N_("Catalog"),
    path="/catalog/styles",
    actions=(Action.view_catalog,),
    current=("/catalog",),
)
