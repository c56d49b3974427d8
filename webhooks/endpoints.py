"""Endpoints as their owners manage them: register, list, rotate the secret, switch
on and off, remove; the delivery log of one endpoint and resending a delivery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from partner_portal.access import Viewer, require
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.registries import registry
from partner_portal.settings import Settings
from webhooks import signing, targets
from webhooks.access import (
    VisibleEndpoint,
    WebhookAction,
    get_delivery,
    scoped_endpoints,
)
from webhooks.forms import EndpointInput, parse_endpoint
from webhooks.records import DeliveryRecord, EndpointRecord
from webhooks.tables import DeliveryState, WebhookDelivery, WebhookEndpoint

DELIVERIES_PAGE = 50


def offered_event_types(viewer: Viewer) -> list[tuple[str, str]]:
    """The event types (type, label marked with N_) an endpoint of the viewer's
    organisation may hear of: the brand every kind, a partner those not for the brand only.
    Asked before reading an endpoint's input, it refuses (403) a viewer who may not
    manage webhooks."""
    require(viewer, WebhookAction.manage_webhooks, viewer.organisation_id)
    kinds = sorted(registry.event_kinds.values(), key=lambda kind: kind.type)
    return [
        (kind.type, kind.label) for kind in kinds if viewer.is_brand or kind.audience != "brand"
    ]


async def read_endpoint(
    viewer: Viewer, data: Mapping[str, Any], settings: Settings
) -> tuple[EndpointInput | None, dict[str, str]]:
    """An endpoint as the page's form or the API sends it: its event types of those offered
    to the viewer's organisation (403 for a viewer who may not manage webhooks), its
    address one that leads to the public internet (webhooks/targets.py) unless the
    installation allows private targets. (value or None, messages by field)."""
    offered = [kind for kind, _label in offered_event_types(viewer)]
    values, errors = parse_endpoint(data, offered)
    if "url" not in errors:
        url = str(data.get("url") or "").strip()
        target = await targets.check(url, settings.webhook_allow_private_targets)
        if target.refused:
            errors = {**errors, "url": _(target.refusal, **dict(target.params))}
    if errors:
        return None, errors
    return values, {}


async def list_endpoints(
    viewer: Viewer, after: int | None = None, limit: int | None = None
) -> list[EndpointRecord]:
    """The viewer's organisation's endpoints, the first registered first; for the API,
    ``limit`` of them after the one whose id is ``after``."""
    require(viewer, WebhookAction.manage_webhooks, viewer.organisation_id)
    query = scoped_endpoints(WebhookEndpoint.select(*WebhookEndpoint.all_columns()), viewer)
    if after is not None:
        query = query.where(WebhookEndpoint.id > after)
    if limit is not None:
        query = query.limit(limit)
    rows = await query.order_by(WebhookEndpoint.id).output(load_json=True)
    return EndpointRecord.from_rows(rows)


async def create_endpoint(viewer: Viewer, values: EndpointInput) -> UUID:
    """Register an endpoint of the viewer's organisation, with a fresh secret."""
    require(viewer, WebhookAction.manage_webhooks, viewer.organisation_id)
    async with write_transaction():
        [row] = await WebhookEndpoint.insert(
            WebhookEndpoint(
                organisation=viewer.organisation_id,
                url=values.url,
                description=values.description,
                event_types=list(values.event_types),
                secret=signing.new_secret(),
                created_by=viewer.user_id,
                created_at=utcnow(),
            )
        ).returning(WebhookEndpoint.uuid)
        endpoint_uuid = UUID(str(row["uuid"]))
        await _audit(viewer, endpoint_uuid, "create", {"url": values.url})
    return endpoint_uuid


async def update_endpoint(viewer: Viewer, endpoint: VisibleEndpoint, values: EndpointInput) -> None:
    async with write_transaction():
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.url: values.url,
                WebhookEndpoint.description: values.description,
                WebhookEndpoint.event_types: list(values.event_types),
            }
        ).where(WebhookEndpoint.id == endpoint.id)
        await _audit(viewer, endpoint.uuid, "update", {"url": values.url})


async def rotate_secret(viewer: Viewer, endpoint: VisibleEndpoint) -> None:
    """A new secret from now on: the next attempt of every delivery is signed with it."""
    async with write_transaction():
        await WebhookEndpoint.update({WebhookEndpoint.secret: signing.new_secret()}).where(
            WebhookEndpoint.id == endpoint.id
        )
        await _audit(viewer, endpoint.uuid, "rotate_secret", {})


async def set_active(viewer: Viewer, endpoint: VisibleEndpoint, active: bool) -> None:
    """Switch an endpoint off (nothing is queued for it) or on again (it hears of events
    from now on; its earlier failures are forgotten)."""
    async with write_transaction():
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.is_active: active,
                WebhookEndpoint.disabled_at: None if active else utcnow(),
                WebhookEndpoint.failing_since: None,
            }
        ).where(WebhookEndpoint.id == endpoint.id)
        await _audit(viewer, endpoint.uuid, "enable" if active else "disable", {})


async def delete_endpoint(viewer: Viewer, endpoint: VisibleEndpoint) -> None:
    async with write_transaction():
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint.id)
        await _audit(viewer, endpoint.uuid, "delete", {"url": endpoint.url})


async def deliveries(
    endpoint: VisibleEndpoint, before: int | None = None, limit: int = DELIVERIES_PAGE
) -> list[DeliveryRecord]:
    """The endpoint's latest deliveries, newest first, ``limit`` at a time (``before``: the
    id of the last one of the previous page)."""
    query = WebhookDelivery.select(*WebhookDelivery.all_columns()).where(
        WebhookDelivery.endpoint == endpoint.id
    )
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = await query.order_by(WebhookDelivery.id, ascending=False).limit(limit)
    return DeliveryRecord.from_rows(rows)


async def resend(viewer: Viewer, delivery_uuid: UUID) -> DeliveryRecord:
    """Send a delivery again as soon as a sender is free, with the same webhook-id (so
    the receiver can tell a repeat), whatever became of it before."""
    delivery, endpoint_uuid = await get_delivery(viewer, delivery_uuid)
    async with write_transaction():
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: DeliveryState.pending,
                WebhookDelivery.next_attempt_at: utcnow(),
                WebhookDelivery.claimed_by: "",
                WebhookDelivery.claimed_at: None,
            }
        ).where(WebhookDelivery.id == delivery.id, WebhookDelivery.state != DeliveryState.sending)
        await _audit(viewer, endpoint_uuid, "resend", {"delivery": str(delivery.uuid)})
    return (await get_delivery(viewer, delivery_uuid))[0]


async def _audit(viewer: Viewer, endpoint_uuid: UUID, action: str, changes: dict[str, str]) -> None:
    await audit_log.record(
        viewer,
        entity_kind="webhook_endpoint",
        entity_uuid=endpoint_uuid,
        organisation_id=viewer.organisation_id,
        action=action,
        changes=changes,
    )
