"""Sign-in state: sessions, API tokens, invitations and failed log-ins.

Every secret is stored as its SHA-256 only; the plain value exists once, in the
cookie, the link or on screen.
"""

from __future__ import annotations

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
