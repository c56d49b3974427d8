"""Reminders, daily digests and the outbox: each sent once, across restarts, racing
schedulers and a mail server that is down for a while."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from partner_portal.notifications.inbox import unread_count
from partner_portal.notifications.preferences import set_choices
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Choice, OutboxEmail
from partner_portal.partners.tables import User
from partner_portal.registries import ScheduledJob
from scheduler import host, reminders
from scheduler.tables import FollowUp, JobRun
from tests.scheduler.support import follow_up

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


async def test_a_due_reminder_reaches_the_bell_and_the_outbox_once(
    cast, settings, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await follow_up(cast.distributor_a, cast.kam, NOW + timedelta(minutes=30))  # remind 1 h before
    await follow_up(cast.distributor_a, cast.kam, NOW + timedelta(hours=3), title="later")

    first = await reminders.send_reminders(settings)
    second = await reminders.send_reminders(settings)

    assert first.startswith("Reminders: 1 sent")
    assert second.startswith("Reminders: 0 sent")
    assert await unread_count(cast.kam.id) == 1
    [mail] = await OutboxEmail.select().where(OutboxEmail.kind == reminders.MAIL_REMINDER)
    assert mail["recipient"] == cast.kam.email
    assert "致电确认订货会" in mail["subject"]


async def test_a_restart_after_downtime_catches_up_once(cast, settings, frozen_clock) -> None:
    """Nothing ran for a day: the first run after it sends what came due meanwhile, once."""
    frozen_clock.frozen_at = NOW
    for hours in (2, 5, 9):
        await follow_up(
            cast.distributor_a, cast.kam, NOW + timedelta(hours=hours), title=f"in {hours} h"
        )
    jobs = [
        ScheduledJob(
            "reminders",
            "Reminders",
            timedelta(minutes=1),
            lambda: reminders.send_reminders(settings),
        )
    ]
    assert "0 sent" in (await host.run_job(jobs[0], "before-downtime"))["result"]

    frozen_clock.frozen_at = NOW + timedelta(days=1)  # the scheduler was stopped all that time
    restarted = [await host.run_job(job, "after-restart") for job in jobs]
    again = [await host.run_job(job, "after-restart") for job in jobs]

    assert "3 sent" in restarted[0]["result"]
    assert "0 sent" in again[0]["result"]
    assert await OutboxEmail.count() == 3
    assert await JobRun.count().where(JobRun.ok == True) == 3  # noqa: E712


async def test_two_schedulers_racing_for_the_same_reminders_send_each_once(
    cast, settings, frozen_clock
) -> None:
    """On PostgreSQL the two sweeps run on separate connections at once (FOR UPDATE SKIP
    LOCKED); on SQLite the immediate transactions take turns. Either way: once each."""
    frozen_clock.frozen_at = NOW
    for index in range(40):
        await follow_up(
            cast.distributor_a, cast.kam, NOW + timedelta(minutes=index), title=f"#{index}"
        )

    await asyncio.gather(
        reminders.send_reminders(settings, batch=7),
        reminders.send_reminders(settings, batch=7),
        reminders.send_reminders(settings, batch=5),
    )

    mails = await OutboxEmail.select(OutboxEmail.subject)
    assert len(mails) == 40
    assert len({mail["subject"] for mail in mails}) == 40
    assert await FollowUp.count().where(FollowUp.reminded_at.is_null()) == 0
    assert await unread_count(cast.kam.id) == 40


async def test_a_user_who_turned_reminders_off_gets_the_bell_but_no_e_mail(
    cast, settings, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await set_choices(cast.kam.id, {reminders.MAIL_REMINDER: Choice.off})
    await follow_up(cast.distributor_a, cast.kam, NOW + timedelta(minutes=10))

    await reminders.send_reminders(settings)

    assert await OutboxEmail.count() == 0
    assert await unread_count(cast.kam.id) == 1


async def test_the_daily_digest_goes_once_after_eight_in_each_users_zone(
    cast, settings, frozen_clock
) -> None:
    await User.update({User.time_zone: "Europe/Berlin"}).where(User.id == cast.other_kam.id)
    frozen_clock.frozen_at = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)  # 08:30 Shanghai, 02:30 Berlin
    await follow_up(
        cast.distributor_a, cast.kam, datetime(2026, 6, 1, 3, 0, tzinfo=UTC), title="今天"
    )
    await follow_up(
        cast.distributor_a, cast.kam, datetime(2026, 5, 30, 3, 0, tzinfo=UTC), title="逾期"
    )
    await follow_up(
        cast.distributor_a, cast.kam, datetime(2026, 6, 3, 3, 0, tzinfo=UTC), title="后天"
    )
    await follow_up(
        cast.distributor_b, cast.other_kam, datetime(2026, 6, 1, 12, 0, tzinfo=UTC), title="Heute"
    )

    await reminders.send_digests(settings, "one")
    await reminders.send_digests(settings, "two")
    [shanghai] = await OutboxEmail.select().where(OutboxEmail.kind == reminders.MAIL_DIGEST)
    assert shanghai["recipient"] == cast.kam.email
    assert "今天" in shanghai["body_text"] and "逾期" in shanghai["body_text"]
    assert "后天" not in shanghai["body_text"]

    frozen_clock.frozen_at = datetime(2026, 6, 1, 6, 5, tzinfo=UTC)  # 08:05 in Berlin
    await reminders.send_digests(settings, "one")
    await reminders.send_digests(settings, "two")
    digests = await OutboxEmail.select(OutboxEmail.recipient).where(
        OutboxEmail.kind == reminders.MAIL_DIGEST
    )
    assert sorted(row["recipient"] for row in digests) == sorted(
        [cast.kam.email, cast.other_kam.email]
    )


async def test_reminder_mails_wait_while_smtp_is_down_and_then_arrive_exactly_once(
    cast, settings, mail_settings, smtp_down, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    for index in range(3):
        await follow_up(
            cast.distributor_a, cast.kam, NOW + timedelta(minutes=index), title=f"提醒 {index}"
        )
    await reminders.send_reminders(settings)

    assert (await send_due(mail_settings, "worker-1")).sent == 0
    smtp_down.start()
    frozen_clock.frozen_at = NOW + timedelta(minutes=2)
    first, second = await asyncio.gather(send_due(mail_settings, "a"), send_due(mail_settings, "b"))
    assert first.sent + second.sent == 3
    assert (await send_due(mail_settings, "a")).sent == 0
    messages = await smtp_down.mailbox.wait_for(3)
    assert sorted(
        str(message["Subject"]).split(":")[1].split(",")[0].strip() for message in messages
    ) == [
        "提醒 0",
        "提醒 1",
        "提醒 2",
    ]


async def test_a_failing_job_is_recorded_and_the_next_one_still_runs(database) -> None:
    async def broken() -> str:
        raise ValueError("the database said no")

    async def fine() -> str:
        return "did things"

    runs = [
        await host.run_job(ScheduledJob("broken", "Broken", timedelta(minutes=1), broken), "test"),
        await host.run_job(ScheduledJob("fine", "Fine", timedelta(minutes=1), fine), "test"),
    ]

    assert [run["ok"] for run in runs] == [False, True]
    rows = await JobRun.select().order_by(JobRun.id)
    assert rows[0]["error"] == "ValueError: the database said no"
    assert rows[1]["result"] == "did things"
    assert all(row["finished_at"] is not None for row in rows)
