"""The agenda, follow-up pages and their in-place actions, the calendar feed, the bell,
e-mail preferences and the brand admins' jobs and failed-mail pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from partner_portal.notifications.tables import NotificationPreference, OutboxEmail
from partner_portal.partners.tables import TimelineEntry
from scheduler.tables import FollowUp, JobRun
from tests.scheduler.support import follow_up, row
from tests.support import PortalClient

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


async def test_a_kams_home_is_the_agenda_with_overdue_today_and_this_week(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await follow_up(cast.distributor_a, cast.kam, NOW - timedelta(days=2), title="逾期电话")
    await follow_up(cast.distributor_a, cast.kam, NOW + timedelta(hours=3), title="今天拜访")
    await follow_up(cast.bank, cast.kam, NOW + timedelta(days=3), title="本周会议")
    await follow_up(cast.distributor_b, cast.other_kam, NOW, title="别人的")
    await client.log_in(cast.kam)

    home = await client.get("/", follow_redirects=True)

    assert str(home.url).endswith("/agenda")
    text = home.text
    assert text.index("逾期电话") < text.index("今天拜访") < text.index("本周会议")
    assert "别人的" not in text
    only_bank = await client.get(f"/agenda?partner={cast.bank.uuid}")
    assert "本周会议" in only_bank.text and "今天拜访" not in only_bank.text


async def test_a_long_overdue_list_shows_the_most_urgent_and_says_how_many_more(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    for day in range(1, 31):
        await follow_up(
            cast.distributor_a, cast.kam, NOW - timedelta(days=day), title=f"逾期{day:02d}天"
        )
    await client.log_in(cast.kam)

    page = (await client.get("/agenda")).text

    assert "逾期30天" in page and "逾期06天" in page  # the oldest first
    assert "逾期05天" not in page
    assert "25 of 30 shown" in page


async def test_show_more_brings_a_long_sections_next_rows_once_each(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    for day in range(1, 61):
        await follow_up(
            cast.distributor_a, cast.kam, NOW - timedelta(days=day), title=f"逾期{day:02d}天"
        )
    await follow_up(cast.distributor_a, cast.kam, NOW + timedelta(hours=1), title="今天拜访")
    await client.log_in(cast.kam)
    htmx = {"HX-Request": "true"}

    page = (await client.get("/agenda")).text
    second = (await client.get(_more_link(page), headers=htmx)).text
    third = (await client.get(_more_link(second), headers=htmx)).text
    without_javascript = await client.get(_more_link(page))
    no_such_section = await client.get("/agenda/more?section=later")

    shown = re.findall(r"逾期(\d\d)天", page + second + third)
    assert shown == [f"{day:02d}" for day in range(60, 0, -1)]  # oldest first, each once
    assert "25 of 60 shown" in page and "<html" not in second
    assert "Show more" in second and "Show more" not in third and "今天拜访" not in third
    assert without_javascript.status_code == 200
    assert "<html" in without_javascript.text and "逾期35天" in without_javascript.text
    assert no_such_section.status_code == 404


def _more_link(page: str) -> str:
    found = re.search(r'<a class="button secondary" href="(/agenda/more\?[^"]+)"', page)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


async def test_a_rows_actions_come_when_its_menu_is_opened_and_only_to_who_may_use_them(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await follow_up(cast.distributor_a, cast.kam, NOW, title="今天拜访")
    others = await follow_up(cast.distributor_b, cast.other_kam, NOW, title="别人的")
    await client.log_in(cast.kam)
    actions_url = f"/follow-ups/{uuid}/actions?next=%2Fagenda"

    agenda = (await client.get("/agenda")).text
    opened = await client.get(actions_url, headers={"HX-Request": "true"})
    without_javascript = (await client.get(actions_url)).text
    another_kams = await client.get(f"/follow-ups/{others}/actions", headers={"HX-Request": "true"})

    assert "今天拜访" in agenda and f'hx-get="{actions_url}"' in agenda
    assert f"/follow-ups/{uuid}/complete" not in agenda
    assert "HX-Request" in opened.headers["vary"]
    for form in ("complete", "snooze", "reschedule"):
        assert f'action="/follow-ups/{uuid}/{form}"' in opened.text
        assert f'action="/follow-ups/{uuid}/{form}"' in without_javascript
    assert "<html" not in opened.text and 'name="next" value="/agenda"' in opened.text
    # Without JavaScript the menu leads to the follow-up's page, whose forms come back.
    assert "<h1>今天拜访</h1>" in without_javascript
    assert 'name="next" value="/agenda"' in without_javascript
    assert another_kams.status_code == 404


async def test_a_manager_sees_the_teams_agenda_and_workload(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await follow_up(cast.distributor_a, cast.kam, NOW - timedelta(days=1), title="团队逾期")
    await client.log_in(cast.kam_manager)

    page = await client.get("/agenda?owner=team")

    assert "团队逾期" in page.text
    assert "Team workload" in page.text


async def test_completing_from_the_agenda_with_htmx_swaps_in_the_done_row_and_logs_the_timeline(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await follow_up(cast.distributor_a, cast.kam, NOW, recurrence="FREQ=WEEKLY")
    await client.log_in(cast.kam)

    response = await client.post_form(
        f"/follow-ups/{uuid}/complete",
        {"outcome": "客户确认参加", "next": "/agenda"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.count('class="follow-up') == 2  # the done one and the next week's
    assert "客户确认参加" in response.text
    assert (
        await TimelineEntry.count().where(TimelineEntry.organisation == cast.distributor_a.id) == 1
    )


async def test_snooze_reschedule_and_reassign_without_javascript(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await follow_up(cast.distributor_a, cast.kam, NOW)
    await client.log_in(cast.kam)

    snoozed = await client.post_form(
        f"/follow-ups/{uuid}/snooze", {"until": "tomorrow", "next": "/agenda"}
    )
    assert snoozed.status_code == 303 and snoozed.headers["location"] == "/agenda"
    assert (await row(uuid))["due_at"] == datetime(2026, 6, 2, 1, 0, tzinfo=UTC)  # 09:00 Shanghai

    stale = await client.post_form(
        f"/follow-ups/{uuid}/reschedule", {"due_date": "2026-06-10", "version": "1"}
    )
    assert stale.status_code == 409
    moved = await client.post_form(
        f"/follow-ups/{uuid}/reschedule", {"due_date": "2026-06-10", "due_time": "15:00"}
    )
    assert moved.status_code == 303
    assert (await row(uuid))["due_at"] == datetime(2026, 6, 10, 7, 0, tzinfo=UTC)

    # A KAM plans only for themself; their manager hands work around the team.
    refused = await client.post_form(
        f"/follow-ups/{uuid}/reassign", {"owner": str(cast.kam_manager.uuid)}
    )
    assert refused.status_code == 400
    await client.log_in(cast.kam_manager)
    await client.post_form(f"/follow-ups/{uuid}/reassign", {"owner": str(cast.kam_manager.uuid)})
    given = await client.post_form(f"/follow-ups/{uuid}/reassign", {"owner": str(cast.kam.uuid)})
    assert given.status_code == 303
    assert (await row(uuid))["owner"] == cast.kam.id
    [mail] = await OutboxEmail.select().where(OutboxEmail.kind == "follow_up_assigned")
    assert mail["recipient"] == cast.kam.email


async def test_the_new_follow_up_form_saves_or_shows_its_errors_in_place(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await client.log_in(cast.kam)
    form = await client.get(f"/follow-ups/new?partner={cast.retailer_a.uuid}")
    assert form.status_code == 200

    bad = await client.post_form(
        "/follow-ups/new",
        {
            "partner": str(cast.retailer_a.uuid),
            "kind": "visit",
            "title": "",
            "due_date": "June",
            "recurrence_rule": "FREQ=WEEKLY;COUNT=2",
        },
    )
    assert bad.status_code == 400
    assert "Say in a few words" in bad.text and "COUNT" in bad.text
    assert await FollowUp.count() == 0

    good = await client.post_form(
        "/follow-ups/new",
        {
            "partner": str(cast.retailer_a.uuid),
            "kind": "visit",
            "title": "巡店",
            "due_date": "2026-06-05",
            "due_time": "14:00",
            "recurrence": "FREQ=MONTHLY;BYDAY=1MO",
            "remind_minutes": "1440",
        },
    )
    assert good.status_code == 303
    created = await FollowUp.select().first()
    assert created is not None
    assert created["due_at"] == datetime(2026, 6, 5, 6, 0, tzinfo=UTC)
    assert created["remind_at"] == created["due_at"] - timedelta(days=1)
    detail = await client.get(good.headers["location"])
    assert "First Monday of the month" in detail.text


async def test_the_calendar_feed_lists_the_users_follow_ups_until_its_address_is_rotated(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await follow_up(
        cast.distributor_a, cast.kam, NOW + timedelta(days=1), title="季度回顾; 带样衣, 新款"
    )
    await client.log_in(cast.kam)

    made = await client.post_form("/account/calendar/rotate")
    address = made.text.split('class="feed-url" readonly value="')[1].split('"')[0]
    path = address.removeprefix("http://testserver")
    client.cookies.clear()  # calendar apps do not sign in
    feed = await client.get(path)

    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.text and "\r\n" in feed.text
    assert "DTSTART:20260602T020000Z" in feed.text
    assert "季度回顾\\; 带样衣\\, 新款" in feed.text.replace("\r\n ", "")

    await client.log_in(cast.kam)
    await client.post_form("/account/calendar/rotate")
    client.cookies.clear()
    assert (await client.get(path)).status_code == 404


async def test_a_kam_stops_the_feed_and_no_address_works_any_more(
    client: PortalClient, cast, frozen_clock
) -> None:
    await client.log_in(cast.kam)
    made = await client.post_form("/account/calendar/rotate")
    path = made.text.split('class="feed-url" readonly value="')[1].split('"')[0]
    path = path.removeprefix("http://testserver")

    stopped = await client.post_form("/account/calendar/revoke")

    assert stopped.status_code == 200
    assert "no longer works" in stopped.text
    assert "Stop the feed" not in stopped.text and "Make my address" in stopped.text
    client.cookies.clear()
    assert (await client.get(path)).status_code == 404


async def test_the_bell_counts_unread_notifications_and_email_kinds_can_be_turned_off(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    uuid = await follow_up(cast.distributor_a, cast.kam_manager, NOW)
    await client.log_in(cast.kam_manager)
    await client.post_form(f"/follow-ups/{uuid}/reassign", {"owner": str(cast.kam.uuid)})

    await client.log_in(cast.kam)
    assert "bell-count" in (await client.get("/notifications/bell")).text
    assert "gave you a follow-up" in (await client.get("/notifications")).text
    await client.post_form("/notifications/read")
    assert "bell-count" not in (await client.get("/notifications/bell")).text

    saved = await client.post_form("/account/email", {"send": "follow_up_digest"})
    assert saved.status_code == 200
    kinds = {
        row["kind"]
        for row in await NotificationPreference.select().where(
            NotificationPreference.user == cast.kam.id, NotificationPreference.choice == "off"
        )
    }
    assert {"follow_up_reminder", "follow_up_assigned"} <= kinds
    assert "follow_up_digest" not in kinds


async def test_a_brand_admin_runs_a_job_now_and_retries_a_failed_mail(
    client: PortalClient, cast, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await client.log_in(cast.admin)
    page = await client.get("/scheduler/jobs")
    assert page.status_code == 200 and "follow_up_reminders" in page.text

    ran = await client.post_form("/scheduler/jobs/run", {"job": "follow_up_reminders"})
    assert ran.status_code == 303
    [run] = await JobRun.select()
    assert run["job_key"] == "follow_up_reminders" and run["ok"]
    assert "Reminders: 0 sent" in (await client.get("/scheduler/jobs")).text

    await OutboxEmail.insert(
        OutboxEmail(
            kind="x",
            recipient="bad@example.test",
            subject="S",
            body_text="T",
            state="failed",
            attempts=10,
            next_attempt_at=NOW,
            created_at=NOW,
            last_error="550 no such user",
        )
    )
    failed = await client.get("/outbox/failed")
    assert "550 no such user" in failed.text
    mail = await OutboxEmail.select().first()
    assert mail is not None
    await client.post_form(f"/outbox/{mail['uuid']}/retry")
    again = await OutboxEmail.select().first()
    assert again is not None and (again["state"], again["attempts"]) == ("due", 0)
