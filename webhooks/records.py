"""Typed rows of webhooks: an endpoint (its secret only where its owner reads it) and a
delivery as its log shows it."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from partner_portal import messages
from partner_portal.records import Record


class EndpointRecord(Record, frozen=True):
    id: int
    uuid: UUID
    organisation: int
    url: str
    description: str
    event_types: list[str]
    secret: str
    is_active: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    created_at: datetime


class DeliveryRecord(Record, frozen=True):
    id: int
    uuid: UUID
    event_type: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_response: str
    last_error: str
    delivered_at: datetime | None
    created_at: datetime

    @property
    def error_text(self) -> str:
        """Why the last attempt got no answer: a refusal of ours (stored as a message with
        its parameters, webhooks/delivery.py) in the reader's language; the HTTP client's
        error as it said it."""
        if not self.last_error.startswith('{"message"'):
            return self.last_error
        try:
            stored = json.loads(self.last_error)
        except ValueError:
            return self.last_error
        return messages.render(str(stored.get("message", "")), stored.get("params") or {})
