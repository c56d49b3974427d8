"""Signatures with the portal's secret key on values it hands out and reads back (employees'
links, the known-device cookie), so a changed or made-up value is refused before any
database look-up.

``purpose`` keeps a signature made for one use from being accepted for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(secret: str, purpose: str, message: str) -> str:
    """A short (144-bit) URL-safe HMAC-SHA256 of ``message`` for ``purpose``."""
    digest = hmac.new(secret.encode(), f"{purpose}:{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def is_signed(secret: str, purpose: str, message: str, claimed: str) -> bool:
    """Whether ``claimed`` is the signature of ``message`` (compared in constant time)."""
    return hmac.compare_digest(signature(secret, purpose, message).encode(), claimed.encode())
