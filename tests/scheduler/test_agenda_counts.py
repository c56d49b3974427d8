"""The agenda's counts (overdue, today, later this week) come from one grouped query: they
equal the items each section lists, and go on counting past the rows a section shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from partner_portal.accounts.services import viewer_for_user_id
from scheduler import agenda
from scheduler.tables import FollowUp, FollowUpState
from tests.scheduler.support import follow_up
from tests.support import Cast

NOW = datetime(2026, 6, 3, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai


async def _sections(member, **filters: str) -> dict[str, agenda.Section]:  # type: ignore[no-untyped-def]
    view = await agenda.agenda(await viewer_for_user_id(member.id), agenda.AgendaFilters(**filters))
    return {section.key: section for section in view["sections"]}


async def test_each_count_equals_the_items_its_section_lists(cast: Cast, frozen_clock) -> None:
    frozen_clock.frozen_at = NOW
    for days in (1, 2, 9):
        await follow_up(cast.distributor_a, cast.kam, NOW - timedelta(days=days), title="逾期")
    await follow_up(cast.bank, cast.kam, NOW - timedelta(hours=1), title="今天早上")
    await follow_up(cast.bank, cast.kam, NOW + timedelta(hours=5), title="今天下午")
    await follow_up(cast.retailer_a, cast.kam, NOW + timedelta(days=1), title="明天")
    await follow_up(cast.retailer_a, cast.kam, NOW + timedelta(days=3, hours=5), title="周六")
    await follow_up(cast.retailer_a, cast.kam, NOW + timedelta(days=6), title="下周")
    done = await follow_up(cast.bank, cast.kam, NOW - timedelta(days=1), title="已完成")
    await FollowUp.update({FollowUp.state: FollowUpState.done}).where(FollowUp.uuid == done)
    await follow_up(cast.distributor_b, cast.other_kam, NOW, title="别人的")

    sections = await _sections(cast.kam)

    for section in sections.values():
        assert section.total == len(section.rows)
    assert {key: section.total for key, section in sections.items()} == {
        "overdue": 3,
        "today": 2,
        "week": 2,
    }
    only_bank = await _sections(cast.kam, partner=str(cast.bank.uuid))
    assert {key: section.total for key, section in only_bank.items()} == {
        "overdue": 0,
        "today": 2,
        "week": 0,
    }
    team = await _sections(cast.kam_manager, owner="team")
    assert team["today"].total == 2 and team["overdue"].total == 3


async def test_a_count_goes_on_past_the_rows_a_section_shows(cast: Cast, frozen_clock) -> None:
    frozen_clock.frozen_at = NOW
    for hour in range(agenda.SECTION_LIMIT + 7):
        await follow_up(cast.distributor_a, cast.kam, NOW - timedelta(days=2, hours=hour))

    sections = await _sections(cast.kam)

    assert len(sections["overdue"].rows) == agenda.SECTION_LIMIT
    assert sections["overdue"].total == agenda.SECTION_LIMIT + 7
    assert sections["today"].total == 0 and sections["today"].rows == []
