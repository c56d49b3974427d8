"""Catalog pages of the reference data styles are made of: seasons with their collections
and delivery windows, size scales and their prepacks (manage_catalog). Thin: parse, call a
service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.catalog import availability, forms, prepacks, reference
from partner_portal.catalog.records import PrepackRecord, SeasonRecord, SizeScaleRecord
from partner_portal.catalog.tables import Season, SizeScale
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.web import CurrentViewer, redirect_after_post, render

# Seasons and their collections


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


# Size scales


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
        {
            "values": values,
            "errors": errors,
            "scale": scale,
            "in_use": in_use,
            "kinds": forms.SIZE_KINDS,
        },
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


reference_routes = [
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
    delivery_window_create,
    delivery_window_delete,
    prepack_list,
    prepack_new,
    prepack_create,
    prepack_edit,
    prepack_update,
    prepack_delete,
]
