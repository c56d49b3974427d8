"""Webhooks: the endpoints an organisation registers to hear of events, the deliveries of
each event to each endpoint, and how far the fan-out has read the event outbox."""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.events.tables import DomainEvent
from partner_portal.partners.tables import Organisation, User


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """A URL of an organisation's system that hears of the event types it chose. The brand
    hears of every partner's events; a partner only of its own."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    url = Varchar(length=500)
    description = Varchar(length=200, default="")
    event_types = JSON(default="[]")  # ["order.submitted", ...]
    # "whsec_" + base64 of 32 random bytes (Standard Webhooks); shown to its owner only.
    secret = Varchar(length=100, secret=True)
    is_active = Boolean(default=True)
    # Since when every attempt failed (None: the last one succeeded); sustained failure
    # disables the endpoint and tells its owner.
    failing_since = Timestamptz(null=True, default=None)
    disabled_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class DeliveryState(enum.StrEnum):
    pending = "pending"  # waiting for its next attempt
    sending = "sending"  # claimed by a sender (a lease: claimed_by, claimed_at)
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # given up after retrying for days, or its endpoint was disabled


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event for one endpoint. Its uuid is the webhook-id the receiver sees: the same
    on every attempt and on a resend, so a receiver can tell a repeat."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    event = ForeignKey(DomainEvent, on_delete=OnDelete.cascade)
    # "<endpoint id>:<event id>", unique: reading the outbox twice queues nothing twice.
    endpoint_event = Varchar(length=40, unique=True)
    event_type = Varchar(length=60)
    body = Text()  # the JSON sent, kept as text so that every attempt signs the same bytes
    state = Varchar(length=20, choices=DeliveryState, default=DeliveryState.pending, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_by = Varchar(length=100, default="")
    claimed_at = Timestamptz(null=True, default=None)
    last_attempt_at = Timestamptz(null=True, default=None)
    last_status = Integer(null=True, default=None)  # the receiver's HTTP status
    last_response = Varchar(length=1000, default="")  # the start of its answer
    last_error = Varchar(length=500, default="")  # when no answer came (refused, timeout)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)


class OutboxCursor(Table, tablename="webhook_outbox_cursor"):
    """How far the fan-out has read the event outbox: every event with an id up to
    ``last_event_id`` has its deliveries queued. One row."""

    id: Serial
    name = Varchar(length=40, unique=True)
    last_event_id = Integer(default=0)
