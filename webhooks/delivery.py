"""Deliveries: the event outbox fanned out to the endpoints that hear of each event, and
the senders that post them, signed, retrying for days.

Fan-out reads ``events.events_after`` from the cursor it keeps and queues one delivery per
event and endpoint (the pair is unique, so reading an event twice queues it once). Senders
claim due deliveries with the kernel's database.claim_due, as the e-mail outbox does (FOR
UPDATE SKIP LOCKED on PostgreSQL, the one writer on SQLite), hold them for a lease while posting, and
write the outcome: delivered on a 2xx answer, otherwise the next attempt after an
exponential backoff, given up after GIVE_UP_AFTER. An endpoint that has failed without a
success for DISABLE_AFTER is switched off and its owner told by e-mail.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from partner_portal import access
from partner_portal.clock import utcnow
from partner_portal.database import claim_due, is_sqlite, write_transaction
from partner_portal.events import services as events
from partner_portal.events.records import EventRecord
from partner_portal.notifications.services import backoff, mail_user
from partner_portal.partners.tables import Role, User
from partner_portal.settings import Settings, current_settings
from webhooks import signing, targets
from webhooks.access import may_receive
from webhooks.tables import DeliveryState, OutboxCursor, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("threadline.webhooks")

OUTBOX = "events"  # the cursor's name
FAN_OUT_PAGE = 500
# On PostgreSQL ids are drawn when a row is inserted, not when it commits: an event with a
# lower id may commit after one with a higher id was read. The fan-out therefore reads
# again, every round, the events younger than this, and moves its cursor only past older
# ones (a change's transaction lasts far less). SQLite commits one writer at a time, in id
# order, so there the cursor moves past everything read.
LATE_COMMIT = timedelta(seconds=30)
CLAIM_LEASE = timedelta(minutes=2)
REQUEST_TIMEOUT = 10.0  # seconds per attempt, connection included
LONGEST_RETRY = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(days=3)
DISABLE_AFTER = timedelta(days=5)
CONCURRENT_POSTS = 20
RESPONSE_KEPT = 1000
ENDPOINT_DISABLED_EMAIL = "webhook_disabled"  # templates/emails/webhook_disabled.*


def body_of(event: EventRecord, settings: Settings) -> str:
    """What the receiver reads, in the Standard Webhooks shape: type, timestamp, data."""
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.created_at.isoformat(),
            "data": {
                "event_id": str(event.uuid),
                "organisation_id": str(event.organisation_uuid),
                "object_kind": event.object_kind,
                "object_id": str(event.object_uuid) if event.object_uuid else None,
                "link": f"{settings.base_url}{event.link}" if event.link else None,
                "details": event.payload,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass
class DeliveryReport:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    disabled: int = 0

    def message(self) -> str:
        return (
            f"{self.queued} queued, {self.delivered} delivered, {self.failed} failed "
            f"(to retry), {self.given_up} given up, {self.disabled} endpoint(s) disabled"
        )


# --- fan-out -----------------------------------------------------------------------------


@access.system_query("every endpoint hears of the events its organisation may see")
async def _active_endpoints() -> list[dict[str, Any]]:
    return await (  # type: ignore[no-any-return]
        WebhookEndpoint.select(
            WebhookEndpoint.id,
            WebhookEndpoint.organisation,
            WebhookEndpoint.event_types,
            WebhookEndpoint.organisation._.kind.as_alias("organisation_kind"),
        )
        .where(WebhookEndpoint.is_active == True)  # noqa: E712
        .output(load_json=True)
    )


async def _cursor_for_update() -> int:
    """The cursor, locked for this transaction on PostgreSQL (one fan-out at a time)."""
    if is_sqlite():
        row = (
            await OutboxCursor.select(OutboxCursor.last_event_id)
            .where(OutboxCursor.name == OUTBOX)
            .first()
        )
    else:
        rows = await OutboxCursor.raw(
            "SELECT last_event_id FROM webhook_outbox_cursor WHERE name = {} FOR UPDATE", OUTBOX
        )
        row = rows[0] if rows else None
    if row is None:
        await OutboxCursor.insert(OutboxCursor(name=OUTBOX, last_event_id=0)).on_conflict(
            target=OutboxCursor.name, action="DO NOTHING"
        )
        return 0
    return int(row["last_event_id"])


@access.system_query("deliveries are queued for every endpoint an event may reach")
async def fan_out(settings: Settings | None = None) -> int:
    """Queue the deliveries of every event recorded since the last round; returns how
    many were queued."""
    settings = settings or current_settings()
    queued = 0
    async with write_transaction():
        cursor = await _cursor_for_update()
        endpoints = await _active_endpoints()
        settled_before = utcnow() - LATE_COMMIT
        after = cursor
        while batch := await events.events_after(after, FAN_OUT_PAGE):
            queued += await _queue(batch, endpoints, settings)
            after = batch[-1].id
            if is_sqlite():
                cursor = after
            else:
                cursor = max(
                    [cursor, *(event.id for event in batch if event.created_at < settled_before)]
                )
            if len(batch) < FAN_OUT_PAGE:
                break
        await OutboxCursor.update({OutboxCursor.last_event_id: cursor}).where(
            OutboxCursor.name == OUTBOX
        )
    return queued


async def _queue(
    batch: list[EventRecord], endpoints: list[dict[str, Any]], settings: Settings
) -> int:
    now = utcnow()
    rows = [
        WebhookDelivery(
            endpoint=endpoint["id"],
            event=event.id,
            endpoint_event=f"{endpoint['id']}:{event.id}",
            event_type=event.type,
            body=body_of(event, settings),
            next_attempt_at=now,
            created_at=now,
        )
        for event in batch
        for endpoint in endpoints
        if event.type in endpoint["event_types"]
        and may_receive(endpoint["organisation"], endpoint["organisation_kind"] == "brand", event)
    ]
    if not rows:
        return 0
    inserted = await (
        WebhookDelivery.insert(*rows)
        .on_conflict(target=WebhookDelivery.endpoint_event, action="DO NOTHING")
        .returning(WebhookDelivery.id)
    )
    return len(inserted)


# --- sending -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    endpoint_id: int
    ok: bool
    status: int | None
    response: str
    error: str


async def deliver_due(
    worker_id: str, batch: int = 100, settings: Settings | None = None
) -> DeliveryReport:
    """Queue what the outbox holds, then post every due delivery, ``batch`` at a time.
    Safe in several processes at once: each delivery is claimed by one sender."""
    settings = settings or current_settings()
    report = DeliveryReport(queued=await fan_out(settings))
    await _recover_expired_claims()
    clients = _Clients(settings.webhook_allow_private_targets)
    try:
        while claimed := await _claim(worker_id, batch):
            attempts = await _post_all(clients, claimed)
            await _record(worker_id, attempts, report)
    finally:
        await clients.close()
    report.disabled = await _disable_failing_endpoints(settings)
    return report


@access.system_query("senders take due deliveries of every organisation")
async def _recover_expired_claims() -> None:
    """Hand back deliveries whose sender stopped (its lease ran out) to the next one."""
    async with write_transaction():
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: DeliveryState.pending,
                WebhookDelivery.claimed_by: "",
                WebhookDelivery.claimed_at: None,
            }
        ).where(
            WebhookDelivery.state == DeliveryState.sending,
            WebhookDelivery.claimed_at < utcnow() - CLAIM_LEASE,
        )


@access.system_query("senders take due deliveries of every organisation")
async def _claim(worker_id: str, batch: int) -> list[dict[str, Any]]:
    """Claim up to ``batch`` due deliveries of active endpoints, oldest first, with what
    posting them needs (address, secret, body)."""
    now = utcnow()
    async with write_transaction():
        claimed = await claim_due(
            WebhookDelivery,
            due=(WebhookDelivery.state == DeliveryState.pending)
            & (WebhookDelivery.next_attempt_at <= now)
            & (WebhookDelivery.endpoint._.is_active == True),  # noqa: E712
            order_by=(WebhookDelivery.next_attempt_at, WebhookDelivery.id),
            batch=batch,
            claim={
                WebhookDelivery.state: DeliveryState.sending,
                WebhookDelivery.claimed_by: worker_id,
                WebhookDelivery.claimed_at: now,
            },
            still_due=WebhookDelivery.state == DeliveryState.pending,
            returning=(
                WebhookDelivery.id,
                WebhookDelivery.uuid,
                WebhookDelivery.endpoint,
                WebhookDelivery.body,
            ),
        )
        if not claimed:
            return []
        targets = await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret
        ).where(WebhookEndpoint.id.is_in(sorted({row["endpoint"] for row in claimed} or {0})))
    by_id = {row["id"]: row for row in targets}
    return [
        {**row, "url": by_id[row["endpoint"]]["url"], "secret": by_id[row["endpoint"]]["secret"]}
        for row in claimed
    ]


class _Clients:
    """The HTTP clients of one round, one per host name: a connection kept alive to an
    address checked for one name (and, for https, verified for that name) is never reused
    for another name that resolves to the same address."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._by_host: dict[str, httpx.AsyncClient] = {}

    def for_host(self, host: str) -> httpx.AsyncClient:
        if host not in self._by_host:
            self._by_host[host] = httpx.AsyncClient(timeout=REQUEST_TIMEOUT, follow_redirects=False)
        return self._by_host[host]

    async def close(self) -> None:
        for client in self._by_host.values():
            await client.aclose()


