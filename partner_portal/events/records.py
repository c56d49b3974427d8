"""Typed rows of domain events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from partner_portal.records import Record


class EventRecord(Record, frozen=True):
    """An event as the outbox hands it to a delivery: what happened to which object of
    which organisation, and the payload a receiver reads."""

    id: int
    uuid: UUID
    type: str
    organisation: int
    organisation_uuid: UUID
    actor_organisation: int | None
    object_kind: str
    object_uuid: UUID | None
    link: str
    payload: dict[str, Any]
    created_at: datetime
