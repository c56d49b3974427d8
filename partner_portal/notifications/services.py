"""The e-mail outbox: enqueue mails with the change that causes them, render them in
the recipient's language, and send what is due over SMTP (the sender job).

Delivery is at least once and, short of a sender dying between the SMTP server's
acceptance and the "sent" mark, exactly once: a row is claimed by one sender with a
conditional update before it is sent, marked sent by that sender only, and retried
with backoff when SMTP fails. Every message carries a Message-ID made from the row's
UUID, so the rare resend after a crash is recognisable as the same message.
"""

from __future__ import annotations

import email.policy
import logging
import time
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
from partner_portal.database import current_engine, is_sqlite, write_transaction
from partner_portal.notifications.tables import MailOptOut, MailState, Notification, OutboxEmail
from partner_portal.settings import SUPPORTED_LOCALES, Settings
from partner_portal.templating import create_environment

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# A claim older than this belongs to a sender that died; its rows go back to 'due'.
STALE_CLAIM = timedelta(minutes=10)
# A sender stops taking new batches (and hands back unsent claimed rows) after this
# long, so no claim it holds comes near STALE_CLAIM even when SMTP is slow.
SEND_BUDGET_SECONDS = 5 * 60
SMTP_TIMEOUT_SECONDS = 30
ERROR_LENGTH = 1000
# Headers must stay on one line; a subject longer than this is cut.
SUBJECT_LENGTH = 300

# 7bit: non-ASCII bodies (Chinese, Korean) travel base64/quoted-printable encoded,
# which any SMTP server accepts, with or without 8BITMIME.
MAIL_POLICY = email.policy.SMTP.clone(cte_type="7bit")


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


@dataclass
class SendReport:
    """What one run of the sender did."""

    configured: bool = True
    sent: int = 0
    retrying: int = 0  # failed this time, rescheduled with backoff
    given_up: int = 0  # failed for the last time: state 'failed'
    released: int = 0  # claimed but handed back unsent (time budget spent)
    recovered: int = 0  # stale claims of a dead sender put back to 'due'
    queued: int = 0  # due mails left waiting because SMTP is not configured
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
        if self.errors:
            text += " Last error: " + self.errors[-1]
        return text


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 min, 2, 4... at most 1 hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


async def send_due(settings: Settings, worker_id: str, batch: int = 50) -> SendReport:
    """Send every e-mail that is due, claiming ``batch`` at a time.

    Safe to run in several processes at once: each row is claimed by one sender with a
    conditional update. Without SMTP_URL nothing is touched and the report says so.
    """
    if not settings.smtp_url:
        queued = await OutboxEmail.count().where(OutboxEmail.state == MailState.due)
        return SendReport(configured=False, queued=queued)
    report = SendReport()
    report.recovered = await recover_stale_claims()
    started = time.monotonic()
    while time.monotonic() - started < SEND_BUDGET_SECONDS:
        claimed = await _claim(worker_id, batch)
        if not claimed:
            break
        if not await _send_batch(settings, worker_id, claimed, started, report):
            break  # SMTP is unreachable: the other due mails wait for the next run
    return report


async def recover_stale_claims() -> int:
    """Put rows claimed by a sender that stopped (claim older than STALE_CLAIM) back to
    'due'. The interrupted attempt counts, so a mail that kills its sender ends 'failed'."""
    now = utcnow()
    stale = (OutboxEmail.state == MailState.sending) & (OutboxEmail.claimed_at < now - STALE_CLAIM)
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
            .where(stale, OutboxEmail.attempts >= MAX_ATTEMPTS - 1)
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
            .where(stale)
            .returning(OutboxEmail.id)
        )
    if given_up or back:
        logger.warning("recovered %d stale outbox claim(s)", len(given_up) + len(back))
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
    """Claim up to ``batch`` due rows for this sender; rows another sender took are skipped.

    PostgreSQL: the candidate rows are locked with FOR UPDATE SKIP LOCKED, so concurrent
    senders pick different rows. SQLite: the IMMEDIATE transaction serialises senders.
    Either way the update only takes rows still 'due'.
    """
    now = utcnow()
    async with write_transaction():
        if is_sqlite():
            rows = await (
                OutboxEmail.select(OutboxEmail.id)
                .where(OutboxEmail.state == MailState.due, OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.next_attempt_at)
                .order_by(OutboxEmail.id)
                .limit(batch)
            )
        else:
            rows = await OutboxEmail.raw(
                "SELECT id FROM outbox_email WHERE state = {} AND next_attempt_at <= {} "
                "ORDER BY next_attempt_at, id LIMIT {} FOR UPDATE SKIP LOCKED",
                MailState.due.value,
                now,
                batch,
            )
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        claimed = await (
            OutboxEmail.update(
                {
                    OutboxEmail.state: MailState.sending,
                    OutboxEmail.claimed_by: worker_id,
                    OutboxEmail.claimed_at: now,
                }
            )
            .where(OutboxEmail.id.is_in(ids), OutboxEmail.state == MailState.due)
            .returning(*_CLAIMED_COLUMNS)
        )
    return sorted(claimed, key=lambda row: ids.index(row["id"]))