async def _post_all(clients: _Clients, claimed: list[dict[str, Any]]) -> list[Attempt]:
    limit = asyncio.Semaphore(CONCURRENT_POSTS)

    async def post(row: dict[str, Any]) -> Attempt:
        async with limit:
            return await _post(clients, row)

    return list(await asyncio.gather(*(post(row) for row in claimed)))


def refusal_text(target: targets.Target) -> str:
    """A refused target as a delivery's last error: the message and its parameters, shown
    in each reader's language (DeliveryRecord.error_text)."""
    return json.dumps(
        {"message": target.refusal, "params": dict(target.params)}, ensure_ascii=False
    )


async def _post(clients: _Clients, row: dict[str, Any]) -> Attempt:
    """One signed POST to the address its host resolves to now, if that address is public
    (targets.py: nothing is sent to an internal one); any answer but 2xx, and no answer,
    is a failure to retry."""
    target = await targets.check(row["url"], clients.allow_private)
    if target.refused:
        return Attempt(row["id"], row["endpoint"], False, None, "", refusal_text(target))
    message_id = f"msg_{row['uuid']}"
    timestamp = int(utcnow().timestamp())
    headers = signing.headers(row["secret"], message_id, timestamp, row["body"])
    headers["host"] = targets.host_header(target)
    extensions = {"sni_hostname": target.host} if target.address is not None else {}
    try:
        response = await clients.for_host(target.host).post(
            targets.pinned_url(target),
            content=row["body"].encode(),
            headers=headers,
            extensions=extensions,
        )
    except httpx.HTTPError as error:
        return Attempt(row["id"], row["endpoint"], False, None, "", _describe(error))
    return Attempt(
        row["id"],
        row["endpoint"],
        200 <= response.status_code < 300,
        response.status_code,
        response.text[:RESPONSE_KEPT],
        "",
    )


