"""The e-mail outbox: every e-mail is a row here first, written in the same transaction
as the change that causes it, and sent later by the sender job (services.send_due)."""

from __future__ import annotations

import enum
import uuid

from piccolo.columns import (
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


class Notification(Table, tablename="notification"):
    """An in-app notification: the bell in the top bar counts the unread ones."""

    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    message = Text()
    link = Varchar(length=300, default="")
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)


class MailOptOut(Table, tablename="mail_opt_out"):
    """A kind of e-mail a user turned off; enqueue_email skips it for them.

    ``user_kind`` is "<user id>:<kind>", unique, so a user turns a kind off once.
    """

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    user_kind = Varchar(length=100, unique=True)
    created_at = Timestamptz()
