"""Repeating follow-ups: a series (an RFC 5545 rule on the owner's wall clock) with its
exceptions, expanded in the calendar and written to the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.partners.tables import TimelineEntry, User
from scheduler import follow_ups, recurrence
from scheduler.forms import recurrence_problem
from scheduler.tables import FollowUp, FollowUpSeries, FollowUpState
from tests.scheduler.support import follow_up, row
from tests.support import PortalClient

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(moments: list[datetime], zone: ZoneInfo) -> list[datetime]:
    return [moment.astimezone(zone).replace(tzinfo=None) for moment in moments]


def test_every_monday_at_nine_stays_at_nine_when_daylight_saving_time_starts() -> None:
    # 2026-03-02 09:00 EST (UTC-5); DST starts on Sunday 2026-03-08.
    first = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)
    found = recurrence.occurrences(
        "FREQ=WEEKLY;BYDAY=MO", first, "America/New_York", first, first + timedelta(days=15)
    )
    assert local(found, NEW_YORK) == [
        datetime(2026, 3, 2, 9, 0),
        datetime(2026, 3, 9, 9, 0),
        datetime(2026, 3, 16, 9, 0),
    ]
    # The same wall-clock time is an hour earlier in UTC after the change.
    assert [moment.hour for moment in found] == [14, 13, 13]


def test_the_first_monday_of_the_month_crosses_the_autumn_change_in_berlin() -> None:
    first = datetime(2026, 10, 5, 9, 30, tzinfo=BERLIN).astimezone(UTC)
    [following] = list(
        recurrence.following("RRULE:FREQ=MONTHLY;BYDAY=1MO", first, "Europe/Berlin", first)
    )[:1]
    assert following.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 11, 2, 9, 30)
    assert following.hour == 8  # CET, after 07:30 UTC in CEST


def test_the_last_day_of_the_month_follows_month_ends_and_the_31st_skips_short_months() -> None:
    first = datetime(2026, 1, 31, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
    until = datetime(2026, 6, 1, tzinfo=UTC)
    last_days = recurrence.occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=-1", first, "Asia/Shanghai", first, until
    )
    thirty_firsts = recurrence.occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=31", first, "Asia/Shanghai", first, until
    )
    assert [moment.astimezone(SHANGHAI).date() for moment in last_days] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert [moment.astimezone(SHANGHAI).date() for moment in thirty_firsts] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
    ]


def test_a_daily_time_that_does_not_exist_on_the_spring_change_day_comes_an_hour_later() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29 (clocks jump from 02:00 to 03:00).
    first = datetime(2026, 3, 28, 2, 30, tzinfo=BERLIN).astimezone(UTC)
    found = recurrence.occurrences(
        "FREQ=DAILY", first, "Europe/Berlin", first, first + timedelta(days=3)
    )
    assert local(found, BERLIN) == [
        datetime(2026, 3, 28, 2, 30),
        datetime(2026, 3, 29, 3, 30),
        datetime(2026, 3, 30, 2, 30),
        datetime(2026, 3, 31, 2, 30),
    ]


def test_a_series_ends_at_its_until_and_a_cut_series_ends_before_the_cut() -> None:
    first = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    assert (
        list(recurrence.following("FREQ=WEEKLY;UNTIL=20260305", first, "Europe/Berlin", first))
        == []
    )
    cut = recurrence.ended_before(
        "FREQ=WEEKLY;BYDAY=MO", first + timedelta(days=14), "Europe/Berlin"
    )
    assert cut == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T085959"
    assert (
        len(recurrence.occurrences(cut, first, "Europe/Berlin", first, first + timedelta(days=60)))
        == 2
    )
    assert recurrence_problem("FREQ=WEEKLY;COUNT=3")
    assert recurrence_problem("EVERY TUESDAY")
    assert recurrence_problem("FREQ=WEEKLY;BYDAY=MO") is None


async def test_completing_a_weekly_follow_up_logs_the_outcome_and_plans_the_next_in_the_owners_zone(
    cast: Any, frozen_clock: Any
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
    assert following[0]["occurrence_at"] == following[0]["due_at"]
    # Its reminder keeps the same lead time (an hour before).
    assert following[0]["due_at"] - following[0]["remind_at"] == timedelta(hours=1)


# A Monday 10:00 in Shanghai (the cast's zone).
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


async def weekly(cast: Any) -> Any:
    return await follow_up(
        cast.distributor_a,
        cast.kam,
        datetime(2026, 6, 3, 9, 0, tzinfo=SHANGHAI),
        title="周三例会",
        recurrence="FREQ=WEEKLY;BYDAY=WE",
    )


def titles_on(html: str, day: str) -> int:
    """How many of the series' occurrences the calendar page lists on a local day."""
    section = html.split(f'data-day="{day}"')[1].split("</section>")[0]
    return section.count("周三例会")