def _describe(error: Exception) -> str:
    return (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)[:500]


@access.system_query("senders record the outcome of the deliveries they claimed")
async def _record(worker_id: str, attempts: Iterable[Attempt], report: DeliveryReport) -> None:
    """Write each attempt's outcome on the delivery (if this sender still holds it) and
    on its endpoint (its failing streak)."""
    now = utcnow()
    attempts = list(attempts)
    async with write_transaction():
        held = await WebhookDelivery.select(
            WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.created_at
        ).where(
            WebhookDelivery.id.is_in([attempt.delivery_id for attempt in attempts] or [0]),
            WebhookDelivery.state == DeliveryState.sending,
            WebhookDelivery.claimed_by == worker_id,
        )
        by_id = {row["id"]: row for row in held}
        for attempt in attempts:
            row = by_id.get(attempt.delivery_id)
            if row is None:
                continue  # our lease ran out and another sender took it over
            tries = row["attempts"] + 1
            values: dict[Any, Any] = {
                WebhookDelivery.attempts: tries,
                WebhookDelivery.claimed_by: "",
                WebhookDelivery.claimed_at: None,
                WebhookDelivery.last_attempt_at: now,
                WebhookDelivery.last_status: attempt.status,
                WebhookDelivery.last_response: attempt.response,
                WebhookDelivery.last_error: attempt.error,
            }
            if attempt.ok:
                values[WebhookDelivery.state] = DeliveryState.delivered
                values[WebhookDelivery.delivered_at] = now
                report.delivered += 1
            elif row["created_at"] < now - GIVE_UP_AFTER:
                values[WebhookDelivery.state] = DeliveryState.failed
                report.given_up += 1
            else:
                values[WebhookDelivery.state] = DeliveryState.pending
                values[WebhookDelivery.next_attempt_at] = now + backoff(tries, LONGEST_RETRY)
                report.failed += 1
            await WebhookDelivery.update(values).where(WebhookDelivery.id == attempt.delivery_id)
        succeeded = sorted({attempt.endpoint_id for attempt in attempts if attempt.ok})
        failed = sorted(
            {attempt.endpoint_id for attempt in attempts if not attempt.ok} - set(succeeded)
        )
        if succeeded:
            await WebhookEndpoint.update({WebhookEndpoint.failing_since: None}).where(
                WebhookEndpoint.id.is_in(succeeded)
            )
        if failed:
            await WebhookEndpoint.update({WebhookEndpoint.failing_since: now}).where(
                WebhookEndpoint.id.is_in(failed), WebhookEndpoint.failing_since.is_null()
            )


