"""Webhooks plugged into the kernel: pages and API, the menu entry, and the job that
fans the event outbox out to endpoints and posts the deliveries."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from partner_portal.i18n import N_
from partner_portal.registries import NavEntry, Registry, ScheduledJob
from webhooks import delivery
from webhooks.access import SCOPED_TABLES, WebhookAction
from webhooks.api import webhook_api_routes
from webhooks.controllers import webhook_routes

routes = [*webhook_routes, *webhook_api_routes]


async def deliver_webhooks() -> str:
    # Each round claims under a token of its own, so two rounds never mistake each other's.
    return (await delivery.deliver_due(f"round-{uuid4()}")).message()


def register(registry: Registry) -> None:
    registry.add_actions(WebhookAction)
    registry.add_scoped_tables(*SCOPED_TABLES)
    registry.add_nav_entry(
        NavEntry(
            key="webhooks",
            order=105,
            label=N_("Webhooks"),
            path="/webhooks",
            actions=(WebhookAction.manage_webhooks,),
        )
    )
    # Every few seconds: the delay between a change and its delivery is at most this
    # (bench/RESULTS.md measures it).
    registry.add_job(
        ScheduledJob(
            key="webhooks.deliver",
            title="Deliver webhooks: queue new events for their endpoints and post them",
            every=timedelta(seconds=5),
            run=deliver_webhooks,
        )
    )
