"""Helpers for the scheduler's tests: follow-ups made through the public API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scheduler.services import create_follow_up
from scheduler.tables import FollowUp
from tests.support import Member, Org


async def follow_up(
    partner: Org, owner: Member, due_at: datetime, title: str = "致电确认订货会", **values: Any
) -> Any:
    return await create_follow_up(
        organisation_id=partner.id,
        owner_id=owner.id,
        title=title,
        due_at=due_at,
        kind="call",
        **values,
    )


async def row(uuid: Any) -> dict[str, Any]:
    found = await FollowUp.select().where(FollowUp.uuid == uuid).first()
    assert found is not None
    return found
