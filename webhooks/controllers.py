"""The webhook pages: an organisation's endpoints, one endpoint with its secret and
delivery log (resend, rotate the secret, switch off and on, remove)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from partner_portal.handler_types import AnyRequest
from partner_portal.inputs import whole_number
from partner_portal.web import CurrentViewer, redirect_after_post, render
from webhooks import endpoints
from webhooks.access import get_delivery, get_endpoint


async def _form_data(request: AnyRequest) -> dict[str, Any]:
    """The posted form, with the chosen event types as a list (repeated checkboxes)."""
    form = await request.form()
    data: dict[str, Any] = {name: value for name, value in form.items() if name != "event_types"}
    data["event_types"] = form.getall("event_types") if "event_types" in form else []
    return data


async def _list_page(
    request: AnyRequest,
    viewer: CurrentViewer,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "webhooks/list.html",
        {
            "endpoints": await endpoints.list_endpoints(viewer),
            "event_types": endpoints.offered_event_types(viewer),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@get("/webhooks", include_in_schema=False, cache=False)
async def webhook_list(request: AnyRequest, viewer: CurrentViewer) -> Template:
    return await _list_page(request, viewer, {"event_types": []}, {})


@post("/webhooks", include_in_schema=False)
async def webhook_create(request: AnyRequest, viewer: CurrentViewer) -> Response[Any]:
    data = await _form_data(request)
    values, errors = await endpoints.read_endpoint(viewer, data, request.app.state.settings)
    if values is None:
        return await _list_page(request, viewer, data, errors, status_code=400)
    endpoint_uuid = await endpoints.create_endpoint(viewer, values)
    return redirect_after_post(request, f"/webhooks/{endpoint_uuid}")


async def _endpoint_page(
    request: AnyRequest,
    viewer: CurrentViewer,
    endpoint_id: UUID,
    before: int | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    endpoint = await get_endpoint(viewer, endpoint_id)
    deliveries = await endpoints.deliveries(endpoint, before)
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "next_before": deliveries[-1].id
            if len(deliveries) == endpoints.DELIVERIES_PAGE
            else None,
            "event_types": endpoints.offered_event_types(viewer),
            "values": values
            or {
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
            },
            "errors": errors or {},
        },
        status_code=status_code,
    )


@get("/webhooks/{endpoint_id:uuid}", include_in_schema=False, cache=False)
async def webhook_endpoint(
    request: AnyRequest,
    viewer: CurrentViewer,
    endpoint_id: FromPath[UUID],
    before: FromQuery[str] = "",
) -> Template:
    older_than = whole_number(before, minimum=1, maximum=2**31) if before else None
    return await _endpoint_page(request, viewer, endpoint_id, older_than)


@post("/webhooks/{endpoint_id:uuid}", include_in_schema=False)
async def webhook_update(
    request: AnyRequest, viewer: CurrentViewer, endpoint_id: FromPath[UUID]
) -> Response[Any]:
    endpoint = await get_endpoint(viewer, endpoint_id)
    data = await _form_data(request)
    values, errors = await endpoints.read_endpoint(viewer, data, request.app.state.settings)
    if values is None:
        return await _endpoint_page(
            request, viewer, endpoint_id, values=data, errors=errors, status_code=400
        )
    await endpoints.update_endpoint(viewer, endpoint, values)
    return redirect_after_post(request, f"/webhooks/{endpoint_id}")


@post("/webhooks/{endpoint_id:uuid}/rotate-secret", include_in_schema=False)
async def webhook_rotate(
    request: AnyRequest, viewer: CurrentViewer, endpoint_id: FromPath[UUID]
) -> Response[Any]:
    await endpoints.rotate_secret(viewer, await get_endpoint(viewer, endpoint_id))
    return redirect_after_post(request, f"/webhooks/{endpoint_id}")


@post("/webhooks/{endpoint_id:uuid}/enable", include_in_schema=False)
async def webhook_enable(
    request: AnyRequest, viewer: CurrentViewer, endpoint_id: FromPath[UUID]
) -> Response[Any]:
    await endpoints.set_active(viewer, await get_endpoint(viewer, endpoint_id), True)
    return redirect_after_post(request, f"/webhooks/{endpoint_id}")


@post("/webhooks/{endpoint_id:uuid}/disable", include_in_schema=False)
async def webhook_disable(
    request: AnyRequest, viewer: CurrentViewer, endpoint_id: FromPath[UUID]
) -> Response[Any]:
    await endpoints.set_active(viewer, await get_endpoint(viewer, endpoint_id), False)
    return redirect_after_post(request, f"/webhooks/{endpoint_id}")


@post("/webhooks/{endpoint_id:uuid}/delete", include_in_schema=False)
async def webhook_delete(
    request: AnyRequest, viewer: CurrentViewer, endpoint_id: FromPath[UUID]
) -> Response[Any]:
    await endpoints.delete_endpoint(viewer, await get_endpoint(viewer, endpoint_id))
    return redirect_after_post(request, "/webhooks")


@post("/webhooks/deliveries/{delivery_id:uuid}/resend", include_in_schema=False)
async def webhook_resend(
    request: AnyRequest, viewer: CurrentViewer, delivery_id: FromPath[UUID]
) -> Response[Any]:
    await endpoints.resend(viewer, delivery_id)
    _delivery, endpoint_uuid = await get_delivery(viewer, delivery_id)
    return redirect_after_post(request, f"/webhooks/{endpoint_uuid}")


webhook_routes = [
    webhook_list,
    webhook_create,
    webhook_endpoint,
    webhook_update,
    webhook_rotate,
    webhook_enable,
    webhook_disable,
    webhook_delete,
    webhook_resend,
]
