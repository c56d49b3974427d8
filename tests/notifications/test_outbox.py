"""The e-mail outbox against a real local SMTP server: every mail arrives exactly once,
whatever SMTP, the transaction or a second sender does."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from partner_portal.database import write_transaction
from partner_portal.notifications.services import (
    CLAIM_LEASE,
    LONGEST_RETRY,
    MAX_ATTEMPTS,
    backoff,
    enqueue_email,
    retry_delay,
    send_due,
    smtp_outage,
)
from partner_portal.notifications.tables import MailState, OutboxEmail
from tests.notifications.conftest import SmtpServer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def queue(
    recipient: str = "buyer@jincheng.test", subject: str = "订单已确认", html: str = ""
) -> None:
    async with write_transaction():
        await enqueue_email(
            kind="test",
            recipient=recipient,
            subject=subject,
            text="您好，张伟：您的订单已确认。",
            html=html,
            locale="zh_Hans",
        )


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


async def test_an_enqueued_mail_arrives_once_with_its_chinese_text_intact(
    database, mail_settings, smtp: SmtpServer
) -> None:
    await queue(html="<p>您好，<b>张伟</b></p>")

    report = await send_due(mail_settings, "worker-1")

    assert report.sent == 1
    [message] = await smtp.mailbox.wait_for(1)
    assert smtp.mailbox.envelope_recipients == [["buyer@jincheng.test"]]
    assert message["To"] == "buyer@jincheng.test"
    assert message["Subject"] == "订单已确认"
    assert "您好，张伟：您的订单已确认。" in plain_text(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<b>张伟</b>" in html.get_content()  # type: ignore[attr-defined]
    row = await OutboxEmail.select().first()
    assert row is not None
    assert row["state"] == MailState.sent
    assert row["sent_at"] is not None
    assert message["Message-ID"] == f"<{row['uuid']}@threadline.local>"

    again = await send_due(mail_settings, "worker-1")
    assert again.sent == 0
    assert len(smtp.mailbox.messages) == 1


async def test_a_mail_enqueued_in_a_transaction_that_rolls_back_is_never_sent(
    database, mail_settings, smtp: SmtpServer
) -> None:
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed):
        async with write_transaction():
            await enqueue_email(
                kind="test", recipient="a@b.test", subject="S", text="T", locale="en"
            )
            raise ChangeFailed

    report = await send_due(mail_settings, "worker-1")

    assert report.sent == 0
    assert await OutboxEmail.count() == 0
    assert smtp.mailbox.messages == []


async def test_enqueueing_outside_a_transaction_is_refused(database) -> None:
    with pytest.raises(RuntimeError, match="write_transaction"):
        await enqueue_email(kind="test", recipient="a@b.test", subject="S", text="T", locale="en")
    assert await OutboxEmail.count() == 0


async def test_when_smtp_is_down_the_mail_waits_and_later_arrives_exactly_once(
    database, mail_settings, smtp_down: SmtpServer, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await queue()

    report = await send_due(mail_settings, "worker-1")

    assert (report.sent, report.retrying, report.queued) == (0, 0, 1)
    assert "has not answered since" in report.message
    row = await OutboxEmail.select().first()
    assert row is not None
    # The outage is the server's, not the mail's: the mail spent no attempt.
    assert (row["state"], row["attempts"], row["claimed_by"]) == (MailState.due, 0, "")
    outage = await smtp_outage()
    assert outage is not None
    assert outage.since == NOW
    assert NOW + timedelta(seconds=45) <= outage.next_attempt_at <= NOW + timedelta(minutes=1)

    smtp_down.start()
    # Not yet time to try the server again, even though it is back.
    assert (await send_due(mail_settings, "worker-1")).sent == 0
    assert smtp_down.mailbox.messages == []

    frozen_clock.frozen_at = outage.next_attempt_at
    assert (await send_due(mail_settings, "worker-1")).sent == 1
    assert (await send_due(mail_settings, "worker-2")).sent == 0
    messages = await smtp_down.mailbox.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "订单已确认"
    row = await OutboxEmail.select().first()
    assert row is not None
    assert (row["state"], row["attempts"]) == (MailState.sent, 0)
    assert await smtp_outage() is None


class FixedJitter(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


async def test_a_failing_mail_waits_from_a_minute_doubling_to_six_hours_for_3_to_5_days() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    for delay, minutes in zip(delays, (1, 2, 4, 8), strict=False):
        assert timedelta(minutes=minutes) * 0.75 <= delay <= timedelta(minutes=minutes)
    assert max(delays) <= LONGEST_RETRY == timedelta(hours=6)
    for jitter in (0.0, 0.9999):
        waited = sum(
            (
                backoff(attempt, LONGEST_RETRY, FixedJitter(jitter))
                for attempt in range(1, MAX_ATTEMPTS)
            ),
            timedelta(),
        )
        assert timedelta(days=3) < waited < timedelta(days=5)


async def test_two_senders_at_once_deliver_each_mail_exactly_once(
    database, mail_settings, smtp: SmtpServer
) -> None:
    for number in range(7):
        await queue(recipient=f"buyer{number}@jincheng.test", subject=f"订单 {number}")

    first, second = await asyncio.gather(
        send_due(mail_settings, "worker-1", batch=2),
        send_due(mail_settings, "worker-2", batch=2),
    )

    assert first.sent + second.sent == 7
    messages = await smtp.mailbox.wait_for(7)
    assert sorted(str(message["Subject"]) for message in messages) == [
        f"订单 {number}" for number in range(7)
    ]
    assert await OutboxEmail.count().where(OutboxEmail.state == MailState.sent) == 7


async def test_a_claim_left_by_a_stopped_sender_is_recovered(
    database, mail_settings, smtp: SmtpServer, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    await queue(subject="stale claim")
    await queue(subject="busy claim")
    await OutboxEmail.update(
        {
            OutboxEmail.state: MailState.sending,
            OutboxEmail.claimed_by: "crashed-worker",
            OutboxEmail.claimed_at: NOW - CLAIM_LEASE - timedelta(seconds=1),
        }
    ).where(OutboxEmail.subject == "stale claim")
    await OutboxEmail.update(
        {
            OutboxEmail.state: MailState.sending,
            OutboxEmail.claimed_by: "busy-worker",
            OutboxEmail.claimed_at: NOW - timedelta(minutes=1),
        }
    ).where(OutboxEmail.subject == "busy claim")

    report = await send_due(mail_settings, "worker-1")

    assert (report.recovered, report.sent) == (1, 1)
    [message] = await smtp.mailbox.wait_for(1)
    assert message["Subject"] == "stale claim"
    busy = await OutboxEmail.select().where(OutboxEmail.subject == "busy claim").first()
    assert busy is not None
    assert (busy["state"], busy["claimed_by"]) == (MailState.sending, "busy-worker")


async def test_a_sender_that_lost_its_claim_does_not_settle_the_row(
    database, mail_settings, smtp: SmtpServer, frozen_clock
) -> None:
    """A row re-claimed by another sender is that sender's to mark sent or failed."""
    from partner_portal.notifications import services

    frozen_clock.frozen_at = NOW
    await queue()
    [claimed] = await services._claim("slow-worker", 10)
    await OutboxEmail.update({OutboxEmail.claimed_by: "other-worker"}, force=True)

    await services._mark_sent(claimed, "slow-worker")

    row = await OutboxEmail.select().first()
    assert row is not None
    assert (row["state"], row["claimed_by"]) == (MailState.sending, "other-worker")


