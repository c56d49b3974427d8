"""The bell every page loads after itself: the reader's unread count, kept by the browser
and answered 304 while it holds, new as soon as a notification arrives or is read."""

from __future__ import annotations

import re

from partner_portal.database import write_transaction
from partner_portal.notifications.inbox import NewNotification, notify
from tests.support import PortalClient

COUNT = re.compile(r'class="badge bell-count">([^<]+)<')


async def _notify(user_id: int, times: int = 1) -> None:
    async with write_transaction():
        await notify(
            *(
                NewNotification(user_id=user_id, kind="test", message="A test notice")
                for _ in range(times)
            )
        )


async def test_the_bell_shows_new_notifications_and_none_once_read(
    client: PortalClient, cast
) -> None:
    await client.log_in(cast.distributor_colleague)
    await _notify(cast.other_kam.id)  # someone else's
    first = await client.get("/notifications/bell")
    assert COUNT.search(first.text) is None
    unchanged = await client.get(
        "/notifications/bell", headers={"If-None-Match": first.headers["etag"]}
    )
    assert unchanged.status_code == 304

    await _notify(cast.distributor_colleague.id, times=3)
    arrived = await client.get(
        "/notifications/bell", headers={"If-None-Match": first.headers["etag"]}
    )
    assert arrived.status_code == 200
    assert COUNT.findall(arrived.text) == ["3"]

    await client.post_form("/notifications/read")
    read = await client.get(
        "/notifications/bell", headers={"If-None-Match": arrived.headers["etag"]}
    )
    assert read.status_code == 200
    assert COUNT.search(read.text) is None
