"""The e-mail outbox: enqueue mails with the change that causes them, render them in
the recipient's language, and send what is due over SMTP (the sender job).

Delivery is at least once and, short of a sender dying between the SMTP server's
acceptance and the "sent" mark, exactly once: a row is claimed by one sender with a
conditional update before it is sent (a short lease, renewed while the sender works),
marked sent by that sender only, and retried with backoff for days when it fails. When
the SMTP server itself does not answer, the whole queue waits for it instead, and goes
out in one round over one connection when it is back. Every message carries a
Message-ID made from the row's UUID, so the rare resend after a crash is recognisable
as the same message.
"""

from __future__ import annotations

import email.policy
import logging
import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

import aiosmtplib
from jinja2 import Environment, TemplateNotFound

from partner_portal import i18n
from partner_portal.clock import utcnow
from partner_portal.database import claim_due, current_engine, write_transaction
from partner_portal.notifications.preferences import opted_out_users
from partner_portal.notifications.tables import (
    MailServerStatus,
    MailState,
    OutboxEmail,
)
from partner_portal.settings import SUPPORTED_LOCALES, Settings
from partner_portal.templating import create_environment

logger = logging.getLogger(__name__)

# A mail that keeps failing (a mailbox that is full, a server that refuses it for now)
# is tried this many times, the waits doubling from FIRST_RETRY to LONGEST_RETRY: over
# about 3.3 to 4.4 days (the jitter decides), then it is kept as 'failed'.
MAX_ATTEMPTS = 26
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# While the SMTP server does not answer, no mail spends attempts: the whole queue waits,
# with one connection attempt per wait, which grows from 1 minute to this, so the queue
# goes out within minutes of the server coming back, however long it was down.
LONGEST_OUTAGE_WAIT = timedelta(minutes=10)
SMTP_SERVER = "smtp"  # the name of the SMTP server's row in mail_server_status
# A claim is a lease: a sender that stops (killed, its machine gone) holds its rows this
# long at most, then another sender takes them over. A working sender renews the lease
# of its batch before each mail once this much of it has passed.
CLAIM_LEASE = timedelta(minutes=2)
RENEW_CLAIMS_AFTER = CLAIM_LEASE / 4
# Per SMTP command; a mail's commands together stay well inside what is left of the lease.
SMTP_TIMEOUT_SECONDS = 20
ERROR_LENGTH = 1000
# Headers must stay on one line; a subject longer than this is cut.
SUBJECT_LENGTH = 300

# 7bit: non-ASCII bodies (Chinese, Korean) travel base64/quoted-printable encoded,
# which any SMTP server accepts, with or without 8BITMIME.
MAIL_POLICY = email.policy.SMTP.clone(cte_type="7bit")

# Jitter of the retry waits (not a secret).
_jitter = random.Random()


# --- enqueueing and rendering --------------------------------------------------------


async def enqueue_email(
    *,
    kind: str,
    recipient: str,
    subject: str,
    text: str,
    html: str = "",
    locale: str,
    user_id: int | None = None,
) -> UUID | None:
    """Put an e-mail in the outbox; the sender job delivers it.

    Call it INSIDE the write_transaction() of the change that causes the mail, so the
    mail exists if and only if that change committed. Returns the outbox row's UUID, or
    None when the user turned this kind of e-mail off (only kinds registered as optional
    in registry.email_kinds can be turned off; invitations always go).
    """
    if not current_engine().transaction_exists():
        raise RuntimeError(
            "enqueue_email must run inside the write_transaction() of the change it reports"
        )
    if user_id is not None and await opted_out_users(kind, [user_id]):
        return None
    recipient = recipient.strip()
    if not recipient or any(character in recipient for character in "\r\n"):
        raise ValueError(f"not a usable e-mail recipient: {recipient!r}")
    now = utcnow()
    row = (
        await OutboxEmail.insert(
            OutboxEmail(
                kind=kind,
                recipient=recipient,
                subject=_one_line(subject),
                body_text=text,
                body_html=html,
                locale=locale,
                state=MailState.due,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                user=user_id,
            )
        )
        .returning(OutboxEmail.uuid)
        .run()
    )
    return UUID(str(row[0]["uuid"]))


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return create_environment()


