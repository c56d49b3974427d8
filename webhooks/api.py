"""JSON API (/api/v1) for webhook endpoints: the same services and rules as the pages
(an endpoint of another organisation 404, a role without the action 403)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response
from litestar.params import FromPath, FromQuery, JSONBody

from partner_portal import api
from partner_portal.api import delete, get, post, put
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.web import CurrentViewer
from webhooks import endpoints
from webhooks.access import get_endpoint
from webhooks.forms import parse_endpoint
from webhooks.records import DeliveryRecord, EndpointRecord

API = "/api/v1/webhook-endpoints"


def _endpoint(endpoint: EndpointRecord) -> dict[str, Any]:
    return {
        "id": str(endpoint.uuid),
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "secret": endpoint.secret,
        "active": endpoint.is_active,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
        "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
        "created_at": endpoint.created_at.isoformat(),
    }


def _delivery(delivery: DeliveryRecord) -> dict[str, Any]:
    return {
        "id": str(delivery.uuid),
        "webhook_id": f"msg_{delivery.uuid}",
        "event_type": delivery.event_type,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat(),
        "last_attempt_at": delivery.last_attempt_at.isoformat()
        if delivery.last_attempt_at
        else None,
        "last_status": delivery.last_status,
        "last_response": delivery.last_response,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "created_at": delivery.created_at.isoformat(),
    }


@get("/api/v1/webhook-event-types", cache=False)
async def api_event_types(viewer: CurrentViewer) -> dict[str, Any]:
    """The event types an endpoint of the caller's organisation may hear of."""
    return {
        "items": [
            {"type": kind, "label": _(label)}
            for kind, label in endpoints.offered_event_types(viewer)
        ]
    }


@get(API, cache=False)
async def api_endpoints(viewer: CurrentViewer) -> dict[str, Any]:
    """The caller's organisation's endpoints."""
    return {"items": [_endpoint(endpoint) for endpoint in await endpoints.list_endpoints(viewer)]}


@post(API)
async def api_create_endpoint(
    viewer: CurrentViewer, data: JSONBody[dict[str, Any] | None] = None
) -> Response[dict[str, Any]]:
    """Register an endpoint (url, event_types, description); the answer holds its secret."""
    offered = [kind for kind, _label in endpoints.offered_event_types(viewer)]
    values, errors = parse_endpoint(data or {}, offered)
    if values is None:
        raise api.invalid(errors)
    endpoint_uuid = await endpoints.create_endpoint(viewer, values)
    return Response(_endpoint(await get_endpoint(viewer, endpoint_uuid)), status_code=201)


@get(f"{API}/{{endpoint_id:uuid}}", cache=False)
async def api_endpoint(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> dict[str, Any]:
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@put(f"{API}/{{endpoint_id:uuid}}")
async def api_update_endpoint(
    viewer: CurrentViewer,
    endpoint_id: FromPath[UUID],
    data: JSONBody[dict[str, Any] | None] = None,
) -> Response[dict[str, Any]]:
    """Change an endpoint's url, description and event types (the secret stays)."""
    endpoint = await get_endpoint(viewer, endpoint_id)
    offered = [kind for kind, _label in endpoints.offered_event_types(viewer)]
    values, errors = parse_endpoint(data or {}, offered)
    if values is None:
        raise api.invalid(errors)
    await endpoints.update_endpoint(viewer, endpoint, values)
    return Response(_endpoint(await get_endpoint(viewer, endpoint_id)))


@delete(f"{API}/{{endpoint_id:uuid}}", status_code=204)
async def api_delete_endpoint(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> None:
    await endpoints.delete_endpoint(viewer, await get_endpoint(viewer, endpoint_id))


@post(f"{API}/{{endpoint_id:uuid}}/rotate-secret", status_code=200)
async def api_rotate_secret(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> dict[str, Any]:
    """A new secret; every request from now on is signed with it."""
    await endpoints.rotate_secret(viewer, await get_endpoint(viewer, endpoint_id))
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@post(f"{API}/{{endpoint_id:uuid}}/enable", status_code=200)
async def api_enable(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> dict[str, Any]:
    await endpoints.set_active(viewer, await get_endpoint(viewer, endpoint_id), True)
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@get(f"{API}/{{endpoint_id:uuid}}/deliveries", cache=False)
async def api_deliveries(
    viewer: CurrentViewer, endpoint_id: FromPath[UUID], before: FromQuery[str] = ""
) -> dict[str, Any]:
    """The endpoint's deliveries, newest first, 50 a page: pass ``next`` as ``before``."""
    endpoint = await get_endpoint(viewer, endpoint_id)
    older_than = whole_number(before, minimum=1, maximum=2**31) if before else None
    page = await endpoints.deliveries(endpoint, older_than)
    full = len(page) == endpoints.DELIVERIES_PAGE
    return {
        "items": [_delivery(delivery) for delivery in page],
        "next": str(page[-1].id) if full else None,
    }


@post("/api/v1/webhook-deliveries/{delivery_id:uuid}/resend", status_code=202)
async def api_resend(viewer: CurrentViewer, delivery_id: FromPath[UUID]) -> dict[str, Any]:
    """Send a delivery again (same webhook-id) as soon as a sender is free."""
    return _delivery(await endpoints.resend(viewer, delivery_id))


webhook_api_routes = [
    api_event_types,
    api_endpoints,
    api_create_endpoint,
    api_endpoint,
    api_update_endpoint,
    api_delete_endpoint,
    api_rotate_secret,
    api_enable,
    api_deliveries,
    api_resend,
]
