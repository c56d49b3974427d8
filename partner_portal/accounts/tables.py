"""Sign-in state: sessions, API tokens, invitations and failed log-ins.

Every secret is stored as its SHA-256 only; the plain value exists once, in the
cookie, the link or on screen.
"""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
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
    """A failed log-in; recent ones for an address or an e-mail throttle further tries."""

    id: Serial
    email = Varchar(length=254, index=True)
    ip_address = Varchar(length=64, index=True)
    failed_at = Timestamptz(index=True)


class ListPreference(Table, tablename="list_preference"):
    """The filters a user last used on a list, so the list opens as they left it."""

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    list_name = Varchar(length=40)
    query_string = Text(default="")