async def mail_user(
    user: Mapping[str, Any],
    kind: str,
    template_name: str,
    context: Mapping[str, Any],
    settings: Settings,
) -> UUID | None:
    """Write one of our users an e-mail from templates/emails/<template_name> in their
    language and time zone, and put it in the outbox. ``user`` needs id, email, locale
    and time_zone. Call inside the write transaction of the change the mail reports;
    None when the user turned this kind of e-mail off."""
    locale = mail_locale(user.get("locale"), settings)
    rendered = render_email(
        template_name, context, locale, user.get("time_zone") or settings.default_time_zone
    )
    return await enqueue_email(
        kind=kind,
        recipient=user["email"],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        locale=locale,
        user_id=user["id"],
    )


def mail_locale(user_locale: str | None, settings: Settings) -> str:
    """The language to write to a user in: theirs, else the portal's default."""
    return user_locale if user_locale in SUPPORTED_LOCALES else settings.default_locale


@contextmanager
def _language(locale: str, time_zone: str | None) -> Iterator[None]:
    locale_token = i18n.current_locale.set(locale)
    zone_token = i18n.current_time_zone.set(time_zone) if time_zone else None
    region_token = i18n.current_region_locale.set(None)
    try:
        yield
    finally:
        i18n.current_region_locale.reset(region_token)
        if zone_token is not None:
            i18n.current_time_zone.reset(zone_token)
        i18n.current_locale.reset(locale_token)


def render_email(
    template_name: str,
    context: Mapping[str, Any],
    locale: str,
    time_zone: str | None = None,
) -> RenderedEmail:
    """Subject, plain text and (if the template exists) HTML of an e-mail, written in
    ``locale`` (and with dates in ``time_zone``), from templates/emails/<name>.subject.txt,
    .txt and .html."""
    environment = _environment()
    with _language(locale, time_zone):
        subject = environment.get_template(f"emails/{template_name}.subject.txt").render(context)
        text = environment.get_template(f"emails/{template_name}.txt").render(context)
        try:
            html_template = environment.get_template(f"emails/{template_name}.html")
        except TemplateNotFound:
            html = ""
        else:
            html = html_template.render(context)
    return RenderedEmail(subject=_one_line(subject), text=text.strip() + "\n", html=html)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:SUBJECT_LENGTH]


# --- sending ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpOutage:
    """The SMTP server stopped answering: since when, how many rounds in a row failed to
    reach it, and when the next round tries again."""

    since: datetime
    failures: int
    next_attempt_at: datetime
    last_error: str


@dataclass
class SendReport:
    """What one run of the sender did."""

    configured: bool = True
    sent: int = 0
    retrying: int = 0  # failed this time, rescheduled with backoff
    given_up: int = 0  # failed for the last time: state 'failed'
    released: int = 0  # claimed but handed back unsent (SMTP went away mid-round)
    recovered: int = 0  # expired claims of a stopped sender put back to 'due'
    queued: int = 0  # due mails left waiting (SMTP not configured, or not answering)
    outage: SmtpOutage | None = None  # set while the SMTP server does not answer
    errors: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.configured:
            return (
                f"SMTP_URL is not set: {self.queued} e-mail(s) stay queued in the outbox "
                "until it is configured."
            )
        parts = [f"sent {self.sent}"]
        if self.retrying:
            parts.append(f"{self.retrying} to retry later")
        if self.given_up:
            parts.append(f"{self.given_up} failed for good")
        if self.released:
            parts.append(f"{self.released} handed back for the next run")
        if self.recovered:
            parts.append(f"{self.recovered} recovered from a stopped sender")
        text = "E-mail: " + ", ".join(parts) + "."
        if self.outage is not None:
            text += (
                f" The SMTP server has not answered since {self.outage.since:%Y-%m-%d %H:%M} "
                f"UTC: {self.queued} e-mail(s) wait, none is given up; the next try is at "
                f"{self.outage.next_attempt_at:%Y-%m-%d %H:%M} UTC."
            )
        if self.errors:
            text += " Last error: " + self.errors[-1]
        return text


