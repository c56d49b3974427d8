"""Care event pages: the moments the brand looks after its partners, made and
switched on or off."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from partner_portal import access
from partner_portal.handler_types import AnyRequest, Form
from partner_portal.inputs import whole_number
from partner_portal.web import CurrentViewer, redirect_after_post, render
from sales import care
from sales.access import SalesAction
from sales.tables import CareTrigger


async def _care_page(
    request: AnyRequest,
    viewer: Any,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    access.require(viewer, SalesAction.manage_sales_settings)
    return render(
        request,
        "sales/care.html",
        {
            "events": await care.events(),
            "triggers": list(CareTrigger),
            "message_columns": list(care.MESSAGE_COLUMNS.items()),
            "values": values or {"trigger": "after_delivery", "days": "90"},
            "errors": errors or {},
            "conflicts": conflicts or [],
        },
        status_code=status_code,
    )


@get("/sales/care", include_in_schema=False)
async def care_events(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _care_page(request, viewer)


@post("/sales/care", include_in_schema=False)
async def care_event_create(
    request: AnyRequest, viewer: CurrentViewer, data: Form
) -> Response[Any]:
    result = await care.create_event(viewer, data)
    if result.saved:
        return redirect_after_post(request, "/sales/care")
    return await _care_page(request, viewer, dict(data), result.errors, status_code=400)


@post("/sales/care/{event_id:uuid}/toggle", include_in_schema=False)
async def care_event_toggle(
    request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[UUID], data: Form
) -> Response[Any]:
    result = await care.toggle_event(viewer, event_id, whole_number(data.get("version")))
    if result.saved:
        return redirect_after_post(request, "/sales/care")
    return await _care_page(request, viewer, conflicts=result.conflicts, status_code=409)


care_routes = [
    care_events,
    care_event_create,
    care_event_toggle,
]
