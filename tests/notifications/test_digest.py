"""The daily summary: who chose it gets no e-mail per notice but one e-mail a day, after
08:00 in their own time zone, listing what happened, in their language; two schedulers
running at once send it once. Counted at a real SMTP server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from partner_portal.notifications import digest, preferences
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Choice, Notification, NotificationMail
from partner_portal.partners.tables import User
from tests.notifications.conftest import SmtpServer
from tests.notifications.test_events import submit_event
from tests.support import Cast

# 08:30 in Shanghai, 09:30 in Seoul, 00:30 in London.
MORNING = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)


async def _daily(member: Any, locale: str, time_zone: str) -> None:
    await User.update({User.locale: locale, User.time_zone: time_zone}).where(User.id == member.id)
    await preferences.set_choices(member.id, {preferences.DIGEST: Choice.daily})


async def test_a_daily_summary_replaces_each_e_mail_and_goes_once_a_day(
    app: Any, cast: Cast, mail_settings: Any, smtp: SmtpServer, frozen_clock: Any
) -> None:
    await _daily(cast.distributor_colleague, "ko", "Asia/Seoul")
    await _daily(cast.kam, "en", "Europe/London")
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.staff.id)
    frozen_clock.frozen_at = MORNING - timedelta(hours=12)
    for number in ("SO-0000041", "SO-0000042", "SO-0000043"):
        await submit_event(cast, mail_settings, number=number)

    # Held for the summary: nothing goes out now, the bell has them all.
    assert (await send_due(mail_settings, "sender")).sent == 0
    assert await Notification.count().where(Notification.mail == NotificationMail.digest) == 6

    frozen_clock.frozen_at = MORNING
    reports = await asyncio.gather(
        digest.send_digests(mail_settings, "scheduler-1"),
        digest.send_digests(mail_settings, "scheduler-2"),
    )
    assert sorted(reports) == [
        "Notification digests: 0 sent.",
        "Notification digests: 1 sent.",
    ]
    assert (await send_due(mail_settings, "sender")).sent == 1
    [summary] = await smtp.mailbox.wait_for(1)
    # Seoul is past 08:00; London is not yet.
    assert summary["To"] == cast.distributor_colleague.email
    assert "3" in str(summary["Subject"]) and "요약" in str(summary["Subject"])
    text = summary.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for number in ("SO-0000041", "SO-0000042", "SO-0000043"):
        assert number in text
    assert "주문" in text and "submitted" not in text

    # Later the same day: nothing more for Seoul; London's morning comes.
    frozen_clock.frozen_at = MORNING + timedelta(hours=9)
    await submit_event(cast, mail_settings, number="SO-0000044")
    assert await digest.send_digests(mail_settings, "scheduler-1") == (
        "Notification digests: 1 sent."
    )
    assert (await send_due(mail_settings, "sender")).sent == 1
    london = (await smtp.mailbox.wait_for(2))[1]
    assert london["To"] == cast.kam.email
    assert str(london["Subject"]) == "Your daily summary: 4 notices"

    # The next morning in Seoul: the one held since.
    frozen_clock.frozen_at = MORNING + timedelta(days=1)
    assert await digest.send_digests(mail_settings, "scheduler-2") == (
        "Notification digests: 1 sent."
    )
    assert (await send_due(mail_settings, "sender")).sent == 1
    next_day = (await smtp.mailbox.wait_for(3))[2]
    assert next_day["To"] == cast.distributor_colleague.email
    assert "SO-0000044" in next_day.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert await Notification.count().where(Notification.mail == NotificationMail.digest) == 0
