"""Employees' personal links: ``<key>.<expiry>.<signature>``.

The key is random (unguessable, and replaced to revoke a link), the expiry is part of
what is signed, and the HMAC with the portal's secret key means a tampered or made-up
token is refused before any database look-up. The signed expiry only shortens a link's
life: the campaign's closing date bounds it whatever the link says (services.employee_for_token).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from partner_portal.inputs import whole_number
from partner_portal.signing import is_signed, signature

PURPOSE = "group-link"

# Links stay readable for a while after the campaign closes (the employee sees what was ordered).
VALID_AFTER_CLOSE = timedelta(days=30)


def new_link_key() -> str:
    return secrets.token_urlsafe(18)


def link_expiry(closes_on: date) -> datetime:
    return datetime.combine(closes_on, time(0), tzinfo=UTC) + VALID_AFTER_CLOSE


def link_expired(closes_on: date, now: datetime) -> bool:
    return now >= link_expiry(closes_on)


def make_token(secret: str, link_key: str, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{link_key}.{expires}.{signature(secret, PURPOSE, f'{link_key}:{expires}')}"


def read_token(secret: str, token: str, now: datetime) -> str | None:
    """The link key of a genuine, unexpired token; None for anything else."""
    parts = token.split(".")
    expires = whole_number(parts[1], maximum=10**12) if len(parts) == 3 else None
    if expires is None:
        return None
    link_key, _expires_text, claimed = parts
    if not is_signed(secret, PURPOSE, f"{link_key}:{expires}", claimed):
        return None
    if datetime.fromtimestamp(expires, tz=UTC) <= now:
        return None
    return link_key
