"""Catalog pages of one style: the style list, a style with its SKU grid and prices, the
style form, its availability per SKU and its pictures. Thin: parse, call a service, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import File, Template

from partner_portal import access
from partner_portal.access import Action
from partner_portal.catalog import availability, images, size_charts, styles
from partner_portal.catalog.styles import StyleFilters
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.media import existing_media_file
from partner_portal.web import CurrentViewer, redirect_after_post, render, uploaded_file


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


style_routes = [
    style_list,
    style_new,
    style_create,
    style_detail,
    style_edit,
    style_update,
    style_availability_edit,
    style_availability_save,
    style_image_upload,
    style_image,
    style_image_delete,
    style_image_main,
]
