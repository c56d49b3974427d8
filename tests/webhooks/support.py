"""What the webhook tests share: recording an event through the kernel's public events
API, registering an endpoint as its owner does, and one delivery round."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from standardwebhooks.webhooks import Webhook

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.database import write_transaction
from partner_portal.events import services as events
from partner_portal.orders import events as order_events
from tests.http_receiver import Post, Receiver
from tests.support import Member, Org, PortalClient
from webhooks import delivery


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


async def record_submitted(actor: Member, buyer: Org, number: str) -> None:
    """An order.submitted event about ``buyer``, as the order book records it."""
    viewer = await viewer_for_user_id(actor.id)
    async with write_transaction():
        await events.record_event(
            viewer,
            order_events.SUBMITTED.type,
            organisation_id=buyer.id,
            object_kind="order",
            object_uuid=uuid4(),
            message=order_events.SUBMITTED_MESSAGE,
            params={"buyer": buyer.legal_name, "number": number, "total": "1"},
            link="/orders",
            payload={"number": number},
        )


async def register(
    client: PortalClient, owner: Member, receiver: Receiver, *event_types: str
) -> dict[str, Any]:
    """An endpoint of the owner's organisation at the receiver, through the API."""
    answer = await client.post(
        "/api/v1/webhook-endpoints",
        headers=await token_for(owner),
        json={"url": f"{receiver.url}/{owner.email}", "event_types": list(event_types)},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def deliver(sender: str = "test-sender") -> delivery.DeliveryReport:
    return await delivery.deliver_due(sender)


def verified(post: Post, secret: str) -> dict[str, Any]:
    """The body of a POST whose signature the reference implementation of Standard
    Webhooks accepts (it raises otherwise)."""
    Webhook(secret).verify(post.body, post.headers)
    return json.loads(post.body)  # type: ignore[no-any-return]


def numbers_received(receiver: Receiver, path_part: str) -> list[str]:
    return sorted(
        json.loads(post.body)["data"]["details"]["number"]
        for post in receiver.posts
        if path_part in post.path
    )
