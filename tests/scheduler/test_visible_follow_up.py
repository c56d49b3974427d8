"""get_follow_up, the one way to a VisibleFollowUp (what the actions on one follow-up take):
it hands a follow-up to those who see its partner, with what they may do with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.exceptions import NotFoundException, PermissionDeniedException

from partner_portal.accounts.services import viewer_for_user_id
from scheduler.access import SchedulerAction, VisibleFollowUp, get_follow_up
from tests.scheduler.support import follow_up
from tests.support import Cast

DUE = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)


async def test_the_owner_gets_a_visible_follow_up_others_a_404_or_403(
    cast: Cast, frozen_clock: Any
) -> None:
    created = await follow_up(cast.distributor_a, cast.kam, DUE, remind_minutes=60)

    mine = await get_follow_up(
        await viewer_for_user_id(cast.kam.id), created, SchedulerAction.manage_follow_ups
    )
    read_only = await get_follow_up(await viewer_for_user_id(cast.staff.id), created)

    assert isinstance(mine, VisibleFollowUp)
    assert mine.partner_name == cast.distributor_a.legal_name and mine.owner == cast.kam.id
    assert mine.may_change and mine.remind_minutes == 60
    assert not read_only.may_change
    with pytest.raises(PermissionDeniedException):
        await get_follow_up(
            await viewer_for_user_id(cast.staff.id), created, SchedulerAction.manage_follow_ups
        )
    with pytest.raises(NotFoundException):
        await get_follow_up(await viewer_for_user_id(cast.other_kam.id), created)
