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
