"""Who manages webhooks, and which events reach which endpoint.

An endpoint is its organisation's private integration (it holds a secret): only that
organisation's users with the action see it (the brand's administrators the brand's, a
partner's organisation admin the partner's); any other answers 404. An event reaches a
brand endpoint whatever partner it is about, and a partner's endpoint only when it is
about that partner and its kind is not for the brand only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns.combination import Combinable

from partner_portal.access import ActionSet, ScopedTable, Viewer, fetch_one
from partner_portal.events.records import EventRecord
from partner_portal.registries import registry
from webhooks.records import DeliveryRecord, EndpointRecord
from webhooks.tables import WebhookDelivery, WebhookEndpoint


class WebhookAction(ActionSet):
    manage_webhooks = (
        "webhooks.manage_webhooks",
        "Register webhook endpoints for their organisation's events, read and resend deliveries",
    )


SCOPED_TABLES = (
    ScopedTable(WebhookEndpoint, WebhookEndpoint.organisation),
    ScopedTable(WebhookDelivery, WebhookDelivery.endpoint),
)


class VisibleEndpoint(EndpointRecord, frozen=True):
    """An endpoint of the viewer's own organisation, fetched through this policy."""


def endpoint_filter(viewer: Viewer) -> Combinable:
    """The endpoints a viewer may see: their own organisation's."""
    return WebhookEndpoint.organisation == viewer.organisation_id  # type: ignore[no-any-return]


def scoped_endpoints(query: Any, viewer: Viewer) -> Any:
    return query.where(endpoint_filter(viewer))


async def get_endpoint(viewer: Viewer, endpoint_uuid: UUID) -> VisibleEndpoint:
    """One endpoint of the viewer's organisation (404 otherwise), for a viewer who may
    manage webhooks (403 otherwise)."""
    query = scoped_endpoints(WebhookEndpoint.select(*WebhookEndpoint.all_columns()), viewer).where(
        WebhookEndpoint.uuid == endpoint_uuid
    )
    row = await fetch_one(
        viewer,
        query.output(load_json=True),
        "No such webhook endpoint.",
        WebhookAction.manage_webhooks,
        "organisation",
    )
    return VisibleEndpoint.from_row(row)


async def get_delivery(viewer: Viewer, delivery_uuid: UUID) -> tuple[DeliveryRecord, UUID]:
    """A delivery to an endpoint of the viewer's organisation (404 otherwise), for a viewer
    who may manage webhooks (403 otherwise), with its endpoint's uuid."""
    query = WebhookDelivery.select(
        *WebhookDelivery.all_columns(),
        WebhookDelivery.endpoint._.uuid.as_alias("endpoint_uuid"),
        WebhookDelivery.endpoint._.organisation.as_alias("organisation"),
    ).where(
        WebhookDelivery.uuid == delivery_uuid,
        WebhookDelivery.endpoint.is_in(
            WebhookEndpoint.select(WebhookEndpoint.id).where(endpoint_filter(viewer))
        ),
    )
    row = await fetch_one(
        viewer, query, "No such delivery.", WebhookAction.manage_webhooks, "organisation"
    )
    return DeliveryRecord.from_row(row), row["endpoint_uuid"]


def may_receive(endpoint_organisation: int, endpoint_is_brand: bool, event: EventRecord) -> bool:
    """Whether an event may reach an endpoint of this organisation: the brand hears of
    every partner; a partner of its own events, unless their kind is for the brand only
    (a kind no longer registered reaches the brand only)."""
    if endpoint_is_brand:
        return True
    kind = registry.event_kinds.get(event.type)
    return (
        kind is not None
        and kind.audience != "brand"
        and event.organisation == endpoint_organisation
    )
