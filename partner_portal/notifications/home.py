"""The notifications part of a partner user's start page: the latest few, unread first."""

from __future__ import annotations

from dataclasses import dataclass

from partner_portal.access import Viewer
from partner_portal.notifications.inbox import recent_notifications
from partner_portal.notifications.records import NotificationRecord


@dataclass(frozen=True)
class LatestNotifications:
    """The start page's notifications (notifications/_home.html)."""

    latest: list[NotificationRecord]


async def latest_notifications(viewer: Viewer) -> LatestNotifications | None:
    if viewer.is_brand:
        return None
    items = await recent_notifications(viewer.user_id, limit=5)
    return LatestNotifications(latest=items) if items else None
