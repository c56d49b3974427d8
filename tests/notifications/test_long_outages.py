"""The outbox over days and across crashes: an SMTP outage of several days loses and fails
no mail and ends in one batch; a mail the server keeps refusing is retried for days; a
claim of a killed sender is taken over after its short lease, and a working sender's
lease does not lapse during a long batch."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
from datetime import UTC, datetime, timedelta

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.notifications.services import (
    CLAIM_LEASE,
    LONGEST_OUTAGE_WAIT,
    LONGEST_RETRY,
    MAX_ATTEMPTS,
    enqueue_email,
    send_due,
    smtp_outage,
)
from partner_portal.notifications.tables import MailState, OutboxEmail
from tests.notifications.conftest import SmtpServer
from tests.support import Cast, PortalClient

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def queue(subject: str, recipient: str = "buyer@jincheng.test") -> None:
    async with write_transaction():
        await enqueue_email(
            kind="test", recipient=recipient, subject=subject, text="您好。", locale="zh_Hans"
        )


async def mail_states() -> list[tuple[str, str, int]]:
    rows = await OutboxEmail.select(
        OutboxEmail.subject, OutboxEmail.state, OutboxEmail.attempts
    ).order_by(OutboxEmail.id)
    return [(row["subject"], row["state"], row["attempts"]) for row in rows]


async def test_mail_queued_during_a_three_day_outage_fails_none_and_goes_out_in_one_round(
    database, mail_settings, smtp_down: SmtpServer, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    subjects = []
    # The sender runs every 30 minutes of the outage (the real one every 30 s; a round in
    # the wait after a failed connection attempt does not even try).
    for day in range(1, 4):
        for part in ("morning", "evening"):
            subject = f"day {day}, {part}"
            await queue(subject)
            subjects.append(subject)
            for _round in range(12 * 2):
                report = await send_due(mail_settings, "worker-1")
                assert (report.sent, report.retrying, report.given_up) == (0, 0, 0)
                assert len(report.errors) <= 1  # at most one connection attempt per round
                frozen_clock.frozen_at += timedelta(minutes=30)

    assert await mail_states() == [(subject, MailState.due, 0) for subject in subjects]
    outage = await smtp_outage()
    assert outage is not None
    assert outage.since == NOW
    assert f"{len(subjects)} e-mail(s) wait, none is given up" in report.message

    smtp_down.start()
    # The queue tries the server again within LONGEST_OUTAGE_WAIT of its last attempt.
    assert outage.next_attempt_at - frozen_clock.frozen_at <= LONGEST_OUTAGE_WAIT
    frozen_clock.frozen_at = max(outage.next_attempt_at, frozen_clock.frozen_at)
    report = await send_due(mail_settings, "worker-1", batch=2)

    assert report.sent == len(subjects)
    messages = await smtp_down.mailbox.wait_for(len(subjects))
    assert [str(message["Subject"]) for message in messages] == subjects
    assert len(set(smtp_down.mailbox.connections)) == 1  # one connection for every batch
    assert await mail_states() == [(subject, MailState.sent, 0) for subject in subjects]
    assert await smtp_outage() is None


async def test_a_mail_the_server_keeps_refusing_for_now_is_retried_for_days_then_kept_as_failed(
    database, mail_settings, smtp: SmtpServer, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    smtp.mailbox.busy_recipients.add("full@jincheng.test")
    await queue("to a full mailbox", recipient="full@jincheng.test")
    await queue("to a working mailbox")

    attempts_at = []
    while True:
        report = await send_due(mail_settings, "worker-1")
        assert report.outage is None
        row = (
            await OutboxEmail.select().where(OutboxEmail.recipient == "full@jincheng.test").first()
        )
        assert row is not None
        attempts_at.append(frozen_clock.frozen_at)
        if row["state"] != MailState.due:
            break
        assert frozen_clock.frozen_at < NOW + timedelta(days=5)
        frozen_clock.frozen_at = row["next_attempt_at"]

    assert (row["state"], row["attempts"]) == (MailState.failed, MAX_ATTEMPTS)
    assert "450" in row["last_error"]
    waits = [later - earlier for earlier, later in itertools.pairwise(attempts_at)]
    assert timedelta(seconds=45) <= waits[0] <= timedelta(minutes=1)
    assert all(timedelta(seconds=45) <= wait <= LONGEST_RETRY for wait in waits)
    assert waits[-1] >= LONGEST_RETRY * 0.75
    assert NOW + timedelta(days=3) < attempts_at[-1] < NOW + timedelta(days=5)
    # The other mail went out in the first round, and the failed one is not sent again.
    assert [str(message["Subject"]) for message in smtp.mailbox.messages] == [
        "to a working mailbox"
    ]
    smtp.mailbox.busy_recipients.clear()
    frozen_clock.frozen_at += timedelta(days=1)
    assert (await send_due(mail_settings, "worker-1")).sent == 0


async def test_a_claim_left_by_a_killed_sender_is_taken_over_once_its_lease_ends(
    database, mail_settings, smtp: SmtpServer, frozen_clock
) -> None:
    await queue("sent while the sender was killed")
    reached = threading.Event()
    killed = threading.Event()

    async def hold_until_killed(accepted: int) -> None:
        reached.set()
        await asyncio.to_thread(killed.wait, 60)
        raise ConnectionAbortedError("the sender was killed before the mail was accepted")

    smtp.mailbox.before_accepting = hold_until_killed
    sender = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "partner_portal.cli",
        "send-mail",
        "--once",
        env={**os.environ, "DATABASE_URL": database, "SMTP_URL": smtp.url},
    )
    try:
        assert await asyncio.to_thread(reached.wait, 120), "the sender never sent the mail"
    finally:
        sender.kill()
        await sender.wait()
        smtp.mailbox.before_accepting = None
        killed.set()
    row = await OutboxEmail.select().first()
    assert row is not None
    assert row["state"] == MailState.sending
    assert row["claimed_by"] != ""

    frozen_clock.frozen_at = row["claimed_at"] + CLAIM_LEASE - timedelta(seconds=1)
    early = await send_due(mail_settings, "worker-2")
    assert (early.recovered, early.sent) == (0, 0)

    # Three minutes after the kill, another sender has taken the mail over.
    frozen_clock.frozen_at = row["claimed_at"] + timedelta(minutes=3)
    report = await send_due(mail_settings, "worker-2")

    assert (report.recovered, report.sent) == (1, 1)
    [message] = await smtp.mailbox.wait_for(1)
    assert message["Subject"] == "sent while the sender was killed"
    row = await OutboxEmail.select().first()
    assert row is not None
    assert row["state"] == MailState.sent


async def test_a_sender_busy_with_a_long_batch_keeps_its_claims(
    database, mail_settings, smtp: SmtpServer, frozen_clock
) -> None:
    """Each mail takes the server a minute; a second sender that runs in the middle of the
    batch finds the first one's claims still held, so no mail goes out twice."""
    frozen_clock.frozen_at = NOW
    for number in range(5):
        await queue(f"mail {number}")
    in_the_middle = threading.Event()
    carry_on = threading.Event()

    async def take_a_minute(accepted: int) -> None:
        frozen_clock.frozen_at += timedelta(minutes=1)
        if accepted == 2 and not in_the_middle.is_set():
            in_the_middle.set()
            await asyncio.to_thread(carry_on.wait, 60)

    smtp.mailbox.before_accepting = take_a_minute
    first = asyncio.create_task(send_due(mail_settings, "worker-1"))
    try:
        assert await asyncio.to_thread(in_the_middle.wait, 60)
        assert utcnow() - NOW > CLAIM_LEASE  # longer than one lease since the claim
        second = await send_due(mail_settings, "worker-2")
    finally:
        carry_on.set()
    report = await first

    assert (second.recovered, second.sent) == (0, 0)
    assert report.sent == 5
    messages = await smtp.mailbox.wait_for(5)
    assert [str(message["Subject"]) for message in messages] == [f"mail {n}" for n in range(5)]


async def test_administrators_see_since_when_the_mail_server_is_down_and_how_much_waits(
    database, mail_settings, smtp_down: SmtpServer, frozen_clock, client: PortalClient, cast: Cast
) -> None:
    frozen_clock.frozen_at = NOW
    await queue("one")
    await queue("two")
    await send_due(mail_settings, "worker-1")
    await client.sign_in(cast.admin)

    page = await client.get("/outbox/failed")

    assert page.status_code == 200
    assert "The mail server has not answered since" in page.text
    assert "2 e-mails are waiting and none is given up" in page.text

    smtp_down.start()
    frozen_clock.frozen_at += LONGEST_OUTAGE_WAIT
    assert (await send_due(mail_settings, "worker-1")).sent == 2
    assert "has not answered" not in (await client.get("/outbox/failed")).text
