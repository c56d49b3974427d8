"""The migration that split contract.signed into contract.accepted and
contract.countersigned: events recorded under the old type take the type of what
happened, in every row that names it (events, bells, e-mails, deliveries not yet sent),
a user's choice for the old type holds for both new ones, and an endpoint subscribed to
the old type hears of both."""

from __future__ import annotations

import importlib
from typing import Any

from contracts import events as contract_events
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.database import write_transaction
from partner_portal.events import services as events
from partner_portal.events.tables import DomainEvent
from partner_portal.notifications import preferences
from partner_portal.notifications.tables import Choice, Notification, OutboxEmail
from partner_portal.registries import EventKind, registry
from tests.http_receiver import Receiver
from tests.support import Cast, PortalClient
from tests.webhooks.support import deliver, register, verified
from webhooks import delivery
from webhooks.tables import WebhookDelivery, WebhookEndpoint

OLD = "contract.signed"


async def record_old(actor: Any, cast: Cast, message: str, settings: Any) -> None:
    """An event as the contracts module recorded one before the split."""
    async with write_transaction():
        await events.record_event(
            await viewer_for_user_id(actor.id),
            OLD,
            organisation_id=cast.distributor_a.id,
            object_kind="contract",
            object_uuid=None,
            message=message,
            params={"number": "C-1", "title": "Distribution", "signer": "王总"},
            link="/contracts",
            payload={"number": "C-1", "kind": "distribution", "signer": "王总"},
            settings=settings,
        )


async def test_stored_rows_of_contract_signed_take_the_type_of_what_happened(
    client: PortalClient, cast: Cast, receiver: Receiver, settings: Any
) -> None:
    brand = await register(client, cast.admin, receiver, "order.submitted")
    await WebhookEndpoint.update({WebhookEndpoint.event_types: ["order.submitted", OLD]}).where(
        WebhookEndpoint.uuid == brand["id"]
    )
    await preferences.set_choices(cast.kam.id, {"order.submitted": Choice.off})
    registry.add_event_kind(EventKind(OLD, "old"))
    try:
        await preferences.set_choices(cast.distributor_colleague.id, {OLD: Choice.in_app})
        await record_old(cast.distributor, cast, contract_events.ACCEPTED_MESSAGE, settings)
        await record_old(cast.admin, cast, contract_events.COUNTERSIGNED_MESSAGE, settings)
        assert await delivery.fan_out(settings) == 2  # queued under the old type, not sent
    finally:
        del registry.event_kinds[OLD]
    migration = importlib.import_module(
        "webhooks.piccolo_migrations.webhooks_2026_12_07t03_00_00_000000"
    )

    await migration.split_contract_signed()

    types = [
        row["type"] for row in await DomainEvent.select(DomainEvent.type).order_by(DomainEvent.id)
    ]
    assert types == ["contract.accepted", "contract.countersigned"]
    bells = await Notification.select(Notification.kind, Notification.message)
    assert bells and all(
        (bell["kind"] == "contract.accepted")
        == (bell["message"] == contract_events.ACCEPTED_MESSAGE)
        for bell in bells
    )
    assert {row["kind"] for row in await OutboxEmail.select(OutboxEmail.kind)} <= {
        "contract.accepted",
        "contract.countersigned",
    }
    assert await preferences.user_choices(cast.distributor_colleague.id) == {
        "contract.accepted": Choice.in_app,
        "contract.countersigned": Choice.in_app,
    }
    [endpoint] = await WebhookEndpoint.select(WebhookEndpoint.event_types).output(load_json=True)
    assert endpoint["event_types"] == [
        "order.submitted",
        "contract.accepted",
        "contract.countersigned",
    ]
    # The deliveries not yet sent go out under the new types, signed.
    assert await WebhookDelivery.count().where(WebhookDelivery.event_type == OLD) == 0
    await deliver()
    sent = [verified(post, brand["secret"]) for post in receiver.posts]
    assert sorted((event["type"], event["data"]["details"]["signer"]) for event in sent) == [
        ("contract.accepted", "王总"),
        ("contract.countersigned", "王总"),
    ]