def backoff(failures: int, longest: timedelta, rng: random.Random = _jitter) -> timedelta:
    """The wait after ``failures`` failures in a row: 1 min, 2, 4... at most ``longest``,
    each shortened by up to a quarter at random, so mails (and senders) that failed
    together do not all come back in the same second."""
    doublings = min(max(failures - 1, 0), 30)  # 2**30 minutes is far beyond any ``longest``
    return min(FIRST_RETRY * 2**doublings, longest) * (1 - 0.25 * rng.random())


def retry_delay(attempts: int) -> timedelta:
    """The wait after a mail's ``attempts``-th failed attempt: 1 min doubling to 6 h."""
    return backoff(attempts, LONGEST_RETRY)


async def send_due(settings: Settings, worker_id: str, batch: int = 50) -> SendReport:
    """Send every e-mail that is due over one SMTP connection, claiming ``batch`` at a time.

    Safe to run in several processes at once: each row is claimed by one sender with a
    conditional update. Without SMTP_URL nothing is touched and the report says so. While
    the SMTP server does not answer, a round makes one connection attempt (none during
    the wait after a failed one) and no mail spends an attempt of its own.
    """
    if not settings.smtp_url:
        return SendReport(configured=False, queued=await waiting_count())
    report = SendReport()
    report.recovered = await recover_expired_claims()
    outage = await smtp_outage()
    if outage is not None and outage.next_attempt_at > utcnow():
        report.outage = outage
    elif await due_count():
        connection = _SmtpConnection(settings.smtp_url)
        try:
            if await connection.open(report) is not None:
                if outage is not None:
                    await _end_outage(outage)
                while claimed := await _claim(worker_id, batch):
                    if not await _send_batch(settings, connection, worker_id, claimed, report):
                        break  # SMTP went away: the rest of the queue waits with it
        finally:
            await connection.close()
    if report.outage is not None:
        report.queued = await waiting_count()
    return report


async def smtp_outage() -> SmtpOutage | None:
    """The SMTP server's outage as the senders last saw it; None when it answers."""
    row = await (
        MailServerStatus.select()
        .where(MailServerStatus.name == SMTP_SERVER, MailServerStatus.failures > 0)
        .first()
    )
    if row is None:
        return None
    return SmtpOutage(
        since=row["down_since"],
        failures=row["failures"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
    )


async def _record_outage(problem: str, report: SendReport) -> None:
    """SMTP could not be reached: the whole queue waits, longer after each failed round."""
    now = utcnow()
    async with write_transaction():
        await MailServerStatus.insert(MailServerStatus(name=SMTP_SERVER)).on_conflict(
            action="DO NOTHING"
        )
        [row] = await (
            MailServerStatus.update(
                {MailServerStatus.failures: MailServerStatus.failures + 1}, use_auto_update=False
            )
            .where(MailServerStatus.name == SMTP_SERVER)
            .returning(MailServerStatus.failures, MailServerStatus.down_since)
        )
        outage = SmtpOutage(
            since=row["down_since"] or now,
            failures=row["failures"],
            next_attempt_at=now + backoff(row["failures"], LONGEST_OUTAGE_WAIT),
            last_error=problem,
        )
        await MailServerStatus.update(
            {
                MailServerStatus.down_since: outage.since,
                MailServerStatus.next_attempt_at: outage.next_attempt_at,
                MailServerStatus.last_error: problem,
            }
        ).where(MailServerStatus.name == SMTP_SERVER)
    report.outage = outage
    report.errors.append(problem)
    logger.warning(
        "the SMTP server does not answer (%d round(s) in a row): %s", outage.failures, problem
    )


async def _end_outage(outage: SmtpOutage) -> None:
    async with write_transaction():
        await MailServerStatus.update(
            {
                MailServerStatus.failures: 0,
                MailServerStatus.down_since: None,
                MailServerStatus.next_attempt_at: None,
                MailServerStatus.last_error: "",
            }
        ).where(MailServerStatus.name == SMTP_SERVER)
    logger.info("the SMTP server answers again (it was down since %s)", outage.since)


async def recover_expired_claims() -> int:
    """Put rows whose claim lapsed (their sender stopped: CLAIM_LEASE passed without a
    renewal) back to 'due' for the next sender. The interrupted attempt counts, so a mail
    that kills every sender that tries it ends 'failed'."""
    now = utcnow()
    expired = (OutboxEmail.state == MailState.sending) & (
        OutboxEmail.claimed_at < now - CLAIM_LEASE
    )
    error = "the sender stopped while sending (its claim expired)"
    async with write_transaction():
        given_up = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.failed,
                    OutboxEmail.attempts: OutboxEmail.attempts + 1,
                    OutboxEmail.last_error: error,
                    OutboxEmail.claimed_by: "",
                    OutboxEmail.claimed_at: None,
                }
            )
            .where(expired, OutboxEmail.attempts >= MAX_ATTEMPTS - 1)
            .returning(OutboxEmail.id)
        )
        back = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.due,
                    OutboxEmail.attempts: OutboxEmail.attempts + 1,
                    OutboxEmail.last_error: error,
                    OutboxEmail.next_attempt_at: now,
                    OutboxEmail.claimed_by: "",
                    OutboxEmail.claimed_at: None,
                }
            )
            .where(expired)
            .returning(OutboxEmail.id)
        )
    if given_up or back:
        logger.warning("recovered %d expired outbox claim(s)", len(given_up) + len(back))
    return len(given_up) + len(back)