async def test_without_smtp_url_everything_stays_queued(
    database, settings, smtp: SmtpServer
) -> None:
    await queue()

    report = await send_due(settings, "worker-1")

    assert not report.configured
    assert report.queued == 1
    assert "SMTP_URL is not set" in report.message
    assert smtp.mailbox.messages == []
    row = await OutboxEmail.select(OutboxEmail.state, OutboxEmail.attempts).first()
    assert row == {"state": MailState.due, "attempts": 0}


async def test_a_mail_that_cannot_be_delivered_fails_at_once_without_holding_up_the_others(
    database, mail_settings, smtp: SmtpServer
) -> None:
    await queue(subject="good")
    await queue(subject="header injection")
    await OutboxEmail.update({OutboxEmail.recipient: "a@b.test\nBcc: evil@x.test"}).where(
        OutboxEmail.subject == "header injection"
    )

    report = await send_due(mail_settings, "worker-1")

    assert (report.sent, report.given_up) == (1, 1)
    [message] = await smtp.mailbox.wait_for(1)
    assert message["Subject"] == "good"
    failed = await OutboxEmail.select(OutboxEmail.attempts, OutboxEmail.last_error).where(
        OutboxEmail.state == MailState.failed
    )
    assert len(failed) == 1
    assert failed[0]["attempts"] == 1
    assert "linefeed" in failed[0]["last_error"]


async def test_a_recipient_with_a_line_break_is_refused_when_queued(database) -> None:
    with pytest.raises(ValueError, match="recipient"):
        async with write_transaction():
            await enqueue_email(
                kind="test",
                recipient="a@b.test\r\nBcc: x@y.test",
                subject="S",
                text="T",
                locale="en",
            )
    assert await OutboxEmail.count() == 0


async def test_when_smtp_is_unreachable_the_run_stops_without_spending_any_mails_attempts(
    database, mail_settings, smtp_down: SmtpServer, frozen_clock
) -> None:
    frozen_clock.frozen_at = NOW
    for number in range(3):
        await queue(subject=f"mail {number}")

    report = await send_due(mail_settings, "worker-1", batch=1)

    assert (report.sent, report.retrying, report.queued, len(report.errors)) == (0, 0, 3, 1)
    attempts = [row["attempts"] for row in await OutboxEmail.select(OutboxEmail.attempts)]
    assert attempts == [0, 0, 0]
    assert await OutboxEmail.count().where(OutboxEmail.state == MailState.sending) == 0

    smtp_down.start()
    frozen_clock.frozen_at = NOW + timedelta(minutes=1)
    assert (await send_due(mail_settings, "worker-1", batch=1)).sent == 3
    assert [str(message["Subject"]) for message in await smtp_down.mailbox.wait_for(3)] == [
        "mail 0",
        "mail 1",
        "mail 2",
    ]
