"""What an event test reads back: who was told in the portal (rendered in each reader's
language, as their notifications page shows it) and what reached the real SMTP server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from partner_portal import i18n, messages
from partner_portal.notifications.services import send_due
from partner_portal.notifications.tables import Notification
from partner_portal.partners.tables import User
from tests.notifications.conftest import SmtpServer
from tests.support import Cast, Member

# Who reads which language in these tests: both sides, all three languages.
LANGUAGES = {
    "distributor": "zh_Hans",
    "distributor_colleague": "ko",
    "kam": "en",
    "staff": "ko",
    "supplier": "ko",
    "bank_admin": "zh_Hans",
}


async def set_languages(cast: Cast, names: Iterable[str] = LANGUAGES) -> None:
    for name in names:
        member = getattr(cast, name, None)
        if member is not None:
            await User.update({User.locale: LANGUAGES[name]}).where(User.id == member.id)


@dataclass(frozen=True)
class Told:
    """One round of telling: the texts each user's bell shows (in their language) and the
    e-mails the SMTP server received, by recipient."""

    texts: dict[int, list[str]]
    mails: dict[str, list[EmailMessage]]

    def users(self) -> set[int]:
        return set(self.texts)

    def text_for(self, member: Member) -> str:
        [text] = self.texts[member.id]
        return text

    def subject_for(self, member: Member) -> str:
        [mail] = self.mails[member.email]
        return str(mail["Subject"])


async def told_since(last_id: int, settings: Any, smtp: SmtpServer) -> Told:
    """Notifications after id ``last_id``, rendered as their readers read them, and what
    the sender delivers now."""
    rows = await (
        Notification.select(
            Notification.user,
            Notification.message,
            Notification.params,
            Notification.user.locale.as_alias("locale"),  # type: ignore[attr-defined]
        )
        .where(Notification.id > last_id)
        .order_by(Notification.id)
        .output(load_json=True)
    )
    texts: dict[int, list[str]] = {}
    for row in rows:
        token = i18n.current_locale.set(row["locale"])
        try:
            texts.setdefault(row["user"], []).append(messages.render(row["message"], row["params"]))
        finally:
            i18n.current_locale.reset(token)
    already = len(smtp.mailbox.messages)
    report = await send_due(settings, "events-test")
    delivered = await smtp.mailbox.wait_for(already + report.sent)
    mails: dict[str, list[EmailMessage]] = {}
    for message in delivered[already:]:
        mails.setdefault(str(message["To"]), []).append(message)
    return Told(texts, mails)


async def last_notification_id() -> int:
    row = await (
        Notification.select(Notification.id).order_by(Notification.id, ascending=False).first()
    )
    return row["id"] if row else 0