_CLAIMED_COLUMNS = (
    OutboxEmail.id,
    OutboxEmail.uuid,
    OutboxEmail.recipient,
    OutboxEmail.subject,
    OutboxEmail.body_text,
    OutboxEmail.body_html,
    OutboxEmail.attempts,
)


async def _claim(worker_id: str, batch: int) -> list[dict[str, Any]]:
    """Claim up to ``batch`` due rows for this sender, oldest first; rows another sender
    took are skipped. The claim is a lease of CLAIM_LEASE from ``claimed_at``.

    database.claim_due: on PostgreSQL the candidate rows are locked with FOR UPDATE SKIP
    LOCKED, so concurrent senders pick different rows; on SQLite the IMMEDIATE transaction
    serialises senders. Either way the update only takes rows still 'due'.
    """
    now = utcnow()
    async with write_transaction():
        return await claim_due(
            OutboxEmail,
            due=(OutboxEmail.state == MailState.due) & (OutboxEmail.next_attempt_at <= now),
            order_by=(OutboxEmail.next_attempt_at, OutboxEmail.id),
            batch=batch,
            claim={
                OutboxEmail.state: MailState.sending,
                OutboxEmail.claimed_by: worker_id,
                OutboxEmail.claimed_at: now,
            },
            still_due=OutboxEmail.state == MailState.due,
            returning=_CLAIMED_COLUMNS,
        )


async def _renew_claims(worker_id: str, ids: list[int]) -> set[int]:
    """Extend this sender's lease on rows it still holds; returns their ids."""
    async with write_transaction():
        renewed = await (
            OutboxEmail.update({OutboxEmail.claimed_at: utcnow()})
            .where(
                OutboxEmail.id.is_in(ids),
                OutboxEmail.state == MailState.sending,
                OutboxEmail.claimed_by == worker_id,
            )
            .returning(OutboxEmail.id)
        )
    return {row["id"] for row in renewed}


# Reaching the SMTP server failed: the server is down, refuses us or rejects our login.
_CONNECTION_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)


