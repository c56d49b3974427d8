"""The e-mail outbox: every e-mail is a row here first, written in the same transaction
as the change that causes it, and sent later by the sender job (services.send_due).
Beside it: the in-app notifications (the bell) and each user's choices of what reaches
them how."""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import (
    JSON,
    UUID,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.events.tables import DomainEvent
from partner_portal.partners.tables import User


class MailState(enum.StrEnum):
    due = "due"  # waiting for its next attempt (next_attempt_at)
    sending = "sending"  # claimed by a sender (claimed_by, claimed_at)
    sent = "sent"
    failed = "failed"  # gave up; kept for the administrators


class OutboxEmail(Table, tablename="outbox_email"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    kind = Varchar(length=40, index=True)
    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    locale = Varchar(length=10, default="en")
    state = Varchar(length=10, choices=MailState, default=MailState.due, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_at = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=100, default="")
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    # The user the mail is for, when it is one of ours (per-user opt-outs of kinds later).
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null, index=True)


class MailServerStatus(Table, tablename="mail_server_status"):
    """Whether the SMTP server answers, shared by every sender: while it is down the whole
    queue waits for ``next_attempt_at`` (one connection attempt per wait, growing with
    ``failures``) instead of each mail spending attempts of its own. One row, ``name`` "smtp".
    """

    id: Serial
    name = Varchar(length=20, unique=True)
    failures = Integer(default=0)  # failed connection rounds in a row; 0 when it answers
    down_since = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")


class NotificationMail(enum.StrEnum):
    """Whether a notification also went out by e-mail."""

    none = ""  # in the portal only
    sent = "sent"  # an e-mail of its own was queued with it
    digest = "digest"  # waits for the reader's daily digest
    digested = "digested"  # told in a digest


class Notification(Table, tablename="notification"):
    """An in-app notification: the bell in the top bar counts the unread ones.

    ``message`` is a message id and ``params`` its parameters, rendered in the reader's
    language when read (partner_portal/messages.py)."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    message = Text()
    params = JSON(default="{}")
    link = Varchar(length=300, default="")
    # The event it tells of (None: a reminder or other notice of one user's own).
    event = ForeignKey(DomainEvent, null=True, default=None, on_delete=OnDelete.cascade)
    mail = Varchar(length=10, choices=NotificationMail, default=NotificationMail.none)
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)


class Choice(enum.StrEnum):
    """How a kind of notice reaches a user."""

    email = "email"  # in the portal and by e-mail (the default)
    in_app = "in_app"  # in the portal only
    off = "off"  # not at all (for a kind of e-mail only: no e-mail)
    daily = "daily"  # the "digest" kind: e-mails wait for one summary a day


class NotificationPreference(Table, tablename="notification_preference"):
    """A user's choice for one kind of notice, where it differs from the default (e-mail
    and in the portal); ``kind`` is an event type (registry.event_kinds), a kind of
    e-mail (registry.email_kinds) or "digest".

    ``user_kind`` is "<user id>:<kind>", unique, so a user has one choice per kind.
    """

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    choice = Varchar(length=10, choices=Choice, default=Choice.off)
    user_kind = Varchar(length=100, unique=True)
    created_at = Timestamptz()


class DigestClaim(Table, tablename="notification_digest_claim"):
    """One user's digest of one day, claimed by the scheduler that writes it (the unique
    ``user_day``, "<user id>:<local date>", chooses one when two run)."""

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    user_day = Varchar(length=40, unique=True)
    claimed_by = Varchar(length=100, default="")
    created_at = Timestamptz()
