"""The webhook routes in the access matrix: an endpoint is its organisation's own; only
that organisation's admins (the brand's administrators, a partner's organisation admin)
manage it, everyone else of the organisation is refused (403) and every other user does
not find it (404)."""

from __future__ import annotations

from typing import Any

from partner_portal.clock import utcnow
from partner_portal.events.tables import DomainEvent
from tests.access_matrix import (
    HOME,
    ORGANISATION_ADMINS,
    ORGANISATIONS,
    Route,
    Subject,
    SubjectContext,
    only,
)
from webhooks.tables import WebhookDelivery, WebhookEndpoint

MANAGERS = frozenset({"admin"}) | ORGANISATION_ADMINS


def manage(member: str, target: str | None) -> int | str:
    """An endpoint of ``target``: 404 outside its organisation, 403 for those who may not
    manage it."""
    if HOME[member] != target:
        return 404
    return "ok" if member in MANAGERS else 403


ROUTES: dict[str, Route] = {
    "GET /webhooks": Route(only(MANAGERS)),
    "POST /webhooks": Route(only(MANAGERS)),
    "GET /webhooks/{endpoint_id:uuid}": Route(manage, "webhook_endpoint"),
    "POST /webhooks/{endpoint_id:uuid}": Route(manage, "webhook_endpoint"),
    "POST /webhooks/{endpoint_id:uuid}/rotate-secret": Route(manage, "webhook_endpoint"),
    "POST /webhooks/{endpoint_id:uuid}/enable": Route(manage, "webhook_endpoint"),
    "POST /webhooks/{endpoint_id:uuid}/disable": Route(manage, "webhook_endpoint"),
    "POST /webhooks/{endpoint_id:uuid}/delete": Route(manage, "webhook_endpoint"),
    "POST /webhooks/deliveries/{delivery_id:uuid}/resend": Route(manage, "webhook_delivery"),
    "GET /api/v1/webhook-event-types": Route(only(MANAGERS)),
    "GET /api/v1/webhook-endpoints": Route(only(MANAGERS)),
    "POST /api/v1/webhook-endpoints": Route(only(MANAGERS)),
    "GET /api/v1/webhook-endpoints/{endpoint_id:uuid}": Route(manage, "webhook_endpoint"),
    "PUT /api/v1/webhook-endpoints/{endpoint_id:uuid}": Route(manage, "webhook_endpoint"),
    "DELETE /api/v1/webhook-endpoints/{endpoint_id:uuid}": Route(manage, "webhook_endpoint"),
    "POST /api/v1/webhook-endpoints/{endpoint_id:uuid}/rotate-secret": Route(
        manage, "webhook_endpoint"
    ),
    "POST /api/v1/webhook-endpoints/{endpoint_id:uuid}/enable": Route(manage, "webhook_endpoint"),
    "POST /api/v1/webhook-endpoints/{endpoint_id:uuid}/disable": Route(manage, "webhook_endpoint"),
    "GET /api/v1/webhook-endpoints/{endpoint_id:uuid}/deliveries": Route(
        manage, "webhook_endpoint"
    ),
    "POST /api/v1/webhook-deliveries/{delivery_id:uuid}/resend": Route(manage, "webhook_delivery"),
}


async def webhook_endpoint(context: SubjectContext, target: str | None) -> Any:
    """An endpoint of ``target``, made afresh for each request (a delete removes it)."""
    row = await WebhookEndpoint.insert(
        WebhookEndpoint(
            organisation=context.cast.organisations()[str(target)].id,
            url="http://127.0.0.1:9/matrix",
            event_types=["order.submitted"],
            secret="whsec_bWF0cml4bWF0cml4bWF0cml4bWF0cml4bWF0cml4",
            created_at=utcnow(),
        )
    ).returning(WebhookEndpoint.uuid)
    return row[0]["uuid"]


async def webhook_delivery(context: SubjectContext, target: str | None) -> Any:
    """A delivery of an event about ``target`` to an endpoint of ``target``."""
    organisation = context.cast.organisations()[str(target)].id
    endpoint = await WebhookEndpoint.select(WebhookEndpoint.id).where(
        WebhookEndpoint.uuid == await webhook_endpoint(context, target)
    )
    [event] = await DomainEvent.insert(
        DomainEvent(type="order.submitted", organisation=organisation, object_kind="order",
                    message="matrix", created_at=utcnow())
    ).returning(DomainEvent.id)  # fmt: skip
    [row] = await WebhookDelivery.insert(
        WebhookDelivery(endpoint=endpoint[0]["id"], event=event["id"],
                        endpoint_event=f"{endpoint[0]['id']}:{event['id']}",
                        event_type="order.submitted", body="{}", next_attempt_at=utcnow(),
                        created_at=utcnow())
    ).returning(WebhookDelivery.uuid)  # fmt: skip
    return row["uuid"]


SUBJECTS = {
    "webhook_endpoint": Subject(webhook_endpoint, ORGANISATIONS),
    "webhook_delivery": Subject(webhook_delivery, ORGANISATIONS),
}