class _SmtpConnection:
    """The one SMTP connection of a sending round, opened again if the server drops it."""

    def __init__(self, smtp_url: str) -> None:
        self.smtp_url = smtp_url
        self.client: aiosmtplib.SMTP | None = None

    async def ready(self) -> aiosmtplib.SMTP:
        """The connected, logged-in client; raises one of _CONNECTION_ERRORS if SMTP
        cannot be reached."""
        if self.client is not None and self.client.is_connected:
            return self.client
        self.drop()
        self.client = _smtp_client(self.smtp_url)
        await self.client.connect()
        await _log_in(self.client, self.smtp_url)
        return self.client

    async def open(self, report: SendReport) -> aiosmtplib.SMTP | None:
        """The client, connecting if needed; None when SMTP cannot be reached, and then
        the outage is recorded: the whole queue waits."""
        try:
            return await self.ready()
        except _CONNECTION_ERRORS as error:
            self.drop()
            await _record_outage(_describe(error), report)
            return None

    def drop(self) -> None:
        if self.client is not None and self.client.is_connected:
            self.client.close()
        self.client = None

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except _CONNECTION_ERRORS:
                self.client.close()
        self.client = None


async def _send_batch(
    settings: Settings,
    connection: _SmtpConnection,
    worker_id: str,
    rows: Sequence[dict[str, Any]],
    report: SendReport,
) -> bool:
    """Send claimed rows in order; False if SMTP went away (the unsent rows are handed
    back without spending an attempt, and the outage is recorded)."""
    lease_renewed_at = utcnow()
    held = {row["id"] for row in rows}
    for index, row in enumerate(rows):
        if utcnow() - lease_renewed_at >= RENEW_CLAIMS_AFTER:
            held = await _renew_claims(worker_id, [r["id"] for r in rows[index:]])
            lease_renewed_at = utcnow()
        if row["id"] not in held:
            continue  # the lease lapsed and another sender took the row over
        try:
            message = _message(settings, row)
        except (ValueError, TypeError, IndexError) as error:
            # A mail that cannot even be written (a malformed address) never will be.
            await _record_failure(row, worker_id, _describe(error), report, permanent=True)
            continue
        client = await connection.open(report)
        if client is None:
            report.released += await _release(worker_id, [r["id"] for r in rows[index:]])
            return False
        try:
            await client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            permanent = all(refusal.code >= 500 for refusal in error.recipients)
            await _record_failure(row, worker_id, _describe(error), report, permanent)
        except ValueError as error:  # aiosmtplib found no usable recipient
            await _record_failure(row, worker_id, _describe(error), report, permanent=True)
        except _CONNECTION_ERRORS as error:
            # The server failed on this mail (or dropped the connection while taking it):
            # it counts for this mail; the next one reconnects.
            await _record_failure(row, worker_id, _describe(error), report)
            if isinstance(error, aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError):
                connection.drop()
        else:
            await _mark_sent(row, worker_id)
            report.sent += 1
    return True


def _smtp_client(smtp_url: str) -> aiosmtplib.SMTP:
    """An SMTP client for smtp:// (plain), smtp+starttls:// or smtps:// (implicit TLS)."""
    parts = urlsplit(smtp_url)
    implicit_tls = parts.scheme == "smtps"
    default_port = 465 if implicit_tls else 587 if parts.scheme == "smtp+starttls" else 25
    return aiosmtplib.SMTP(
        hostname=parts.hostname,
        port=parts.port or default_port,
        use_tls=implicit_tls,
        start_tls=parts.scheme == "smtp+starttls",
        timeout=SMTP_TIMEOUT_SECONDS,
    )


async def _log_in(client: aiosmtplib.SMTP, smtp_url: str) -> None:
    parts = urlsplit(smtp_url)
    if parts.username:
        await client.login(unquote(parts.username), unquote(parts.password or ""))


def _message(settings: Settings, row: Mapping[str, Any]) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = settings.mail_from
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{row['uuid']}@{_mail_domain(settings.mail_from)}>"
    message.set_content(row["body_text"])
    if row["body_html"]:
        message.add_alternative(row["body_html"], subtype="html")
    return message


def _mail_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    try:
        domain = Address(addr_spec=address).domain
    except (ValueError, IndexError):
        domain = ""
    return domain or "threadline.local"


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


