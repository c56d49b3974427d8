"""Repeating follow-ups: RFC 5545 rules on the owner's wall clock, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.partners.tables import TimelineEntry, User
from scheduler import follow_ups, services
from scheduler.forms import recurrence_problem
from scheduler.tables import FollowUp, FollowUpState
from tests.scheduler.support import follow_up, row

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def test_every_monday_at_nine_stays_at_nine_when_daylight_saving_time_starts() -> None:
    # 2026-03-02 09:00 EST (UTC-5); DST starts on Sunday 2026-03-08.
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)
    following = services.next_occurrence("FREQ=WEEKLY;BYDAY=MO", monday, "America/New_York")
    assert following is not None
    assert following.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 9, 9, 0)
    # The same wall-clock time is an hour earlier in UTC.
    assert following - monday == (datetime(2026, 3, 9, 13) - datetime(2026, 3, 2, 14))


def test_the_first_monday_of_the_month_crosses_the_autumn_change_in_berlin() -> None:
    october = datetime(2026, 10, 5, 9, 30, tzinfo=BERLIN).astimezone(UTC)
    following = services.next_occurrence("RRULE:FREQ=MONTHLY;BYDAY=1MO", october, "Europe/Berlin")
    assert following is not None
    assert following.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 11, 2, 9, 30)
    assert following.astimezone(UTC).hour == 8  # CET, after 08:30 UTC in CEST


def test_a_series_ends_at_its_until_and_count_is_refused() -> None:
    last = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    assert services.next_occurrence("FREQ=WEEKLY;UNTIL=20260305", last, "Europe/Berlin") is None
    assert recurrence_problem("FREQ=WEEKLY;COUNT=3")
    assert recurrence_problem("EVERY TUESDAY")
    assert recurrence_problem("FREQ=WEEKLY;BYDAY=MO") is None


async def test_completing_a_weekly_follow_up_logs_the_outcome_and_plans_the_next_in_the_owners_zone(
    cast, frozen_clock
) -> None:
    await User.update({User.time_zone: "America/New_York"}).where(User.id == cast.kam.id)
    frozen_clock.frozen_at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    due = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    uuid = await follow_up(cast.distributor_a, cast.kam, due, recurrence="FREQ=WEEKLY;BYDAY=MO")
    viewer = await viewer_for_user_id(cast.kam.id)

    outcome = await follow_ups.complete(viewer, uuid, "订了 200 件")
    again = await follow_ups.complete(viewer, uuid, "twice")

    assert (await row(uuid))["state"] == FollowUpState.done
    assert again.status_code == 409
    [entry] = await TimelineEntry.select().where(
        TimelineEntry.organisation == cast.distributor_a.id
    )
    assert entry["kind"] == "call" and "订了 200 件" in entry["summary"]
    assert len(outcome.rows) == 2
    following = await FollowUp.select().where(FollowUp.state == FollowUpState.open)
    assert len(following) == 1
    assert following[0]["due_at"].astimezone(NEW_YORK).replace(tzinfo=None) == datetime(
        2026, 3, 9, 9, 0
    )
    # Its reminder keeps the same lead time (an hour before).
    assert following[0]["due_at"] - following[0]["remind_at"] == timedelta(hours=1)
