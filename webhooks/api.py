"""JSON API (/api/v1) for webhook endpoints: the same services and rules as the pages
(an endpoint of another organisation 404, a role without the action 403)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import FromPath, JSONBody

from partner_portal import api
from partner_portal.api import delete, get, post, put
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.web import CurrentViewer
from webhooks import endpoints
from webhooks.access import get_endpoint
from webhooks.records import DeliveryRecord, EndpointRecord

API = "/api/v1/webhook-endpoints"


class EventType(msgspec.Struct):
    type: str
    label: str


class EventTypes(msgspec.Struct):
    items: list[EventType]


class EndpointBody(msgspec.Struct, forbid_unknown_fields=True):
    """An endpoint to register or change: the address that receives the events (http:// or
    https://, on the public internet), a description, and the event types it hears of."""

    url: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    description: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    event_types: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=200)
    ] = []


class Endpoint(msgspec.Struct):
    id: UUID
    url: str
    description: str
    event_types: list[str]
    # "whsec_" and base64: the key of every delivery's webhook-signature.
    secret: str
    active: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    created_at: datetime


class EndpointList(msgspec.Struct):
    items: list[Endpoint]
    # Pass as ?cursor= for the next endpoints; null on the last page.
    next_cursor: str | None


class Delivery(msgspec.Struct):
    id: UUID
    # The webhook-id header of every attempt: the same on each, so a repeat is recognised.
    webhook_id: str
    event_type: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_response: str
    # Why the last attempt got no answer, in the reader's language where it is ours.
    last_error: str
    delivered_at: datetime | None
    created_at: datetime


class DeliveryList(msgspec.Struct):
    items: list[Delivery]
    # Pass as ?cursor= for older deliveries; null on the last page.
    next_cursor: str | None


def _moment(value: datetime | None) -> datetime | None:
    return api.timestamp(value) if value is not None else None


def _endpoint(endpoint: EndpointRecord) -> Endpoint:
    return Endpoint(
        id=endpoint.uuid,
        url=endpoint.url,
        description=endpoint.description,
        event_types=endpoint.event_types,
        secret=endpoint.secret,
        active=endpoint.is_active,
        failing_since=_moment(endpoint.failing_since),
        disabled_at=_moment(endpoint.disabled_at),
        created_at=api.timestamp(endpoint.created_at),
    )


def _delivery(delivery: DeliveryRecord) -> Delivery:
    return Delivery(
        id=delivery.uuid,
        webhook_id=f"msg_{delivery.uuid}",
        event_type=delivery.event_type,
        state=delivery.state,
        attempts=delivery.attempts,
        next_attempt_at=api.timestamp(delivery.next_attempt_at),
        last_attempt_at=_moment(delivery.last_attempt_at),
        last_status=delivery.last_status,
        last_response=delivery.last_response,
        last_error=delivery.error_text,
        delivered_at=_moment(delivery.delivered_at),
        created_at=api.timestamp(delivery.created_at),
    )


@get("/api/v1/webhook-event-types", tags=["webhooks"])
async def api_event_types(viewer: CurrentViewer) -> EventTypes:
    """The event types an endpoint of the caller's organisation may hear of."""
    return EventTypes(
        items=[
            EventType(type=kind, label=_(label))
            for kind, label in endpoints.offered_event_types(viewer)
        ]
    )


@get(API, tags=["webhooks"])
async def api_endpoints(
    viewer: CurrentViewer, cursor: api.Cursor = "", limit: api.Limit = api.DEFAULT_LIMIT
) -> EndpointList:
    """The caller's organisation's endpoints, the first registered first."""
    position = api.decode_cursor(cursor, (int,))
    rows = await endpoints.list_endpoints(viewer, position[0] if position else None, limit + 1)
    shown, next_cursor = api.page_of(rows, limit, lambda endpoint: [endpoint.id])
    return EndpointList(items=[_endpoint(endpoint) for endpoint in shown], next_cursor=next_cursor)


