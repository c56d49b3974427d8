"""The notifications part of a partner user's start page: the latest few, unread first."""

from __future__ import annotations

from typing import Any

from partner_portal.access import Viewer
from partner_portal.notifications.inbox import recent_notifications


async def latest_notifications(viewer: Viewer) -> dict[str, Any] | None:
    if viewer.is_brand:
        return None
    items = await recent_notifications(viewer.user_id, limit=5)
    # Not "items": a template reads section.items as the dict's own method.
    return {"latest": items} if items else None