async def _send_batch(
    settings: Settings,
    worker_id: str,
    rows: Sequence[dict[str, Any]],
    started: float,
    report: SendReport,
) -> bool:
    """Send claimed rows over one SMTP connection; False if SMTP could not be reached."""
    assert settings.smtp_url
    client: aiosmtplib.SMTP | None = None
    try:
        for index, row in enumerate(rows):
            if time.monotonic() - started >= SEND_BUDGET_SECONDS:
                report.released += await _release(worker_id, [r["id"] for r in rows[index:]])
                return True
            try:
                if client is None or not client.is_connected:
                    client = _smtp_client(settings.smtp_url)
                    await client.connect()
                    await _log_in(client, settings.smtp_url)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                # SMTP is down or refuses us: this attempt fails for the rest of the batch.
                problem = _describe(error)
                for waiting in rows[index:]:
                    await _record_failure(waiting, worker_id, problem, report)
                if client is not None and client.is_connected:
                    client.close()
                client = None
                return False
            try:
                message = _message(settings, row)
            except (ValueError, TypeError, IndexError) as error:
                # A mail that cannot even be written (a malformed address) never will be.
                await _record_failure(row, worker_id, _describe(error), report, permanent=True)
                continue
            try:
                await client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as error:
                permanent = all(refusal.code >= 500 for refusal in error.recipients)
                await _record_failure(row, worker_id, _describe(error), report, permanent)
            except ValueError as error:  # aiosmtplib found no usable recipient
                await _record_failure(row, worker_id, _describe(error), report, permanent=True)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                await _record_failure(row, worker_id, _describe(error), report)
                if isinstance(error, aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError):
                    if client.is_connected:
                        client.close()
                    client = None  # reconnect for the next mail
            else:
                await _mark_sent(row, worker_id)
                report.sent += 1
        return True
    finally:
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


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


# --- per-user opt-outs -------------------------------------------------------------------


async def opted_out_users(kind: str, user_ids: Sequence[int]) -> set[int]:
    """Which of these users turned e-mails of ``kind`` off (one query for any number)."""
    if not user_ids:
        return set()
    rows = await MailOptOut.select(MailOptOut.user).where(
        MailOptOut.kind == kind, MailOptOut.user.is_in(list(set(user_ids)))
    )
    return {row["user"] for row in rows}


async def opted_out_kinds(user_id: int) -> set[str]:
    rows = await MailOptOut.select(MailOptOut.kind).where(MailOptOut.user == user_id)
    return {row["kind"] for row in rows}


async def set_opt_outs(user_id: int, optional_kinds: Sequence[str], off: Sequence[str]) -> None:
    """Make the user's opt-outs exactly ``off`` among ``optional_kinds`` (the registered ones)."""
    off_set = {kind for kind in off if kind in optional_kinds}
    async with write_transaction():
        await MailOptOut.delete().where(MailOptOut.user == user_id)
        if off_set:
            now = utcnow()
            await MailOptOut.insert(
                *(
                    MailOptOut(
                        user=user_id, kind=kind, user_kind=f"{user_id}:{kind}", created_at=now
                    )
                    for kind in sorted(off_set)
                )
            )


# --- in-app notifications ----------------------------------------------------------------


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    kind: str
    message: str
    link: str = ""


async def notify(*notifications: NewNotification) -> None:
    """Add in-app notifications (the bell); call inside the transaction of their cause."""
    if not notifications:
        return
    now = utcnow()
    await Notification.insert(
        *(
            Notification(
                user=item.user_id,
                kind=item.kind,
                message=item.message[:2000],
                link=item.link,
                created_at=now,
            )
            for item in notifications
        )
    )


async def unread_count(user_id: int) -> int:
    return await Notification.count().where(
        Notification.user == user_id, Notification.read_at.is_null()
    )


async def recent_notifications(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    return await (
        Notification.select(
            Notification.uuid,
            Notification.kind,
            Notification.message,
            Notification.link,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )


async def mark_all_read(user_id: int) -> int:
    async with write_transaction():
        marked = await (
            Notification.update({Notification.read_at: utcnow()})
            .where(Notification.user == user_id, Notification.read_at.is_null())
            .returning(Notification.id)
        )
    return len(marked)


async def mail_exists(mail_uuid: UUID) -> bool:
    return bool(await OutboxEmail.exists().where(OutboxEmail.uuid == mail_uuid))
