"""The size-chart form of a style (one chart per gender), for the catalog's managers.
Thin: parse, call partner_portal/catalog/size_charts.py, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from partner_portal import access
from partner_portal.access import Action
from partner_portal.catalog import size_charts
from partner_portal.catalog.size_charts import CHART_GENDERS, FITS, MEASURES, ChartForm
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.web import CurrentViewer, redirect_after_post, render


def _gender(value: str | None) -> str:
    return value if value in CHART_GENDERS else CHART_GENDERS[0]


def _page(
    request: AnyRequest, style: access.VisibleStyle, form: ChartForm, status_code: int = 200
) -> Template:
    return render(
        request,
        "catalog/size_chart.html",
        {"style": style, "form": form, "measures": MEASURES, "fits": FITS},
        status_code=status_code,
    )


@get("/catalog/styles/{style_id:uuid}/size-chart", include_in_schema=False)
async def size_chart_edit(
    request: AnyRequest,
    viewer: CurrentViewer,
    style_id: FromPath[UUID],
    gender: FromQuery[str | None] = None,
) -> Template:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    return _page(request, style, await size_charts.chart_form(style, _gender(gender)))


@post("/catalog/styles/{style_id:uuid}/size-chart", include_in_schema=False)
async def size_chart_save(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    form = await size_charts.save_chart(viewer, style, data.get("gender") or "", data)
    if not form.errors:
        return redirect_after_post(request, f"/catalog/styles/{style_id}#size-charts")
    form.gender = _gender(form.gender)
    return _page(request, style, form, status_code=400)


@post("/catalog/styles/{style_id:uuid}/size-chart/delete", include_in_schema=False)
async def size_chart_delete(
    request: AnyRequest, viewer: CurrentViewer, style_id: FromPath[UUID], data: Form
) -> Response[Any]:
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    await size_charts.delete_chart(viewer, style, data.get("gender") or "")
    return redirect_after_post(request, f"/catalog/styles/{style_id}#size-charts")


size_chart_routes = [size_chart_edit, size_chart_save, size_chart_delete]