@access.system_query("endpoints of every organisation that kept failing are switched off")
async def _disable_failing_endpoints(settings: Settings) -> int:
    """Switch off the endpoints that have not succeeded for DISABLE_AFTER, give up their
    waiting deliveries and write to their owners, each in their language."""
    now = utcnow()
    async with write_transaction():
        disabled = await (
            WebhookEndpoint.update(
                {WebhookEndpoint.is_active: False, WebhookEndpoint.disabled_at: now}
            )
            .where(
                WebhookEndpoint.is_active == True,  # noqa: E712
                WebhookEndpoint.failing_since < now - DISABLE_AFTER,
            )
            .returning(
                WebhookEndpoint.id,
                WebhookEndpoint.uuid,
                WebhookEndpoint.url,
                WebhookEndpoint.organisation,
                WebhookEndpoint.created_by,
                WebhookEndpoint.failing_since,
            )
        )
        if not disabled:
            return 0
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: DeliveryState.failed,
                WebhookDelivery.last_error: "the endpoint was disabled after failing for days",
            }
        ).where(
            WebhookDelivery.endpoint.is_in([row["id"] for row in disabled]),
            WebhookDelivery.state == DeliveryState.pending,
        )
        for endpoint in disabled:
            for owner in await _owners(endpoint):
                await mail_user(
                    owner,
                    ENDPOINT_DISABLED_EMAIL,
                    ENDPOINT_DISABLED_EMAIL,
                    {
                        "name": owner["display_name"],
                        "url": endpoint["url"],
                        "since": endpoint["failing_since"],
                        "link": f"{settings.base_url}/webhooks/{endpoint['uuid']}",
                    },
                    settings,
                )
    logger.warning("disabled %d webhook endpoint(s) after sustained failure", len(disabled))
    return len(disabled)


@access.system_query("the people who manage a disabled endpoint are told, whoever asks")
async def _owners(endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    """Who registered the endpoint, if still active; otherwise its organisation's admins."""
    columns = (User.id, User.email, User.display_name, User.locale, User.time_zone)
    if endpoint["created_by"] is not None:
        creator = await User.select(*columns).where(
            User.id == endpoint["created_by"],
            User.is_active == True,  # noqa: E712
        )
        if creator:
            return list(creator)
    admins = await User.select(*columns).where(
        User.organisation == endpoint["organisation"],
        User.is_active == True,  # noqa: E712
        (User.is_org_admin == True) | (User.role == Role.brand_admin),  # noqa: E712
    )
    return list(admins)
