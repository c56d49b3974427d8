"""Typed rows of the notifications app."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from partner_portal import messages
from partner_portal.records import Record


class NotificationRecord(Record, frozen=True):
    """A bell notification; ``text`` renders it in the current reader's language."""

    uuid: UUID
    kind: str
    message: str
    params: dict[str, Any]
    link: str
    created_at: datetime
    read_at: datetime | None

    @property
    def text(self) -> str:
        return messages.render(self.message, self.params)
