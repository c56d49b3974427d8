"""The current time, in one place so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self.frozen_at: datetime | None = None

    def now(self) -> datetime:
        return self.frozen_at or datetime.now(UTC)


clock = Clock()


def utcnow() -> datetime:
    return clock.now()