async def _mark_sent(row: Mapping[str, Any], worker_id: str) -> None:
    async with write_transaction():
        marked = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.sent,
                    OutboxEmail.sent_at: utcnow(),
                    OutboxEmail.last_error: "",
                }
            )
            .where(*_still_ours(row["id"], worker_id))
            .returning(OutboxEmail.id)
        )
    if not marked:
        logger.warning("outbox e-mail %s was sent after its claim expired", row["uuid"])


async def _record_failure(
    row: Mapping[str, Any],
    worker_id: str,
    problem: str,
    report: SendReport,
    permanent: bool = False,
) -> None:
    """Count a failed attempt: reschedule with backoff, or give up after MAX_ATTEMPTS."""
    attempts = int(row["attempts"]) + 1
    give_up = permanent or attempts >= MAX_ATTEMPTS
    now = utcnow()
    async with write_transaction():
        await OutboxEmail.update(
            {
                OutboxEmail.state: MailState.failed if give_up else MailState.due,
                OutboxEmail.attempts: attempts,
                OutboxEmail.last_error: problem,
                OutboxEmail.next_attempt_at: now if give_up else now + retry_delay(attempts),
                OutboxEmail.claimed_by: "",
                OutboxEmail.claimed_at: None,
            }
        ).where(*_still_ours(row["id"], worker_id))
    if give_up:
        report.given_up += 1
        logger.error("outbox e-mail %s failed for good: %s", row["uuid"], problem)
    else:
        report.retrying += 1
        logger.warning("outbox e-mail %s failed (attempt %d): %s", row["uuid"], attempts, problem)
    report.errors.append(problem)


async def _release(worker_id: str, ids: list[int]) -> int:
    """Hand claimed, unsent rows back to 'due' without counting an attempt."""
    async with write_transaction():
        released = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.due,
                    OutboxEmail.claimed_by: "",
                    OutboxEmail.claimed_at: None,
                }
            )
            .where(
                OutboxEmail.id.is_in(ids),
                OutboxEmail.state == MailState.sending,
                OutboxEmail.claimed_by == worker_id,
            )
            .returning(OutboxEmail.id)
        )
    return len(released)


def _still_ours(row_id: int, worker_id: str) -> tuple[Any, ...]:
    # A sender only settles rows it still holds: if its claim expired and another
    # sender took the row, that sender decides.
    return (
        OutboxEmail.id == row_id,
        OutboxEmail.state == MailState.sending,
        OutboxEmail.claimed_by == worker_id,
    )


async def waiting_count() -> int:
    """How many e-mails wait to be sent, now or at their next attempt."""
    return await OutboxEmail.count().where(OutboxEmail.state == MailState.due)


async def due_count(now: datetime | None = None) -> int:
    """How many e-mails are waiting to be sent now."""
    return await OutboxEmail.count().where(
        OutboxEmail.state == MailState.due, OutboxEmail.next_attempt_at <= (now or utcnow())
    )


async def retry_failed(mail_uuid: UUID) -> bool:
    """Give a mail that failed for good a fresh start (an administrator fixed the cause).

    Conditional on 'failed', so a double click queues it once. True if it was queued again.
    """
    async with write_transaction():
        queued = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.due,
                    OutboxEmail.attempts: 0,
                    OutboxEmail.next_attempt_at: utcnow(),
                }
            )
            .where(OutboxEmail.uuid == mail_uuid, OutboxEmail.state == MailState.failed)
            .returning(OutboxEmail.id)
        )
    return bool(queued)


async def failed_mails(limit: int = 200) -> list[dict[str, Any]]:
    """Mails that failed for good, newest first, for the administrators' page."""
    return await (
        OutboxEmail.select(
            OutboxEmail.uuid,
            OutboxEmail.kind,
            OutboxEmail.recipient,
            OutboxEmail.subject,
            OutboxEmail.attempts,
            OutboxEmail.last_error,
            OutboxEmail.created_at,
            OutboxEmail.next_attempt_at,
        )
        .where(OutboxEmail.state == MailState.failed)
        .order_by(OutboxEmail.id, ascending=False)
        .limit(limit)
    )


async def mail_exists(mail_uuid: UUID) -> bool:
    return bool(await OutboxEmail.exists().where(OutboxEmail.uuid == mail_uuid))