@post(API, tags=["webhooks"], status_code=201)
async def api_create_endpoint(
    request: AnyRequest, viewer: CurrentViewer, data: JSONBody[EndpointBody]
) -> Endpoint:
    """Register an endpoint; the answer holds its secret. An address that is or resolves
    to a loopback, private, link-local or other internal address is refused."""
    values, errors = await endpoints.read_endpoint(
        viewer, msgspec.structs.asdict(data), request.app.state.settings
    )
    if values is None:
        raise api.invalid(errors)
    endpoint_uuid = await endpoints.create_endpoint(viewer, values)
    return _endpoint(await get_endpoint(viewer, endpoint_uuid))


@get(f"{API}/{{endpoint_id:uuid}}", tags=["webhooks"])
async def api_endpoint(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> Endpoint:
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@put(f"{API}/{{endpoint_id:uuid}}", tags=["webhooks"])
async def api_update_endpoint(
    request: AnyRequest,
    viewer: CurrentViewer,
    endpoint_id: FromPath[UUID],
    data: JSONBody[EndpointBody],
) -> Endpoint:
    """Change an endpoint's url, description and event types (the secret stays)."""
    endpoint = await get_endpoint(viewer, endpoint_id)
    values, errors = await endpoints.read_endpoint(
        viewer, msgspec.structs.asdict(data), request.app.state.settings
    )
    if values is None:
        raise api.invalid(errors)
    await endpoints.update_endpoint(viewer, endpoint, values)
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@delete(f"{API}/{{endpoint_id:uuid}}", tags=["webhooks"], status_code=204)
async def api_delete_endpoint(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> None:
    await endpoints.delete_endpoint(viewer, await get_endpoint(viewer, endpoint_id))


@post(f"{API}/{{endpoint_id:uuid}}/rotate-secret", tags=["webhooks"], status_code=200)
async def api_rotate_secret(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> Endpoint:
    """A new secret; every request from now on is signed with it."""
    await endpoints.rotate_secret(viewer, await get_endpoint(viewer, endpoint_id))
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@post(f"{API}/{{endpoint_id:uuid}}/enable", tags=["webhooks"], status_code=200)
async def api_enable(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> Endpoint:
    await endpoints.set_active(viewer, await get_endpoint(viewer, endpoint_id), True)
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@post(f"{API}/{{endpoint_id:uuid}}/disable", tags=["webhooks"], status_code=200)
async def api_disable(viewer: CurrentViewer, endpoint_id: FromPath[UUID]) -> Endpoint:
    """Switch the endpoint off: nothing is queued for it until it is enabled again."""
    await endpoints.set_active(viewer, await get_endpoint(viewer, endpoint_id), False)
    return _endpoint(await get_endpoint(viewer, endpoint_id))


@get(f"{API}/{{endpoint_id:uuid}}/deliveries", tags=["webhooks"])
async def api_deliveries(
    viewer: CurrentViewer,
    endpoint_id: FromPath[UUID],
    cursor: api.Cursor = "",
    limit: api.Limit = api.DEFAULT_LIMIT,
) -> DeliveryList:
    """The endpoint's deliveries, newest first."""
    endpoint = await get_endpoint(viewer, endpoint_id)
    position = api.decode_cursor(cursor, (int,))
    page = await endpoints.deliveries(endpoint, position[0] if position else None, limit + 1)
    shown, next_cursor = api.page_of(page, limit, lambda delivery: [delivery.id])
    return DeliveryList(items=[_delivery(delivery) for delivery in shown], next_cursor=next_cursor)


@post("/api/v1/webhook-deliveries/{delivery_id:uuid}/resend", tags=["webhooks"], status_code=202)
async def api_resend(viewer: CurrentViewer, delivery_id: FromPath[UUID]) -> Delivery:
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
    api_disable,
    api_deliveries,
    api_resend,
]
