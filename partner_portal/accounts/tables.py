"""Sign-in state: sessions, API tokens, invitations, failed log-ins, and the requests a
user sent under an idempotency key (partner_portal.idempotency).

Every secret is stored as its SHA-256 only; the plain value exists once, in the
cookie, the link or on screen.
"""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Bytea,
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


class Session(Table, tablename="user_session"):
    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    ip_address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")


class ApiToken(Table, tablename="api_token"):
    id: Serial
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    # The first characters of the token, so its owner can tell tokens apart.
    prefix = Varchar(length=12)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    """A one-time set-password link for a new user (or a reset by an admin)."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class LoginFailure(Table, tablename="login_failure"):
    """A password checked and found wrong: which e-mail, from where, when (kept 30 days)."""

    id: Serial
    email = Varchar(length=254, index=True)
    ip_address = Varchar(length=64, index=True)
    failed_at = Timestamptz(index=True)


class LoginThrottle(Table, tablename="login_throttle"):
    """How many sign-in attempts one throttle key (an account from an address, an address, a
    known device) has used in one time window; see accounts.services.log_in.

    ``bucket`` is the SHA-256 of the key and the window's start: one row per key per window,
    counted up by one atomic INSERT ... ON CONFLICT DO UPDATE, so parallel attempts each get
    their own count. Rows of past windows are deleted as new ones start.
    """

    id: Serial
    bucket = Varchar(length=64, unique=True)
    window_start = Timestamptz(index=True)
    attempts = Integer(default=0)


class ListPreference(Table, tablename="list_preference"):
    """The filters a user last used on a list, so the list opens as they left it."""

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    list_name = Varchar(length=40)
    query_string = Text(default="")


class IdempotentRequest(Table, tablename="idempotent_request"):
    """A change a user asked for under an idempotency key, and the answer it got.

    partner_portal.idempotency claims the key by inserting this row (the unique
    ``user_key`` decides between requests sent at once), then stores the answer on it
    for every repeat to replay. Keys are per user and expire after a day.
    """

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    # "<user id>:<key>": one claim per key and user, enforced by the database.
    user_key = Varchar(length=100, unique=True)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = Varchar(length=64)
    claimed_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    # The answer, once there is one (NULL while the first request is still at work).
    status_code = Integer(null=True, default=None)
    headers = JSON(default="[]")
    body = Bytea(default=b"")
