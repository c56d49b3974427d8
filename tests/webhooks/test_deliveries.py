"""Webhooks as a receiver sees them: each event of a kind an endpoint chose, that its
owner may see, posted once, signed per Standard Webhooks; retried with backoff while the
receiver fails; the endpoint switched off after days of failure, its owner told."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.notifications.tables import OutboxEmail
from partner_portal.partners.tables import User
from tests.http_receiver import Receiver
from tests.support import Cast, PortalClient
from tests.webhooks.support import (
    deliver,
    numbers_received,
    record_submitted,
    register,
    token_for,
    verified,
)
from webhooks.tables import WebhookDelivery, WebhookEndpoint


async def test_each_endpoint_receives_signed_events_its_owner_may_see(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    brand = await register(client, cast.admin, receiver, "order.submitted")
    partner = await register(client, cast.distributor, receiver, "order.submitted")
    await register(client, cast.other_distributor, receiver, "order.confirmed")

    await record_submitted(cast.distributor, cast.distributor_a, "SO-A1")
    await record_submitted(cast.other_distributor, cast.distributor_b, "SO-B1")
    report = await deliver()

    assert report.delivered == 3 and report.failed == 0
    assert numbers_received(receiver, cast.admin.email) == ["SO-A1", "SO-B1"]
    assert numbers_received(receiver, cast.distributor.email) == ["SO-A1"]
    assert numbers_received(receiver, cast.other_distributor.email) == []
    secrets = {cast.admin.email: brand["secret"], cast.distributor.email: partner["secret"]}
    for post in receiver.posts:
        body = verified(post, secrets[post.path.strip("/")])
        assert body["type"] == "order.submitted"
        assert post.headers["webhook-id"].startswith("msg_")
    # Nothing new: a second round posts nothing again.
    assert (await deliver()).delivered == 0
    assert len(receiver.posts) == 3


async def test_a_change_rolled_back_sends_nothing(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    await register(client, cast.admin, receiver, "order.submitted")

    class Refused(Exception):
        pass

    try:
        async with write_transaction():
            await record_submitted(cast.distributor, cast.distributor_a, "SO-NEVER")
            raise Refused
    except Refused:
        pass
    await record_submitted(cast.distributor, cast.distributor_a, "SO-KEPT")
    await deliver()
    assert numbers_received(receiver, "") == ["SO-KEPT"]


async def test_two_senders_at_once_deliver_each_event_once(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    await register(client, cast.admin, receiver, "order.submitted")
    for number in range(30):
        await record_submitted(cast.distributor, cast.distributor_a, f"SO-{number:03d}")

    first, second = await asyncio.gather(deliver("one"), deliver("two"))

    assert first.delivered + second.delivered == 30
    assert numbers_received(receiver, "") == [f"SO-{number:03d}" for number in range(30)]


async def test_a_failing_receiver_is_retried_later_and_the_endpoint_switched_off_after_days(
    client: PortalClient, cast: Cast, receiver: Receiver, frozen_clock: Any
) -> None:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    frozen_clock.frozen_at = utcnow()
    endpoint = await register(client, cast.distributor, receiver, "order.submitted")
    receiver.post_status = 500
    await record_submitted(cast.distributor, cast.distributor_a, "SO-DOWN")

    assert (await deliver()).failed == 1
    row = await WebhookDelivery.select().first()
    assert row is not None
    assert row["state"] == "pending" and row["attempts"] == 1 and row["last_status"] == 500
    assert row["last_response"] == "receiver is down"
    assert row["next_attempt_at"] > frozen_clock.frozen_at
    # Not yet due: nothing is posted again.
    assert (await deliver()).failed == 0 and len(receiver.posts) == 1

    frozen_clock.frozen_at = row["next_attempt_at"]
    assert (await deliver()).failed == 1 and len(receiver.posts) == 2
    attempts = await WebhookDelivery.select(
        WebhookDelivery.attempts, WebhookDelivery.next_attempt_at
    ).first()
    assert attempts is not None and attempts["attempts"] == 2
    # Each wait is longer than the one before (exponential backoff).
    assert attempts["next_attempt_at"] - frozen_clock.frozen_at > (
        row["next_attempt_at"] - row["last_attempt_at"]
    )

    frozen_clock.frozen_at += timedelta(days=6)
    report = await deliver()
    assert report.disabled == 1
    stored = await WebhookEndpoint.select().first()
    assert stored is not None and not stored["is_active"]
    mail = await OutboxEmail.select().where(OutboxEmail.recipient == cast.distributor.email).first()
    assert mail is not None and "已停用" in mail["subject"], mail
    page = await client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=await token_for(cast.distributor)
    )
    assert page.json()["active"] is False


async def test_a_receiver_back_after_failures_gets_what_it_missed_and_can_have_it_again(
    client: PortalClient, cast: Cast, receiver: Receiver, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = utcnow()
    endpoint = await register(client, cast.admin, receiver, "order.submitted")
    headers = await token_for(cast.admin)
    receiver.post_status = 503
    await record_submitted(cast.distributor, cast.distributor_a, "SO-LATE")
    await deliver()
    receiver.post_status = 200
    frozen_clock.frozen_at += timedelta(hours=1)
    assert (await deliver()).delivered == 1

    log = await client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=headers
    )
    [item] = log.json()["items"]
    assert item["state"] == "delivered" and item["attempts"] == 2 and item["last_status"] == 200
    resent = await client.post(
        f"/api/v1/webhook-deliveries/{item['id']}/resend",
        headers=headers,
    )
    assert resent.status_code == 202 and resent.json()["state"] == "pending"
    await deliver()
    ids = [post.headers["webhook-id"] for post in receiver.posts]
    assert (
        ids == [item["webhook_id"]] * 3
    )  # the same webhook-id every time: a receiver sees a repeat


async def test_a_rotated_secret_signs_the_next_requests(
    client: PortalClient, cast: Cast, receiver: Receiver
) -> None:
    endpoint = await register(client, cast.admin, receiver, "order.submitted")
    headers = await token_for(cast.admin)
    rotated = await client.post(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=headers
    )
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"] and new_secret.startswith("whsec_")
    await record_submitted(cast.distributor, cast.distributor_a, "SO-NEW")
    await deliver()
    [post] = receiver.posts
    assert verified(post, new_secret)["data"]["details"] == {"number": "SO-NEW"}