async def test_the_month_calendar_shows_a_series_next_month_and_the_day_view_moves_or_skips_one(
    cast: Any, client: PortalClient, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await weekly(cast)
    await client.log_in(cast.kam)

    july = (await client.get("/agenda/calendar?view=month&date=2026-07-01")).text
    assert "2026" in july and all(
        titles_on(july, day) == 1 for day in ("2026-07-01", "2026-07-08", "2026-07-15")
    )
    assert titles_on(july, "2026-07-02") == 0

    moment = datetime(2026, 7, 8, 1, 0, tzinfo=UTC).isoformat()
    moved = await client.post_form(
        f"/follow-ups/{uuid}/occurrence",
        {"occurrence": moment, "action": "move", "due_date": "2026-07-09", "due_time": "15:00"},
    )
    skipped = await client.post_form(
        f"/follow-ups/{uuid}/occurrence",
        {"occurrence": datetime(2026, 7, 15, 1, 0, tzinfo=UTC).isoformat(), "action": "skip"},
    )
    wrong = await client.post_form(
        f"/follow-ups/{uuid}/occurrence",
        {"occurrence": datetime(2026, 7, 16, 1, 0, tzinfo=UTC).isoformat(), "action": "skip"},
    )

    assert moved.status_code == skipped.status_code == 303
    assert wrong.status_code == 400
    july = (await client.get("/agenda/calendar?view=month&date=2026-07-01")).text
    assert titles_on(july, "2026-07-08") == 0 and titles_on(july, "2026-07-09") == 1
    assert titles_on(july, "2026-07-15") == 0 and titles_on(july, "2026-07-22") == 1


async def test_editing_this_and_all_following_ends_the_series_and_starts_a_new_rule_there(
    cast: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    viewer = await viewer_for_user_id(cast.kam.id)
    first = await weekly(cast)
    outcome = await follow_ups.complete(viewer, first, "开完了")
    second = outcome.rows[1]

    saved = await follow_ups.update_from_form(
        viewer,
        second.uuid,
        {
            "scope": "following",
            "kind": "meeting",
            "title": "周五例会",
            "priority": "normal",
            "due_date": "2026-06-12",
            "due_time": "16:00",
            "recurrence": "FREQ=WEEKLY;BYDAY=FR",
            "remind_minutes": "60",
            "version": str(second.version),
        },
    )

    assert saved.saved
    series = await FollowUpSeries.select().order_by(FollowUpSeries.id)
    assert [item["rule"] for item in series] == [
        "FREQ=WEEKLY;BYDAY=WE;UNTIL=20260610T085959",
        "FREQ=WEEKLY;BYDAY=FR",
    ]
    moved = await row(second.uuid)
    assert moved["series"] == series[1]["id"] and moved["title"] == "周五例会"
    assert (await row(first))["series"] == series[0]["id"]


async def test_the_feed_carries_the_rule_its_exceptions_and_a_reminder_that_two_readers_expand(
    cast: Any, client: PortalClient, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    viewer = await viewer_for_user_id(cast.kam.id)
    first = await weekly(cast)
    await follow_ups.complete(viewer, first, "开完了")
    current = await FollowUp.select(FollowUp.uuid).where(FollowUp.state == "open").first()
    assert current is not None
    await follow_ups.change_occurrence(
        viewer, current["uuid"], datetime(2026, 6, 17, 1, 0, tzinfo=UTC), None, skip=True
    )
    await follow_ups.change_occurrence(
        viewer,
        current["uuid"],
        datetime(2026, 6, 24, 1, 0, tzinfo=UTC),
        datetime(2026, 6, 25, 7, 0, tzinfo=UTC),
    )
    await client.log_in(cast.kam)
    made = await client.post_form("/account/calendar/rotate")
    address = made.text.split('class="feed-url" readonly value="')[1].split('"')[0]
    client.cookies.clear()
    text = (await client.get(address.removeprefix("http://testserver"))).text

    calendar: Any = icalendar.Calendar.from_ical(text)
    [master] = [event for event in calendar.walk("VEVENT") if "RRULE" in event]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["BYDAY"] == ["WE"]
    assert (
        master["DTSTART"].dt.tzinfo is not None
        and str(master["DTSTART"].dt.tzinfo) == "Asia/Shanghai"
    )
    assert master.walk("VALARM")[0]["TRIGGER"].dt == timedelta(hours=-1)
    assert any("RECURRENCE-ID" in event for event in calendar.walk("VEVENT"))
    assert calendar.walk("VTIMEZONE")

    starts = [
        event["DTSTART"].dt.astimezone(SHANGHAI).replace(tzinfo=None)
        for event in recurring_ical_events.of(calendar).between(
            datetime(2026, 6, 1), datetime(2026, 7, 2)
        )
    ]
    assert sorted(starts) == [
        datetime(2026, 6, 3, 9, 0),  # done, its own event
        datetime(2026, 6, 10, 9, 0),
        # 17 June skipped (EXDATE); 24 June moved to the 25th, 15:00
        datetime(2026, 6, 25, 15, 0),
        datetime(2026, 7, 1, 9, 0),
    ]
    done = [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]).startswith("✓")]
    assert len(done) == 1


async def test_the_week_view_moves_or_skips_an_occurrence_and_comes_back_to_the_week(
    cast: Any, client: PortalClient, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await weekly(cast)
    await client.log_in(cast.kam)
    week_url = "/agenda/calendar?view=week&date=2026-06-15"

    week = (await client.get(week_url)).text

    # The week's occurrence (17 June, computed) carries its actions, folded into a menu.
    day = week.split('data-day="2026-06-17"')[1].split("</section>")[0]
    assert 'class="fu-menu"' in day and 'value="move"' in day and 'value="skip"' in day
    assert f'name="next" value="{week_url.replace("&", "&amp;")}"' in day
    first_week = (await client.get("/agenda/calendar?date=2026-06-01")).text
    first_day = first_week.split('data-day="2026-06-03"')[1].split("</section>")[0]
    # The stored current occurrence (3 June) in its own week can be moved and finished too,
    # from its menu, whose actions come when it is opened and go back to the week.
    actions_url = f"/follow-ups/{uuid}/actions?next=%2Fagenda%2Fcalendar%3Fdate%3D2026-06-01"
    assert 'class="fu-menu"' in first_day and f'hx-get="{actions_url}"' in first_day
    actions = (await client.get(actions_url, headers={"HX-Request": "true"})).text
    assert f"/follow-ups/{uuid}/reschedule" in actions
    assert 'name="next" value="/agenda/calendar?date=2026-06-01"' in actions

    moved = await client.post_form(
        f"/follow-ups/{uuid}/occurrence",
        {
            "occurrence": datetime(2026, 6, 17, 1, 0, tzinfo=UTC).isoformat(),
            "action": "move",
            "due_date": "2026-06-18",
            "due_time": "15:00",
            "next": week_url,
        },
    )
    skipped = await client.post_form(
        f"/follow-ups/{uuid}/occurrence",
        {
            "occurrence": datetime(2026, 6, 24, 1, 0, tzinfo=UTC).isoformat(),
            "action": "skip",
            "next": "/agenda/calendar?view=week&date=2026-06-22",
        },
    )

    assert moved.status_code == 303 and moved.headers["location"] == week_url
    assert skipped.status_code == 303
    week = (await client.get(week_url)).text
    assert titles_on(week, "2026-06-17") == 0 and titles_on(week, "2026-06-18") == 1
    following = (await client.get("/agenda/calendar?view=week&date=2026-06-22")).text
    assert titles_on(following, "2026-06-24") == 0
